// The console's Certificates, Orders and Certificate authorities (API): search by serial, name,
// account, alias, status and expiry window with % and _ taken literally; a certificate decoded,
// downloaded, and revoked by an administrator (audited, listed on the CRL at once) and by nobody
// else; an order with its authorizations, challenges and validation records.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { consoleApi } from "../support/console-api";
import { createTestUserWithToken } from "../support/console-tokens";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";

let admin: string;
let auditor: string;
let approver: string;
let alias: string;
let otherAlias: string;
let dns: ChallTestSrv;
let http01: Http01Responder;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-certs-console-"));
const issued: { names: string[]; pem: string; alias: string }[] = [];

async function issueOn(aliasName: string, names: string[]) {
  const client = new acme.Client({
    directoryUrl: `${keyward().httpsUrl}/acme/${aliasName}/directory`,
    accountKey: await acme.crypto.createPrivateKey(),
    backoffMin: 100,
    backoffMax: 500,
    backoffAttempts: 30,
  });
  const [, csr] = await acme.crypto.createCsr({ altNames: names });
  const pem = await client.auto({
    csr,
    termsOfServiceAgreed: true,
    challengePriority: ["http-01"],
    skipChallengeVerification: true,
    challengeCreateFn: async (_authz, challenge, keyAuthorization) =>
      http01.set(challenge.token, keyAuthorization),
    challengeRemoveFn: async (_authz, challenge) => http01.delete(challenge.token),
  });
  issued.push({ names, pem, alias: aliasName });
}

beforeAll(async () => {
  await enableAcme();
  admin = (await createTestUserWithToken(testDb(), "administrator")).token;
  auditor = (await createTestUserWithToken(testDb(), "auditor")).token;
  approver = (await createTestUserWithToken(testDb(), "approver")).token;
  dns = await startChallTestSrv();
  http01 = await startHttp01Responder(keyward().http01Port);
  const resolver = { dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort };
  alias = await createTestAlias(resolver);
  otherAlias = await createTestAlias(resolver);
  acme.axios.defaults.httpsAgent = new https.Agent({
    ca: fs.readFileSync(path.join(keyward().dataDir, "ca", "root.pem")),
  });
  await issueOn(alias, ["www.certs-shop.test", "api.certs-shop.test"]);
  await issueOn(alias, ["mail.certs-shop.test"]);
  await issueOn(otherAlias, ["intranet.certs-other.test"]);
});

