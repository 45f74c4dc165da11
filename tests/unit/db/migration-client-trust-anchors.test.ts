// The issue 11 migration on an installation that already had its CAs: Keyward's own CAs become
// client trust anchors (new installations get them from the CA bootstrap instead), on real
// PostgreSQL (127.0.0.1:5432, or the server of DATABASE_URL; loopback only).
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, MIGRATIONS_DIR } from "@/lib/db/migrate";
import {
  createFreshDatabase,
  POSTGRES_SERVER_URL,
  requirePostgresServer,
  type TestDatabase,
} from "../../support/test-db";

const MIGRATION = "client_certificate_authentication";
const TIMEOUT_MS = 60_000;

await requirePostgresServer(POSTGRES_SERVER_URL);

describe("the client trust anchor migration", () => {
  let database: TestDatabase;
  let workDir: string;

  beforeAll(async () => {
    database = await createFreshDatabase(POSTGRES_SERVER_URL, "anchors");
    workDir = await mkdtemp(path.join(os.tmpdir(), "keyward-anchors-"));
  }, TIMEOUT_MS);

  afterAll(async () => {
    await database?.drop();
    await rm(workDir, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it(
    "makes the CAs of an existing installation trust anchors",
    async () => {
      // The history up to (not including) this migration, as an older Keyward left it.
      const folders = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
      const ours = folders.findIndex((f) => f.endsWith(MIGRATION));
      expect(ours).toBeGreaterThan(0);
      const before = path.join(workDir, "before");
      for (const folder of folders.slice(0, ours)) {
        await cp(path.join(MIGRATIONS_DIR, folder), path.join(before, folder), { recursive: true });
      }
      await cp(path.join(MIGRATIONS_DIR, "migration_lock.toml"), path.join(before, "migration_lock.toml"));
      await applyMigrations(database.url, { migrationsDir: before });

      const ders = [randomBytes(300), randomBytes(310)];
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        for (const [i, der] of ders.entries()) {
          await client.query(
            `INSERT INTO "CertificateAuthority" ("id", "name", "role", "subjectDn", "keyAlgorithm", "certificateDer",
               "privateKeySealed", "serialHex", "notBefore", "notAfter")
             VALUES ($1, $2, $3, $4, 'ECDSA-P256', $5, $6, '01', now(), now() + interval '1 year')`,
            [`ca-${i}`, `CA ${i}`, i === 0 ? "root" : "issuing", `CN=CA ${i}`, der, randomBytes(60)],
          );
        }
        // This migration and every later one.
        expect(await applyMigrations(database.url)).toEqual(folders.slice(ours));
        const { rows } = await client.query<{ sha256: string; source: string; subjectDn: string }>(
          `SELECT "sha256", "source", "subjectDn" FROM "ClientTrustAnchor" ORDER BY "subjectDn"`,
        );
        expect(rows).toEqual(
          ders.map((der, i) => ({
            sha256: createHash("sha256").update(der).digest("hex"),
            source: "keyward",
            subjectDn: `CN=CA ${i}`,
          })),
        );
      } finally {
        await client.end();
      }
    },
    TIMEOUT_MS,
  );
});
