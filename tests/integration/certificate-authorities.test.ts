// Issue 12 items 1 and 7 through the console API and a real ACME client: create a root and a
// sub-CA, import an external CA (mismatched key, bad PEM, non-CA certificate refused), renew with
// the same and a new key, cross-certify, issue from a non-default CA, and the RFC 8555 §7.4.2
// alternate chains with and without a preferred root; an imported sub-CA whose issuer is outside
// Keyward served with its external chain (bad chains refused); deleting CAs nothing refers to.
import { execFileSync } from "node:child_process";
import { createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as x509 from "@/lib/crypto/x509";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { consoleApi } from "../support/console-api";
import { createTestUserWithToken } from "../support/console-tokens";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";

let admin: string;
let auditor: string;
let dns: ChallTestSrv;
let http01: Http01Responder;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-cas-"));
const run = Math.random().toString(36).slice(2, 8);
// Filled in by the tests in order (vitest runs a file's tests one after another).
// biome-ignore lint/suspicious/noExplicitAny: API answers, asserted field by field (as ApiAnswer)
const created: Record<"rootB" | "sub" | "subRenewed", any> = { rootB: null, sub: null, subRenewed: null };

beforeAll(async () => {
  await enableAcme();
  admin = (await createTestUserWithToken(testDb(), "administrator")).token;
  auditor = (await createTestUserWithToken(testDb(), "auditor")).token;
  dns = await startChallTestSrv();
  http01 = await startHttp01Responder(keyward().http01Port);
  acme.axios.defaults.httpsAgent = new https.Agent({
    ca: fs.readFileSync(path.join(keyward().dataDir, "ca", "root.pem")),
  });
});

afterAll(async () => {
  await http01?.close();
  await dns?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const api = (method: string, pathname: string, body?: unknown, token = admin) =>
  consoleApi(method, `/api/console/certificate-authorities${pathname}`, { token, body });

async function download(id: string, query: string): Promise<string> {
  const res = await fetch(
    `${keyward().httpUrl}/api/console/certificate-authorities/${id}/download?${query}`,
    {
      headers: { authorization: `Bearer ${auditor}` },
    },
  );
  expect(res.status).toBe(200);
  return res.text();
}

function pemBlocks(text: string): X509Certificate[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map(
    (pem) => new X509Certificate(pem),
  );
}

/** A self-signed CA (or a leaf, `ca` false) made by OpenSSL, outside Keyward. */
function opensslCertificate(name: string, o: { ca: boolean; curve?: string }) {
  const key = path.join(tmp, `${name}.key`);
  const crt = path.join(tmp, `${name}.crt`);
  execFileSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    `ec_paramgen_curve:${o.curve ?? "P-256"}`,
    "-nodes",
    "-keyout",
    key,
    "-out",
    crt,
    "-days",
    "365",
    "-subj",
    `/CN=${name}/O=External`,
    "-addext",
    o.ca ? "basicConstraints=critical,CA:TRUE" : "basicConstraints=critical,CA:FALSE",
    ...(o.ca ? ["-addext", "keyUsage=critical,keyCertSign,cRLSign"] : []),
  ]);
  return { keyPem: fs.readFileSync(key, "utf8"), certPem: fs.readFileSync(crt, "utf8") };
}

describe("creating CAs", () => {
  it("ok/a root and a sub-CA under it, with the chosen key, subject and validity; audited", async () => {
    const root = await api("POST", "", {
      kind: "root",
      subjectDn: `CN=Test Root B ${run}, O=Keyward Tests`,
      keyAlgorithm: "ECDSA-P384",
      validityDays: 3650,
    });
    expect(root.status).toBe(201);
    expect(root.body).toMatchObject({
      role: "root",
      name: `Test Root B ${run}`,
      issuedBy: [],
      imported: false,
    });
    expect(root.body.publicKey).toContain("P-384");
    const lifetimeDays =
      (Date.parse(root.body.notAfter) - Date.parse(root.body.notBefore)) / (24 * 60 * 60 * 1000);
    expect(Math.round(lifetimeDays)).toBe(3650);
    created.rootB = root.body;

    const sub = await api("POST", "", {
      kind: "sub",
      parentId: root.body.id,
      subjectDn: `CN=Test Sub CA ${run}, O=Keyward Tests`,
      keyAlgorithm: "RSA-2048",
    });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ role: "issuing", issuedBy: [root.body.name], isDefault: false });
    expect(sub.body.publicKey).toContain("2048");
    // Clamped to the root's validity, signed by the root's key.
    expect(Date.parse(sub.body.notAfter)).toBeLessThanOrEqual(Date.parse(root.body.notAfter));
    const [subCert, rootCert] = pemBlocks(await download(sub.body.id, "format=chain"));
    expect(subCert?.verify((rootCert as X509Certificate).publicKey)).toBe(true);
    expect(rootCert?.subject).toContain(`Test Root B ${run}`);
    created.sub = sub.body;

    const audits = await testDb().auditEvent.findMany({
      where: { action: "ca.created", targetId: { in: [root.body.id, sub.body.id] } },
    });
    expect(audits).toHaveLength(2);
    // The key is sealed: its PKCS#8 is nowhere in the row in clear, and no answer carries a key.
    expect(JSON.stringify(sub.body)).not.toMatch(/PRIVATE KEY|privateKey/);
  });

  it("fail/bad input names the field; an auditor may not create", async () => {
    const noParent = await api("POST", "", { kind: "sub", subjectDn: "CN=Orphan" });
    expect(noParent.status).toBe(422);
    expect(noParent.body.invalidParams[0].name).toBe("parentId");
    const noCn = await api("POST", "", { kind: "root", subjectDn: "O=Nameless" });
    expect(noCn.status).toBe(422);
    expect(noCn.body.invalidParams[0]).toMatchObject({
      name: "subjectDn",
      reason: expect.stringContaining("CN"),
    });
    const underIssuing = await api("POST", "", {
      kind: "sub",
      parentId: created.sub.id,
      subjectDn: `CN=Grandchild ${run}`,
    });
    expect(underIssuing.status).toBe(422);
    expect(underIssuing.body.invalidParams[0].name).toBe("parentId");
    const badAlgorithm = await api("POST", "", { kind: "root", subjectDn: "CN=X", keyAlgorithm: "DSA-1024" });
    expect(badAlgorithm.status).toBe(422);
    const duplicate = await api("POST", "", { kind: "root", subjectDn: `CN=Test Root B ${run}` });
    expect(duplicate.status).toBe(409);
    const denied = await api("POST", "", { kind: "root", subjectDn: `CN=Auditor's ${run}` }, auditor);
    expect(denied.status).toBe(403);
  });
});