afterAll(async () => {
  await http01?.close();
  await dns?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const list = (query: string, token = auditor) =>
  consoleApi("GET", `/api/console/certificates?${query}`, { token });
/** Each certificate as its names, space-separated (they are stored sorted). */
const namesOf = (body: { items: { names: string[] }[] }) => body.items.map((c) => c.names.join(" ")).sort();
const WWW = "api.certs-shop.test www.certs-shop.test";

describe("certificate search", () => {
  it("ok/by alias, part of a name, serial prefix and account; every role reads", async () => {
    const all = await list(`alias=${alias}`);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(2);
    expect(all.body.items[0]).toMatchObject({ alias, status: "valid", revokedAt: null });
    expect(namesOf((await list("name=CERTS-SHOP.test")).body)).toEqual([WWW, "mail.certs-shop.test"]);
    // A name other than the first SAN finds the certificate too.
    expect(namesOf((await list("name=www.certs-shop")).body)).toEqual([WWW]);

    const mail = (await list("name=mail.certs-shop.test")).body.items[0];
    const bySerial = await list(`serial=${mail.serialHex.slice(0, 10).toUpperCase()}`);
    expect(bySerial.body.items.map((c: { id: string }) => c.id)).toContain(mail.id);
    const byColons = await list(`serial=${mail.serialHex.slice(0, 6).match(/../g).join(":")}`);
    expect(byColons.body.items.map((c: { id: string }) => c.id)).toContain(mail.id);

    const byAccount = await list(`account=${mail.accountId}`);
    expect(namesOf(byAccount.body)).toEqual(["mail.certs-shop.test"]);
    for (const token of [admin, approver]) expect((await list(`alias=${alias}`, token)).status).toBe(200);
  });

  it("ok/% and _ in a search match themselves, not any text", async () => {
    expect((await list("name=certs_shop")).body.total).toBe(0);
    expect((await list("name=www%shop")).body.total).toBe(0);
    expect((await list("name=%")).body.total).toBe(0);
    expect((await list("name=certs-shop")).body.total).toBe(2);
  });

  it("ok/sorted by expiry either way, paged on the server", async () => {
    const db = testDb();
    // Make the expiries distinct and known: www expires last, intranet first.
    const rows = await db.certificate.findMany({
      where: { names: { hasSome: issued.flatMap((i) => i.names.map((n) => `dns:${n}`)) } },
    });
    const at = (days: number) => new Date(Date.now() + days * 86_400_000);
    for (const row of rows) {
      const days = row.names.includes("dns:www.certs-shop.test")
        ? 80
        : row.names.includes("dns:mail.certs-shop.test")
          ? 60
          : 40;
      await db.certificate.update({ where: { id: row.id }, data: { notAfter: at(days) } });
    }
    const asc = await list("name=certs-&sort=expires&dir=asc");
    expect(asc.body.items.map((c: { names: string[] }) => c.names.join(" "))).toEqual([
      "intranet.certs-other.test",
      "mail.certs-shop.test",
      WWW,
    ]);
    const desc = await list("name=certs-&sort=expires&dir=desc&pageSize=1&page=2");
    expect(desc.body).toMatchObject({ total: 3, page: 2, pageSize: 1 });
    expect(desc.body.items[0].names[0]).toBe("mail.certs-shop.test");

    // The expiry window: from today + 50 days up to and including today + 70 days.
    const day = (days: number) => at(days).toISOString().slice(0, 10);
    const window = await list(`name=certs-&expiresFrom=${day(50)}&expiresTo=${day(70)}`);
    expect(namesOf(window.body)).toEqual(["mail.certs-shop.test"]);
  });

  it("ok/status expired is a valid certificate past its notAfter", async () => {
    const row = await testDb().certificate.findFirstOrThrow({
      where: { names: { has: "dns:intranet.certs-other.test" } },
    });
    const notAfter = row.notAfter;
    await testDb().certificate.update({
      where: { id: row.id },
      data: { notAfter: new Date(Date.now() - 1000) },
    });
    try {
      expect(namesOf((await list(`alias=${otherAlias}&status=expired`)).body)).toEqual([
        "intranet.certs-other.test",
      ]);
      expect((await list(`alias=${otherAlias}&status=valid`)).body.total).toBe(0);
    } finally {
      await testDb().certificate.update({ where: { id: row.id }, data: { notAfter } });
    }
  });

  it("fail/a status, serial, sort or date that is not one → 422 naming the parameter", async () => {
    for (const [query, name] of [
      ["status=gone", "status"],
      ["serial=xyz", "serial"],
      ["sort=names", "sort"],
      ["dir=up", "dir"],
      ["expiresFrom=tomorrow", "expiresFrom"],
      ["account=a%20b", "account"],
      ["pageSize=1000", "pageSize"],
    ]) {
      const res = await list(query as string);
      expect(res.status, query).toBe(422);
      expect(res.body.invalidParams[0].name, query).toBe(name);
    }
    expect((await consoleApi("GET", "/api/console/certificates", { token: "kw_nope" })).status).toBe(401);
  });
});

describe("one certificate", () => {
  it("ok/decoded: subject, SANs, issuer, serial, validity, key, key usage, EKU, fingerprints; its order and chain", async () => {
    const item = (await list("name=www.certs-shop.test")).body.items[0];
    const res = await consoleApi("GET", `/api/console/certificates/${item.id}`, { token: auditor });
    expect(res.status).toBe(200);
    const d = res.body.decoded;
    expect(d.subjectAltNames.sort()).toEqual(["dns:api.certs-shop.test", "dns:www.certs-shop.test"]);
    expect(d.serialHex).toBe(item.serialHex);
    expect(d.extendedKeyUsage).toContain("serverAuth");
    expect(d.keyUsage).toContain("digitalSignature");
    expect(d.isCa).toBe(false);
    expect(d.sha256Fingerprint).toMatch(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
    expect(d.publicKey).toMatch(/^(RSA|ECDSA)/);
    expect(res.body.issuerChain).toHaveLength(2);
    expect(d.issuer).toContain(res.body.issuerChain[0].subjectDn.split(",")[0]);
    expect(res.body.orderId).toEqual(expect.any(String));
    expect(res.body.crlPath).toMatch(/^\/ca\/crl\//);
    // openssl agrees on the fingerprint.
    fs.writeFileSync(path.join(tmp, "leaf.pem"), issued[0]?.pem.split(/(?=-----BEGIN)/)[0] as string);
    const openssl = execFileSync("openssl", [
      "x509",
      "-in",
      path.join(tmp, "leaf.pem"),
      "-noout",
      "-fingerprint",
      "-sha256",
    ])
      .toString()
      .split("=")[1]
      ?.trim()
      .toLowerCase();
    expect(d.sha256Fingerprint).toBe(openssl);

    expect((await consoleApi("GET", "/api/console/certificates/nope", { token: auditor })).status).toBe(404);
    expect((await consoleApi("GET", "/api/console/certificates/a.b", { token: auditor })).status).toBe(404);
  });

  it("ok/downloads: the PEM, the PEM with its chain (leaf first), the DER", async () => {
    const item = (await list("name=mail.certs-shop.test")).body.items[0];
    const get = (format: string) =>
      fetch(`${keyward().httpUrl}/api/console/certificates/${item.id}/download?format=${format}`, {
        headers: { authorization: `Bearer ${auditor}` },
      });
    const pem = await get("pem");
    expect(pem.headers.get("content-disposition")).toContain(`certificate-${item.serialHex}.pem`);
    const pemText = await pem.text();
    expect(pemText.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    const chain = await (await get("chain")).text();
    expect(chain.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    expect(chain.startsWith(pemText)).toBe(true);
    const der = new Uint8Array(await (await get("der")).arrayBuffer());
    expect(Buffer.from(der).toString("base64")).toBe(pemText.replace(/-----[^-]+-----|\s/g, ""));
    expect((await get("pfx")).status).toBe(422);
  });
});

describe("revocation from the console", () => {
  it("fail/auditors and approvers cannot; ok/an administrator can, once, with a reason; audited; the CRL lists it", async () => {
    const item = (await list("name=mail.certs-shop.test")).body.items[0];
    const revoke = (token: string, body: unknown) =>
      consoleApi("POST", `/api/console/certificates/${item.id}/revoke`, { token, body });
    for (const token of [auditor, approver]) {
      const denied = await revoke(token, { reason: 1 });
      expect(denied.status).toBe(403);
      expect(denied.body.detail).toContain("certificates.revoke");
    }
    expect((await list(`name=mail.certs-shop.test&status=revoked`)).body.total).toBe(0);

    for (const reason of [2, 6, 7, 8, 11, -1, "1"]) {
      const bad = await revoke(admin, { reason });
      expect(bad.status, String(reason)).toBe(422);
      expect(bad.body.invalidParams[0].name).toBe("reason");
    }
    expect((await revoke(admin, {})).status).toBe(422);

    const done = await revoke(admin, { reason: 9 });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: "revoked",
      revocationReason: { code: 9, name: "privilegeWithdrawn" },
    });
    const again = await revoke(admin, { reason: 9 });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe("urn:ietf:params:acme:error:alreadyRevoked");
    expect(
      (
        await consoleApi("POST", "/api/console/certificates/nope/revoke", {
          token: admin,
          body: { reason: 0 },
        })
      ).status,
    ).toBe(404);

    const audit = await testDb().auditEvent.findMany({
      where: { action: "certificate.revoked", targetId: item.id },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor).toMatch(/^token:/);
    expect(audit[0]?.details).toMatchObject({ reason: 9, reasonName: "privilegeWithdrawn", by: "operator" });
    const denials = await testDb().auditEvent.count({
      where: { action: "access.denied", targetId: `/api/console/certificates/${item.id}/revoke` },
    });
    expect(denials).toBe(2);

    const detail = (await consoleApi("GET", `/api/console/certificates/${item.id}`, { token: auditor })).body;
    const crl = await fetch(`${keyward().httpUrl}${detail.crlPath}`);
    expect(crl.status).toBe(200);
    fs.writeFileSync(path.join(tmp, "ca.crl"), Buffer.from(await crl.arrayBuffer()));
    const text = execFileSync("openssl", [
      "crl",
      "-inform",
      "DER",
      "-in",
      path.join(tmp, "ca.crl"),
      "-noout",
      "-text",
    ]).toString();
    expect(text.toLowerCase().replace(/:/g, "")).toContain(item.serialHex.replace(/^0+/, "").toLowerCase());
    expect(text).toContain("Privilege Withdrawn");
    expect(namesOf((await list("name=mail.certs-shop.test&status=revoked")).body)).toEqual([
      "mail.certs-shop.test",
    ]);
  });
});

describe("orders", () => {
  it("ok/search by identifier, alias, account and status; % and _ literal; bad status → 422", async () => {
    const shop = await consoleApi("GET", `/api/console/orders?alias=${alias}`, { token: auditor });
    expect(shop.status).toBe(200);
    expect(shop.body.total).toBe(2);
    const www = await consoleApi("GET", "/api/console/orders?identifier=API.certs-shop", { token: approver });
    expect(www.body.items).toHaveLength(1);
    expect(www.body.items[0]).toMatchObject({
      status: "valid",
      certificateId: expect.any(String),
      error: null,
    });
    expect(www.body.items[0].identifiers.map((i: { value: string }) => i.value).sort()).toEqual([
      "api.certs-shop.test",
      "www.certs-shop.test",
    ]);
    const byAccount = await consoleApi(
      "GET",
      `/api/console/orders?account=${www.body.items[0].accountId}&status=valid`,
      {
        token: auditor,
      },
    );
    expect(byAccount.body.total).toBe(1);
    expect(
      (await consoleApi("GET", "/api/console/orders?identifier=certs_shop", { token: auditor })).body.total,
    ).toBe(0);
    const bad = await consoleApi("GET", "/api/console/orders?status=done", { token: auditor });
    expect(bad.status).toBe(422);
    expect(bad.body.invalidParams[0].name).toBe("status");
  });

  it("ok/an order with its authorizations, challenges and what the validation saw; unknown → 404", async () => {
    const item = (
      await consoleApi("GET", "/api/console/orders?identifier=mail.certs-shop", { token: auditor })
    ).body.items[0];
    const res = await consoleApi("GET", `/api/console/orders/${item.id}`, { token: auditor });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ effectiveStatus: "valid", certificate: { status: "revoked" } });
    expect(res.body.authorizations).toHaveLength(1);
    const authz = res.body.authorizations[0];
    expect(authz).toMatchObject({
      identifier: { type: "dns", value: "mail.certs-shop.test" },
      status: "valid",
    });
    const http = authz.challenges.find((c: { type: string }) => c.type === "http-01");
    expect(http).toMatchObject({ status: "valid", error: null, validatedAt: expect.any(String) });
    expect(http.validationRecords[0]).toMatchObject({
      challengeType: "http-01",
      hostname: "mail.certs-shop.test",
      addressUsed: expect.any(String),
    });
    expect(authz.challenges.filter((c: { status: string }) => c.status === "pending").length).toBeGreaterThan(
      0,
    );
    expect((await consoleApi("GET", "/api/console/orders/nope", { token: auditor })).status).toBe(404);
  });

  it("ok/a failed validation shows what was tried and the error", async () => {
    const client = new acme.Client({
      directoryUrl: `${keyward().httpsUrl}/acme/${alias}/directory`,
      accountKey: await acme.crypto.createPrivateKey(),
    });
    await client.createAccount({ termsOfServiceAgreed: true });
    const order = await client.createOrder({
      identifiers: [{ type: "dns", value: "broken.certs-shop.test" }],
    });
    const [authz] = await client.getAuthorizations(order);
    const challenge = authz?.challenges.find((c) => c.type === "http-01");
    if (!authz || !challenge) throw new Error("no http-01 challenge");
    // Nothing is served for the token: the responder answers 404.
    await client.completeChallenge(challenge);
    const id = order.url.split("/").pop() as string;
    let detail:
      | {
          authorizations: {
            challenges: { type: string; status: string; error: { type: string; detail: string } | null }[];
          }[];
        }
      | undefined;
    for (let i = 0; i < 100; i++) {
      detail = (await consoleApi("GET", `/api/console/orders/${id}`, { token: auditor })).body;
      if (detail?.authorizations[0]?.challenges.some((c) => c.status === "invalid")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const failed = detail?.authorizations[0]?.challenges.find((c) => c.type === "http-01");
    expect(failed?.status).toBe("invalid");
    expect(failed?.error?.type).toBe("urn:ietf:params:acme:error:incorrectResponse");
    expect(failed?.error?.detail).toContain("404");
    const invalid = await consoleApi(
      "GET",
      `/api/console/orders?identifier=broken.certs-shop&status=invalid`,
      {
        token: auditor,
      },
    );
    expect(invalid.body.total).toBe(1);
  });
});

describe("certificate authorities", () => {
  it("ok/the root and the issuing CA with subject, validity, fingerprint; their certificate and chain download", async () => {
    const res = await consoleApi("GET", "/api/console/certificate-authorities", { token: auditor });
    expect(res.status).toBe(200);
    // The hierarchy made at first start (other test files may have added CAs beside it).
    const issuing = res.body.items.find((c: { isDefault: boolean }) => c.isDefault);
    const root = res.body.items.find((c: { id: string }) => c.id === issuing.parentId);
    expect([issuing.role, root.role]).toEqual(["issuing", "root"]);
    expect(issuing.issuedBy).toEqual([root.name]);
    expect(root.issuedBy).toEqual([]);
    const rootPem = fs.readFileSync(path.join(keyward().dataDir, "ca", "root.pem"), "utf8");
    const chain = await fetch(
      `${keyward().httpUrl}/api/console/certificate-authorities/${issuing.id}/download?format=chain`,
      { headers: { authorization: `Bearer ${auditor}` } },
    );
    const text = await chain.text();
    expect(text.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(text.endsWith(rootPem)).toBe(true);
    const missing = await fetch(
      `${keyward().httpUrl}/api/console/certificate-authorities/00000000-0000-4000-8000-000000000000/download`,
      { headers: { authorization: `Bearer ${auditor}` } },
    );
    expect(missing.status).toBe(404);
  });
});

describe("the command line", () => {
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "scripts/keyward.ts", ...args],
        {
          cwd: path.resolve(import.meta.dirname, "../.."),
          env: { ...process.env, DATABASE_URL: keyward().databaseUrl, KEYWARD_DATA_DIR: keyward().dataDir },
          timeout: 60_000,
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it("ok/certificate list finds by name; certificate revoke revokes with a reason (audited); fail/a bad reason → exit 1", {
    timeout: 240_000,
  }, async () => {
    const listed = await cli("certificate", "list", "--name", "www.certs-shop", "--json");
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout);
    expect(page.items).toHaveLength(1);
    const { id } = page.items[0];
    const bad = await cli("certificate", "revoke", "--id", id, "--reason", "6");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("reason");

    const badStatus = await cli("certificate", "list", "--status", "gone");
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toContain("One of valid, revoked, expired");

    const revoked = await cli("certificate", "revoke", "--id", id, "--reason", "4");
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain("superseded");
    const audit = await testDb().auditEvent.findFirstOrThrow({
      where: { action: "certificate.revoked", targetId: id },
    });
    expect(audit.details).toMatchObject({ reason: 4, by: "operator" });
    const again = await cli("certificate", "revoke", "--id", id, "--reason", "4");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already been revoked");
  });
});
