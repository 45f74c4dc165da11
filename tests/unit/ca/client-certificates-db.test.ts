// verifyClientCertificate (lib/ca/client-certificates.ts) against real PostgreSQL: a fresh database
// with the migrations applied and Keyward's CAs bootstrapped (which makes them trust anchors), then
// every way a presented client certificate passes or fails — validity, purpose, path through a
// sent intermediate, trust anchors imported and removed, and Keyward's own revocation records.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapCertificateAuthorities } from "@/lib/ca/authorities";
import {
  type ClientCertificateCheck,
  certificatesFromProxyHeader,
  verifyClientCertificate,
} from "@/lib/ca/client-certificates";
import {
  importClientTrustAnchor,
  listClientTrustAnchors,
  removeClientTrustAnchor,
} from "@/lib/ca/trust-anchors";
import { SecretBox } from "@/lib/crypto/secret-box";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import {
  type ClientCredential,
  createIntermediateCa,
  createTestCa,
  type IssuingCaForTests,
  issueClientCertificate,
  recordIssuedCertificate,
} from "../../support/client-certificates";
import {
  createFreshDatabase,
  POSTGRES_SERVER_URL,
  requirePostgresServer,
  type TestDatabase,
} from "../../support/test-db";

const TIMEOUT_MS = 120_000;
const DAY_MS = 86_400_000;
const by = { actor: "system" as const };

await requirePostgresServer(POSTGRES_SERVER_URL);

let database: TestDatabase;
let db: Db;
let keyward: IssuingCaForTests;
let aliasId: string;

const verify = (credential: ClientCredential, chain: IssuingCaForTests[] = []) =>
  verifyClientCertificate(
    db,
    [credential.der, ...chain.map((c) => new Uint8Array(c.signer.certificate.rawData))],
    {
      via: "tls",
    },
  );

function refusal(check: ClientCertificateCheck): string {
  return check.status === "refused" ? check.reason : "verified";
}

beforeAll(async () => {
  database = await createFreshDatabase(POSTGRES_SERVER_URL, "clientcerts");
  await applyMigrations(database.url);
  db = createDb(database.url, 4);
  const hierarchy = await bootstrapCertificateAuthorities(db, {
    box: new SecretBox(randomBytes(32)),
    algorithm: "ECDSA-P256",
    name: "Client Cert Test",
  });
  const { issuing } = hierarchy;
  keyward = {
    id: issuing.id,
    name: issuing.name,
    subjectDn: issuing.subjectDn,
    signer: issuing.signer,
    pem: issuing.pem,
  };
  aliasId = (await db.alias.create({ data: { name: "clientcerts", settings: {} } })).id;
}, TIMEOUT_MS);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
}, TIMEOUT_MS);