describe("importing an external CA", () => {
  it("ok/certificate and PKCS#8 key in PEM, and in DER; the key is sealed", async () => {
    const external = opensslCertificate(`External Root ${run}`, { ca: true });
    const res = await api("POST", "/import", { certificate: external.certPem, privateKey: external.keyPem });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ role: "root", imported: true, name: `External Root ${run}` });
    const row = await testDb().certificateAuthority.findUniqueOrThrow({ where: { id: res.body.id } });
    const pkcs8 = createPrivateKey(external.keyPem).export({ format: "der", type: "pkcs8" });
    expect(Buffer.from(row.privateKeySealed).includes(pkcs8.subarray(-32))).toBe(false);
    expect(await testDb().auditEvent.count({ where: { action: "ca.imported", targetId: res.body.id } })).toBe(
      1,
    );

    const der = opensslCertificate(`External DER ${run}`, { ca: true, curve: "P-384" });
    const derRes = await api("POST", "/import", {
      certificate: new X509Certificate(der.certPem).raw.toString("base64"),
      privateKey: createPrivateKey(der.keyPem).export({ format: "der", type: "pkcs8" }).toString("base64"),
    });
    expect(derRes.status).toBe(201);
    expect(derRes.body.publicKey).toContain("P-384");

    const again = await api("POST", "/import", {
      certificate: external.certPem,
      privateKey: external.keyPem,
    });
    expect(again.status).toBe(409);
  });

  it("fail/a key of another certificate, a bad PEM, a non-CA certificate, an encrypted key", async () => {
    const one = opensslCertificate(`Mismatch A ${run}`, { ca: true });
    const other = opensslCertificate(`Mismatch B ${run}`, { ca: true });
    const mismatch = await api("POST", "/import", { certificate: one.certPem, privateKey: other.keyPem });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.invalidParams[0]).toMatchObject({
      name: "privateKey",
      reason: expect.stringContaining("does not belong"),
    });
    const badPem = await api("POST", "/import", {
      certificate: "-----BEGIN CERTIFICATE-----\n!!not base64!!\n-----END CERTIFICATE-----\n",
      privateKey: one.keyPem,
    });
    expect(badPem.status).toBe(422);
    expect(badPem.body.invalidParams[0].name).toBe("certificate");
    const garbage = await api("POST", "/import", { certificate: "aGVsbG8=", privateKey: one.keyPem });
    expect(garbage.status).toBe(422);
    expect(garbage.body.invalidParams[0].name).toBe("certificate");
    const leaf = opensslCertificate(`Leaf ${run}`, { ca: false });
    const notCa = await api("POST", "/import", { certificate: leaf.certPem, privateKey: leaf.keyPem });
    expect(notCa.status).toBe(422);
    expect(notCa.body.invalidParams[0].reason).toContain("not a CA certificate");
    const encrypted = createPrivateKey(one.keyPem).export({
      format: "pem",
      type: "pkcs8",
      cipher: "aes-256-cbc",
      passphrase: "secret",
    });
    const enc = await api("POST", "/import", { certificate: one.certPem, privateKey: encrypted });
    expect(enc.status).toBe(422);
    expect(enc.body.invalidParams[0].name).toBe("privateKey");
    expect(await testDb().certificateAuthority.count({ where: { name: { startsWith: "Mismatch" } } })).toBe(
      0,
    );
  });
});

