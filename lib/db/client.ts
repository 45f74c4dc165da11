// The database client: one node-postgres pool per process, shared by the Prisma client (Prisma 7
// requires a driver adapter) and by the hand-written statements of the ACME hot path
// (lib/db/statements.ts), which skip the ORM (issue 13). lib/db holds storage only: no ACME or
// console rules.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "@/lib/env";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;
export type { Prisma } from "./generated/client";

let client: PrismaClient | undefined;
let statements = 0;

/**
 * node-postgres's client, counting the statements it sends (BEGIN and COMMIT included): the
 * figure `npm run bench` reports per order (issue 13). One increment per statement.
 */
class CountingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: every overload of query is counted and passed on as is.
  override query(...args: any[]): any {
    statements++;
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }
}

/** Statements this process has sent to the database since it started. */
export function statementsExecuted(): number {
  return statements;
}

/** PostgreSQL's OID of `timestamp without time zone`, the type of every Prisma DateTime column. */
const TIMESTAMP_OID = 1114;

/**
 * Prisma stores DateTime as timestamp(3) in UTC; node-postgres would read it as local time.
 * Values of every other type keep node-postgres's parsers.
 */
const types = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID && format !== "binary"
      ? (value: string) => new Date(`${value.replace(" ", "T")}Z`)
      : pg.types.getTypeParser(oid, format),
};

export type Pool = pg.Pool & {
  /**
   * Whether statements may be prepared under a name. Not on the embedded database: its
   * connections share one PostgreSQL session, so one connection's prepared name would collide
   * with another's (lib/db/pglite-queue.ts).
   */
  readonly keywardNamedStatements: boolean;
};

const pools = new WeakMap<PrismaClient, Pool>();

/** The embedded database is reached through a Unix socket directory (lib/db/pglite-files.ts). */
function isEmbeddedUrl(url: string): boolean {
  return new URL(url).searchParams.get("host")?.startsWith("/") === true;
}

export function createDb(url: string, max = 10): PrismaClient {
  const pool = Object.assign(new pg.Pool({ connectionString: url, max, Client: CountingClient, types }), {
    keywardNamedStatements: !isEmbeddedUrl(url),
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(prisma, pool);
  return prisma;
}

/** The pool under a client made by createDb. */
export function poolOf(db: PrismaClient): Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error("not a client made by createDb: it has no pool");
  return pool;
}

/** The process-wide client for DATABASE_URL (set by the server before first use). */
export function db(): PrismaClient {
  if (!client) {
    const url = env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    client = createDb(url);
  }
  return client;
}

export async function closeDb(): Promise<void> {
  await client?.$disconnect();
  client = undefined;
}