describe("client certificates of Keyward's own CA", () => {
  it("ok/the CA bootstrap made Keyward's root and issuing CA trust anchors", async () => {
    const anchors = (await listClientTrustAnchors(db)).items;
    expect(anchors.map((a) => a.source)).toEqual(["keyward", "keyward"]);
  });

  it("ok/a valid clientAuth certificate, with what an access rule matches on", async () => {
    const credential = await issueClientCertificate(keyward, { commonName: "ok.test" });
    const check = await verify(credential);
    expect(check.status).toBe("verified");
    if (check.status !== "verified") return;
    expect(check.certificate).toMatchObject({
      subjectDn: "CN=ok.test, O=Keyward tests",
      issuerDn: keyward.signer.certificate.subject,
      serialHex: credential.serialHex,
      via: "tls",
    });
    expect(check.certificate.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["expired", { notBefore: new Date(Date.now() - 3 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) }],
    [
      "not-yet-valid",
      { notBefore: new Date(Date.now() + DAY_MS), notAfter: new Date(Date.now() + 2 * DAY_MS) },
    ],
    ["not-for-client-authentication", { extendedKeyUsage: ["1.3.6.1.5.5.7.3.1"] }],
  ])("fail/%s", async (reason, options) => {
    const credential = await issueClientCertificate(keyward, { commonName: `${reason}.test`, ...options });
    expect(refusal(await verify(credential))).toBe(reason);
  });

  it("ok/anyExtendedKeyUsage is a client certificate too", async () => {
    const credential = await issueClientCertificate(keyward, {
      commonName: "any.test",
      extendedKeyUsage: ["2.5.29.37.0"],
    });
    expect(refusal(await verify(credential))).toBe("verified");
  });

  it("fail/a CA certificate, unreadable bytes, nothing", async () => {
    const ca = new Uint8Array(keyward.signer.certificate.rawData);
    const caCheck = await verifyClientCertificate(db, [ca], { via: "tls" });
    expect(refusal(caCheck)).toBe("not-for-client-authentication");
    expect(
      refusal(await verifyClientCertificate(db, [new Uint8Array([48, 3, 1, 2, 3])], { via: "proxy" })),
    ).toBe("unreadable");
    expect(refusal(await verifyClientCertificate(db, [], { via: "proxy" }))).toBe("unreadable");
  });

  it("fail/revoked in Keyward's records; ok/while valid there", async () => {
    const credential = await issueClientCertificate(keyward, { commonName: "revoked.test" });
    await recordIssuedCertificate(db, { credential, issuerId: keyward.id, aliasId });
    expect(refusal(await verify(credential))).toBe("verified");
    await db.certificate.update({ where: { serialHex: credential.serialHex }, data: { status: "revoked" } });
    const check = await verify(credential);
    expect(refusal(check)).toBe("revoked");
    expect(check.status === "refused" && check.detail).toContain("revoked");
  });
});

describe("other hierarchies", () => {
  it("fail/untrusted until its root is imported; ok/through the intermediate the client sends; fail/again once removed", async () => {
    const root = await createTestCa(`Other Root ${Date.now()}`);
    const intermediate = await createIntermediateCa(root, "Other Client CA");
    const credential = await issueClientCertificate(intermediate, { commonName: "agent.other.test" });
    expect(refusal(await verify(credential, [intermediate]))).toBe("untrusted");

    const anchor = await importClientTrustAnchor(db, { pem: root.pem, by });
    expect(anchor.source).toBe("imported");
    const check = await verify(credential, [intermediate]);
    expect(refusal(check)).toBe("verified");
    expect(check.status === "verified" && check.certificate.anchorSubjectDn).toBe(
      root.signer.certificate.subject,
    );
    // Without the intermediate there is no path.
    expect(refusal(await verify(credential))).toBe("untrusted");
    // A certificate it did not issue, sent along, makes no path either.
    expect(refusal(await verify(credential, [root]))).toBe("untrusted");

    await removeClientTrustAnchor(db, { id: anchor.id, by });
    expect(refusal(await verify(credential, [intermediate]))).toBe("untrusted");
  });

  it("fail/a certificate signed by an impostor with the same issuer name", async () => {
    const impostor = await createTestCa("Client Cert Test Issuing CA 1");
    const forged = await issueClientCertificate(
      { ...impostor, signer: { ...impostor.signer, certificate: keyward.signer.certificate } },
      { commonName: "forged.test" },
    );
    expect(refusal(await verify(forged))).toBe("untrusted");
  });
});

describe("the proxy's header", () => {
  it("ok/URL-encoded PEM as nginx's $ssl_client_escaped_cert; fail/anything else", async () => {
    const credential = await issueClientCertificate(keyward, { commonName: "proxied.test" });
    const ders = certificatesFromProxyHeader(encodeURIComponent(credential.cert));
    expect(ders).toHaveLength(1);
    expect(Buffer.from(ders?.[0] as Uint8Array).equals(Buffer.from(credential.der))).toBe(true);
    expect(certificatesFromProxyHeader("%E0%A4%A")).toBeNull();
    expect(certificatesFromProxyHeader("not a certificate")).toBeNull();
    expect(
      certificatesFromProxyHeader(
        encodeURIComponent("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----"),
      ),
    ).toBeNull();
  });
});
