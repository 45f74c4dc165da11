// The issue-12 profiles migration on a database whose aliases already stored an end entity
// profile's name (PostgreSQL on the loopback server): each name becomes a profile with the
// default fields, so the aliases keep naming a profile that exists; an empty name becomes none.
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations, MIGRATIONS_DIR } from "@/lib/db/migrate";
import { DEFAULT_END_ENTITY_PROFILE_FIELDS } from "@/lib/ra/profile-fields";
import {
  createFreshDatabase,
  POSTGRES_SERVER_URL,
  requirePostgresServer,
  type TestDatabase,
} from "../../support/test-db";

const MIGRATION = "_profiles";
const TIMEOUT_MS = 120_000;

await requirePostgresServer(POSTGRES_SERVER_URL);

describe("migration profiles", () => {
  let database: TestDatabase;
  let db: Db;
  let before: string;
  let later: string[];

  beforeAll(async () => {
    database = await createFreshDatabase(POSTGRES_SERVER_URL, "migr12");
    before = await mkdtemp(path.join(os.tmpdir(), "keyward-migr12-"));
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
    "ok/stored end entity profile names become profiles with the defaults; an empty name becomes none",
    async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(`
          INSERT INTO "Alias" ("id", "name", "configured", "settings", "updatedAt") VALUES
            ('a1', 'web', true, '{"endEntityProfile":"TLS Server"}', now()),
            ('a2', 'web2', true, '{"endEntityProfile":"TLS Server"}', now()),
            ('a3', 'blank', true, '{"endEntityProfile":"  "}', now()),
            ('a4', 'none', true, '{"endEntityProfile":null}', now()),
            ('a5', 'old', true, '{}', now());`);
      } finally {
        await client.end();
      }

      expect(await applyMigrations(database.url)).toEqual(later);
      db = createDb(database.url, 2);
      const profiles = await db.endEntityProfile.findMany();
      expect(profiles).toEqual([
        expect.objectContaining({
          name: "TLS Server",
          subjectDnAttributes: DEFAULT_END_ENTITY_PROFILE_FIELDS.subjectDnAttributes,
          maxDnsNames: DEFAULT_END_ENTITY_PROFILE_FIELDS.maxDnsNames,
          maxIpAddresses: DEFAULT_END_ENTITY_PROFILE_FIELDS.maxIpAddresses,
          defaultCertificateProfileId: null,
          defaultCaId: null,
          batchGeneration: false,
        }),
      ]);
      const aliases = await db.alias.findMany({
        orderBy: { id: "asc" },
        select: { id: true, settings: true },
      });
      expect(aliases.map((a) => (a.settings as { endEntityProfile?: unknown }).endEntityProfile)).toEqual([
        "TLS Server",
        "TLS Server",
        null,
        null,
        undefined,
      ]);
    },
    TIMEOUT_MS,
  );
});
