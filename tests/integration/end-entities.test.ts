// End entities in RA mode (issue 12 item 4) over real HTTP with a real ACME client (acme-client):
// each finalize creates or resets its end entity, named by the alias's RA name generation scheme,
// and the certificate makes it GENERATED; under a certificate profile with the single active
// certificate constraint, a second certificate for the same end entity revokes the first as
// superseded (the CRL lists it); RANDOM names every order apart, so nothing is revoked; an alias
// whose scheme needs batch generation is refused when its profile lacks it; the console API lists
// end entities to every role that reads the console.
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createTestToken } from "../support/console-tokens";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";
import { parseSamples, sampleValue } from "../support/metrics";

let adminToken: string;
let auditorToken: string;
let http01: Http01Responder;
let dns: ChallTestSrv;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, asserted field by field
type Answer = { status: number; body: any; text: string };

async function api(method: string, pathname: string, body?: unknown, token = adminToken): Promise<Answer> {
  const res = await fetch(`${keyward().httpUrl}${pathname}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
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

/** An alias whose *.test names resolve to the http-01 responder, storing `settings` through the API. */
async function aliasWith(settings: Record<string, unknown>): Promise<string> {
  const alias = await createTestAlias({ dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort });
  const stored = await api("PATCH", `/api/console/aliases/${alias}`, { settings });
  expect(stored.status, stored.text).toBe(200);
  return alias;
}

/** A certificate from a new account on `alias` (acme-client, http-01); its lowercase serial. */
async function issue(alias: string, opts: { commonName: string; altNames: string[] }): Promise<string> {
  const client = new acme.Client({
    directoryUrl: `${keyward().httpUrl}/acme/${alias}/directory`,
    accountKey: await acme.crypto.createPrivateKey(),
    backoffMin: 100,
    backoffMax: 500,
    backoffAttempts: 30,
  });
  const [, csr] = await acme.crypto.createCsr(opts);
  const pem = await client.auto({
    csr,
    termsOfServiceAgreed: true,
    challengePriority: ["http-01"],
    skipChallengeVerification: true,
    challengeCreateFn: async (_authz, challenge, keyAuthorization) =>
      http01.set(challenge.token, keyAuthorization),
    challengeRemoveFn: async (_authz, challenge) => http01.delete(challenge.token),
  });
  return new X509Certificate(pem).serialNumber.toLowerCase();
}

/** A new account's order for `name` on `alias`, ready to finalize (http-01). */
async function readyOrder(alias: string, name: string) {
  const client = new acme.Client({
    directoryUrl: `${keyward().httpUrl}/acme/${alias}/directory`,
    accountKey: await acme.crypto.createPrivateKey(),
    backoffMin: 100,
    backoffMax: 500,
    backoffAttempts: 30,
  });
  await client.createAccount({ termsOfServiceAgreed: true });
  const order = await client.createOrder({ identifiers: [{ type: "dns", value: name }] });
  for (const authz of await client.getAuthorizations(order)) {
    const challenge = authz.challenges.find((c) => c.type === "http-01");
    if (!challenge) throw new Error("no http-01 challenge");
    http01.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
    await client.completeChallenge(challenge);
    await client.waitForValidStatus(challenge);
  }
  await client.waitForValidStatus(order);
  return { client, order };
}

/** The CRL of the CA that issued `serialHex`, as openssl prints it. */
async function crlTextFor(serialHex: string): Promise<string> {
  const cert = await testDb().certificate.findUniqueOrThrow({ where: { serialHex } });
  const der = Buffer.from(await (await fetch(`${keyward().httpUrl}/ca/crl/${cert.issuerId}`)).arrayBuffer());
  return execFileSync("openssl", ["crl", "-inform", "DER", "-noout", "-text"], { input: der }).toString();
}

beforeAll(async () => {
  await enableAcme();
  dns = await startChallTestSrv();
  http01 = await startHttp01Responder(keyward().http01Port);
  adminToken = await createTestToken(testDb(), "administrator");
  auditorToken = await createTestToken(testDb(), "auditor");
});

afterAll(async () => {
  await http01?.close();
  await dns?.stop();
});

describe("end entities named by DN under the single active certificate constraint", () => {
  const host = `${unique("shop")}.ee.test`;
  const username = `acme-${host}-web`;
  let alias: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    const cp = await created("/api/console/certificate-profiles", {
      name: unique("single"),
      singleActiveCertificate: true,
    });
    const eep = await created("/api/console/end-entity-profiles", {
      name: unique("batch"),
      defaultCertificateProfile: cp.name,
      batchGeneration: true,
    });
    alias = await aliasWith({
      endEntityProfile: eep.name,
      raNameGenScheme: "DN",
      raNameGenParams: "UID;CN",
      raNameGenPrefix: "acme-",
      raNameGenPostfix: "-web",
    });
  });

  it("ok/the first certificate creates the end entity, GENERATED, named by its CN with prefix and postfix", async () => {
    first = await issue(alias, { commonName: host, altNames: [host] });
    const entity = await testDb().endEntity.findUniqueOrThrow({
      where: { username },
      include: { certificates: true },
    });
    expect(entity.status).toBe("GENERATED");
    expect(entity.subjectDn).toBe(`CN=${host}`);
    expect(entity.subjectAltNames).toEqual([`dns:${host}`]);
    expect(entity.certificates.map((c) => c.serialHex)).toEqual([first]);
    const issued = await testDb().auditEvent.findFirstOrThrow({
      where: { action: "certificate.issued", targetId: first },
    });
    expect(issued.details).toMatchObject({ endEntity: username });
  });

  it("ok/a second certificate for the same CN, from another account, revokes the first as superseded", async () => {
    second = await issue(alias, { commonName: host, altNames: [host, `www.${host}`] });
    const rows = await testDb().certificate.findMany({
      where: { serialHex: { in: [first, second] } },
      include: { endEntity: true },
    });
    const bySerial = new Map(rows.map((r) => [r.serialHex, r]));
    expect(bySerial.get(first)).toMatchObject({ status: "revoked", revocationReason: 4 });
    expect(bySerial.get(second)).toMatchObject({ status: "valid", revocationReason: null });
    // One end entity, across accounts: the latest enrolment's SANs.
    expect(bySerial.get(first)?.endEntityId).toBe(bySerial.get(second)?.endEntityId);
    expect(bySerial.get(second)?.endEntity).toMatchObject({
      username,
      status: "GENERATED",
      subjectAltNames: [`dns:${host}`, `dns:www.${host}`],
    });
    const revoked = await testDb().auditEvent.findFirstOrThrow({
      where: { action: "certificate.revoked", targetId: bySerial.get(first)?.id },
    });
    expect(revoked.details).toMatchObject({
      reason: 4,
      reasonName: "superseded",
      endEntity: username,
      supersededBy: second,
    });
    // The CRL lists it at once, with its reason (RFC 5280 §5.3.1).
    const crl = await crlTextFor(first);
    const entry = crl.split("Serial Number: ").find((e) => e.toLowerCase().startsWith(first));
    expect(entry, crl).toContain("Superseded");
    expect(crl.toLowerCase()).not.toContain(`serial number: ${second}`);
    // Counted as every revocation is.
    const metrics = await fetch(`${keyward().httpUrl}/metrics`, {
      headers: { authorization: `Bearer ${auditorToken}` },
    });
    expect(
      sampleValue(parseSamples(await metrics.text()), "keyward_certificates_revoked_total", {
        alias,
        reason: "superseded",
      }),
    ).toBe(1);
  });

  it("ok/the console API lists the end entity to the auditor, with its certificates newest first", async () => {
    const list = await api(
      "GET",
      `/api/console/end-entities?q=${encodeURIComponent(host)}`,
      undefined,
      auditorToken,
    );
    expect(list.status, list.text).toBe(200);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0]).toMatchObject({
      username,
      status: "GENERATED",
      subjectDn: `CN=${host}`,
      alias,
      certificates: 2,
    });
    const one = await api(
      "GET",
      `/api/console/end-entities/${list.body.items[0].id}`,
      undefined,
      auditorToken,
    );
    expect(one.status, one.text).toBe(200);
    expect(
      one.body.certificateList.map((c: { serialHex: string; status: string }) => [c.serialHex, c.status]),
    ).toEqual([
      [second, "valid"],
      [first, "revoked"],
    ]);
    expect(one.body.certificateList[1].revocationReason).toEqual({ code: 4, name: "superseded" });
    // Each certificate names its end entity.
    const certificate = await api("GET", `/api/console/certificates/${one.body.certificateList[1].id}`);
    expect(certificate.body.endEntity).toEqual({ id: list.body.items[0].id, username });
    // Read-only: there is nothing to write to.
    expect((await api("DELETE", `/api/console/end-entities/${list.body.items[0].id}`)).status).toBe(405);
  });

  it("fail/a CSR without any of the DN attributes is badCSR naming them, and the order stays ready", async () => {
    const uidOnly = await aliasWith({
      endEntityProfile: (await testDb().endEntity.findUniqueOrThrow({ where: { username } }))
        .endEntityProfileName,
      raNameGenScheme: "DN",
      raNameGenParams: "UID",
    });
    const name = `${unique("uid")}.ee.test`;
    const { client, order } = await readyOrder(uidOnly, name);
    const [, csr] = await acme.crypto.createCsr({ commonName: name, altNames: [name] });
    await expect(client.finalizeOrder(order, csr)).rejects.toThrow(/request DN's UID/);
    // Still ready: the refusal came before the order moved on, and no end entity was made.
    expect((await client.getOrder(order)).status).toBe("ready");
    expect(await testDb().endEntity.count({ where: { subjectDn: { contains: name } } })).toBe(0);
  });
});

describe("two enrolments of one end entity at once", () => {
  it("ok/under the single active certificate constraint exactly one certificate stays valid", async () => {
    const cp = await created("/api/console/certificate-profiles", {
      name: unique("single"),
      singleActiveCertificate: true,
    });
    const eep = await created("/api/console/end-entity-profiles", {
      name: unique("batch"),
      defaultCertificateProfile: cp.name,
      batchGeneration: true,
    });
    const alias = await aliasWith({
      endEntityProfile: eep.name,
      raNameGenScheme: "DN",
      raNameGenParams: "CN",
    });
    const name = `${unique("race")}.ee.test`;
    const ready = await Promise.all([readyOrder(alias, name), readyOrder(alias, name)]);
    const finalized = await Promise.all(
      ready.map(async ({ client, order }) => {
        const [, csr] = await acme.crypto.createCsr({ commonName: name, altNames: [name] });
        return client.finalizeOrder(order, csr);
      }),
    );
    expect(finalized.map((o) => o.status)).toEqual(["valid", "valid"]);
    const entity = await testDb().endEntity.findUniqueOrThrow({
      where: { username: name },
      include: { certificates: { orderBy: { createdAt: "asc" } } },
    });
    expect(entity.status).toBe("GENERATED");
    expect(entity.certificates.map((c) => c.status).sort()).toEqual(["revoked", "valid"]);
    expect(entity.certificates.find((c) => c.status === "revoked")?.revocationReason).toBe(4);
  });
});

describe("RANDOM end entity names", () => {
  it("ok/every order is its own end entity, so the constraint revokes nothing", async () => {
    const cp = await created("/api/console/certificate-profiles", {
      name: unique("single"),
      singleActiveCertificate: true,
    });
    // RANDOM needs no batch generation.
    const eep = await created("/api/console/end-entity-profiles", {
      name: unique("nobatch"),
      defaultCertificateProfile: cp.name,
      batchGeneration: false,
    });
    const alias = await aliasWith({ endEntityProfile: eep.name, raNameGenScheme: "RANDOM" });
    const host = `${unique("rnd")}.ee.test`;
    const serials = [
      await issue(alias, { commonName: host, altNames: [host] }),
      await issue(alias, { commonName: host, altNames: [host] }),
    ];
    const rows = await testDb().certificate.findMany({
      where: { serialHex: { in: serials } },
      include: { endEntity: true, order: true },
    });
    expect(rows.map((r) => r.status)).toEqual(["valid", "valid"]);
    for (const r of rows) {
      // The order's id is the username.
      expect(r.endEntity).toMatchObject({
        username: r.orderId,
        status: "GENERATED",
        endEntityProfileName: eep.name,
      });
    }
    expect(new Set(rows.map((r) => r.endEntityId)).size).toBe(2);
  });
});

describe("the batch generation rule", () => {
  it("fail/an alias with a non-RANDOM scheme cannot use a profile without batch generation", async () => {
    const off = await created("/api/console/end-entity-profiles", {
      name: unique("off"),
      batchGeneration: false,
    });
    const alias = await createTestAlias();
    for (const scheme of ["DN", "FIXED", "USERNAME"]) {
      const refused = await api("PATCH", `/api/console/aliases/${alias}`, {
        settings: { endEntityProfile: off.name, raNameGenScheme: scheme, raNameGenParams: "CN" },
      });
      expect(refused.status, refused.text).toBe(422);
      expect(refused.body.type).toBe("urn:ietf:params:acme:error:malformed");
      expect(refused.body.invalidParams).toEqual([
        {
          name: "settings.raNameGenScheme",
          reason: expect.stringContaining(`turn on "Batch generation" in end entity profile "${off.name}"`),
        },
      ]);
    }
    // Nothing was stored.
    const now = await api("GET", `/api/console/aliases/${alias}`);
    expect(now.body.settings).toMatchObject({ endEntityProfile: null, raNameGenScheme: "RANDOM" });
    // RANDOM under the same profile, and any scheme with the built-in profile, are fine.
    expect(
      (await api("PATCH", `/api/console/aliases/${alias}`, { settings: { endEntityProfile: off.name } }))
        .status,
    ).toBe(200);
    expect(
      (
        await api("PATCH", `/api/console/aliases/${alias}`, {
          settings: { endEntityProfile: null, raNameGenScheme: "DN", raNameGenParams: "CN" },
        })
      ).status,
    ).toBe(200);
  });

  it("fail/batch generation cannot be turned off while an alias with a non-RANDOM scheme uses the profile", async () => {
    const on = await created("/api/console/end-entity-profiles", {
      name: unique("on"),
      batchGeneration: true,
    });
    const alias = await aliasWith({
      endEntityProfile: on.name,
      raNameGenScheme: "FIXED",
      raNameGenParams: "web",
    });
    const refused = await api("PATCH", `/api/console/end-entity-profiles/${on.name}`, {
      batchGeneration: false,
    });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.invalidParams[0].name).toBe("batchGeneration");
    expect(refused.body.invalidParams[0].reason).toContain(`"${alias}"`);
    expect((await api("GET", `/api/console/end-entity-profiles/${on.name}`)).body.batchGeneration).toBe(true);
  });

  it("fail/DN parameters must name DN attributes, and FIXED a name", async () => {
    const alias = await createTestAlias();
    const unknown = await api("PATCH", `/api/console/aliases/${alias}`, {
      settings: { raNameGenScheme: "DN", raNameGenParams: "CN;NICKNAME" },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.invalidParams[0]).toMatchObject({
      name: "settings.raNameGenParams",
      reason: expect.stringContaining("NICKNAME"),
    });
    const empty = await api("PATCH", `/api/console/aliases/${alias}`, {
      settings: { raNameGenScheme: "FIXED", raNameGenParams: " " },
    });
    expect(empty.status).toBe(422);
    expect(empty.body.invalidParams[0].name).toBe("settings.raNameGenParams");
  });
});

describe("the end entities console API", () => {
  it("fail/bad queries and ids are refused; without a session nothing is shown", async () => {
    const bad = await api("GET", "/api/console/end-entities?status=REVOKED");
    expect(bad.status).toBe(422);
    expect(bad.body.invalidParams[0].name).toBe("status");
    // An id that cannot name an end entity names nothing (withConsole: params → 404).
    expect((await api("GET", "/api/console/end-entities/not-a-uuid")).status).toBe(404);
    expect((await api("GET", "/api/console/end-entities/00000000-0000-4000-8000-000000000000")).status).toBe(
      404,
    );
    expect((await api("GET", "/api/console/end-entities", undefined, "")).status).toBe(401);
  });
});