describe("renewing and cross-certifying", () => {
  it("ok/same key: the same CA with a new certificate; new key: a successor that issues in its place", async () => {
    const before = created.sub;
    const same = await api("POST", `/${before.id}/renew`, { newKey: false, validityDays: 400 });
    expect(same.status).toBe(200);
    expect(same.body.id).toBe(before.id);
    expect(same.body.serialHex).not.toBe(before.serialHex);
    const [oldCert] = pemBlocks(await download(before.id, "format=pem"));
    expect(same.body.sha256Fingerprint).not.toBe(before.sha256Fingerprint);
    expect(oldCert?.publicKey.export({ format: "der", type: "spki" })).toBeDefined();
    expect(same.body.publicKey).toBe(before.publicKey);

    const fresh = await api("POST", `/${before.id}/renew`, { newKey: true });
    expect(fresh.status).toBe(200);
    expect(fresh.body.id).not.toBe(before.id);
    expect(fresh.body.name).toBe(`${before.name} (key 2)`);
    expect(fresh.body.subjectDn).toBe(before.subjectDn);
    const list = await api("GET", "", undefined, auditor);
    const old = list.body.items.find((c: { id: string }) => c.id === before.id);
    expect(old.successor).toEqual({ id: fresh.body.id, name: fresh.body.name });
    expect(old.renewable).toBe(false);
    const again = await api("POST", `/${before.id}/renew`, { newKey: false });
    expect(again.status).toBe(409);
    expect(await testDb().auditEvent.count({ where: { action: "ca.renewed", targetId: before.id } })).toBe(2);
    created.subRenewed = fresh.body;
  });

  it("ok/a cross-certificate gives the default issuing CA a second chain, to root B", async () => {
    const list = await api("GET", "", undefined, auditor);
    const issuing = list.body.items.find((c: { isDefault: boolean }) => c.isDefault);
    const res = await api("POST", `/${issuing.id}/cross-certificates`, { issuerId: created.rootB.id });
    expect(res.status).toBe(201);
    expect(res.body.chains.map((c: { rootName: string }) => c.rootName)).toEqual([
      issuing.issuedBy[0],
      created.rootB.name,
    ]);
    const [cross, rootB] = pemBlocks(await download(issuing.id, "format=chain&chain=1"));
    expect(cross?.subject).toBe(pemBlocks(await download(issuing.id, "format=pem"))[0]?.subject);
    expect(cross?.verify((rootB as X509Certificate).publicKey)).toBe(true);
    expect(
      await testDb().auditEvent.count({ where: { action: "ca.crossCertified", targetId: issuing.id } }),
    ).toBe(1);
  });

  it("fail/cross-certifying by a non-root or by the CA's own root, and renewing an unknown CA", async () => {
    const list = await api("GET", "", undefined, auditor);
    const issuing = list.body.items.find((c: { isDefault: boolean }) => c.isDefault);
    const byIssuing = await api("POST", `/${issuing.id}/cross-certificates`, { issuerId: created.sub.id });
    expect(byIssuing.status).toBe(422);
    const byOwnRoot = await api("POST", `/${issuing.id}/cross-certificates`, { issuerId: issuing.parentId });
    expect(byOwnRoot.status).toBe(422);
    const unknown = await api("POST", "/00000000-0000-4000-8000-000000000000/renew", { newKey: false });
    expect(unknown.status).toBe(404);
    const notUuid = await api("POST", "/nope/renew", { newKey: false });
    expect(notUuid.status, JSON.stringify(notUuid.body)).toBe(404);
  });
});

