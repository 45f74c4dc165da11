// Alias rules that need the database to arbitrate, on a fresh PostgreSQL database: concurrent
// stores of one alias's settings must not lose each other's changes (issue 5: the read-change-
// write ran without a lock); approval profiles an alias names must exist and cannot be deleted
// while named; a new terms URL is a new terms version (issue 10).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { readAliasSettings } from "@/lib/ra/alias-settings";
import { applyAlias, createAlias, publishTermsOfService, storeAliasSettings } from "@/lib/ra/aliases";
import {
  createApprovalProfile,
  deleteApprovalProfile,
  updateApprovalProfile,
} from "@/lib/ra/approval-profiles";
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

  it("fail/an alias naming a missing approval profile is not stored (store and apply); ok/once it exists", async () => {
    await createAlias(db, "approvals", by);
    const refused = storeAliasSettings(db, "approvals", { registrationApprovalProfile: "ghost" }, by);
    await expect(refused).rejects.toMatchObject({
      status: 422,
      options: {
        extra: {
          invalidParams: [
            {
              name: "settings.registrationApprovalProfile",
              reason: expect.stringContaining('No approval profile named "ghost" exists'),
            },
          ],
        },
      },
    });
    await expect(
      applyAlias(db, "approvals-new", { keyChangeApprovalProfile: "ghost" }, by),
    ).rejects.toMatchObject({
      status: 422,
    });
    // A refused apply leaves no half-made alias behind.
    expect(await db.alias.findUnique({ where: { name: "approvals-new" } })).toBeNull();

    await createApprovalProfile(db, { name: "ghost", fields: { approvalsRequired: 2 } }, by);
    await storeAliasSettings(db, "approvals", { registrationApprovalProfile: "ghost" }, by);
    const row = await db.alias.findUniqueOrThrow({ where: { name: "approvals" } });
    expect(readAliasSettings(row.settings).registrationApprovalProfile).toBe("ghost");
  });

  it("fail/a profile an alias names cannot be deleted; ok/after the alias lets go of it", async () => {
    await createApprovalProfile(db, { name: "in-use", fields: {} }, by);
    await createAlias(db, "uses-it", by);
    await storeAliasSettings(db, "uses-it", { keyChangeApprovalProfile: "in-use" }, by);
    await expect(deleteApprovalProfile(db, "in-use", by)).rejects.toMatchObject({
      status: 409,
      detail: expect.stringContaining('used by alias "uses-it"'),
    });
    await storeAliasSettings(db, "uses-it", { keyChangeApprovalProfile: null }, by);
    await deleteApprovalProfile(db, "in-use", by);
    expect(await db.approvalProfile.findUnique({ where: { name: "in-use" } })).toBeNull();
    expect(await db.auditEvent.count({ where: { action: "approvalProfile.deleted" } })).toBe(1);
  });

  it("fail/profiles: a duplicate name → 409, a bad field → 422 naming it; ok/a change keeps the other fields", async () => {
    await createApprovalProfile(db, { name: "twice", fields: { requestValidity: "2d" } }, by);
    await expect(createApprovalProfile(db, { name: "twice", fields: {} }, by)).rejects.toMatchObject({
      status: 409,
    });
    await expect(updateApprovalProfile(db, "twice", { approvalsRequired: 9 }, by)).rejects.toMatchObject({
      status: 422,
      options: { extra: { invalidParams: [{ name: "approvalsRequired", reason: "From 1 to 5 approvals" }] } },
    });
    const updated = await updateApprovalProfile(db, "twice", { approvalsRequired: 3 }, by);
    expect(updated).toMatchObject({ approvalsRequired: 3, requestValidity: "2d" });
  });

  it("a profile deletion and a store naming it, at once: never an alias naming a deleted profile", async () => {
    for (let round = 0; round < 5; round++) {
      const profile = `racing-${round}`;
      await createApprovalProfile(db, { name: profile, fields: {} }, by);
      await createAlias(db, `race-${round}`, by);
      await Promise.allSettled([
        storeAliasSettings(db, `race-${round}`, { registrationApprovalProfile: profile }, by),
        deleteApprovalProfile(db, profile, by),
      ]);
      const named = readAliasSettings(
        (await db.alias.findUniqueOrThrow({ where: { name: `race-${round}` } })).settings,
      ).registrationApprovalProfile;
      const exists = (await db.approvalProfile.findUnique({ where: { name: profile } })) !== null;
      // Either the store won (the profile stays, named) or the deletion did (nothing names it).
      expect(named === profile ? exists : named === null).toBe(true);
    }
  });

  it("a new terms URL is a new version, however it is stored; the same URL again is none", async () => {
    await createAlias(db, "terms", by);
    const alias = await db.alias.findUniqueOrThrow({ where: { name: "terms" } });
    await storeAliasSettings(db, "terms", { termsOfServiceUrl: "https://t.example/v1" }, by);
    await storeAliasSettings(db, "terms", { websiteUrl: "https://t.example/" }, by);
    await publishTermsOfService(
      db,
      "terms",
      { url: "https://t.example/v2", changeUrl: "https://t.example/c" },
      by,
    );
    await expect(
      publishTermsOfService(db, "terms", { url: "https://t.example/v2", changeUrl: null }, by),
    ).rejects.toMatchObject({ status: 422, options: { extra: { invalidParams: [{ name: "url" }] } } });
    // Removed, then restored to the newest version's URL: no new version.
    await storeAliasSettings(db, "terms", { termsOfServiceUrl: null }, by);
    await storeAliasSettings(db, "terms", { termsOfServiceUrl: "https://t.example/v2" }, by);
    const versions = await db.termsOfServiceVersion.findMany({
      where: { aliasId: alias.id },
      orderBy: { version: "asc" },
    });
    expect(versions.map((v) => [v.version, v.url, v.changeUrl])).toEqual([
      [1, "https://t.example/v1", null],
      [2, "https://t.example/v2", "https://t.example/c"],
    ]);
    const settings = readAliasSettings(
      (await db.alias.findUniqueOrThrow({ where: { id: alias.id } })).settings,
    );
    expect(settings.termsOfServiceUrl).toBe("https://t.example/v2");
    expect(settings.termsOfServiceChangeUrl).toBe("https://t.example/c");
    expect(await db.auditEvent.count({ where: { action: "terms.published", targetId: alias.id } })).toBe(2);
  });

  it("concurrent publications of one alias's terms get consecutive versions", async () => {
    await createAlias(db, "terms-race", by);
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        publishTermsOfService(db, "terms-race", { url: `https://t.example/r${n}`, changeUrl: null }, by),
      ),
    );
    const alias = await db.alias.findUniqueOrThrow({ where: { name: "terms-race" } });
    const versions = await db.termsOfServiceVersion.findMany({
      where: { aliasId: alias.id },
      orderBy: { version: "asc" },
    });
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    // The directory's URL is the newest version's.
    expect(readAliasSettings(alias.settings).termsOfServiceUrl).toBe(versions[4]?.url);
  });
});
