// bootstrapCertificateAuthorities and ensureServerTlsCertificate against real PostgreSQL
// (127.0.0.1:5432, or the server of DATABASE_URL; loopback only): a fresh database per run with the
// migrations applied, dropped afterwards. Skipped when no server answers.
import { createPrivateKey, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bootstrapCertificateAuthorities,
  caKeySealContext,
  clearIssuingCaCache,
  getPublicCaCertificates,
  loadIssuingCa,
} from "@/lib/ca/authorities";
import { generateKeyPair } from "@/lib/ca/keys";
import { createServerTlsCertificate, ensureServerTlsCertificate } from "@/lib/ca/server-tls";
import { SecretBox } from "@/lib/crypto/secret-box";
import { X509Certificate } from "@/lib/crypto/x509";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import {
  createFreshDatabase,
  POSTGRES_SERVER_URL,
  requirePostgresServer,
  type TestDatabase,
} from "../../support/test-db";

const SERVER_URL = POSTGRES_SERVER_URL;
const CA_NAME = "Keyward DB Test";
const TIMEOUT_MS = 120_000;

await requirePostgresServer(SERVER_URL);

// Every representation a leaked key could take in a column: raw bytes, hex, base64, base64url.
function leakNeedles(secret: Buffer): { bytes: Buffer[]; text: string[] } {
  return {
    bytes: [secret],
    text: [secret.toString("hex"), secret.toString("base64"), secret.toString("base64url")],
  };
}

async function findLeaks(url: string, secrets: Buffer[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const leaks: string[] = [];
  try {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    for (const { table_name: table } of tables.rows) {
      const rows = await client.query(`SELECT * FROM "${table}"`);
      for (const row of rows.rows) {
        for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
          const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value) ?? "", "utf8");
          const text = Buffer.isBuffer(value) ? value.toString("latin1") : (JSON.stringify(value) ?? "");
          for (const secret of secrets) {
            const needles = leakNeedles(secret);
            if (
              needles.bytes.some((needle) => bytes.includes(needle)) ||
              needles.text.some((needle) => text.includes(needle))
            ) {
              leaks.push(`${table}.${column}`);
            }
          }
        }
      }
    }
  } finally {
    await client.end();
  }
  return leaks;
}

