// ACME with client authentication (issue 11; spec "ACME with Client Authentication") over the
// mutual-TLS port, with client certificates made for the test by Keyward's own issuing CA — valid,
// expired, revoked (by Keyward, through ACME), lacking a right, unregistered, not meant for client
// authentication — and by a CA of the test's own (untrusted, then imported as a trust anchor),
// and without one. Access rules and trust anchors are set through the console API, as an operator
// would, and npm acme-client enrolls over mutual TLS with a certificate in its HTTPS agent. On an
// alias with an end entity profile, the profile's rules and the CA it issues from are needed too.
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caAccessRule, endEntityProfileAccessRules, FUNCTION_ACCESS_RULES } from "@/lib/ra/access-rights";
import { CLIENT_CERTIFICATE_REQUIRED_DETAIL } from "@/lib/ra/client-authentication";
import { type AcmeResult, generateTestKey, RawAcmeClient, signJws, toResult } from "../support/acme-signer";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import {
  type ClientCredential,
  createTestCa,
  type IssuingCaForTests,
  issueClientCertificate,
  keywardIssuingCa,
  recordIssuedCertificate,
  requestWith,
} from "../support/client-certificates";
import { createTestToken } from "../support/console-tokens";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";

const UNAUTHORIZED = "urn:ietf:params:acme:error:unauthorized";
const DAY_MS = 86_400_000;

let root: Buffer;
let adminToken: string;
let auditorToken: string;
let ca: IssuingCaForTests;
let alias: string;
let aliasId: string;
let openAlias: string;
let http01: Http01Responder;
let allRights: string[];

async function api(method: string, pathname: string, body?: unknown, token = adminToken) {
  const res = await fetch(`${keyward().httpUrl}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function register(
  credential: ClientCredential,
  rights: string[],
  on = alias,
): Promise<{ id: string; rights: string[] }> {
  const res = await api("POST", `/api/console/aliases/${on}/access-rules`, {
    match: "certificate",
    certificatePem: credential.cert,
    rights,
    description: credential.subjectDn,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const mtls = (credential?: ClientCredential) => requestWith({ ca: root, credential });
const mtlsDirectory = (name = alias) => `${keyward().mtlsUrl}/acme/${name}/directory`;
/** The client-authenticated directory on the host a request named (its Link points there). */
const mtlsDirectoryOn = (hostname: string) =>
  `https://${hostname}:${new URL(keyward().mtlsUrl).port}/acme/${alias}/directory`;

/** A client of `name` over mutual TLS presenting `credential` (or none). */
async function mtlsClient(credential?: ClientCredential, name = alias): Promise<RawAcmeClient> {
  return new RawAcmeClient(mtlsDirectory(name), mtls(credential)).init();
}

async function newNonceOverMtls(credential?: ClientCredential, name = alias): Promise<AcmeResult> {
  return toResult(await mtls(credential)(`${keyward().mtlsUrl}/acme/${name}/newNonce`));
}

function expectClientCertificateRequired(res: AcmeResult, hostname = "localhost") {
  expect(res.status).toBe(403);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ type: UNAUTHORIZED, detail: CLIENT_CERTIFICATE_REQUIRED_DETAIL });
  // Where the client-authenticated URL is: the alias's directory on the mutual-TLS port.
  expect(res.headers.get("link")).toContain(`<${mtlsDirectoryOn(hostname)}>;rel="alternate"`);
}

async function newAccount(
  client: RawAcmeClient,
): Promise<{ res: AcmeResult; key: Awaited<ReturnType<typeof generateTestKey>> }> {
  const key = await generateTestKey();
  const res = await client.signedPost(key, client.directory.newAccount as string, {
    termsOfServiceAgreed: true,
  });
  return { res, key };
}