// --- ACME ----------------------------------------------------------------------------------------

async function issueOn(aliasName: string, names: string[]) {
  const client = new acme.Client({
    directoryUrl: `${keyward().httpsUrl}/acme/${aliasName}/directory`,
    accountKey: await acme.crypto.createPrivateKey(),
    backoffMin: 100,
    backoffMax: 500,
    backoffAttempts: 30,
  });
  await client.createAccount({ termsOfServiceAgreed: true });
  const order = await client.createOrder({ identifiers: names.map((value) => ({ type: "dns", value })) });
  for (const authz of await client.getAuthorizations(order)) {
    const challenge = authz.challenges.find((c) => c.type === "http-01");
    if (!challenge) throw new Error("no http-01 challenge");
    http01.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
    await client.completeChallenge(challenge);
    await client.waitForValidStatus(challenge);
  }
  const [, csr] = await acme.crypto.createCsr({ altNames: names });
  const valid = await client.waitForValidStatus(await client.finalizeOrder(order, csr));
  // acme-client's own signed POST-as-GET (its getCertificate hides the Link headers we check).
  const signed = client as unknown as {
    api: {
      apiRequest(
        url: string,
        payload: null,
        ok: number[],
      ): Promise<{ status: number; data: string; headers: Record<string, string> }>;
    };
  };
  const fetchCertificate = (url: string) => signed.api.apiRequest(url, null, [200]);
  const response = await fetchCertificate(valid.certificate as string);
  // The refusal as acme-client reports it: the problem document's detail.
  const post = async (url: string) => {
    try {
      return `${(await fetchCertificate(url)).status}`;
    } catch (err) {
      return String((err as Error).message);
    }
  };
  return { client, url: valid.certificate as string, response, fetchCertificate, post };
}

function alternateLinks(link: string | string[] | undefined): string[] {
  const values = Array.isArray(link) ? link : link ? [link] : [];
  return values
    .flatMap((v) => v.split(/,(?=\s*<)/))
    .filter((v) => /rel="alternate"/.test(v))
    .map((v) => (v.match(/<([^>]+)>/) as RegExpMatchArray)[1] as string);
}