describe("CA bootstrap on PostgreSQL", () => {
  const box = new SecretBox(randomBytes(32));
  let database: TestDatabase;
  let first: Db;
  let second: Db;
  let dataDir: string;

  beforeAll(async () => {
    database = await createFreshDatabase(SERVER_URL, "ca");
    await applyMigrations(database.url);
    first = createDb(database.url, 2);
    second = createDb(database.url, 2);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-ca-db-"));
  }, TIMEOUT_MS);

  afterAll(async () => {
    await first?.$disconnect();
    await second?.$disconnect();
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it(
    "creates the hierarchy once when two instances start at the same moment",
    async () => {
      const options = { box, algorithm: "ECDSA-P256" as const, name: CA_NAME };
      const [a, b] = await Promise.all([
        bootstrapCertificateAuthorities(first, options),
        bootstrapCertificateAuthorities(second, options),
      ]);
      expect([a.created, b.created].sort()).toEqual([false, true]);
      expect(b.root.id).toBe(a.root.id);
      expect(b.issuing.id).toBe(a.issuing.id);
      expect(Buffer.from(b.issuing.der).equals(Buffer.from(a.issuing.der))).toBe(true);

      expect(await first.certificateAuthority.count()).toBe(2);
      const audits = await first.auditEvent.findMany({
        where: { action: "ca.created" },
        orderBy: { id: "asc" },
      });
      expect(audits.map((event) => [event.actor, event.targetId])).toEqual([
        ["system", a.root.id],
        ["system", a.issuing.id],
      ]);
    },
    TIMEOUT_MS,
  );

  it("loads the same CAs on a later start, created: false, with working signers", async () => {
    const again = await bootstrapCertificateAuthorities(first, {
      box,
      algorithm: "RSA-4096",
      name: "Other Name",
    });
    expect(again.created).toBe(false);
    expect(again.root.name).toBe(`${CA_NAME} Root CA`);
    expect(again.issuing.name).toBe(`${CA_NAME} Issuing CA 1`);
    expect(again.issuing.subjectDn).toBe(`CN=${CA_NAME} Issuing CA 1, O=${CA_NAME}`);
    expect(again.issuing.keyAlgorithm).toBe("ECDSA-P256");
    expect(again.issuing.parentId).toBe(again.root.id);
    expect(again.issuing.chain.map((certificate) => certificate.subject)).toEqual([
      again.issuing.certificate.subject,
      again.root.certificate.subject,
    ]);
    expect(again.issuing.pem.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
    expect(again.issuing.chainPem).toBe(again.issuing.pem + again.root.pem);
    expect(again.issuing.signer.privateKey.extractable).toBe(false);
    expect(again.issuing.serialHex).toBe(again.issuing.certificate.serialNumber);

    const leafKeys = await generateKeyPair("ECDSA-P256");
    const leaf = await createServerTlsCertificate({
      issuer: again.issuing.signer,
      subjectPublicKey: leafKeys.publicKey,
      hostnames: ["db.test"],
    });
    expect(await leaf.verify({ publicKey: again.issuing.certificate.publicKey, signatureOnly: true })).toBe(
      true,
    );
  });

  it("stores no private key in any column unsealed, and binds each sealed key to its CA", async () => {
    const rows = await first.certificateAuthority.findMany();
    const secrets: Buffer[] = [];
    for (const row of rows) {
      const pkcs8 = box.open(row.privateKeySealed, caKeySealContext(row.id));
      const jwk = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }).export({ format: "jwk" });
      secrets.push(pkcs8, Buffer.from(String(jwk.d), "base64url"));
    }
    expect(await findLeaks(database.url, secrets)).toEqual([]);
    // Control: the scan does read bytea columns (it finds the sealed value where it belongs).
    const sealedSample = Buffer.from(rows[0]?.privateKeySealed ?? []).subarray(0, 32);
    expect(await findLeaks(database.url, [sealedSample])).toContain("CertificateAuthority.privateKeySealed");

    const [one, other] = rows;
    if (!one || !other) throw new Error("expected two CA rows");
    expect(() => box.open(one.privateKeySealed, caKeySealContext(other.id))).toThrow();
    expect(() =>
      new SecretBox(randomBytes(32)).open(one.privateKeySealed, caKeySealContext(one.id)),
    ).toThrow();
  });

  it("serves public certificates without the sealed key, root first", async () => {
    const cas = await getPublicCaCertificates(first);
    expect(cas.map((ca) => ca.role)).toEqual(["root", "issuing"]);
    for (const ca of cas) {
      expect(Object.keys(ca)).not.toContain("privateKeySealed");
      expect(ca.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
      expect(new X509Certificate(ca.pem).serialNumber).toBe(ca.serialHex);
      expect(ca.sha256Fingerprint).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("caches the issuing CA per client", async () => {
    clearIssuingCaCache(first);
    const loading = loadIssuingCa(first, { box });
    expect(loadIssuingCa(first, { box })).toBe(loading);
    expect((await loading).role).toBe("issuing");
  });

  it(
    "issues the server TLS certificate once, reuses it, and reissues when the host names change",
    async () => {
      const hostnames = ["localhost", "127.0.0.1", "::1"];
      const issued = await ensureServerTlsCertificate({ db: first, dataDir, hostnames, box });
      expect(issued.source).toBe("issued");
      const keyPath = path.join(dataDir, "tls", "server.key");
      expect(fs.statSync(keyPath).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(keyPath, "utf8")).toBe(issued.key);
      expect(issued.cert.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
      const root = (await getPublicCaCertificates(first))[0];
      expect(issued.caPem.trim()).toBe(root?.pem.trim());

      const reused = await ensureServerTlsCertificate({
        db: first,
        dataDir,
        hostnames: [...hostnames].reverse(),
        box,
      });
      expect(reused.source).toBe("reused");
      expect(reused.key).toBe(issued.key);
      expect(reused.cert).toBe(issued.cert);

      const changed = await ensureServerTlsCertificate({
        db: first,
        dataDir,
        hostnames: ["keyward.test"],
        box,
      });
      expect(changed.source).toBe("issued");
      expect(changed.key).not.toBe(issued.key);

      const audits = await first.auditEvent.findMany({ where: { action: "tls.server-certificate.issued" } });
      expect(audits.map((event) => (event.details as { reason?: string }).reason)).toEqual([
        "missing",
        "hostnames-changed",
      ]);
    },
    TIMEOUT_MS,
  );
});
