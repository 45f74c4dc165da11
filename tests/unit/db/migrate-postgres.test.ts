// lib/db/migrate.ts against real PostgreSQL (127.0.0.1:5432, or the server of DATABASE_URL;
// loopback only): a fresh database per run, dropped afterwards. Skipped when no server answers.
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, createMigration, MIGRATIONS_DIR, SCHEMA_PATH } from "@/lib/db/migrate";
import {
  createFreshDatabase,
  POSTGRES_SERVER_URL,
  requirePostgresServer,
  type TestDatabase,
} from "../../support/test-db";

const SERVER_URL = POSTGRES_SERVER_URL;
const TIMEOUT_MS = 60_000;
// Names of the throw-away databases createMigration uses (lib/db/migrate.ts).
const TEMPORARY_DATABASE = /^(keyward_migrate_base|prisma_migrate_shadow_db)_/;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function listMigrationFolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function temporaryDatabases(): Promise<string[]> {
  const rows = await query<{ datname: string }>(SERVER_URL, "SELECT datname FROM pg_database");
  return rows.map((r) => r.datname).filter((name) => TEMPORARY_DATABASE.test(name));
}

await requirePostgresServer(SERVER_URL);

describe("migrations on PostgreSQL", () => {
  const databases: TestDatabase[] = [];
  let workDir: string;

  async function freshDatabase(): Promise<string> {
    const database = await createFreshDatabase(SERVER_URL, "migrate");
    databases.push(database);
    return database.url;
  }

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), "keyward-migrate-"));
  });

  afterAll(async () => {
    await Promise.allSettled(databases.map((d) => d.drop()));
    await rm(workDir, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it(
    "applies every folder once, with the rows prisma migrate deploy expects, and creates the tables",
    async () => {
      const url = await freshDatabase();
      const folders = await listMigrationFolders(MIGRATIONS_DIR);
      expect(folders.length).toBeGreaterThan(0);

      expect(await applyMigrations(url)).toEqual(folders);

      const rows = await query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        rolled_back_at: Date | null;
        applied_steps_count: number;
      }>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
      expect(rows.map((r) => r.migration_name)).toEqual(folders);
      for (const row of rows) {
        // The native engine checks this checksum (sha256 of migration.sql) before deploying more.
        const sql = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
        expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }

      // Every model of the schema has its table (no @@map in our schema: model name = table name).
      const schema = await readFile(SCHEMA_PATH, "utf8");
      const models = [...schema.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
      const tables = await query<{ table_name: string }>(
        url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(models));

      expect(await applyMigrations(url)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    "finds prisma/migrations in step with prisma/schema.prisma and leaves no scratch database",
    async () => {
      const before = await temporaryDatabases();
      // null: the committed migrations already produce the schema (else run db:migration:create).
      expect(await createMigration(SERVER_URL, "should_be_empty")).toBeNull();
      expect(await temporaryDatabases()).toEqual(before);
    },
    TIMEOUT_MS,
  );

  it(
    "runs each migration whole and atomically, and names the one that failed",
    async () => {
      const migrationsDir = path.join(workDir, "migrations");
      await cp(MIGRATIONS_DIR, migrationsDir, { recursive: true });
      const write = async (name: string, sql: string) => {
        await mkdir(path.join(migrationsDir, name));
        await writeFile(path.join(migrationsDir, name, "migration.sql"), sql);
      };
      // adapter-pg's own executeScript would cut this at the ";" inside the string literal.
      await write(
        "29990101000000_data",
        `INSERT INTO "AuditEvent" ("actor", "action", "targetType") VALUES ('system', 'a;b', 'test');\n`,
      );
      // The first statement must be rolled back with the second.
      await write(
        "29990101000001_broken",
        `INSERT INTO "AuditEvent" ("actor", "action", "targetType") VALUES ('system', 'rolled back', 'test');\nINSERT INTO "NoSuchTable" VALUES (1);\n`,
      );

      const url = await freshDatabase();
      await expect(applyMigrations(url, { migrationsDir })).rejects.toThrow(
        /Migration 29990101000001_broken failed/,
      );
      const events = await query<{ action: string }>(url, 'SELECT "action" FROM "AuditEvent"');
      expect(events.map((e) => e.action)).toEqual(["a;b"]);
      // As with the native engine, a failed migration blocks the next deploy until resolved.
      await expect(applyMigrations(url, { migrationsDir })).rejects.toThrow(/P3009/);
    },
    TIMEOUT_MS,
  );
});
