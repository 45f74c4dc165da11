// EAB keys in the database (a fresh PostgreSQL database): MAC keys are sealed at rest — a dump
// of the whole database, and every column of every row, holds no key in any encoding — and a
// key that binds one account binds one however many registrations race for it, guarded by the
// database (a conditional update in the account's transaction).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jwkThumbprint, parseAccountJwk } from "@/lib/crypto/jwk";
import { SecretBox } from "@/lib/crypto/secret-box";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { AcmeProblem } from "@/lib/problem";
import { registerAccount } from "@/lib/ra/accounts";
import { readAliasSettings } from "@/lib/ra/alias-settings";
import type { ResolvedAlias } from "@/lib/ra/aliases";
import {
  createEabKey,
  deleteEabKey,
  eabKeySource,
  eabRequirementWarning,
  listEabKeys,
  setEabKeyDisabled,
} from "@/lib/ra/eab-keys";
import { generateTestKey } from "../../support/acme-signer";
import { eabKeyPair } from "../../support/eab";
import {
  createFreshDatabase,
  POSTGRES_SERVER_URL,
  requirePostgresServer,
  type TestDatabase,
} from "../../support/test-db";

const TIMEOUT_MS = 120_000;
const by = { actor: "system" as const };
const box = new SecretBox(randomBytes(32));

