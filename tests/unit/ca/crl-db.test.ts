// CRL generation against real PostgreSQL (127.0.0.1:5432, or the server of DATABASE_URL; loopback
// only): a fresh database with the migrations applied and a bootstrapped hierarchy, dropped
// afterwards. OpenSSL reads, verifies and applies every CRL. Skipped when no server answers.
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BootstrapResult, bootstrapCertificateAuthorities } from "@/lib/ca/authorities";
import { generateCrl, getCurrentCrl, getLatestCrl, refreshCrlsIfDue } from "@/lib/ca/crl";
import { parseCsr } from "@/lib/ca/csr";
import { type IssuedCertificate, issueLeafCertificate } from "@/lib/ca/issuance";
import { SecretBox } from "@/lib/crypto/secret-box";
import { X509Crl } from "@/lib/crypto/x509";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import {
  createFreshDatabase,
  POSTGRES_SERVER_URL,
  requirePostgresServer,
  type TestDatabase,
} from "../../support/test-db";

const SERVER_URL = POSTGRES_SERVER_URL;
const TIMEOUT_MS = 120_000;
const HOUR_MS = 60 * 60 * 1000;
const PUBLIC_URL = "http://ca.keyward.test";

await requirePostgresServer(SERVER_URL);

function openssl(args: string[]): { status: number | null; out: string } {
  const result = spawnSync("openssl", args, { encoding: "utf8" });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe("CRLs on PostgreSQL", () => {
  const box = new SecretBox(randomBytes(32));
  let database: TestDatabase;
  let first: Db;
  let second: Db;
  let dir: string;
  let cas: BootstrapResult;
  let accountId: string;
  let revokedLeaf: IssuedCertificate;
  let validLeaf: IssuedCertificate;
  let unspecifiedSerial: string;
  let expiredSerial: string;
  let chainFile: string;

  function file(name: string, contents: string | Uint8Array): string {
    const target = path.join(dir, name);
    fs.writeFileSync(target, contents);
    return target;
  }

  function crlText(der: Uint8Array, name: string): string {
    const result = openssl(["crl", "-inform", "DER", "-in", file(name, der), "-noout", "-text"]);
    expect(result.status).toBe(0);
    return result.out;
  }

  function crlPem(der: Uint8Array, name: string): string {
    const out = path.join(dir, `${name}.pem`);
    const result = openssl([
      "crl",
      "-inform",
      "DER",
      "-in",
      file(`${name}.der`, der),
      "-outform",
      "PEM",
      "-out",
      out,
    ]);
    expect(result.status).toBe(0);
    return out;
  }

  async function issue(name: string): Promise<IssuedCertificate> {
    const keyFile = path.join(dir, `${name}.key`);
    const csrFile = path.join(dir, `${name}.csr`);
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyFile]);
    openssl(["req", "-new", "-key", keyFile, "-subj", `/CN=${name}`, "-outform", "DER", "-out", csrFile]);
    return issueLeafCertificate({
      ca: cas.issuing,
      csr: parseCsr(fs.readFileSync(csrFile).toString("base64url")),
      identifiers: [{ type: "dns", value: name }],
      publicUrl: PUBLIC_URL,
    });
  }

  async function store(
    certificate: Pick<
      IssuedCertificate,
      "serialHex" | "der" | "subjectDn" | "names" | "spkiSha256" | "keyAlgorithm"
    >,
    fields: { notBefore: Date; notAfter: Date; revokedAt?: Date; revocationReason?: number },
  ): Promise<void> {
    await first.certificate.create({
      data: {
        id: randomUUID(),
        serialHex: certificate.serialHex,
        accountId,
        issuerId: cas.issuing.id,
        der: new Uint8Array(certificate.der),
        subjectDn: certificate.subjectDn,
        names: [...certificate.names],
        spkiSha256: certificate.spkiSha256,
        keyAlgorithm: certificate.keyAlgorithm,
        notBefore: fields.notBefore,
        notAfter: fields.notAfter,
        status: fields.revokedAt ? "revoked" : "valid",
        revokedAt: fields.revokedAt ?? null,
        revocationReason: fields.revocationReason ?? null,
      },
    });
  }

  beforeAll(async () => {
    database = await createFreshDatabase(SERVER_URL, "crl");
    await applyMigrations(database.url);
    first = createDb(database.url, 4);
    second = createDb(database.url, 4);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-crl-"));
    cas = await bootstrapCertificateAuthorities(first, {
      box,
      algorithm: "ECDSA-P256",
      name: "Keyward CRL Test",
    });
    chainFile = file("chain.pem", cas.issuing.pem + cas.root.pem);

    const alias = await first.alias.create({ data: { name: `crl-${randomUUID()}`, settings: {} } });
    accountId = randomUUID();
    await first.account.create({
      data: { id: accountId, aliasId: alias.id, jwk: {}, keyThumbprint: randomUUID(), contact: [] },
    });

    const now = Date.now();
    revokedLeaf = await issue("revoked.example");
    await store(revokedLeaf, {
      notBefore: revokedLeaf.notBefore,
      notAfter: revokedLeaf.notAfter,
      revokedAt: new Date(now - HOUR_MS),
      revocationReason: 1, // keyCompromise
    });
    validLeaf = await issue("valid.example");
    await store(validLeaf, { notBefore: validLeaf.notBefore, notAfter: validLeaf.notAfter });
    // Revoked for an unspecified reason (0): listed without a reasonCode (RFC 5280 §5.3.1).
    unspecifiedSerial = `5${randomBytes(16).toString("hex").slice(1)}`;
    await store(
      { ...revokedLeaf, serialHex: unspecifiedSerial },
      {
        notBefore: new Date(now - HOUR_MS),
        notAfter: new Date(now + 90 * 24 * HOUR_MS),
        revokedAt: new Date(now - 60_000),
        revocationReason: 0,
      },
    );
    // Revoked, then expired an hour ago: on the first CRL after its expiry, then dropped (§3.3).
    expiredSerial = `6${randomBytes(16).toString("hex").slice(1)}`;
    await store(
      { ...revokedLeaf, serialHex: expiredSerial },
      {
        notBefore: new Date(now - 10 * 24 * HOUR_MS),
        notAfter: new Date(now - HOUR_MS),
        revokedAt: new Date(now - 5 * 24 * HOUR_MS),
        revocationReason: 4,
      },
    );
  }, TIMEOUT_MS);

  afterAll(async () => {
    await first?.$disconnect();
    await second?.$disconnect();
    await database?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it("creates the root's first CRL on demand, empty", async () => {
    expect(await getLatestCrl(first, cas.root.id)).toBeNull();
    const der = await getCurrentCrl(first, cas.root.id, { box });
    expect(der).not.toBeNull();
    const text = crlText(der as Uint8Array, "root-1.der");
    expect(text).toContain("No Revoked Certificates.");
    expect(text).toMatch(/X509v3 CRL Number: \n\s+1\n/);
    expect(text).toContain("Issuer: O = Keyward CRL Test, CN = Keyward CRL Test Root CA");
    const verify = openssl([
      "crl",
      "-inform",
      "DER",
      "-in",
      path.join(dir, "root-1.der"),
      "-CAfile",
      chainFile,
      "-noout",
    ]);
    expect(verify.out).toContain("verify OK");
    // A second request while it is current serves the same CRL.
    expect(
      Buffer.from((await getCurrentCrl(first, cas.root.id, { box })) as Uint8Array).equals(
        Buffer.from(der as Uint8Array),
      ),
    ).toBe(true);
  });

  it("lists the issuing CA's revoked certificates with reasons, signed by the CA", async () => {
    const crl = await generateCrl(first, cas.issuing.id, { box });
    expect(crl.number).toBe(1n);
    expect(crl.nextUpdate.getTime() - crl.thisUpdate.getTime()).toBe(24 * HOUR_MS);
    const text = crlText(crl.der, "issuing-1.der");
    expect(text).toContain("Certificate Revocation List (CRL):");
    expect(text).toContain("Version 2 (0x1)");
    expect(text).toContain("Signature Algorithm: ecdsa-with-SHA256");
    expect(text).toContain("Issuer: O = Keyward CRL Test, CN = Keyward CRL Test Issuing CA 1");
    expect(text).toMatch(/X509v3 CRL Number: \n\s+1\n/);
    expect(text).toContain("X509v3 Authority Key Identifier");
    expect(text).toMatch(
      new RegExp(
        `Serial Number: ${revokedLeaf.serialHex.toUpperCase()}\\n\\s+Revocation Date: .+\\n\\s+CRL entry extensions:\\n\\s+X509v3 CRL Reason Code: \\n\\s+Key Compromise`,
      ),
    );
    // Reason 0 is listed without the extension.
    expect(text).toMatch(
      new RegExp(
        `Serial Number: ${unspecifiedSerial.toUpperCase()}\\n\\s+Revocation Date: [^\\n]+\\n\\s+(Serial Number|Signature Algorithm)`,
      ),
    );
    expect(text).toContain(expiredSerial.toUpperCase());
    expect(text).not.toContain(validLeaf.serialHex.toUpperCase());

    const verify = openssl([
      "crl",
      "-inform",
      "DER",
      "-in",
      path.join(dir, "issuing-1.der"),
      "-CAfile",
      chainFile,
      "-noout",
    ]);
    expect(verify.out).toContain("verify OK");

    // Parsed back by a second decoder.
    const parsed = new X509Crl(crl.der);
    expect(parsed.entries.map((entry) => entry.serialNumber.toLowerCase()).sort()).toEqual(
      [revokedLeaf.serialHex, unspecifiedSerial, expiredSerial].sort(),
    );
    expect(new Uint8Array((await getLatestCrl(first, cas.issuing.id)) as Uint8Array)).toEqual(crl.der);
  });

  it("makes OpenSSL reject the revoked certificate and accept the valid one", async () => {
    const issuingCrl = crlPem((await getLatestCrl(first, cas.issuing.id)) as Uint8Array, "issuing-latest");
    const rootCrl = crlPem((await getLatestCrl(first, cas.root.id)) as Uint8Array, "root-latest");
    const crls = file("crls.pem", fs.readFileSync(issuingCrl, "utf8") + fs.readFileSync(rootCrl, "utf8"));
    const verify = (leaf: IssuedCertificate) =>
      openssl([
        "verify",
        "-crl_check_all",
        "-CAfile",
        file("root.pem", cas.root.pem),
        "-untrusted",
        file("issuing.pem", cas.issuing.pem),
        "-CRLfile",
        crls,
        file(`${leaf.serialHex}.pem`, leaf.pem),
      ]);
    const revoked = verify(revokedLeaf);
    expect(revoked.status).not.toBe(0);
    expect(revoked.out).toContain("certificate revoked");
    const valid = verify(validLeaf);
    expect(valid.out).toMatch(/: OK\s*$/);
  });

  it("numbers CRLs monotonically, also when two instances generate at once", async () => {
    const again = await generateCrl(first, cas.issuing.id, { box });
    expect(again.number).toBe(2n);
    const text = crlText(again.der, "issuing-2.der");
    expect(text).toMatch(/X509v3 CRL Number: \n\s+2\n/);
    // Expired before the previous CRL's thisUpdate and already listed once: dropped (RFC 5280 §3.3).
    expect(text).not.toContain(expiredSerial.toUpperCase());
    expect(text).toContain(revokedLeaf.serialHex.toUpperCase());

    const [a, b] = await Promise.all([
      generateCrl(first, cas.issuing.id, { box }),
      generateCrl(second, cas.issuing.id, { box }),
    ]);
    expect([a.number, b.number].sort()).toEqual([3n, 4n]);
    const stored = await first.crl.findMany({ where: { caId: cas.issuing.id }, orderBy: { number: "asc" } });
    expect(stored.map((row) => row.number)).toEqual([1n, 2n, 3n, 4n]);
    for (let i = 1; i < stored.length; i++) {
      expect((stored[i]?.thisUpdate.getTime() ?? 0) >= (stored[i - 1]?.thisUpdate.getTime() ?? 0)).toBe(true);
    }
    expect(new Uint8Array((await getLatestCrl(first, cas.issuing.id)) as Uint8Array)).toEqual(
      new Uint8Array(stored[3]?.der ?? []),
    );
  });

  it("answers null for a CA that does not exist", async () => {
    expect(await getCurrentCrl(first, randomUUID(), { box })).toBeNull();
    expect(await getCurrentCrl(first, "not-a-uuid", { box })).toBeNull();
    expect(await getLatestCrl(first, randomUUID())).toBeNull();
    await expect(generateCrl(first, randomUUID(), { box })).rejects.toThrow(/no certificate authority/);
  });

  it("refreshes only the CRLs past half their validity, once across instances", async () => {
    expect(await refreshCrlsIfDue(first, { box })).toEqual([]);
    const later = new Date(Date.now() + 13 * HOUR_MS);
    const [a, b] = await Promise.all([
      refreshCrlsIfDue(first, { box, now: later }),
      refreshCrlsIfDue(second, { box, now: later }),
    ]);
    const refreshed = [...a, ...b].sort((x, y) => x.caId.localeCompare(y.caId));
    expect(refreshed).toEqual(
      [
        { caId: cas.root.id, number: 2n },
        { caId: cas.issuing.id, number: 5n },
      ].sort((x, y) => x.caId.localeCompare(y.caId)),
    );
    expect(await refreshCrlsIfDue(first, { box, now: later })).toEqual([]);
    // Past nextUpdate, getCurrentCrl makes a new one rather than serving a stale CRL.
    const stale = new Date(Date.now() + 40 * HOUR_MS);
    const current = await getCurrentCrl(first, cas.root.id, { box, now: stale });
    expect(crlText(current as Uint8Array, "root-3.der")).toMatch(/X509v3 CRL Number: \n\s+3\n/);
  });
});
