// The issue-10 migration on a database that already has aliases and accounts (PostgreSQL on the
// loopback server): the terms an alias named become its version 1, accounts that agreed to them
// agreed to version 1, and approval profiles the aliases named (stored before anything enforced
// them) exist afterwards with the defaults.
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations, MIGRATIONS_DIR } from "@/lib/db/migrate";
import {
  createFreshDatabase,
  POSTGRES_SERVER_URL,
  requirePostgresServer,
  type TestDatabase,
} from "../../support/test-db";

const MIGRATION = "approvals_and_terms_versions";
const TIMEOUT_MS = 120_000;

await requirePostgresServer(POSTGRES_SERVER_URL);

describe("migration approvals_and_terms_versions", () => {
  let database: TestDatabase;
  let db: Db;
  let before: string;
  /** This migration and every newer one, in order: what applying the rest must apply. */
  let later: string[];

  beforeAll(async () => {
    database = await createFreshDatabase(POSTGRES_SERVER_URL, "migr10");
    before = await mkdtemp(path.join(os.tmpdir(), "keyward-migr10-"));
    // The database as it was before this migration: every migration older than it, none newer
    // (later ones may build on the tables it makes).
    const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
    const target = entries.find((entry) => entry.isDirectory() && entry.name.endsWith(MIGRATION));
    if (!target) throw new Error(`no migration named *${MIGRATION}`);
    later = entries
      .filter((entry) => entry.isDirectory() && entry.name >= target.name)
      .map((entry) => entry.name)
      .sort();
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name >= target.name) continue;
      await cp(path.join(MIGRATIONS_DIR, entry.name), path.join(before, entry.name), { recursive: true });
    }
    await applyMigrations(database.url, { migrationsDir: before });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
    await rm(before, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it(
    "ok/existing terms become version 1; named approval profiles are created",
    async () => {
      // Written with plain SQL: the generated client knows the columns the migration adds.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(`
          INSERT INTO "Alias" ("id", "name", "configured", "settings", "updatedAt") VALUES
            ('a1', 'with-terms', true, '{"termsOfServiceUrl":"https://t.example/v1","termsOfServiceChangeUrl":"https://t.example/changes","registrationApprovalProfile":"strict"}', now()),
            ('a2', 'without', true, '{"keyChangeApprovalProfile":"strict","registrationApprovalProfile":"lenient"}', now());
          INSERT INTO "Account" ("id", "aliasId", "jwk", "keyThumbprint", "contact", "termsOfServiceAgreed", "updatedAt") VALUES
            ('acc1', 'a1', '{}', 't1', '{}', true, now()),
            ('acc2', 'a1', '{}', 't2', '{}', false, now()),
            ('acc3', 'a2', '{}', 't3', '{}', true, now());`);
      } finally {
        await client.end();
      }

      expect(await applyMigrations(database.url)).toEqual(later);
      db = createDb(database.url, 2);
      const versions = await db.termsOfServiceVersion.findMany();
      expect(versions).toEqual([
        expect.objectContaining({
          aliasId: "a1",
          version: 1,
          url: "https://t.example/v1",
          changeUrl: "https://t.example/changes",
          publishedBy: "system",
        }),
      ]);
      const accounts = await db.account.findMany({
        orderBy: { id: "asc" },
        select: { id: true, termsOfServiceVersion: true },
      });
      expect(accounts).toEqual([
        { id: "acc1", termsOfServiceVersion: 1 },
        { id: "acc2", termsOfServiceVersion: null },
        { id: "acc3", termsOfServiceVersion: null },
      ]);
      const profiles = await db.approvalProfile.findMany({ orderBy: { name: "asc" } });
      expect(
        profiles.map((p) => [
          p.name,
          p.approvalsRequired,
          p.requestValiditySeconds,
          p.administratorsMayApprove,
        ]),
      ).toEqual([
        ["lenient", 1, 604_800, false],
        ["strict", 1, 604_800, false],
      ]);
    },
    TIMEOUT_MS,
  );
});
