// The embedded database process: PGlite persisted in <dataDir>/pglite, served over the PostgreSQL
// wire protocol by pglite-socket. The app then talks to it exactly as to PostgreSQL (adapter-pg,
// pool, migrations); only DATABASE_URL differs (STACK.md "Embedded default database").
//
// Started only by lib/db/embedded.ts, as `node --import tsx pglite-server.ts <dataDir>` with an
// IPC channel: it reports { type: "ready", socketDir } or { type: "error", message } over it, and
// stops on SIGTERM, SIGINT or when the channel closes (its parent exited or was killed).
//
// Only the user Keyward runs as (and root) may connect (issue 15): there is no TCP port, only a
// Unix socket in a 0700 directory, so the kernel turns every other user away before PGlite sees
// a byte. No password on top: whoever can reach the socket is that same user, who could read a
// password from the data directory just as well. PGlite accepts every connection that arrives.
//
// Why a separate process: in-process PGlite was ~40% slower with 600 ms p99 spikes, because its
// WebAssembly Postgres runs on the app's event loop (STACK.md).
import {
  chmodSync,
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { ensurePrivateDirectory, restrictTreeToOwner } from "../data-dir";
import { CHANGES_CHANNEL } from "./changes";
import { formatServingLock, LOCK_FILE, SOCKET_DIR, SOCKET_FILE } from "./pglite-files";
import { ExchangeQueue } from "./pglite-queue";

/** What the server tells its parent over the IPC channel (a private pipe). */
export type PgliteServerMessage =
  | { type: "ready"; socketDir: string }
  | { type: "error"; message: string }
  | { type: "notification"; channel: string; payload: string };

/** Marks our own processes in /proc/<pid>/cmdline, for the stale-lock check. */
const PGLITE_SERVER_SCRIPT = "pglite-server.ts";

// pglite-socket's default is 1, which refuses the pool's second connection. PostgreSQL's own
// default max_connections; queries are serialised by PGlite anyway, so this only bounds leaks.
const MAX_CONNECTIONS = 100;
// A clean stop takes well under a second; past this we exit anyway rather than hang the parent.
const SHUTDOWN_TIMEOUT_MS = 10_000;
// A Unix socket path is at most 107 bytes on Linux (sun_path is 108 with its NUL; 104 on macOS).
const MAX_SOCKET_PATH_BYTES = 103;

// Before anything is created: every file and directory this process makes is its user's alone.
// PGlite's own Postgres creates its later files 0600 (and chmods them so); umask covers what
// Node and Emscripten create with their defaults (directories, temporary files).
process.umask(0o077);

const dataDir = process.argv[2];
if (!dataDir || !process.send) {
  process.stderr.write(
    "pglite-server: started without a data directory or an IPC channel (use lib/db/embedded.ts)\n",
  );
  process.exit(2);
}
const pgliteDir = path.join(dataDir, "pglite");
const lockPath = path.join(dataDir, LOCK_FILE);

let db: PGlite | undefined;
let server: PGLiteSocketServer | undefined;
let stopping = false;
/** A socket directory of our own under the system's temporary directory, removed at stop. */
let temporarySocketDir: string | undefined;

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
    if (temporarySocketDir) rmSync(temporarySocketDir, { recursive: true, force: true });
    process.exit(exitCode);
  }
  return new Promise<never>(() => {});
}

process.on("SIGTERM", () => void shutdown(0));
process.on("SIGINT", () => void shutdown(0));
// The channel closes when the parent exits for any reason, kill -9 included: don't outlive it.
process.on("disconnect", () => void shutdown(0));

try {
  ensurePrivateDirectory(dataDir);
  ensurePrivateDirectory(pgliteDir);
  acquireLock();
  db = new PGlite(pgliteDir);
  await db.waitReady;
  // A new directory's files come out of PGlite's initdb as 0666 whatever the umask, and those of
  // earlier versions are 0666/0755: make them the owner's alone, once per start. (Until then the
  // 0700 directories above already keep everyone else out.)
  restrictTreeToOwner(pgliteDir);

  const socketDir = prepareSocketDirectory();
  const socketPath = path.join(socketDir, SOCKET_FILE);
  // Left behind by a server that was killed (we hold the lock, so it is not in use).
  rmSync(socketPath, { force: true });
  server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: MAX_CONNECTIONS });
  // Replace the library's per-message queue before any connection takes it (lib/db/pglite-queue.ts).
  // Notifications the shared session receives are passed on to the parent (lib/db/changes.ts).
  (server as unknown as { queryQueue: ExchangeQueue }).queryQueue = new ExchangeQueue(
    db,
    (channel, payload) => {
      if (channel === CHANGES_CHANNEL) send({ type: "notification", channel, payload });
    },
  );
  await server.start();
  // 0700 from the umask already; 0600 as every other file (connecting needs only write permission).
  chmodSync(socketPath, 0o600);
  if (stopping) await shutdown(0);
  // The lock also tells other local processes (the CLI, db:migrate) where to connect while this
  // server runs, since they cannot open the directory themselves. Replaced in one rename, so a
  // reader sees either the starting lock or the whole serving one.
  const serving = `${lockPath}.${process.pid}.tmp`;
  writeFileSync(serving, formatServingLock({ pid: process.pid, socketDir }), { mode: 0o600 });
  renameSync(serving, lockPath);
  // The parent's caches learn of changes (lib/db/changes.ts): no connection of the socket may
  // LISTEN in the one shared session, so the session listens here and the exchange queue passes
  // each notification on over IPC (PGlite's own callback hears only its own queries' commits).
  await db.listen(CHANGES_CHANNEL, () => {});
  send({ type: "ready", socketDir });
} catch (error) {
  send({ type: "error", message: error instanceof Error ? error.message : String(error) });
  await shutdown(1);
}

/**
 * <dataDir>/pglite-socket, 0700 and ours; or, when the socket's path would be too long for the
 * kernel, a new private directory under the system's temporary directory (the lock file says
 * which).
 */
function prepareSocketDirectory(): string {
  const socketDir = path.join(dataDir as string, SOCKET_DIR);
  if (Buffer.byteLength(path.join(socketDir, SOCKET_FILE)) > MAX_SOCKET_PATH_BYTES) {
    temporarySocketDir = mkdtempSync(path.join(os.tmpdir(), "keyward-pglite-")); // 0700
    return temporarySocketDir;
  }
  try {
    mkdirSync(socketDir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  // lstat: a symlink or another user's directory here is not ours to listen in.
  const stat = lstatSync(socketDir);
  if (!stat.isDirectory() || stat.uid !== process.getuid?.()) {
    throw new Error(`${socketDir} is not a directory owned by this user; remove it`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(socketDir, 0o700);
  return socketDir;
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
