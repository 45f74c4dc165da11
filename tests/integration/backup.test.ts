// Backup and restore of the whole CA (issue 17 item 4). The running server's database is backed
// up while ACME orders go on; restored into fresh databases, in-process for the refusals and
// the embedded → PostgreSQL move, and once through the real CLI and a Keyward started on the
// result: the same root, the same CA, CRL numbers going on, serial numbers never seen before.
import { execFile, execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapCertificateAuthorities, loadCertificateAuthorities } from "@/lib/ca/authorities";
import { SecretBox } from "@/lib/crypto/secret-box";
import { createDb, type Db } from "@/lib/db/client";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { applyMigrations, MIGRATIONS_DIR } from "@/lib/db/migrate";
import {
  type BackupManifest,
  createBackup,
  masterKeyCheck,
  readBackup,
  restoreBackup,
} from "@/lib/ops/backup";
import { ensureBootstrapAlias } from "@/lib/ra/aliases";
import { ensureGlobalSettings } from "@/lib/ra/global-settings";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";
import { startServer } from "../support/server-process";
import {
  createFreshDatabase,
  POSTGRES_SERVER_URL,
  requirePostgresServer,
  type TestDatabase,
} from "../support/test-db";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PASSPHRASE = `correct horse ${randomBytes(6).toString("hex")}`;

let workDir: string;
let dns: ChallTestSrv;
let http01: Http01Responder;
let alias: string;
let sourceKey: Buffer;
const databases: TestDatabase[] = [];

beforeAll(async () => {
  // Restores go into fresh databases on the loopback PostgreSQL, whatever the server runs on.
  await requirePostgresServer();
  await enableAcme();
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-backup-"));
  dns = await startChallTestSrv();
  http01 = await startHttp01Responder(keyward().http01Port);
  alias = await createTestAlias({ dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort });
  sourceKey = Buffer.from(
    (await fs.readFile(path.join(keyward().dataDir, "master.key"), "utf8")).trim(),
    "base64",
  );
});

afterAll(async () => {
  await http01?.close();
  await dns?.stop();
  for (const d of databases) await d.drop().catch(() => {});
  await fs.rm(workDir, { recursive: true, force: true });
});

async function freshDatabase(): Promise<TestDatabase> {
  const d = await createFreshDatabase(POSTGRES_SERVER_URL, "restore");
  databases.push(d);
  return d;
}

function acmeClient(baseUrl: string): Promise<acme.Client> {
  return acme.crypto.createPrivateKey().then(
    (accountKey) =>
      new acme.Client({
        directoryUrl: `${baseUrl}/acme/${alias}/directory`,
        accountKey,
        backoffMin: 50,
        backoffMax: 300,
        backoffAttempts: 40,
      }),
  );
}

async function issue(client: acme.Client, names: string[]): Promise<string> {
  const [, csr] = await acme.crypto.createCsr({ altNames: names });
  return client.auto({
    csr,
    termsOfServiceAgreed: true,
    challengePriority: ["http-01"],
    skipChallengeVerification: true,
    challengeCreateFn: async (_authz, challenge, keyAuthorization) =>
      http01.set(challenge.token, keyAuthorization),
    challengeRemoveFn: async (_authz, challenge) => http01.delete(challenge.token),
  });
}

const file = (name: string) => path.join(workDir, `${name}-${randomBytes(3).toString("hex")}.kwbackup`);

/** A master-key slot for restoreBackup: `current`, and a file it installs into. */
function keySlot(current: Buffer | null) {
  const location = path.join(workDir, `key-${randomBytes(3).toString("hex")}`);
  return {
    location,
    slot: {
      current,
      location,
      install: async (key: Buffer) => fs.writeFile(location, key.toString("base64"), { mode: 0o600 }),
    },
  };
}

function serialOf(pem: string): string {
  return execFileSync("openssl", ["x509", "-noout", "-serial"], { input: pem })
    .toString()
    .trim()
    .replace(/^serial=/, "")
    .toLowerCase();
}