describe("ACME: alternate chains and the issuing CA of an alias", () => {
  const resolver = () => ({ dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort });

  it('ok/with preferred root "default", the certificate links its cross-signed chain as an alternate', async () => {
    const alias = await createTestAlias(resolver());
    const { response, url, fetchCertificate } = await issueOn(alias, [`alt-${run}.cas.test`]);
    const [leaf, issuer] = pemBlocks(response.data);
    const links = alternateLinks(response.headers.link);
    expect(links).toEqual([`${url}/1`]);
    // The default chain: the issuing CA signed by Keyward's first root.
    expect(issuer?.issuer).not.toContain(created.rootB.name);
    const alternate = await fetchCertificate(links[0] as string);
    const [altLeaf, cross] = pemBlocks(alternate.data);
    expect(altLeaf?.raw.equals((leaf as X509Certificate).raw)).toBe(true);
    expect(cross?.issuer).toContain(created.rootB.name);
    expect(leaf?.verify((cross as X509Certificate).publicKey)).toBe(true);
    // The alternate links back to the default chain.
    expect(alternateLinks(alternate.headers.link)).toEqual([url]);
  });

  it("ok/a preferred root DN serves only the chain to that root, without alternates", async () => {
    const alias = await createTestAlias(resolver());
    const stored = await consoleApi("PATCH", `/api/console/aliases/${alias}`, {
      token: admin,
      body: { settings: { preferredRootCaSubjectDn: created.rootB.subjectDn } },
    });
    expect(stored.status).toBe(200);
    const { response, url, post } = await issueOn(alias, [`pinned-${run}.cas.test`]);
    const [, cross] = pemBlocks(response.data);
    expect(cross?.issuer).toContain(created.rootB.name);
    expect(alternateLinks(response.headers.link)).toEqual([]);
    expect(await post(`${url}/1`)).toMatch(/Certificate chain/);
  });

  it("ok/the CA of an alias's end entity profile signs its certificates, and that CA's own CRL lists their revocation", async () => {
    const alias = await createTestAlias(resolver());
    // Issue 12 item 3: the end entity profile's default CA signs. The CA as created: issuance
    // follows it to its new-key successor.
    const profile = await consoleApi("POST", "/api/console/end-entity-profiles", {
      token: admin,
      body: { name: `sub-${run}`, defaultCa: created.sub.name },
    });
    expect(profile.status, JSON.stringify(profile.body)).toBe(201);
    const stored = await consoleApi("PATCH", `/api/console/aliases/${alias}`, {
      token: admin,
      body: { settings: { endEntityProfile: `sub-${run}` } },
    });
    expect(stored.status).toBe(200);
    const { response, url } = await issueOn(alias, [`sub-${run}.cas.test`]);
    const [leaf, issuer] = pemBlocks(response.data);
    const [successorCert] = pemBlocks(await download(created.subRenewed.id, "format=pem"));
    expect(issuer?.raw.equals((successorCert as X509Certificate).raw)).toBe(true);
    expect(leaf?.verify((successorCert as X509Certificate).publicKey)).toBe(true);
    expect(alternateLinks(response.headers.link)).toEqual([]);

    const serial = url.split("/").pop() as string;
    const revoked = await consoleApi("POST", `/api/console/certificates/${serial}/revoke`, {
      token: admin,
      body: { reason: 4 },
    });
    expect(revoked.status).toBe(200);
    const crlOf = async (caId: string) => {
      const res = await fetch(`${keyward().httpUrl}/ca/crl/${caId}`);
      expect(res.status).toBe(200);
      const file = path.join(tmp, `${caId}.crl`);
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      return execFileSync("openssl", ["crl", "-inform", "DER", "-in", file, "-noout", "-text"], {
        encoding: "utf8",
      });
    };
    const own = await crlOf(created.subRenewed.id);
    expect(own.toLowerCase()).toContain(serial.replace(/^0+/, ""));
    expect(own).toContain(`Test Sub CA ${run}`);
    const list = await api("GET", "", undefined, auditor);
    const defaultCa = list.body.items.find((c: { isDefault: boolean }) => c.isDefault);
    expect((await crlOf(defaultCa.id)).toLowerCase()).not.toContain(serial.replace(/^0+/, ""));
  });

  it("fail/an end entity profile may not name a root as its CA, nor an alias a preferred root that does not exist", async () => {
    const alias = await createTestAlias(resolver());
    const root = await consoleApi("POST", "/api/console/end-entity-profiles", {
      token: admin,
      body: { name: `root-${run}`, defaultCa: created.rootB.name },
    });
    expect(root.status).toBe(422);
    expect(root.body.invalidParams[0]).toMatchObject({
      name: "defaultCa",
      reason: `"${created.rootB.name}" is a root CA: choose an issuing CA`,
    });
    const unknownRoot = await consoleApi("PATCH", `/api/console/aliases/${alias}`, {
      token: admin,
      body: { settings: { preferredRootCaSubjectDn: "CN=Nobody's Root" } },
    });
    expect(unknownRoot.status).toBe(422);
    expect(unknownRoot.body.invalidParams[0].name).toBe("settings.preferredRootCaSubjectDn");
  });

  it("ok/readiness covers the CAs aliases issue from; the expiry gauge lists new CAs and cross-certificates", async () => {
    const ready = await fetch(`${keyward().httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    const overview = await consoleApi("GET", "/api/console/overview", { token: auditor });
    const names = overview.body.operations.certificateAuthorities.map((c: { name: string }) => c.name);
    expect(names).toContain(created.subRenewed.name);
    expect(names.some((n: string) => n.includes(`(cross-signed by ${created.rootB.name})`))).toBe(true);
  });
});

// --- Issue 12 item 1: an imported sub-CA whose issuer is outside Keyward, with its external chain ---

type TestCa = { certificate: X509Certificate; pem: string; keys: CryptoKeyPair };
const EC_P256 = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A CA certificate made outside Keyward (its own key; signed by `issuer`, or self-signed). */
async function externalCa(
  commonName: string,
  issuer?: TestCa,
  o: { ca?: boolean; notBefore?: Date; notAfter?: Date; pathLength?: number } = {},
): Promise<TestCa> {
  const keys = (await crypto.subtle.generateKey(EC_P256, true, ["sign", "verify"])) as CryptoKeyPair;
  const subject = `CN=${commonName} ${run}, O=External`;
  const generated = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8)
      .toString("hex")
      .replace(/^[89a-f]/, "1"),
    subject,
    issuer: issuer ? issuer.certificate.subject.split("\n").join(", ") : subject,
    notBefore: o.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: o.notAfter ?? new Date(Date.now() + 365 * DAY_MS),
    signingAlgorithm: EC_P256,
    publicKey: keys.publicKey,
    signingKey: (issuer?.keys ?? keys).privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(o.ca ?? true, o.pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create((issuer?.keys ?? keys).publicKey),
    ],
  });
  const pem = generated.toString("pem");
  return { certificate: new X509Certificate(pem), pem: `${pem}\n`, keys };
}

async function pkcs8Pem(keys: CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END PRIVATE KEY-----\n`;
}

describe("importing a sub-CA whose issuer is outside Keyward, with the external chain", () => {
  const resolver = () => ({ dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort });
  let extRoot: TestCa;
  let extIntermediate: TestCa;
  let imported: TestCa;
  // biome-ignore lint/suspicious/noExplicitAny: the API's CA view, asserted field by field
  let importedView: any;

  beforeAll(async () => {
    extRoot = await externalCa("Ext Root");
    extIntermediate = await externalCa("Ext Intermediate", extRoot);
    imported = await externalCa("Ext Issuing", extIntermediate);
  });

  it("fail/a chain in the wrong order, not signing, with a non-CA or an expired certificate, or not up to a root: 422 naming externalChain; nothing stored", async () => {
    const other = await externalCa("Other Root");
    const nonCaIntermediate = await externalCa("Plain Intermediate", extRoot, { ca: false });
    const underNonCa = await externalCa("Under Plain", nonCaIntermediate);
    const expiredIntermediate = await externalCa("Expired Intermediate", extRoot, {
      notBefore: new Date(Date.now() - 30 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const underExpired = await externalCa("Under Expired", expiredIntermediate);
    const narrowRoot = await externalCa("Narrow Root", undefined, { pathLength: 0 });
    const underNarrow = await externalCa("Narrow Intermediate", narrowRoot);
    const underUnderNarrow = await externalCa("Under Narrow", underNarrow);
    const cases: [string, TestCa, string, RegExp][] = [
      [
        "wrong order",
        imported,
        extRoot.pem + extIntermediate.pem,
        /did not sign the imported CA; certificate 2 .* did: give the certificates in order/,
      ],
      ["not signing", imported, other.pem, /did not sign the imported CA/],
      ["not up to a root", imported, extIntermediate.pem, /not a self-signed root/],
      ["not a CA", underNonCa, nonCaIntermediate.pem + extRoot.pem, /not a CA certificate/],
      ["expired", underExpired, expiredIntermediate.pem + extRoot.pem, /has expired/],
      ["pathLenConstraint", underUnderNarrow, underNarrow.pem + narrowRoot.pem, /pathLenConstraint/],
      ["not PEM", imported, "garbage", /PEM certificates/],
    ];
    for (const [label, ca, chain, reason] of cases) {
      const res = await api("POST", "/import", {
        certificate: ca.pem,
        privateKey: await pkcs8Pem(ca.keys),
        externalChain: chain,
      });
      expect(res.status, label).toBe(422);
      expect(res.body.invalidParams[0].name, label).toBe("externalChain");
      expect(res.body.invalidParams[0].reason, label).toMatch(reason);
    }
    const refusedNames = ["Ext Issuing", "Under Plain", "Under Expired", "Under Narrow"].map(
      (n) => `${n} ${run}`,
    );
    expect(await testDb().certificateAuthority.count({ where: { name: { in: refusedNames } } })).toBe(0);
    // A Keyward root has no external chain.
    const selfSigned = await externalCa("Lone Root");
    const root = await api("POST", "/import", {
      certificate: selfSigned.pem,
      privateKey: await pkcs8Pem(selfSigned.keys),
      externalChain: extRoot.pem,
    });
    expect(root.status).toBe(422);
    expect(root.body.invalidParams[0]).toMatchObject({
      name: "externalChain",
      reason: expect.stringContaining("root"),
    });
  });

  it("ok/without a chain, its certificates come with its own certificate alone; with the chain added later, up to the external root", async () => {
    const res = await api("POST", "/import", {
      certificate: imported.pem,
      privateKey: await pkcs8Pem(imported.keys),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    importedView = res.body;
    expect(importedView).toMatchObject({ role: "issuing", imported: true, issuedBy: [], externalChain: [] });
    const eep = `ext-${run}`;
    const profile = await consoleApi("POST", "/api/console/end-entity-profiles", {
      token: admin,
      body: { name: eep, defaultCa: importedView.name },
    });
    expect(profile.status, JSON.stringify(profile.body)).toBe(201);
    const alias = await createTestAlias({ ...resolver(), endEntityProfile: eep });
    const { response, url, fetchCertificate } = await issueOn(alias, [`ext-${run}.cas.test`]);
    const before = pemBlocks(response.data);
    expect(before).toHaveLength(2);
    expect(before[1]?.raw.equals(imported.certificate.raw)).toBe(true);

    // Added later, by an administrator only; the same certificate URL then serves the whole chain.
    const byAuditor = await api(
      "PUT",
      `/${importedView.id}/external-chain`,
      { externalChain: extIntermediate.pem + extRoot.pem },
      auditor,
    );
    expect(byAuditor.status).toBe(403);
    const wrong = await api("PUT", `/${importedView.id}/external-chain`, {
      externalChain: extRoot.pem + extIntermediate.pem,
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.invalidParams[0].name).toBe("externalChain");
    const set = await api("PUT", `/${importedView.id}/external-chain`, {
      externalChain: extIntermediate.pem + extRoot.pem,
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.externalChain.map((c: { subjectDn: string }) => c.subjectDn)).toEqual([
      `CN=Ext Intermediate ${run}, O=External`,
      `CN=Ext Root ${run}, O=External`,
    ]);
    expect(set.body.chains[0]).toMatchObject({
      rootName: `Ext Root ${run}`,
      rootSubjectDn: `CN=Ext Root ${run}, O=External`,
    });
    const audit = await testDb().auditEvent.findFirst({
      where: { action: "ca.externalChainSet", targetId: importedView.id },
    });
    expect(audit).not.toBeNull();

    const after = pemBlocks((await fetchCertificate(url)).data);
    expect(after).toHaveLength(3);
    const [leaf, issuing, intermediate] = after as [X509Certificate, X509Certificate, X509Certificate];
    expect(leaf.verify(issuing.publicKey)).toBe(true);
    expect(issuing.raw.equals(imported.certificate.raw)).toBe(true);
    expect(issuing.verify(intermediate.publicKey)).toBe(true);
    expect(intermediate.verify(extRoot.certificate.publicKey)).toBe(true);
    // The CA page's chain download goes up to and including the external root.
    const chain = pemBlocks(await download(importedView.id, "format=chain"));
    expect(chain.map((c) => c.subject.split("\n")[0])).toEqual([
      `CN=Ext Issuing ${run}`,
      `CN=Ext Intermediate ${run}`,
      `CN=Ext Root ${run}`,
    ]);
  });

  it("ok/imported with its chain at once: acme-client receives the certificate with the chain, and OpenSSL verifies it to the external root", async () => {
    const secondIssuing = await externalCa("Ext Issuing Two", extIntermediate);
    const res = await api("POST", "/import", {
      certificate: secondIssuing.pem,
      privateKey: await pkcs8Pem(secondIssuing.keys),
      externalChain: extIntermediate.pem + extRoot.pem,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.externalChain).toHaveLength(2);
    const eep = `ext2-${run}`;
    expect(
      (
        await consoleApi("POST", "/api/console/end-entity-profiles", {
          token: admin,
          body: { name: eep, defaultCa: res.body.name },
        })
      ).status,
    ).toBe(201);
    const alias = await createTestAlias({ ...resolver(), endEntityProfile: eep });
    // An alias may prefer the external root: the chain to it is the CA's own.
    const pinned = await consoleApi("PATCH", `/api/console/aliases/${alias}`, {
      token: admin,
      body: { settings: { preferredRootCaSubjectDn: `CN=Ext Root ${run}, O=External` } },
    });
    expect(pinned.status, JSON.stringify(pinned.body)).toBe(200);
    const { response, url } = await issueOn(alias, [`ext2-${run}.cas.test`]);
    expect(alternateLinks(response.headers.link)).toEqual([]);
    const served = pemBlocks(response.data);
    expect(served.map((c) => c.subject.split("\n")[0])).toEqual([
      `CN=ext2-${run}.cas.test`,
      `CN=Ext Issuing Two ${run}`,
      `CN=Ext Intermediate ${run}`,
    ]);
    const rootFile = path.join(tmp, "ext-root.pem");
    const chainFile = path.join(tmp, "ext-served.pem");
    fs.writeFileSync(rootFile, extRoot.pem);
    fs.writeFileSync(chainFile, response.data);
    const verified = execFileSync(
      "openssl",
      ["verify", "-CAfile", rootFile, "-untrusted", chainFile, chainFile],
      { encoding: "utf8" },
    );
    expect(verified).toContain(": OK");
    // The certificate's own chain download in the console reaches the external root too.
    const certificateId = url.split("/").pop() as string;
    const downloaded = await fetch(
      `${keyward().httpUrl}/api/console/certificates/${certificateId}/download?format=chain`,
      { headers: { authorization: `Bearer ${auditor}` } },
    );
    expect(downloaded.status).toBe(200);
    expect(pemBlocks(await downloaded.text()).map((c) => c.subject.split("\n")[0])).toEqual([
      `CN=ext2-${run}.cas.test`,
      `CN=Ext Issuing Two ${run}`,
      `CN=Ext Intermediate ${run}`,
      `CN=Ext Root ${run}`,
    ]);
  });
});

// --- Issue 12 item 1: deleting a CA nothing refers to ---

describe("deleting a CA", () => {
  it("fail/refused while it issued, signs another CA, is a profile's CA or the default issuing CA, naming each; auditors and unknown ids refused", async () => {
    const root = await api("POST", "", { kind: "root", subjectDn: `CN=Doomed Root ${run}` });
    const sub = await api("POST", "", {
      kind: "sub",
      parentId: root.body.id,
      subjectDn: `CN=Doomed Sub ${run}`,
    });
    expect(sub.status).toBe(201);
    const profile = await consoleApi("POST", "/api/console/end-entity-profiles", {
      token: admin,
      body: { name: `doomed-${run}`, defaultCa: sub.body.name },
    });
    expect(profile.status).toBe(201);

    const signs = await api("DELETE", `/${root.body.id}`);
    expect(signs.status).toBe(409);
    expect(signs.body.detail).toContain(`it signed CA "Doomed Sub ${run}"`);
    const named = await api("DELETE", `/${sub.body.id}`);
    expect(named.status).toBe(409);
    expect(named.body.detail).toContain(`end entity profile "doomed-${run}" names it as default CA`);

    const list = await api("GET", "", undefined, auditor);
    const defaultCa = list.body.items.find((c: { isDefault: boolean }) => c.isDefault);
    const isDefault = await api("DELETE", `/${defaultCa.id}`);
    expect(isDefault.status).toBe(409);
    expect(isDefault.body.detail).toMatch(/has issued \d+ certificates? .* revoke them or let them expire/);

    const ext = list.body.items.find((c: { name: string }) => c.name === `Ext Issuing ${run}`);
    const issued = await api("DELETE", `/${ext.id}`);
    expect(issued.status).toBe(409);
    expect(issued.body.detail).toContain("revoke them or let them expire");

    const byAuditor = await api("DELETE", `/${sub.body.id}`, undefined, auditor);
    expect(byAuditor.status).toBe(403);
    expect(await testDb().certificateAuthority.count({ where: { id: sub.body.id } })).toBe(1);
    expect((await api("DELETE", "/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await api("DELETE", "/not-a-uuid")).status).toBe(404);
  });

  it("ok/once nothing refers to it, it is deleted with its key and audited; then its root", async () => {
    const root = await api("POST", "", { kind: "root", subjectDn: `CN=Spare Root ${run}` });
    const sub = await api("POST", "", {
      kind: "sub",
      parentId: root.body.id,
      subjectDn: `CN=Spare Sub ${run}`,
    });
    const crossed = await api("POST", `/${sub.body.id}/cross-certificates`, { issuerId: created.rootB.id });
    expect(crossed.status).toBe(201);
    // Cross-certified by root B: root B is referred to by it, the sub-CA's cross-certificate goes with it.
    const deleted = await api("DELETE", `/${sub.body.id}`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    expect(await testDb().certificateAuthority.count({ where: { id: sub.body.id } })).toBe(0);
    expect(await testDb().caCrossCertificate.count({ where: { caId: sub.body.id } })).toBe(0);
    const audit = await testDb().auditEvent.findFirst({
      where: { action: "ca.deleted", targetId: sub.body.id },
    });
    expect(audit?.details).toMatchObject({ name: `Spare Sub ${run}`, privateKey: "deleted" });
    expect((await api("DELETE", `/${root.body.id}`)).status).toBe(204);
    const names = (await api("GET", "", undefined, auditor)).body.items.map((c: { name: string }) => c.name);
    expect(names).not.toContain(`Spare Sub ${run}`);
    expect(names).not.toContain(`Spare Root ${run}`);
  });
});
