// The embedded database process: PGlite persisted in <dataDir>/pglite, served over the PostgreSQL
// wire protocol on 127.0.0.1 by pglite-socket. The app then talks to it exactly as to PostgreSQL
// (adapter-pg, pool, migrations); only DATABASE_URL differs (STACK.md "Embedded default database").
//
// Started only by lib/db/embedded.ts, as `node --import tsx pglite-server.ts <dataDir>` with an
// IPC channel: it reports { type: "ready", port } or { type: "error", message } over it, and
// stops on SIGTERM, SIGINT or when the channel closes (its parent exited or was killed).
//
// Why a separate process: in-process PGlite was ~40% slower with 600 ms p99 spikes, because its
// WebAssembly Postgres runs on the app's event loop (STACK.md).
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { ExchangeQueue } from "./pglite-queue";

/** What the server tells its parent over the IPC channel. */
export type PgliteServerMessage = { type: "ready"; port: number } | { type: "error"; message: string };

/** Marks our own processes in /proc/<pid>/cmdline, for the stale-lock check. */
const PGLITE_SERVER_SCRIPT = "pglite-server.ts";

// pglite-socket's default is 1, which refuses the pool's second connection. PostgreSQL's own
// default max_connections; queries are serialised by PGlite anyway, so this only bounds leaks.
const MAX_CONNECTIONS = 100;
// A clean stop takes well under a second; past this we exit anyway rather than hang the parent.
const SHUTDOWN_TIMEOUT_MS = 10_000;

const dataDir = process.argv[2];
if (!dataDir || !process.send) {
  process.stderr.write(
    "pglite-server: started without a data directory or an IPC channel (use lib/db/embedded.ts)\n",
  );
  process.exit(2);
}
const pgliteDir = path.join(dataDir, "pglite");
const lockPath = path.join(dataDir, "pglite.lock");

let db: PGlite | undefined;
let server: PGLiteSocketServer | undefined;
let stopping = false;

function send(message: PgliteServerMessage): void {
  // The parent may already be gone (that is one way we get here): nothing left to tell.
  if (process.connected) process.send?.(message);
}

async function shutdown(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    setTimeout(() => process.exit(exitCode || 1), SHUTDOWN_TIMEOUT_MS).unref();
    try {
      await server?.stop();
      // A clean close shuts the Postgres backend down (final checkpoint): no WAL recovery next time.
      if (db && !db.closed) await db.close();
    } catch (error) {
      process.stderr.write(`pglite-server: error while stopping: ${String(error)}\n`);
      exitCode ||= 1;
    }
    releaseLock();
    process.exit(exitCode);
  }
  return new Promise<never>(() => {});
}

process.on("SIGTERM", () => void shutdown(0));
process.on("SIGINT", () => void shutdown(0));
// The channel closes when the parent exits for any reason, kill -9 included: don't outlive it.
process.on("disconnect", () => void shutdown(0));

try {
  mkdirSync(pgliteDir, { recursive: true });
  acquireLock();
  db = new PGlite(pgliteDir);
  await db.waitReady;
  server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: MAX_CONNECTIONS });
  // Replace the library's per-message queue before any connection takes it (lib/db/pglite-queue.ts).
  (server as unknown as { queryQueue: ExchangeQueue }).queryQueue = new ExchangeQueue(db);
  let port = 0;
  server.addEventListener("listening", (event) => {
    port = (event as CustomEvent<{ port: number }>).detail.port;
  });
  await server.start();
  if (stopping) await shutdown(0);
  // The lock also tells other local processes (the CLI, db:migrate) where to connect while this
  // server runs, since they cannot open the directory themselves: "<pid>\n<port>\n".
  writeFileSync(lockPath, `${process.pid}\n${port}\n`, { mode: 0o600 });
  send({ type: "ready", port });
} catch (error) {
  send({ type: "error", message: error instanceof Error ? error.message : String(error) });
  await shutdown(1);
}

// ---------------------------------------------------------------------------------------------
// One server per data directory.
//
// PGlite does not lock its directory (its postmaster.pid holds a fixed fake pid), and two
// processes writing the same files corrupt them. So we keep our own lock file holding the
// server's pid, created atomically. A lock whose process is gone (kill -9, power loss) is stale
// and taken over; PGlite itself recovers from such a crash by replaying its WAL.

function acquireLock(): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readLockPid();
    if (holder !== undefined && holder !== process.pid && isOurServerRunning(holder)) {
      throw new Error(`${dataDir} is already served by an embedded database (pid ${holder}); stop it first`);
    }
    unlinkSync(lockPath); // stale: its process is gone
  }
  throw new Error(`could not take the lock ${lockPath}`);
}

function releaseLock(): void {
  try {
    if (readLockPid() === process.pid) unlinkSync(lockPath);
  } catch {
    // Already gone: nothing to release.
  }
}

function readLockPid(): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isOurServerRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // ESRCH: no such process, the lock is stale. EPERM: alive but another user's; refusing is
    // the safe side.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  // The pid is alive; after a crash and a reboot it may belong to something else entirely.
  // Linux tells us what it runs; elsewhere assume the worst and refuse.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(PGLITE_SERVER_SCRIPT);
  } catch {
    return true;
  }
}