type Run = { code: number; stdout: string; stderr: string };
function keywardCli(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    // Without the caller's DATABASE_URL and passphrase: each run names its own.
    const { DATABASE_URL: _, KEYWARD_BACKUP_PASSPHRASE: __, ...inherited } = process.env;
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/keyward.ts", ...args],
      { cwd: ROOT, env: { ...inherited, ...env }, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("a backup while ACME orders run", () => {
  let archive: string;
  let manifest: BackupManifest;

  it("is one consistent snapshot: restored, no order lacks its authorizations, no authorization its challenges", async () => {
    // A certificate, revoked, so the issuing CA has a CRL before the backup.
    const first = await acmeClient(keyward().httpUrl);
    const cert = await issue(first, [`first-${randomBytes(3).toString("hex")}.backup.test`]);
    await first.revokeCertificate(cert, { reason: 1 });

    const clients = await Promise.all([1, 2, 3].map(() => acmeClient(keyward().httpUrl)));
    const orders = Promise.all(
      clients.map((c, i) => issue(c, [`busy${i}-${randomBytes(3).toString("hex")}.backup.test`])),
    );
    await new Promise((r) => setTimeout(r, 300)); // the orders are under way
    archive = file("busy");
    manifest = await createBackup({
      databaseUrl: keyward().databaseUrl,
      database: "postgresql",
      masterKey: sourceKey,
      out: archive,
    });
    await orders;

    expect((await fs.stat(archive)).mode & 0o777).toBe(0o600);
    const count = (t: string) => manifest.tables.find((x) => x.name === t)?.rows;
    expect(count("Certificate")).toBeGreaterThanOrEqual(1);
    expect(manifest.masterKey).toBeNull();
    expect(manifest.masterKeyCheck).toBe(masterKeyCheck(sourceKey));
    const issuing = manifest.caCertificates.find((c) => c.role === "issuing");
    expect(manifest.lastCrlNumbers.find((c) => c.caId === issuing?.id)?.number).toMatch(/^[1-9]\d*$/);

    const target = await freshDatabase();
    const { slot } = keySlot(sourceKey);
    const result = await restoreBackup({
      file: archive,
      databaseUrl: target.url,
      embedded: false,
      force: false,
      masterKey: slot,
    });
    expect(result.wiped).toBe(false);
    expect(result.masterKeyInstalled).toBe(false);

    const restored = createDb(target.url, 1);
    try {
      for (const t of manifest.tables) {
        const rows = await restored.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM "${t.name}"`,
        );
        // The restore's own audit record is the one row more.
        expect(rows[0]?.n, t.name).toBe(t.name === "AuditEvent" ? t.rows + 1 : t.rows);
      }
      const orphans = await restored.$queryRawUnsafe<
        { orders: number; authorizations: number; certless: number }[]
      >(
        `SELECT
           (SELECT count(*)::int FROM "Order" o WHERE NOT EXISTS (SELECT 1 FROM "OrderAuthorization" x WHERE x."orderId" = o.id)) AS orders,
           (SELECT count(*)::int FROM "Authorization" a WHERE NOT EXISTS (SELECT 1 FROM "Challenge" c WHERE c."authorizationId" = a.id)) AS authorizations,
           (SELECT count(*)::int FROM "Order" o WHERE o.status = 'valid' AND NOT EXISTS (SELECT 1 FROM "Certificate" c WHERE c."orderId" = o.id)) AS certless`,
      );
      expect(orphans[0]).toEqual({ orders: 0, authorizations: 0, certless: 0 });
      // The restore is audited in the restored database.
      const audit = await restored.auditEvent.findFirstOrThrow({ where: { action: "backup.restored" } });
      expect(audit.details).toMatchObject({ from: "postgresql", wiped: false });
    } finally {
      await restored.$disconnect();
    }
    // …and the backup in the source.
    expect(await testDb().auditEvent.count({ where: { action: "backup.created" } })).toBeGreaterThan(0);

    // A second restore into the now non-empty database is refused, and nothing changes…
    await expect(
      restoreBackup({
        file: archive,
        databaseUrl: target.url,
        embedded: false,
        force: false,
        masterKey: slot,
      }),
    ).rejects.toThrow(/not empty \(rows in .*CertificateAuthority.*\)\. .*--force to wipe/);
    // …unless forced: wiped, and the backup's rows again.
    const forced = await restoreBackup({
      file: archive,
      databaseUrl: target.url,
      embedded: false,
      force: true,
      masterKey: slot,
    });
    expect(forced.wiped).toBe(true);
    const again = createDb(target.url, 1);
    try {
      expect(await again.certificate.count()).toBe(count("Certificate"));
      expect(await again.auditEvent.count({ where: { action: "backup.restored" } })).toBe(1);
    } finally {
      await again.$disconnect();
    }
  }, 120_000);

  it("fail/verify finds a changed row, a cut file, a file that is no backup, an archive with rows added", async () => {
    const text = gunzipSync(await fs.readFile(archive)).toString("utf8");
    const lines = text.split("\n");
    // Line 0 is the manifest, which names the columns too.
    const certificateLine = lines.findIndex((l, i) => i > 0 && l.includes('"spkiSha256":'));
    expect(certificateLine).toBeGreaterThan(0);

    const changed = file("changed");
    const edited = [...lines];
    edited[certificateLine] = (edited[certificateLine] as string).replace(
      /"status":"(valid|revoked)"/,
      (_m, s) => (s === "valid" ? '"status":"revoked"' : '"status":"valid"'),
    );
    await fs.writeFile(changed, gzipSync(edited.join("\n")));
    await expect(readBackup(changed)).rejects.toThrow(
      /Table Certificate: its rows do not match the manifest's SHA-256/,
    );

    const cut = file("cut");
    const bytes = await fs.readFile(archive);
    await fs.writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    await expect(readBackup(cut)).rejects.toThrow(/damaged or cut short/);

    const junk = file("junk");
    await fs.writeFile(junk, "not a backup\n");
    await expect(readBackup(junk)).rejects.toThrow(/not a Keyward backup/);

    const added = file("added");
    await fs.writeFile(added, gzipSync(`${text}{"id":"extra"}\n`));
    await expect(readBackup(added)).rejects.toThrow(/more lines than its manifest lists/);

    const otherManifest = file("manifest");
    const m = JSON.parse(lines[0] as string);
    m.formatVersion = 99;
    await fs.writeFile(otherManifest, gzipSync([JSON.stringify(m), ...lines.slice(1)].join("\n")));
    await expect(readBackup(otherManifest)).rejects.toThrow(/manifest is invalid at formatVersion/);

    // A refused restore changes nothing: the fresh database stays empty.
    const target = await freshDatabase();
    await expect(
      restoreBackup({
        file: changed,
        databaseUrl: target.url,
        embedded: false,
        force: false,
        masterKey: keySlot(sourceKey).slot,
      }),
    ).rejects.toThrow(/SHA-256/);
    const probe = createDb(target.url, 1);
    try {
      const tables = await probe.$queryRawUnsafe<{ n: number }[]>(
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
      );
      expect(tables[0]?.n).toBe(0);
    } finally {
      await probe.$disconnect();
    }
  });

  it("fail/without the master key in it, restore needs the original key: none, or another one, is refused", async () => {
    const none = await freshDatabase();
    await expect(
      restoreBackup({
        file: archive,
        databaseUrl: none.url,
        embedded: false,
        force: false,
        masterKey: keySlot(null).slot,
      }),
    ).rejects.toThrow(
      /does not contain the master key, and none exists at .*: put the original master key there/,
    );
    await expect(
      restoreBackup({
        file: archive,
        databaseUrl: none.url,
        embedded: false,
        force: false,
        masterKey: keySlot(randomBytes(32)).slot,
      }),
    ).rejects.toThrow(/is not the one this backup's CA keys are sealed with/);
  });
});

describe("the master key in a backup", () => {
  it("is there only encrypted: not readable without the passphrase; a wrong one fails clearly; a short one is refused", async () => {
    await expect(
      createBackup({
        databaseUrl: keyward().databaseUrl,
        database: "postgresql",
        masterKey: sourceKey,
        masterKeyPassphrase: "too short",
        out: file("short"),
      }),
    ).rejects.toThrow(/at least 12 characters/);

    const archive = file("with-key");
    const manifest = await createBackup({
      databaseUrl: keyward().databaseUrl,
      database: "postgresql",
      masterKey: sourceKey,
      masterKeyPassphrase: PASSPHRASE,
      out: archive,
    });
    const text = gunzipSync(await fs.readFile(archive)).toString("utf8");
    for (const form of [
      sourceKey.toString("base64"),
      sourceKey.toString("hex"),
      sourceKey.toString("base64url"),
    ])
      expect(text).not.toContain(form);
    expect(manifest.masterKey).toMatchObject({ kdf: "scrypt", cipher: "aes-256-gcm" });

    // Opening it with the passphrase: tests/unit/ops/backup.test.ts and `backup verify` below.

    const target = await freshDatabase();
    const { slot, location } = keySlot(null);
    await expect(
      restoreBackup({
        file: archive,
        databaseUrl: target.url,
        embedded: false,
        force: false,
        masterKey: slot,
      }),
    ).rejects.toThrow(/No master key exists at .*: give the backup's passphrase/);
    await expect(
      restoreBackup({
        file: archive,
        databaseUrl: target.url,
        embedded: false,
        force: false,
        passphrase: "not the passphrase",
        masterKey: slot,
      }),
    ).rejects.toThrow(/Wrong passphrase/);
    await expect(fs.access(location)).rejects.toThrow(); // nothing installed
  });
});

describe("a backup of an older Keyward", () => {
  it("restores with the backup's own migrations, then this version's newer ones over its rows", async () => {
    const all = (await fs.readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((d) => d.isDirectory());
    const older = await fs.mkdtemp(path.join(workDir, "migrations-"));
    await fs.copyFile(
      path.join(MIGRATIONS_DIR, "migration_lock.toml"),
      path.join(older, "migration_lock.toml"),
    );
    for (const d of all.slice(0, -1))
      await fs.cp(path.join(MIGRATIONS_DIR, d.name), path.join(older, d.name), { recursive: true });
    const newest = all.at(-1)?.name as string;

    const source = await freshDatabase();
    await applyMigrations(source.url, { migrationsDir: older });
    const raw = createDb(source.url, 1);
    try {
      await raw.$executeRawUnsafe(
        `INSERT INTO "AuditEvent" (actor, action, "targetType") VALUES ('system', 'older.version', 'Test')`,
      );
    } finally {
      await raw.$disconnect().catch(() => {});
    }
    const archive = file("older");
    const key = randomBytes(32);
    await createBackup({ databaseUrl: source.url, database: "postgresql", masterKey: key, out: archive });
    // Audited in the older schema too.
    const check = createDb(source.url, 1);
    try {
      const audited = await check.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM "AuditEvent" WHERE action = 'backup.created'`,
      );
      expect(audited[0]?.n).toBe(1);
    } finally {
      await check.$disconnect();
    }
    const { manifest } = await readBackup(archive);
    expect(manifest.migrations).not.toContain(newest);

    const target = await freshDatabase();
    const result = await restoreBackup({
      file: archive,
      databaseUrl: target.url,
      embedded: false,
      force: false,
      masterKey: keySlot(key).slot,
    });
    expect(result.migrationsAppliedAfter).toEqual([newest]);
    const restored = createDb(target.url, 1);
    try {
      const event = await restored.auditEvent.findFirstOrThrow({ where: { action: "older.version" } });
      expect(event.requestId).toBeNull();
    } finally {
      await restored.$disconnect();
    }
  }, 120_000);
});

describe("from the embedded database to PostgreSQL", () => {
  it("the restored PostgreSQL database opens the same CA keys under the same master key", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-backup-embedded-"));
    const embedded = await startEmbeddedDatabase({ dataDir });
    const key = randomBytes(32);
    const box = new SecretBox(key);
    const archive = file("embedded");
    let source: Db | undefined;
    try {
      await applyMigrations(embedded.url);
      source = createDb(embedded.url, 2);
      await ensureGlobalSettings(source, box);
      await ensureBootstrapAlias(source);
      const cas = await bootstrapCertificateAuthorities(source, {
        box,
        algorithm: "ECDSA-P256",
        name: "Moved CA",
      });
      const manifest = await createBackup({
        databaseUrl: embedded.url,
        database: "embedded",
        masterKey: key,
        out: archive,
      });
      expect(manifest.database).toBe("embedded");
      expect(manifest.caCertificates.find((c) => c.role === "root")?.sha256Fingerprint).toBe(
        createHash("sha256").update(cas.root.der).digest("hex"),
      );

      const target = await freshDatabase();
      await restoreBackup({
        file: archive,
        databaseUrl: target.url,
        embedded: false,
        force: false,
        masterKey: keySlot(key).slot,
      });
      const restored = createDb(target.url, 1);
      try {
        const loaded = await loadCertificateAuthorities(restored, { box });
        expect(Buffer.from(loaded.root.der).equals(Buffer.from(cas.root.der))).toBe(true);
        expect(Buffer.from(loaded.issuing.der).equals(Buffer.from(cas.issuing.der))).toBe(true);
        expect((await restored.alias.findMany()).map((a) => a.name)).toEqual(["default"]);
      } finally {
        await restored.$disconnect();
      }
    } finally {
      await source?.$disconnect();
      await embedded.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("the command line, and Keyward started on the restored CA", () => {
  it("backup --include-master-key → verify → restore into an empty database and data directory → the same CA serves on", async () => {
    // A certificate in the backup, whose serial number the restored CA must never issue again.
    const issuedBefore = serialOf(
      await issue(await acmeClient(keyward().httpUrl), [
        `before-${randomBytes(3).toString("hex")}.backup.test`,
      ]),
    );
    const archive = file("cli");
    const source = { KEYWARD_DATA_DIR: keyward().dataDir, DATABASE_URL: keyward().databaseUrl };
    const passphraseFile = path.join(workDir, "passphrase");
    await fs.writeFile(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });

    const backup = await keywardCli(
      source,
      "backup",
      "--out",
      archive,
      "--include-master-key",
      "--passphrase-file",
      passphraseFile,
    );
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain("The master key is in it, encrypted with the passphrase");
    expect(`${backup.stdout}${backup.stderr}`).not.toContain(PASSPHRASE);

    const { manifest } = await readBackup(archive);
    const verify = await keywardCli(
      { ...source, KEYWARD_BACKUP_PASSPHRASE: PASSPHRASE },
      "backup",
      "verify",
      archive,
    );
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain("The archive is intact.");
    expect(verify.stdout).toContain("The master key opens with the passphrase given.");
    for (const ca of manifest.caCertificates)
      expect(verify.stdout).toContain(`SHA-256 ${ca.sha256Fingerprint}`);

    const target = await freshDatabase();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-restored-"));
    const restore = await keywardCli(
      { KEYWARD_DATA_DIR: dataDir, DATABASE_URL: target.url, KEYWARD_BACKUP_PASSPHRASE: PASSPHRASE },
      "restore",
      archive,
    );
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(
      `Installed the backup's master key at ${path.join(dataDir, "master.key")}`,
    );
    expect((await fs.stat(path.join(dataDir, "master.key"))).mode & 0o777).toBe(0o600);

    const refused = await keywardCli(
      { KEYWARD_DATA_DIR: dataDir, DATABASE_URL: target.url },
      "restore",
      archive,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Refused: The target database is not empty/);

    const server = await startServer({
      DATABASE_URL: target.url,
      KEYWARD_DATA_DIR: dataDir,
      KEYWARD_VA_HTTP01_PORT: String(keyward().http01Port),
    });
    try {
      expect((await fetch(`${server.httpUrl}/acme/${alias}/directory`)).status).toBe(200);
      for (const name of ["root.pem", "root.der"]) {
        const before = Buffer.from(await (await fetch(`${keyward().httpUrl}/ca/${name}`)).arrayBuffer());
        const after = Buffer.from(await (await fetch(`${server.httpUrl}/ca/${name}`)).arrayBuffer());
        expect(after.equals(before), name).toBe(true);
      }
      expect(await fs.readFile(path.join(dataDir, "ca", "root.pem"), "utf8")).toBe(
        await fs.readFile(path.join(keyward().dataDir, "ca", "root.pem"), "utf8"),
      );

      // A new certificate: a serial number the backup never saw, from the same issuing CA; its
      // revocation's CRL numbers on from the backup's last (RFC 5280 §5.2.3).
      const client = await acmeClient(server.httpUrl);
      const pem = await issue(client, [`after-${randomBytes(3).toString("hex")}.backup.test`]);
      const serial = serialOf(pem);
      const { snapshot } = await readBackup(archive);
      const backedUpSerials = (snapshot.tables.find((t) => t.name === "Certificate")?.rows ?? []).map(
        (r) => JSON.parse(r).serialHex as string,
      );
      expect(backedUpSerials).toContain(issuedBefore);
      expect(backedUpSerials).not.toContain(serial);
      const issuing = manifest.caCertificates.find((c) => c.role === "issuing");
      // Signed by the backed-up issuing CA, up to the backed-up root.
      const [leaf, ...chain] = pem.split(/(?=-----BEGIN CERTIFICATE-----)/);
      await fs.writeFile(path.join(workDir, "leaf.pem"), leaf as string);
      await fs.writeFile(path.join(workDir, "chain.pem"), chain.join(""));
      await fs.writeFile(
        path.join(workDir, "root.pem"),
        manifest.caCertificates.find((c) => c.role === "root")?.pem ?? "",
      );
      expect(chain.join("").replace(/\s/g, "")).toBe((issuing?.pem ?? "").replace(/\s/g, ""));
      const verified = execFileSync("openssl", [
        "verify",
        "-CAfile",
        path.join(workDir, "root.pem"),
        "-untrusted",
        path.join(workDir, "chain.pem"),
        path.join(workDir, "leaf.pem"),
      ]).toString();
      expect(verified).toContain("OK");

      await client.revokeCertificate(pem, { reason: 4 });
      const crl = Buffer.from(await (await fetch(`${server.httpUrl}/ca/crl/${issuing?.id}`)).arrayBuffer());
      const crlNumber = execFileSync("openssl", ["crl", "-inform", "DER", "-noout", "-crlnumber"], {
        input: crl,
      })
        .toString()
        .trim()
        .replace(/^crlNumber=(0x)?/, "");
      const last = BigInt(manifest.lastCrlNumbers.find((c) => c.caId === issuing?.id)?.number ?? "0");
      expect(BigInt(`0x${crlNumber}`)).toBeGreaterThan(last);
    } finally {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