describe("EAB keys on PostgreSQL", () => {
  let database: TestDatabase;
  let db: Db;
  let alias: ResolvedAlias;

  beforeAll(async () => {
    await requirePostgresServer(POSTGRES_SERVER_URL);
    database = await createFreshDatabase(POSTGRES_SERVER_URL, "eab");
    await applyMigrations(database.url);
    db = createDb(database.url, 12);
    await db.globalSettings.create({ data: { id: 1, nonceKeySealed: new Uint8Array(60) } });
    const row = await db.alias.create({
      data: { name: "shop", configured: true, settings: { requireExternalAccountBinding: true } },
    });
    alias = {
      id: row.id,
      name: row.name,
      configured: true,
      settings: readAliasSettings(row.settings),
      termsOfServiceVersion: null,
    };
  }, TIMEOUT_MS);

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  }, TIMEOUT_MS);

  async function newAccount(eabKey?: { id: string; keyIdentifier: string }) {
    const key = await generateTestKey("ES256");
    const jwk = parseAccountJwk(key.jwk);
    return registerAccount(db, {
      alias,
      jwk,
      thumbprint: await jwkThumbprint(jwk),
      contact: [],
      termsOfServiceAgreed: true,
      termsOfServiceVersion: null,
      eabKey,
    });
  }

  it("a dump of the database and every column of every row hold no MAC key, in any encoding", async () => {
    const generated = await createEabKey(
      db,
      "shop",
      { type: "mac", macAlgorithm: "HS256", bindsMany: false, expiresAt: null },
      by,
      box,
    );
    const entered = randomBytes(64);
    const enteredKey = await createEabKey(
      db,
      "shop",
      {
        type: "mac",
        macAlgorithm: "HS512",
        key: entered.toString("base64url"),
        keyIdentifier: "entered",
        bindsMany: true,
        expiresAt: null,
      },
      by,
      box,
    );
    const uploaded = randomBytes(48);
    await createEabKey(
      db,
      "shop",
      { type: "mac", macAlgorithm: "HS384", keyFile: uploaded, bindsMany: false, expiresAt: null },
      by,
      box,
    );
    const secrets = [Buffer.from(generated.secret?.hmacKey as string, "base64url"), entered, uploaded];
    expect(generated.secret?.hmacKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(enteredKey.secret?.hmacKey).toBe(entered.toString("base64url"));
    // An account bound by a key, so its row and audit row are in the dump too.
    await newAccount({ id: enteredKey.key.id, keyIdentifier: "entered" });

    const encodings = (key: Buffer) => [
      key.toString("base64url"),
      key.toString("base64"),
      key.toString("hex"),
      key.toString("hex").toUpperCase(),
      key.toString("latin1"),
    ];
    const dump = execFileSync("pg_dump", ["--no-owner", `--dbname=${database.url}`], {
      encoding: "latin1",
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(dump).toContain('COPY public."EabKey"');
    expect(dump).toContain("entered");
    const tables = await db.$queryRawUnsafe<{ tablename: string }[]>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    let everyColumn = "";
    for (const { tablename } of tables) {
      const rows = await db.$queryRawUnsafe<{ row: string }[]>(
        `SELECT row_to_json(t)::text AS row FROM "${tablename}" t`,
      );
      everyColumn += rows.map((r) => r.row).join("\n");
    }
    expect(everyColumn).toContain('"macKeySealed"');
    for (const secret of secrets) {
      for (const encoded of encodings(secret)) {
        expect(dump.includes(encoded), `dump holds ${encoded.slice(0, 12)}…`).toBe(false);
        expect(everyColumn.includes(encoded), `a column holds ${encoded.slice(0, 12)}…`).toBe(false);
      }
    }
    // Not vacuous: the keys are there, sealed, and open with the master key only.
    const source = eabKeySource(db, alias.id, box);
    const stored = await source.find("entered");
    expect(Buffer.from(source.openMacKey(stored as NonNullable<typeof stored>))).toEqual(entered);
    const otherBox = eabKeySource(db, alias.id, new SecretBox(randomBytes(32)));
    const again = await otherBox.find("entered");
    expect(() => otherBox.openMacKey(again as NonNullable<typeof again>)).toThrow();
  });

  it("a key that binds one account: of 8 concurrent registrations exactly one is bound", async () => {
    const { key } = await createEabKey(
      db,
      "shop",
      { type: "mac", macAlgorithm: "HS256", bindsMany: false, expiresAt: null },
      by,
      box,
    );
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => newAccount({ id: key.id, keyIdentifier: key.keyIdentifier })),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(AcmeProblem);
      expect((r.reason as AcmeProblem).type).toBe("unauthorized");
      expect((r.reason as AcmeProblem).detail).toMatch(
        /was used up, disabled or expired by a concurrent request/,
      );
    }
    const row = await db.eabKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.boundAccounts).toBe(1);
    expect(await db.account.count({ where: { eabKeyId: key.id } })).toBe(1);
  });

  it("a key that binds many: every concurrent registration is bound and counted", async () => {
    const { key } = await createEabKey(
      db,
      "shop",
      { type: "mac", macAlgorithm: "HS256", bindsMany: true, expiresAt: null },
      by,
      box,
    );
    const results = await Promise.all(
      Array.from({ length: 6 }, () => newAccount({ id: key.id, keyIdentifier: key.keyIdentifier })),
    );
    expect(results.every((r) => r.created)).toBe(true);
    expect((await db.eabKey.findUniqueOrThrow({ where: { id: key.id } })).boundAccounts).toBe(6);
  });

  it("a disabled or expired key binds nothing, even when verification passed just before", async () => {
    const { key } = await createEabKey(
      db,
      "shop",
      { type: "mac", macAlgorithm: "HS256", bindsMany: true, expiresAt: null },
      by,
      box,
    );
    await setEabKeyDisabled(db, "shop", key.id, true, by);
    await expect(newAccount({ id: key.id, keyIdentifier: key.keyIdentifier })).rejects.toThrow(
      /used up, disabled or expired/,
    );
    const expired = await createEabKey(
      db,
      "shop",
      { type: "mac", macAlgorithm: "HS256", bindsMany: true, expiresAt: new Date(Date.now() - 1000) },
      by,
      box,
    );
    await expect(
      newAccount({ id: expired.key.id, keyIdentifier: expired.key.keyIdentifier }),
    ).rejects.toThrow(/used up, disabled or expired/);
  });

  it("warns while the alias requires EAB and no key is usable", async () => {
    const other = await db.alias.create({
      data: { name: "strict", configured: true, settings: { requireExternalAccountBinding: true } },
    });
    const settings = readAliasSettings(other.settings);
    expect(await eabRequirementWarning(db, other.id, settings)).toMatch(
      /every new account registration will be refused/,
    );
    const { key } = await createEabKey(
      db,
      "strict",
      { type: "mac", macAlgorithm: "HS256", bindsMany: false, expiresAt: null },
      by,
      box,
    );
    expect(await eabRequirementWarning(db, other.id, settings)).toBeNull();
    await setEabKeyDisabled(db, "strict", key.id, true, by);
    expect(await eabRequirementWarning(db, other.id, settings)).not.toBeNull();
    await setEabKeyDisabled(db, "strict", key.id, false, by);
    expect(
      await eabRequirementWarning(db, other.id, { ...settings, requireExternalAccountBinding: false }),
    ).toBeNull();
    // Disabling twice is a conflict naming the key; nothing is audited for it.
    await setEabKeyDisabled(db, "strict", key.id, true, by);
    await expect(setEabKeyDisabled(db, "strict", key.id, true, by)).rejects.toThrow(/is already disabled/);
    expect(await db.auditEvent.count({ where: { targetId: key.id, action: "eab.disabled" } })).toBe(2);
  });

  it("a deleted key's accounts keep working and keep its identifier; a signature key stores its PEM", async () => {
    const holder = eabKeyPair("ec");
    const { key, secret } = await createEabKey(
      db,
      "shop",
      {
        type: "signature",
        publicKey: holder.publicKeyPem,
        signatureAlgorithm: "SHA256withECDSA",
        bindsMany: false,
        expiresAt: null,
      },
      by,
      box,
    );
    expect(secret).toBeNull();
    expect(key.keyIdentifier).toBe(holder.spkiFingerprint);
    const { account } = await newAccount({ id: key.id, keyIdentifier: key.keyIdentifier });
    const listed = (await listEabKeys(db, "shop")).keys.find((k) => k.id === key.id);
    expect(listed?.accounts.map((a) => a.id)).toEqual([account.id]);
    await deleteEabKey(db, "shop", key.id, by);
    const row = await db.account.findUniqueOrThrow({ where: { id: account.id } });
    expect(row).toMatchObject({ status: "valid", eabKeyId: null, eabKeyIdentifier: holder.spkiFingerprint });
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { targetId: key.id, action: "eab.deleted" },
    });
    expect(audit.details).toMatchObject({ boundAccountIds: [account.id] });
  });
});
