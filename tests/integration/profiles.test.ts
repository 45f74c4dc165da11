// Certificate profiles and end entity profiles (issue 12 items 2, 3, 5, 6) over real HTTP: made
// through the console API (with what it refuses), named by an alias, and enforced on real ACME
// orders — the key a CSR may carry, the validity, key usage, extended key usage and subject of
// the certificate, the SAN counts of an order, and the EAB namespace of the accounts.
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AcmeResult, generateTestKey, RawAcmeClient, type TestKey } from "../support/acme-signer";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createTestToken } from "../support/console-tokens";
import { macBinding } from "../support/eab";
import { createTestAlias, directoryUrl, enableAcme, keyward, testDb } from "../support/keyward";

const PROBLEM = "urn:ietf:params:acme:error:";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-profiles-"));
let adminToken: string;
let auditorToken: string;
let http01: Http01Responder;
// Answers every *.test name with 127.0.0.1, where the http-01 responder listens.
let dns: ChallTestSrv;
const resolving = () => ({ dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort });

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, asserted field by field
type Answer = { status: number; body: any; text: string };

async function api(method: string, pathname: string, body?: unknown, token = adminToken): Promise<Answer> {
  const res = await fetch(`${keyward().httpUrl}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

async function created(pathname: string, body: unknown) {
  const res = await api("POST", pathname, body);
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/** A CSR made by openssl: key "rsa:<bits>" or "ec:<curve>", a subject like "/O=Acme/CN=a.test". */
function csr(key: string, subject: string, sans: string[]): string {
  const [type, param] = key.split(":");
  const keyArgs =
    type === "rsa"
      ? ["-newkey", `rsa:${param}`]
      : ["-newkey", "ec", "-pkeyopt", `ec_paramgen_curve:${param}`];
  const der = execFileSync("openssl", [
    "req",
    "-new",
    ...keyArgs,
    "-nodes",
    "-keyout",
    path.join(tmp, "key.pem"),
    "-subj",
    subject,
    ...(sans.length ? ["-addext", `subjectAltName=${sans.map((n) => `DNS:${n}`).join(",")}`] : []),
    "-outform",
    "DER",
  ]);
  return Buffer.from(der).toString("base64url");
}

/** An ACME account on an alias, driven by raw JWS (so each problem's type can be asserted). */
class Subscriber {
  private constructor(
    readonly client: RawAcmeClient,
    readonly key: TestKey,
    readonly kid: string,
  ) {}

  static async register(alias: string, binding?: (key: TestKey, url: string) => Promise<unknown>) {
    const client = await new RawAcmeClient(directoryUrl(alias)).init();
    const key = await generateTestKey("ES256");
    const url = client.directory.newAccount as string;
    const res = await client.signedPost(key, url, {
      termsOfServiceAgreed: true,
      ...(binding ? { externalAccountBinding: await binding(key, url) } : {}),
    });
    return {
      res,
      subscriber:
        res.status === 201 ? new Subscriber(client, key, res.headers.get("location") as string) : null,
    };
  }

  post(url: string, payload: unknown): Promise<AcmeResult> {
    return this.client.signedPost(this.key, url, payload, { kid: this.kid });
  }

  newOrder(names: string[]): Promise<AcmeResult> {
    return this.post(this.client.directory.newOrder as string, {
      identifiers: names.map((value) => ({ type: "dns", value })),
    });
  }

  /** A ready order for these names (http-01 answered by the test's responder). */
  async readyOrder(names: string[]): Promise<{ url: string; finalize: string }> {
    const order = await this.newOrder(names);
    expect(order.status, order.text).toBe(201);
    const thumbprint = await jose.calculateJwkThumbprint(this.key.jwk);
    for (const authzUrl of order.body.authorizations as string[]) {
      const authz = await this.post(authzUrl, null);
      if (authz.body.status === "valid") continue;
      const challenge = authz.body.challenges.find((c: { type: string }) => c.type === "http-01");
      http01.set(challenge.token, `${challenge.token}.${thumbprint}`);
      await this.post(challenge.url, {});
      for (let i = 0; i < 100; i++) {
        const now = await this.post(authzUrl, null);
        if (now.body.status !== "pending") {
          expect(now.body.status, now.text).toBe("valid");
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return { url: order.headers.get("location") as string, finalize: order.body.finalize };
  }

  finalize(order: { finalize: string }, csrB64: string): Promise<AcmeResult> {
    return this.post(order.finalize, { csr: csrB64 });
  }

  /** Finalizes and downloads the leaf certificate. */
  async certificate(order: { url: string; finalize: string }, csrB64: string): Promise<X509Certificate> {
    let res = await this.finalize(order, csrB64);
    expect(res.status, res.text).toBe(200);
    for (let i = 0; i < 100 && res.body.status !== "valid"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      res = await this.post(order.url, null);
    }
    const pem = await this.post(res.body.certificate, null);
    const [leaf] = pem.text.split(/(?=-----BEGIN CERTIFICATE-----)/);
    return new X509Certificate(leaf as string);
  }
}

function expectProblem(res: AcmeResult, type: string, detail: RegExp) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body, res.text).toMatchObject({ type: PROBLEM + type });
  expect(res.body.detail).toMatch(detail);
}

function text(cert: X509Certificate): string {
  fs.writeFileSync(path.join(tmp, "cert.pem"), cert.toString());
  return execFileSync("openssl", ["x509", "-in", path.join(tmp, "cert.pem"), "-noout", "-text"]).toString();
}

let issuingCaName: string;

beforeAll(async () => {
  await enableAcme();
  adminToken = await createTestToken(testDb(), "administrator");
  auditorToken = await createTestToken(testDb(), "auditor");
  http01 = await startHttp01Responder(keyward().http01Port);
  dns = await startChallTestSrv();
  issuingCaName = (
    await testDb().certificateAuthority.findFirstOrThrow({
      where: { role: "issuing" },
      orderBy: { createdAt: "asc" },
    })
  ).name;
});

afterAll(async () => {
  await http01?.close();
  await dns?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("profiles through the console API", () => {
  it("ok/create, read, change and delete; defaults are the built-in profile; each change audited", async () => {
    const name = unique("cp");
    const profile = await created("/api/console/certificate-profiles", { name });
    expect(profile).toMatchObject({
      name,
      keyAlgorithms: ["RSA", "ECDSA"],
      ecdsaCurves: ["P-256", "P-384"],
      validity: "90d",
      keyUsages: ["digitalSignature", "keyEncipherment"],
      extendedKeyUsages: ["serverAuth"],
      availableCas: [],
      eabNamespace: null,
      usedBy: [],
    });
    const changed = await api("PATCH", `/api/console/certificate-profiles/${name}`, {
      validity: "6mo",
      availableCas: [issuingCaName],
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      validity: "6mo",
      availableCas: [issuingCaName],
      keyAlgorithms: ["RSA", "ECDSA"],
    });
    const read = await api("GET", `/api/console/certificate-profiles/${name}`, undefined, auditorToken);
    expect(read.body.validity).toBe("6mo");

    const eep = unique("eep");
    const endEntity = await created("/api/console/end-entity-profiles", {
      name: eep,
      defaultCertificateProfile: name,
      defaultCa: issuingCaName,
      maxDnsNames: 3,
    });
    expect(endEntity).toMatchObject({
      defaultCertificateProfile: name,
      defaultCa: issuingCaName,
      maxDnsNames: 3,
      maxIpAddresses: 100,
    });
    const cpList = await api("GET", "/api/console/certificate-profiles", undefined, auditorToken);
    expect(cpList.body.find((p: { name: string }) => p.name === name).usedBy).toEqual([eep]);

    // In use: refused, naming the user; free: deleted.
    const refused = await api("DELETE", `/api/console/certificate-profiles/${name}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(eep);
    expect((await api("DELETE", `/api/console/end-entity-profiles/${eep}`)).status).toBe(204);
    expect((await api("DELETE", `/api/console/certificate-profiles/${name}`)).status).toBe(204);
    expect((await api("GET", `/api/console/certificate-profiles/${name}`)).status).toBe(404);
    const audit = await testDb().auditEvent.findMany({
      where: {
        targetType: { in: ["certificateProfile", "endEntityProfile"] },
        targetId: { in: [profile.id, endEntity.id] },
      },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual([
      "certificateProfile.created",
      "certificateProfile.updated",
      "endEntityProfile.created",
      "endEntityProfile.deleted",
      "certificateProfile.deleted",
    ]);
  });

  it("fail/bad input is refused with the field it concerns; auditors change nothing", async () => {
    const cases: [string, unknown, number, string, RegExp][] = [
      [
        "/api/console/certificate-profiles",
        { name: unique("cp"), validity: "5x" },
        422,
        "validity",
        /"90d", "6mo" or "1y"/,
      ],
      ["/api/console/certificate-profiles", { name: unique("cp"), validity: "2y" }, 422, "validity", /398d/],
      [
        "/api/console/certificate-profiles",
        { name: unique("cp"), keyAlgorithms: ["DSA"] },
        422,
        "keyAlgorithms.0",
        /RSA, ECDSA/,
      ],
      [
        "/api/console/certificate-profiles",
        { name: unique("cp"), keyAlgorithms: ["ECDSA"], ecdsaCurves: [] },
        422,
        "ecdsaCurves",
        /at least one curve/,
      ],
      [
        "/api/console/certificate-profiles",
        { name: unique("cp"), rsaBitLengths: [1024] },
        422,
        "rsaBitLengths.0",
        /2048/,
      ],
      [
        "/api/console/certificate-profiles",
        { name: unique("cp"), extendedKeyUsages: [] },
        422,
        "extendedKeyUsages",
        /at least one/,
      ],
      [
        "/api/console/certificate-profiles",
        { name: unique("cp"), availableCas: ["No such CA"] },
        422,
        "availableCas",
        /No certificate authority named "No such CA"/,
      ],
      ["/api/console/certificate-profiles", { name: "bad/name" }, 422, "name", /1 to 64 letters/],
      [
        "/api/console/end-entity-profiles",
        { name: unique("eep"), defaultCertificateProfile: "missing" },
        422,
        "defaultCertificateProfile",
        /No certificate profile named "missing"/,
      ],
      [
        "/api/console/end-entity-profiles",
        { name: unique("eep"), maxDnsNames: -1 },
        422,
        "maxDnsNames",
        /0 to 100/,
      ],
      [
        "/api/console/end-entity-profiles",
        { name: unique("eep"), subjectDnAttributes: ["CN"] },
        422,
        "subjectDnAttributes.0",
        /O, OU, L, ST, C/,
      ],
    ];
    for (const [pathname, body, status, field, reason] of cases) {
      const res = await api("POST", pathname, body);
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(status);
      const param = res.body.invalidParams.find((p: { name: string }) => p.name === field);
      expect(param?.reason, `${JSON.stringify(body)}: ${res.text}`).toMatch(reason);
    }
    // A default CA the certificate profile does not offer.
    const root = await testDb().certificateAuthority.findFirstOrThrow({ where: { role: "root" } });
    const cp = unique("cp");
    await created("/api/console/certificate-profiles", { name: cp, availableCas: [issuingCaName] });
    const mismatch = await api("POST", "/api/console/end-entity-profiles", {
      name: unique("eep"),
      defaultCertificateProfile: cp,
      defaultCa: root.name,
    });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.invalidParams[0]).toMatchObject({ name: "defaultCa" });
    // Duplicates, and roles.
    expect((await api("POST", "/api/console/certificate-profiles", { name: cp })).status).toBe(409);
    expect(
      (await api("POST", "/api/console/certificate-profiles", { name: unique("cp") }, auditorToken)).status,
    ).toBe(403);
    expect(
      (await api("DELETE", `/api/console/certificate-profiles/${cp}`, undefined, auditorToken)).status,
    ).toBe(403);
  });

  it("fail/an alias cannot name a missing end entity profile; a profile an alias names cannot be deleted", async () => {
    const alias = await createTestAlias();
    const missing = await api("PATCH", `/api/console/aliases/${alias}`, {
      settings: { endEntityProfile: "nope" },
    });
    expect(missing.status, missing.text).toBe(422);
    expect(missing.body.invalidParams[0]).toMatchObject({ name: "settings.endEntityProfile" });
    const eep = unique("eep");
    await created("/api/console/end-entity-profiles", { name: eep });
    const stored = await api("PATCH", `/api/console/aliases/${alias}`, {
      settings: { endEntityProfile: eep },
    });
    expect(stored.status, stored.text).toBe(200);
    const refused = await api("DELETE", `/api/console/end-entity-profiles/${eep}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(alias);
  });
});

describe("profiles enforced at newOrder and finalize", () => {
  let alias: string;
  let subscriber: Subscriber;
  const cp = unique("ecdsa-30d");

  beforeAll(async () => {
    await created("/api/console/certificate-profiles", {
      name: cp,
      keyAlgorithms: ["ECDSA"],
      ecdsaCurves: ["P-256"],
      validity: "30d",
      keyUsages: ["digitalSignature", "keyAgreement", "keyEncipherment"],
      extendedKeyUsages: ["serverAuth", "clientAuth"],
      availableCas: [issuingCaName],
    });
    const eep = unique("web");
    await created("/api/console/end-entity-profiles", {
      name: eep,
      defaultCertificateProfile: cp,
      subjectDnAttributes: ["O", "C"],
      maxDnsNames: 2,
      maxIpAddresses: 0,
    });
    alias = await createTestAlias({ endEntityProfile: eep, ...resolving() });
    subscriber = (await Subscriber.register(alias)).subscriber as Subscriber;
  });

  it("fail/a CSR key outside the profile is badCSR naming the rule, and the order stays ready", async () => {
    const order = await subscriber.readyOrder(["a.profiles.test"]);
    const rsa = await subscriber.finalize(order, csr("rsa:2048", "/CN=a.profiles.test", ["a.profiles.test"]));
    expectProblem(
      rsa,
      "badCSR",
      new RegExp(
        `RSA-2048 is not allowed by certificate profile "${cp}": its available key algorithms are ECDSA`,
      ),
    );
    const p384 = await subscriber.finalize(
      order,
      csr("ec:P-384", "/CN=a.profiles.test", ["a.profiles.test"]),
    );
    expectProblem(p384, "badCSR", /ECDSA-P384 is not allowed .*: its available ECDSA curves are P-256/);
    const status = await subscriber.post(order.url, null);
    expect(status.body.status).toBe("ready");
  });

  it("ok/the certificate has the profile's validity, key usage, EKU and subject attributes; CN and SANs as the CSR has them", async () => {
    const order = await subscriber.readyOrder(["a.profiles.test", "b.profiles.test"]);
    const cert = await subscriber.certificate(
      order,
      csr("ec:P-256", "/C=DE/O=Example Org/OU=dropped/CN=b.profiles.test", [
        "b.profiles.test",
        "a.profiles.test",
      ]),
    );
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    // Subject: the attributes the end entity profile lets through, then the CSR's CN.
    expect(cert.subject.split("\n")).toEqual(["C=DE", "O=Example Org", "CN=b.profiles.test"]);
    // SANs in the CSR's order.
    expect(cert.subjectAltName).toBe("DNS:b.profiles.test, DNS:a.profiles.test");
    const decoded = text(cert);
    // keyEncipherment is for RSA keys only, so an ECDSA certificate does not get it.
    expect(decoded).toMatch(/Key Usage: critical\s+Digital Signature, Key Agreement\n/);
    expect(decoded).toMatch(
      /Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication/,
    );
    const audit = await testDb().auditEvent.findFirstOrThrow({
      where: { action: "certificate.issued", details: { path: ["certificateProfile"], equals: cp } },
    });
    expect(audit.details).toMatchObject({ certificateProfile: cp });
  });

  it("ok/several CNs in the CSR's subject: all are written into the certificate's subject", async () => {
    const order = await subscriber.readyOrder(["a.profiles.test", "b.profiles.test"]);
    const cert = await subscriber.certificate(
      order,
      csr("ec:P-256", "/CN=a.profiles.test/CN=b.profiles.test", ["a.profiles.test", "b.profiles.test"]),
    );
    expect(cert.subject.split("\n")).toEqual(["CN=a.profiles.test", "CN=b.profiles.test"]);
  });

  it("ok/no CN in the CSR (certbot's way): one identifier is written into the subject CN", async () => {
    const order = await subscriber.readyOrder(["a.profiles.test"]);
    const der = execFileSync("openssl", [
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      path.join(tmp, "key.pem"),
      "-subj",
      "/",
      "-addext",
      "subjectAltName=DNS:a.profiles.test",
      "-outform",
      "DER",
    ]);
    const cert = await subscriber.certificate(order, Buffer.from(der).toString("base64url"));
    expect(cert.subject).toBe("CN=a.profiles.test");
  });

  it("fail/an order with more names than the profile's SAN fields is rejectedIdentifier", async () => {
    const res = await subscriber.newOrder(["a.profiles.test", "b.profiles.test", "c.profiles.test"]);
    expectProblem(res, "rejectedIdentifier", /allows at most 2 DNS names; the order has 3/);
    expect(res.body.subproblems[0]).toMatchObject({
      type: `${PROBLEM}rejectedIdentifier`,
      identifier: { type: "dns", value: "c.profiles.test" },
    });
    const ip = await subscriber.post(subscriber.client.directory.newOrder as string, {
      identifiers: [{ type: "ip", value: "127.0.0.1" }],
    });
    // An alias that does not allow IP identifiers at all refuses first; either way, no order.
    expect(ip.body.type).toBe(`${PROBLEM}rejectedIdentifier`);
  });

  it("fail/RSA bit lengths: a key outside the smallest and largest is refused naming them", async () => {
    const changed = await api("PATCH", `/api/console/certificate-profiles/${cp}`, {
      keyAlgorithms: ["RSA"],
      rsaBitLengths: [3072, 4096],
    });
    expect(changed.status, changed.text).toBe(200);
    try {
      const order = await subscriber.readyOrder(["a.profiles.test"]);
      const small = await subscriber.finalize(
        order,
        csr("rsa:2048", "/CN=a.profiles.test", ["a.profiles.test"]),
      );
      expectProblem(
        small,
        "badCSR",
        /RSA-2048 is not allowed .*: its available RSA bit lengths are 3072 to 4096/,
      );
      const cert = await subscriber.certificate(
        order,
        csr("rsa:3072", "/CN=a.profiles.test", ["a.profiles.test"]),
      );
      expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
      // RSA: keyEncipherment applies, keyAgreement does not.
      expect(text(cert)).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment\n/);
    } finally {
      await api("PATCH", `/api/console/certificate-profiles/${cp}`, { keyAlgorithms: ["ECDSA"] });
    }
  });

  it("ok/an alias without an end entity profile keeps the built-in profile: 90 days, serverAuth, any allowed key", async () => {
    const plain = await createTestAlias(resolving());
    const other = (await Subscriber.register(plain)).subscriber as Subscriber;
    const order = await other.readyOrder(["plain.profiles.test"]);
    const cert = await other.certificate(
      order,
      csr("rsa:2048", "/O=Not copied/CN=plain.profiles.test", ["plain.profiles.test"]),
    );
    expect(Math.round((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000)).toBe(90);
    expect(cert.subject).toBe("CN=plain.profiles.test");
    expect(text(cert)).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication\n/);
  });
});

describe("general account binding: the certificate profile's EAB namespace", () => {
  let alias: string;
  const namespace = unique("team-a");

  beforeAll(async () => {
    const cp = unique("gab");
    await created("/api/console/certificate-profiles", { name: cp, eabNamespace: namespace });
    const eep = unique("gab");
    await created("/api/console/end-entity-profiles", { name: eep, defaultCertificateProfile: cp });
    alias = await createTestAlias({ endEntityProfile: eep, ...resolving() });
  });

  async function macKey(keyNamespace?: string) {
    const res = await api("POST", `/api/console/aliases/${alias}/eab-keys`, {
      type: "mac",
      ...(keyNamespace ? { namespace: keyNamespace } : {}),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.key.namespace).toBe(keyNamespace ?? null);
    return res.body.secret as { keyIdentifier: string; hmacKey: string };
  }

  const bindingWith = (secret: { keyIdentifier: string; hmacKey: string }) => (key: TestKey, url: string) =>
    macBinding({ accountJwk: key.jwk, kid: secret.keyIdentifier, hmacKey: secret.hmacKey, url });

  it("fail/a key of another namespace, or of none, cannot bind an account; the problem names both namespaces", async () => {
    const other = await macKey("team-b");
    const { res } = await Subscriber.register(alias, bindingWith(other));
    expectProblem(
      res,
      "unauthorized",
      new RegExp(
        `only EAB keys of namespace "${namespace}"; the key "${other.keyIdentifier}" is of namespace "team-b"`,
      ),
    );
    const none = await macKey();
    const refused = await Subscriber.register(alias, bindingWith(none));
    expectProblem(refused.res, "unauthorized", /is in no namespace/);
    expect(await testDb().account.count({ where: { alias: { name: alias } } })).toBe(0);
  });

  it("fail/an account without a binding may not order under the profile", async () => {
    const { subscriber } = await Subscriber.register(alias);
    const res = await (subscriber as Subscriber).newOrder(["gab.profiles.test"]);
    expectProblem(res, "unauthorized", /this account has no external account binding/);
  });

  it("ok/a key of the namespace binds the account, which gets its certificate", async () => {
    const secret = await macKey(namespace);
    const { res, subscriber } = await Subscriber.register(alias, bindingWith(secret));
    expect(res.status, res.text).toBe(201);
    const order = await (subscriber as Subscriber).readyOrder(["gab.profiles.test"]);
    const cert = await (subscriber as Subscriber).certificate(
      order,
      csr("ec:P-256", "/CN=gab.profiles.test", ["gab.profiles.test"]),
    );
    expect(cert.subject).toBe("CN=gab.profiles.test");
  });
});
