// What the embedded database keeps in the data directory beside <dataDir>/pglite, shared by the
// process that serves it (lib/db/pglite-server.ts) and those that connect to it
// (lib/db/embedded.ts: the server, the CLI, db:migrate).
//
// <dataDir>/pglite-socket/.s.PGSQL.5432  its Unix socket, in a 0700 directory (issue 15: the
//                                        TCP port took any local user as the superuser)
// <dataDir>/pglite.lock                  0600: "<pid>\n" while it starts, then
//                                        "<pid>\n{"socketDir":…}\n" once it serves
import path from "node:path";

export const LOCK_FILE = "pglite.lock";
export const SOCKET_DIR = "pglite-socket";
// PostgreSQL clients find a server's socket as <host>/.s.PGSQL.<port>: the port number only names
// the file here. PostgreSQL's own, so tools need no port option.
const SOCKET_PORT = 5432;
export const SOCKET_FILE = `.s.PGSQL.${SOCKET_PORT}`;

/** What a running server publishes in its lock file for local clients. */
export interface ServingLock {
  pid: number;
  /** The directory that holds SOCKET_FILE: SOCKET_DIR, or a temporary one when that path is too long. */
  socketDir: string;
}

export function formatServingLock({ pid, socketDir }: ServingLock): string {
  // JSON for the second line: a path may hold any character but NUL, a newline included.
  return `${pid}\n${JSON.stringify({ socketDir })}\n`;
}

/** The lock of a server that serves, or null (still starting, an older format, damaged). */
export function parseServingLock(text: string): ServingLock | null {
  const newline = text.indexOf("\n");
  const pid = Number.parseInt(text.slice(0, newline), 10);
  if (newline === -1 || !Number.isInteger(pid) || pid <= 0) return null;
  try {
    const { socketDir } = JSON.parse(text.slice(newline + 1)) as Partial<ServingLock>;
    if (typeof socketDir !== "string" || !path.isAbsolute(socketDir)) return null;
    return { pid, socketDir };
  } catch {
    return null;
  }
}

/**
 * The postgres:// URL of the server whose socket is in `socketDir`. node-postgres (and so
 * adapter-pg and the migration engine) reads a `host` that starts with "/" as a socket directory.
 * No password: the socket's directory decides who connects.
 */
export function socketDatabaseUrl(socketDir: string): string {
  const url = new URL(`postgresql://postgres@localhost:${SOCKET_PORT}/postgres`);
  url.searchParams.set("host", socketDir);
  return url.toString();
}