beforeAll(async () => {
  await enableAcme();
  root = fs.readFileSync(path.join(keyward().dataDir, "ca", "root.pem"));
  adminToken = await createTestToken(testDb(), "administrator");
  auditorToken = await createTestToken(testDb(), "auditor");
  ca = await keywardIssuingCa(testDb(), keyward().dataDir);
  allRights = [...FUNCTION_ACCESS_RULES.map((r) => r.rule), caAccessRule(ca.name)];
  alias = await createTestAlias({ requireClientCertificate: true });
  aliasId = (await testDb().alias.findUniqueOrThrow({ where: { name: alias } })).id;
  openAlias = await createTestAlias();
  http01 = await startHttp01Responder(keyward().http01Port);
});

afterAll(async () => {
  await http01?.close();
});

describe("an alias that requires a client certificate, without one", () => {
  it("answers its directory on the plain port, and refuses everything else with the spec's message and a Link", async () => {
    const directory = await fetch(`${keyward().httpUrl}/acme/${alias}/directory`);
    expect(directory.status).toBe(200);
    expect((await directory.json()).newNonce).toBe(`${keyward().httpUrl}/acme/${alias}/newNonce`);

    const host = new URL(keyward().httpUrl).hostname;
    const nonceRes = await toResult(await fetch(`${keyward().httpUrl}/acme/${alias}/newNonce`));
    expectClientCertificateRequired(nonceRes, host);
    // A signed newAccount too (its nonce from another alias): refused before the JWS is read.
    const plain = await new RawAcmeClient(`${keyward().httpUrl}/acme/${alias}/directory`).init();
    const nonce = (await fetch(`${keyward().httpUrl}/acme/${openAlias}/newNonce`)).headers.get(
      "replay-nonce",
    );
    const url = plain.directory.newAccount as string;
    const jws = await signJws(await generateTestKey(), { termsOfServiceAgreed: true }, { url, nonce });
    expectClientCertificateRequired(await plain.post(url, jws), host);
    // The HTTPS port asks for no certificate: the same refusal there.
    const overHttps = await requestWith({ ca: root })(`${keyward().httpsUrl}/acme/${alias}/newNonce`);
    expectClientCertificateRequired(await toResult(overHttps));
  });

  it("answers its directory over mutual TLS, with that port's URLs, and refuses the rest", async () => {
    const client = await mtlsClient();
    expect(client.directory.newAccount).toBe(`${keyward().mtlsUrl}/acme/${alias}/newAccount`);
    expectClientCertificateRequired(await newNonceOverMtls());
  });

  it("the console API flags the alias and no longer calls the field not enforced", async () => {
    const res = await api("GET", `/api/console/aliases?q=${alias}`);
    expect(res.body.items[0].flags).toContain("client-certificate");
    const detail = await api("GET", `/api/console/aliases/${alias}`);
    expect(detail.body.notEnforced.map((f: { field: string }) => f.field)).not.toContain(
      "requireClientCertificate",
    );
  });
});

