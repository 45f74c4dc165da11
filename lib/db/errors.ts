// Prisma error codes translated into questions the services ask; nothing above lib/db looks at
// Prisma's codes.

function prismaCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

/** A unique constraint refused the write (Prisma's P2002, PostgreSQL's 23505 from lib/db/statements.ts). */
export function isUniqueViolation(err: unknown): boolean {
  const code = prismaCode(err);
  return code === "P2002" || code === "23505";
}

/** A foreign key refused the write (Prisma's P2003, PostgreSQL's 23503): a row still refers to it. */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = prismaCode(err);
  return code === "P2003" || code === "23503";
}

// Prisma's codes for a database it cannot reach or lost (P1001 unreachable, P1002 timed out,
// P1008 operation timed out, P1017 server closed the connection, P2024 no pooled connection in
// time), the driver adapter's kinds for the same, and PostgreSQL's SQLSTATEs for a server going
// away: class 08 (connection exception), 57P01-57P03 (shutdown, crash, cannot connect now) and
// 53300 (too many connections).
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "TooManyConnections",
  "SocketTimeout",
]);
const UNAVAILABLE_SQLSTATE = /^(08|57P0[123]$|53300$)/;
// node-postgres's own, for the statements that bypass Prisma (lib/db/statements.ts): the errno of
// a socket call (not of a file: ENOENT is a missing socket only when connect says so), and the messages of a connection that ended or a pool that found none in time.
const UNAVAILABLE_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOENT",
]);
const UNAVAILABLE_DRIVER_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * The database could not be reached or went away mid-request: a condition that passes, which a
 * client should retry (503), as opposed to a statement that failed.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { code, meta, cause, syscall } = e as {
      code?: unknown;
      syscall?: unknown;
      meta?: { driverAdapterError?: { cause?: unknown } };
      cause?: unknown;
    };
    if (
      typeof code === "string" &&
      (UNAVAILABLE_PRISMA_CODES.has(code) ||
        UNAVAILABLE_SQLSTATE.test(code) ||
        (UNAVAILABLE_ERRNO.has(code) && ["connect", "read", "write"].includes(String(syscall))))
    )
      return true;
    if (e instanceof Error && UNAVAILABLE_DRIVER_MESSAGE.test(e.message)) return true;
    const adapter = (meta?.driverAdapterError?.cause ?? cause) as
      | { kind?: unknown; originalCode?: unknown }
      | undefined;
    if (typeof adapter?.kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(adapter.kind)) return true;
    if (typeof adapter?.originalCode === "string" && UNAVAILABLE_SQLSTATE.test(adapter.originalCode))
      return true;
    e = meta?.driverAdapterError?.cause ?? cause;
  }
  return false;
}

/**
 * Runs `operation`, and again every `intervalMs` while the database is unavailable, for up to
 * `forMs`: for work that must not be lost to a database restart (a validation's outcome).
 * Other errors, and the last unavailability, are thrown.
 */
export async function retryWhileDatabaseUnavailable<T>(
  operation: () => Promise<T>,
  o: { forMs: number; intervalMs: number } = { forMs: 30_000, intervalMs: 500 },
): Promise<T> {
  const giveUpAt = Date.now() + o.forMs;
  for (;;) {
    try {
      return await operation();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() + o.intervalMs > giveUpAt) throw err;
      await new Promise((resolve) => setTimeout(resolve, o.intervalMs));
    }
  }
}
