// Alias rules that need the database to arbitrate, on a fresh PostgreSQL database: concurrent
// stores of one alias's settings must not lose each other's changes (issue 5: the read-change-
// write ran without a lock).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { readAliasSettings } from "@/lib/ra/alias-settings";
import { createAlias, storeAliasSettings } from "@/lib/ra/aliases";
import {
  createFreshDatabase,
  POSTGRES_SERVER_URL,
  requirePostgresServer,
  type TestDatabase,
} from "../../support/test-db";

const TIMEOUT_MS = 120_000;
const by = { actor: "system" as const };

describe("alias settings stores on PostgreSQL", () => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    await requirePostgresServer(POSTGRES_SERVER_URL);
    database = await createFreshDatabase(POSTGRES_SERVER_URL, "aliases");
    await applyMigrations(database.url);
    db = createDb(database.url, 10);
    await db.globalSettings.create({ data: { id: 1, nonceKeySealed: new Uint8Array(60) } });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  }, TIMEOUT_MS);

  it("concurrent stores of different fields of one alias all survive", async () => {
    await createAlias(db, "race", by);
    const changes: Record<string, unknown>[] = [
      { websiteUrl: "https://race.example/" },
      { retryAfterSeconds: 7 },
      { orderValidity: "2h" },
      { dnsPort: 5353 },
      { preAuthorizationAllowed: true },
      { caaIdentities: ["ca.race.example"] },
      { termsOfServiceUrl: "https://race.example/tos" },
      { wildcardCertificateIssuanceAllowed: true },
      { requireDnssec: true },
      { dnsIdentifierChallengeTypes: "dns-01" },
      { authorizedRedirectPorts: [80, 443, 8080] },
      { wildcardWithHttp01ChallengeAllowed: false },
    ];
    // Several rounds, so an unguarded read-change-write would lose a field with near certainty.
    for (let round = 0; round < 3; round++) {
      await Promise.all(changes.map((change) => storeAliasSettings(db, "race", change, by)));
    }
    const row = await db.alias.findUniqueOrThrow({ where: { name: "race" } });
    const stored = readAliasSettings(row.settings);
    for (const change of changes) expect(stored).toMatchObject(change);
    expect(await db.auditEvent.count({ where: { action: "alias.updated", targetId: row.id } })).toBe(
      3 * changes.length,
    );
  });
});