describe("an alias that requires a client certificate, with one", () => {
  let full: ClientCredential;

  beforeAll(async () => {
    full = await issueClientCertificate(ca, { commonName: "full.mtls.test" });
    await register(full, allRights);
  });

  it("a valid certificate of Keyward's CA with the access rules registers an account and orders", async () => {
    const client = await mtlsClient(full);
    const { res, key } = await newAccount(client);
    expect(res.status).toBe(201);
    const kid = res.headers.get("location") as string;
    expect(kid.startsWith(`${keyward().mtlsUrl}/acme/${alias}/acct/`)).toBe(true);
    const order = await client.signedPost(
      key,
      client.directory.newOrder as string,
      {
        identifiers: [{ type: "dns", value: "full.mtls.test" }],
      },
      { kid },
    );
    expect(order.status).toBe(201);
  });

  it("refused with the spec's message: expired, not yet valid, unregistered, not for client authentication", async () => {
    const expired = await issueClientCertificate(ca, {
      commonName: "expired.mtls.test",
      notBefore: new Date(Date.now() - 3 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const early = await issueClientCertificate(ca, {
      commonName: "early.mtls.test",
      notBefore: new Date(Date.now() + DAY_MS),
      notAfter: new Date(Date.now() + 2 * DAY_MS),
    });
    const serverOnly = await issueClientCertificate(ca, {
      commonName: "server.mtls.test",
      extendedKeyUsage: ["1.3.6.1.5.5.7.3.1"],
    });
    const stranger = await issueClientCertificate(ca, { commonName: "stranger.mtls.test" });
    for (const credential of [expired, early, serverOnly]) await register(credential, allRights);
    for (const credential of [expired, early, serverOnly, stranger]) {
      expectClientCertificateRequired(await newNonceOverMtls(credential));
    }
    // The same certificates are welcome where no certificate is required.
    expect((await newNonceOverMtls(expired, openAlias)).status).toBe(204);
  });

  it("refused with the spec's message: a certificate Keyward revoked, from the next request on", async () => {
    const revoked = await issueClientCertificate(ca, { commonName: "revoked.mtls.test" });
    await recordIssuedCertificate(testDb(), { credential: revoked, issuerId: ca.id, aliasId });
    await register(revoked, allRights);
    expect((await newNonceOverMtls(revoked)).status).toBe(204);

    // RFC 8555 §7.6: revoked through ACME, signed by the certificate's own key.
    const open = await new RawAcmeClient(`${keyward().httpUrl}/acme/${openAlias}/directory`).init();
    const revocation = await open.signedPost(revoked.signer, open.directory.revokeCert as string, {
      certificate: Buffer.from(revoked.der).toString("base64url"),
    });
    expect(revocation.status, revocation.text).toBe(200);
    expectClientCertificateRequired(await newNonceOverMtls(revoked));
  });

  it("refused with the spec's message: a certificate from an untrusted CA, until its CA is imported as a trust anchor", async () => {
    const foreign = await createTestCa(`Foreign ${Date.now()}`);
    const agent = await issueClientCertificate(foreign, { commonName: "agent.ops.test" });
    const other = await issueClientCertificate(foreign, { commonName: "agent.elsewhere.test" });
    const rule = await api("POST", `/api/console/aliases/${alias}/access-rules`, {
      match: "subject",
      // The issuer as an operator may write it: attributes in the other order, types in any case.
      issuerDn: `cn=${foreign.name} Root CA, o=${foreign.name}`,
      subjectPattern: "o=Keyward tests, cn=*.ops.test",
      rights: allRights,
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    expect(rule.body.subjectPattern).toBe("O=Keyward tests, CN=*.ops.test");
    expectClientCertificateRequired(await newNonceOverMtls(agent));

    const imported = await api("POST", "/api/console/trust-anchors", { certificatePem: foreign.pem });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(imported.body).toMatchObject({
      source: "imported",
      subjectDn: foreign.signer.certificate.subject,
    });
    expect((await newNonceOverMtls(agent)).status).toBe(204);
    // The subject pattern decides among that CA's certificates.
    expectClientCertificateRequired(await newNonceOverMtls(other));

    expect((await api("DELETE", `/api/console/trust-anchors/${imported.body.id}`)).status).toBe(204);
    expectClientCertificateRequired(await newNonceOverMtls(agent));
    const audit = await testDb().auditEvent.findMany({
      where: { targetType: "trustAnchor", targetId: imported.body.id },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual(["trustAnchor.imported", "trustAnchor.removed"]);
  });

  it("a certificate lacking a right is refused for that operation only, naming the missing rule", async () => {
    const revokeRule = "/ra_functionality/revoke_end_entity/";
    const enrollOnly = await issueClientCertificate(ca, { commonName: "enroll.mtls.test" });
    await register(
      enrollOnly,
      allRights.filter((r) => r !== revokeRule),
    );
    const client = await mtlsClient(enrollOnly);
    const { res, key } = await newAccount(client);
    expect(res.status).toBe(201);
    const kid = res.headers.get("location") as string;
    const order = await client.signedPost(
      key,
      client.directory.newOrder as string,
      {
        identifiers: [{ type: "dns", value: "enroll.mtls.test" }],
      },
      { kid },
    );
    expect(order.status).toBe(201);
    const revoke = await client.signedPost(
      key,
      client.directory.revokeCert as string,
      {
        certificate: Buffer.from(full.der).toString("base64url"),
      },
      { kid },
    );
    expect(revoke.status).toBe(403);
    expect(revoke.body).toMatchObject({ type: UNAUTHORIZED, missingAccessRule: revokeRule });
    expect(revoke.body.detail).toContain(revokeRule);
    expect(revoke.body.detail).not.toBe(CLIENT_CERTIFICATE_REQUIRED_DETAIL);

    // Registered with no rules: account operations only.
    const accountsOnly = await issueClientCertificate(ca, { commonName: "accounts.mtls.test" });
    await register(accountsOnly, []);
    const second = await mtlsClient(accountsOnly);
    const created = await newAccount(second);
    expect(created.res.status).toBe(201);
    const denied = await second.signedPost(
      created.key,
      second.directory.newOrder as string,
      {
        identifiers: [{ type: "dns", value: "accounts.mtls.test" }],
      },
      { kid: created.res.headers.get("location") as string },
    );
    expect(denied.status).toBe(403);
    expect(denied.body.missingAccessRule).toBe("/ca_functionality/create_certificate/");
  });

  it("removing the access rule refuses the certificate from the next request on; both changes are audited", async () => {
    const temporary = await issueClientCertificate(ca, { commonName: "temporary.mtls.test" });
    const rule = await register(temporary, allRights);
    expect((await newNonceOverMtls(temporary)).status).toBe(204);
    expect((await api("DELETE", `/api/console/aliases/${alias}/access-rules/${rule.id}`)).status).toBe(204);
    expectClientCertificateRequired(await newNonceOverMtls(temporary));
    const audit = await testDb().auditEvent.findMany({
      where: { targetType: "alias", targetId: aliasId, action: { startsWith: "accessRule." } },
    });
    const forRule = audit.filter((a) => (a.details as { accessRule?: string }).accessRule === rule.id);
    expect(forRule.map((a) => a.action).sort()).toEqual(["accessRule.created", "accessRule.deleted"]);
  });

  it("an alias that requires no certificate serves the mutual-TLS port with or without one", async () => {
    expect((await newNonceOverMtls(undefined, openAlias)).status).toBe(204);
    const client = await mtlsClient(full, openAlias);
    expect((await newAccount(client)).res.status).toBe(201);
  });
});

describe("access rules and trust anchors through the console API", () => {
  it("refuses bad input naming the field, duplicates with 409, and anyone but an administrator", async () => {
    const credential = await issueClientCertificate(ca, { commonName: "api.mtls.test" });
    const base = `/api/console/aliases/${alias}/access-rules`;
    const cases: [unknown, string, number][] = [
      [{ match: "certificate", certificatePem: "not a certificate", rights: [] }, "certificatePem", 422],
      [{ match: "subject", issuerDn: "garbage", subjectPattern: "CN=x", rights: [] }, "issuerDn", 422],
      [{ match: "subject", issuerDn: "CN=CA", subjectPattern: "", rights: [] }, "subjectPattern", 422],
      [
        { match: "certificate", certificatePem: credential.cert, rights: ["/ca/No Such CA/"] },
        "rights.0",
        422,
      ],
      [
        {
          match: "certificate",
          certificatePem: credential.cert,
          rights: ["/endentityprofilesrules/x/create_end_entity/"],
        },
        "rights.0",
        422,
      ],
      [{ match: "certificate", certificatePem: credential.cert, rights: ["/superadmin/"] }, "rights.0", 422],
      [{ match: "everything", rights: [] }, "match", 422],
    ];
    for (const [body, field, status] of cases) {
      const res = await api("POST", base, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(
        res.body.invalidParams.map((p: { name: string }) => p.name),
        JSON.stringify(res.body),
      ).toContain(field);
    }
    const eep = await api("POST", base, cases[4]?.[0]);
    expect(eep.body.invalidParams[0].reason).toBe('No end entity profile is named "x"');

    expect(
      (await api("POST", base, { match: "certificate", certificatePem: credential.cert, rights: [] })).status,
    ).toBe(201);
    const again = await api("POST", base, {
      match: "certificate",
      certificatePem: credential.cert,
      rights: [],
    });
    expect(again.status).toBe(409);
    expect(again.body.invalidParams[0].name).toBe("certificatePem");

    const listed = await api("GET", base, undefined, auditorToken);
    expect(listed.status).toBe(200);
    expect(
      listed.body.items.some((r: { subjectPattern: string }) => r.subjectPattern === credential.subjectDn),
    ).toBe(true);
    const denied = await api(
      "POST",
      base,
      { match: "subject", issuerDn: "CN=x", subjectPattern: "*", rights: [] },
      auditorToken,
    );
    expect(denied.status).toBe(403);
    expect((await api("GET", `/api/console/aliases/no-such-alias/access-rules`)).status).toBe(404);
    expect((await api("DELETE", `${base}/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it("trust anchors: Keyward's own CAs by default; only CA certificates are imported, once", async () => {
    const listed = await api("GET", "/api/console/trust-anchors");
    expect(listed.status).toBe(200);
    const keywardAnchors = listed.body.items.filter((a: { source: string }) => a.source === "keyward");
    expect(keywardAnchors.map((a: { subjectDn: string }) => a.subjectDn)).toContain(
      ca.signer.certificate.subject,
    );

    const leaf = await issueClientCertificate(ca, { commonName: "leaf.mtls.test" });
    const notCa = await api("POST", "/api/console/trust-anchors", { certificatePem: leaf.cert });
    expect(notCa.status).toBe(422);
    expect(notCa.body.invalidParams[0]).toMatchObject({ name: "certificatePem" });
    expect(notCa.body.invalidParams[0].reason).toContain("not a CA certificate");
    const duplicate = await api("POST", "/api/console/trust-anchors", { certificatePem: ca.pem });
    expect(duplicate.status).toBe(409);
    const byAuditor = await api(
      "POST",
      "/api/console/trust-anchors",
      { certificatePem: ca.pem },
      auditorToken,
    );
    expect(byAuditor.status).toBe(403);
  });
});

/** npm acme-client enrolls 127.0.0.1 (RFC 8738, http-01 on loopback) over mutual TLS with `credential`. */
async function enrollWithAcmeClient(credential: ClientCredential, on = alias): Promise<string> {
  acme.axios.defaults.httpsAgent = new https.Agent({
    ca: root,
    cert: credential.cert,
    key: credential.key,
  });
  const client = new acme.Client({
    directoryUrl: mtlsDirectory(on),
    accountKey: await acme.crypto.createPrivateKey(),
    backoffMin: 100,
    backoffMax: 500,
    backoffAttempts: 30,
  });
  await client.createAccount({ termsOfServiceAgreed: true });
  const order = await client.createOrder({ identifiers: [{ type: "ip", value: "127.0.0.1" }] });
  const [authz] = await client.getAuthorizations(order);
  const challenge = authz?.challenges.find((c) => c.type === "http-01");
  if (!challenge) throw new Error("no http-01 challenge");
  http01.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
  await client.completeChallenge(challenge);
  await client.waitForValidStatus(challenge);
  const [, csr] = await acme.crypto.createCsr({ altNames: ["127.0.0.1"] });
  const finalized = await client.finalizeOrder(order, csr);
  return client.getCertificate(await client.waitForValidStatus(finalized));
}

describe("npm acme-client over mutual TLS", () => {
  it("enrolls with a client certificate in its HTTPS agent; without one it is refused", async () => {
    const credential = await issueClientCertificate(ca, { commonName: "acme-client.mtls.test" });
    await register(credential, allRights);
    const certificate = await enrollWithAcmeClient(credential);
    expect(certificate.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);

    acme.axios.defaults.httpsAgent = new https.Agent({ ca: root });
    const without = new acme.Client({
      directoryUrl: mtlsDirectory(),
      accountKey: await acme.crypto.createPrivateKey(),
    });
    await expect(without.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(
      CLIENT_CERTIFICATE_REQUIRED_DETAIL,
    );
  });
});

describe("an alias with an end entity profile: that profile's rules and its CA's", () => {
  let profileAlias: string;
  let eep: string;
  let subCa: { id: string; name: string };
  let profileRules: string[];
  let functionRules: string[];

  beforeAll(async () => {
    const rootCa = await testDb().certificateAuthority.findFirstOrThrow({
      where: { role: "root" },
      orderBy: { createdAt: "asc" },
    });
    const suffix = Math.random().toString(36).slice(2, 8);
    const createdCa = await api("POST", "/api/console/certificate-authorities", {
      kind: "sub",
      parentId: rootCa.id,
      subjectDn: `CN=Profile Issuing CA ${suffix}, O=Keyward tests`,
    });
    expect(createdCa.status, JSON.stringify(createdCa.body)).toBe(201);
    subCa = { id: createdCa.body.id, name: createdCa.body.name };
    eep = `mtls-${suffix}`;
    const profile = await api("POST", "/api/console/end-entity-profiles", {
      name: eep,
      defaultCa: subCa.name,
    });
    expect(profile.status, JSON.stringify(profile.body)).toBe(201);
    profileAlias = await createTestAlias({ requireClientCertificate: true, endEntityProfile: eep });
    profileRules = endEntityProfileAccessRules(eep).map((r) => r.rule);
    functionRules = FUNCTION_ACCESS_RULES.map((r) => r.rule);
  });

  it("a certificate lacking the profile's rule is refused, naming the rule; one lacking the profile's CA, naming that CA", async () => {
    const withoutProfile = await issueClientCertificate(ca, { commonName: "no-profile.mtls.test" });
    await register(withoutProfile, [...functionRules, caAccessRule(subCa.name)], profileAlias);
    const client = await mtlsClient(withoutProfile, profileAlias);
    const { res, key } = await newAccount(client);
    expect(res.status).toBe(201);
    const kid = res.headers.get("location") as string;
    const order = await client.signedPost(
      key,
      client.directory.newOrder as string,
      { identifiers: [{ type: "dns", value: "no-profile.mtls.test" }] },
      { kid },
    );
    const createRule = `/endentityprofilesrules/${eep}/create_end_entity/`;
    expect(order.status).toBe(403);
    expect(order.body).toMatchObject({ type: UNAUTHORIZED, missingAccessRule: createRule });
    expect(order.body.detail).toContain(createRule);

    // Granted the default issuing CA, not the CA this alias's profile issues from.
    const otherCa = await issueClientCertificate(ca, { commonName: "other-ca.mtls.test" });
    await register(otherCa, [...functionRules, caAccessRule(ca.name), ...profileRules], profileAlias);
    const second = await mtlsClient(otherCa, profileAlias);
    const created = await newAccount(second);
    const denied = await second.signedPost(
      created.key,
      second.directory.newOrder as string,
      { identifiers: [{ type: "dns", value: "other-ca.mtls.test" }] },
      { kid: created.res.headers.get("location") as string },
    );
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ type: UNAUTHORIZED, missingAccessRule: caAccessRule(subCa.name) });
  });

  it("a certificate with the profile's rules and its CA's enrolls, from that CA; the profile cannot be deleted while granted", async () => {
    const credential = await issueClientCertificate(ca, { commonName: "profile.mtls.test" });
    await register(credential, [...functionRules, caAccessRule(subCa.name), ...profileRules], profileAlias);
    const pem = await enrollWithAcmeClient(credential, profileAlias);
    const [leaf] = pem.split(/(?=-----BEGIN CERTIFICATE-----)/);
    expect(new X509Certificate(leaf as string).issuer).toContain(`CN=${subCa.name}`);

    const refused = await api("DELETE", `/api/console/end-entity-profiles/${eep}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(profileAlias);
  });
});
