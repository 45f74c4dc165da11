// A fresh database for each test run: on the PostgreSQL named by DATABASE_URL (loopback only),
// or on the embedded PGlite when DATABASE_URL is unset. Never touches an existing database.

import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedDatabase } from "@/lib/db/embedded";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function assertLoopbackDatabase(url: string): URL {
  const parsed = new URL(url);
  if (!LOOPBACK.has(parsed.hostname)) {
    throw new Error(
      `Refusing to run tests against ${parsed.hostname}: DATABASE_URL must point at a loopback address`,
    );
  }
  return parsed;
}

export type TestDatabase = { url: string; drop: () => Promise<void> };

/** Creates keyward_test_<time>_<random> on the server of `baseUrl`. */
export async function createFreshDatabase(baseUrl: string, label = "test"): Promise<TestDatabase> {
  const base = assertLoopbackDatabase(baseUrl);
  const name = `keyward_${label}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new URL(base);
  admin.pathname = "/postgres";
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** The PostgreSQL server that database-level tests use: DATABASE_URL, or the local one. */
export const POSTGRES_SERVER_URL = process.env.DATABASE_URL ?? "postgresql://root@127.0.0.1:5432/postgres";

/**
 * Fails (never skips) when the tests that need a real PostgreSQL (CREATE DATABASE, shadow
 * databases) find none.
 */
export async function requirePostgresServer(url = POSTGRES_SERVER_URL): Promise<void> {
  assertLoopbackDatabase(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${url}: start it or set DATABASE_URL to a loopback PostgreSQL (${String(err)})`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Where a storage test runs: a fresh database on the loopback PostgreSQL, or an embedded one. */
export type DatabaseTarget = {
  name: string;
  open: () => Promise<{ url: string; close: () => Promise<void> }>;
};

/** Both kinds of database Keyward runs on, each fresh, for `describe.each`; `label` names them. */
export function databaseTargets(label: string): DatabaseTarget[] {
  return [
    {
      name: "PostgreSQL",
      open: async () => {
        await requirePostgresServer(POSTGRES_SERVER_URL);
        const fresh = await createFreshDatabase(POSTGRES_SERVER_URL, label);
        return { url: fresh.url, close: fresh.drop };
      },
    },
    {
      name: "embedded database",
      open: async () => {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), `keyward-${label}-`));
        const embedded = await startEmbeddedDatabase({ dataDir: dir });
        return {
          url: embedded.url,
          close: async () => {
            await embedded.stop();
            await fs.rm(dir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
}
