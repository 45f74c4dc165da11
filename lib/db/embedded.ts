// The embedded default database: when no DATABASE_URL is configured, Keyward runs PGlite in a
// child process (lib/db/pglite-server.ts) that serves it on a Unix socket in the data directory,
// and uses the returned postgres:// URL like any other (client, migrations). STACK.md "Embedded
// default database" says why this design won over in-process PGlite and `prisma dev`.
//
// Only Keyward's own user (and root) can connect (issue 15): the socket's directory is 0700.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LOCK_FILE, parseServingLock, type ServingLock, socketDatabaseUrl } from "./pglite-files";
import type { PgliteServerMessage } from "./pglite-server";

export interface EmbeddedDatabase {
  /** postgres:// URL for adapter-pg, pg and applyMigrations; its `host` is the socket directory. */
  url: string;
  /** The child process serving it. */
  pid: number;
  /** Stops the child (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
  /** PostgreSQL notifications (NOTIFY) in the database, forwarded by the child (lib/db/changes.ts). */
  onNotification(listener: (channel: string, payload: string) => void): void;
  /** Called once the child has exited, however it ended. */
  onExit(listener: () => void): void;
}

export interface EmbeddedDatabaseOptions {
  /** Keyward's data directory (made 0700); the database lives in <dataDir>/pglite. */
  dataDir: string;
  /** How long the first start may take (initdb of a new directory: 2.5–6 s on 2 cores). */
  startTimeoutMs?: number;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
// The server closes the socket server and PGlite in well under a second; it gives itself 10 s.
const STOP_GRACE_MS = 12_000;

const SERVER_SCRIPT = fileURLToPath(new URL("./pglite-server.ts", import.meta.url));

/**
 * The URL of the embedded database that a running process (normally the Keyward server) serves
 * for `dataDir`, read from its lock file (lib/db/pglite-files.ts), or null when none runs. The
 * lock is 0600, like the socket's directory: whoever can read it can also connect.
 */
export function runningEmbeddedDatabaseUrl(dataDir: string): string | null {
  let lock: ServingLock | null;
  try {
    lock = parseServingLock(readFileSync(path.join(path.resolve(dataDir), LOCK_FILE), "utf8"));
  } catch {
    return null;
  }
  if (!lock) return null;
  try {
    process.kill(lock.pid, 0);
  } catch {
    return null; // a stale lock: its process is gone
  }
  return socketDatabaseUrl(lock.socketDir);
}

/**
 * For tools that run beside the server (CLI, db:migrate): the running embedded database if
 * there is one, else a new one for the time of the command.
 */
export async function openEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const url = runningEmbeddedDatabaseUrl(options.dataDir);
  if (url) return { url, pid: 0, stop: async () => {}, onNotification: () => {}, onExit: () => {} };
  return startEmbeddedDatabase(options);
}

/**
 * Starts the embedded database for `dataDir` and resolves once it accepts connections.
 * Rejects if another embedded database serves the same directory, or if the child fails or
 * does not become ready in time (the child is then killed).
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  // The child creates the directories, 0700, before anything else (lib/data-dir.ts).
  const dataDir = path.resolve(options.dataDir);

  const child = spawn(process.execPath, ["--import", tsxLoaderUrl(), SERVER_SCRIPT, dataDir], {
    // stdout/stderr shared with ours so PGlite's own errors are seen; the URL comes over IPC.
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // Own process group: Ctrl-C in a terminal reaches only our process, which stops the database
    // after it has drained its requests, instead of both at once. The child still follows us
    // when we die: it watches the IPC channel.
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  let url: string;
  try {
    url = await waitUntilReady(child, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  } catch (error) {
    await terminate(child, exited);
    throw error;
  }
  if (child.pid === undefined) throw new Error("embedded database: child has no pid");
  const pid = child.pid;

  let stopping = false;
  child.once("exit", (code, signal) => {
    if (!stopping) {
      process.stderr.write(
        `embedded database (pid ${pid}) exited unexpectedly (${signal ?? `code ${code}`})\n`,
      );
    }
  });
  // Neither the child nor its channel keeps our event loop alive: a process that is done exits,
  // and the child then stops itself on the channel's disconnect.
  child.unref();
  child.channel?.unref();

  return {
    url,
    pid,
    async stop() {
      stopping = true;
      await terminate(child, exited);
    },
    onNotification(listener) {
      child.on("message", (message: PgliteServerMessage) => {
        if (message.type === "notification") listener(message.channel, message.payload);
      });
    },
    onExit(listener) {
      void exited.then(listener);
    },
  };
}

/**
 * SIGTERM, so the server closes PGlite cleanly and releases its lock; SIGKILL if it has not
 * exited after the grace period. Resolves once it has exited.
 */
async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  // No pid: the spawn itself failed and there is no process (nor any exit event) to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.ref(); // wait for the exit even if nothing else keeps our event loop alive
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function waitUntilReady(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => settle(new Error(`embedded database did not start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: PgliteServerMessage) => {
      if (message.type === "ready") settle(socketDatabaseUrl(message.socketDir));
      else if (message.type === "error")
        settle(new Error(`embedded database failed to start: ${message.message}`));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      settle(
        new Error(
          `embedded database exited during start (${signal ?? `code ${code}`}); see its output above`,
        ),
      );
    const onError = (error: Error) =>
      settle(new Error(`embedded database could not be started: ${error.message}`));

    function settle(result: string | Error) {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      child.off("error", onError);
      if (result instanceof Error) reject(result);
      else resolve(result);
    }
    child.on("message", onMessage);
    child.on("exit", onExit);
    child.on("error", onError);
  });
}

/**
 * tsx's loader as an absolute file URL: `--import tsx` alone would be resolved from the child's
 * working directory, which need not be the project's.
 */
function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
}
