// Issuance end to end with a real ACME client library (npm acme-client) against the running
// server: orders for two names over http-01, a wildcard over dns-01 (through pebble-challtestsrv
// as the alias's DNS resolver), tls-alpn-01, renewal, download, revocation and the CRL.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Http01Responder,
  startHttp01Responder,
  startTlsAlpnResponder,
  type TlsAlpnResponder,
} from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";

let dns: ChallTestSrv;
let http01: Http01Responder;
let alpn: TlsAlpnResponder;
let directoryUrl: string;
let client: acme.Client;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-issuance-"));

beforeAll(async () => {
  await enableAcme();
  dns = await startChallTestSrv();
  http01 = await startHttp01Responder(keyward().http01Port);
  alpn = await startTlsAlpnResponder(keyward().tlsAlpn01Port);
  const alias = await createTestAlias({
    wildcardCertificateIssuanceAllowed: true,
    dnsResolver: "127.0.0.1",
    dnsPort: dns.dnsPort,
  });
  const root = fs.readFileSync(path.join(keyward().dataDir, "ca", "root.pem"));
  acme.axios.defaults.httpsAgent = new https.Agent({ ca: root });
  directoryUrl = `${keyward().httpsUrl}/acme/${alias}/directory`;
  client = new acme.Client({
    directoryUrl,
    accountKey: await acme.crypto.createPrivateKey(),
    backoffMin: 100,
    backoffMax: 500,
    backoffAttempts: 30,
  });
  await client.createAccount({ termsOfServiceAgreed: true });
});

afterAll(async () => {
  await http01?.close();
  await alpn?.close();
  await dns?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function opensslVerify(chainPem: string): string {
  const [leaf, ...rest] = chainPem.split(/(?=-----BEGIN CERTIFICATE-----)/);
  fs.writeFileSync(path.join(tmp, "leaf.pem"), leaf as string);
  fs.writeFileSync(path.join(tmp, "chain.pem"), rest.join(""));
  return execFileSync("openssl", [
    "verify",
    "-CAfile",
    path.join(keyward().dataDir, "ca", "root.pem"),
    "-untrusted",
    path.join(tmp, "chain.pem"),
    "-purpose",
    "sslserver",
    path.join(tmp, "leaf.pem"),
  ]).toString();
}

function sans(pem: string): string {
  fs.writeFileSync(path.join(tmp, "x.pem"), pem);
  return execFileSync("openssl", [
    "x509",
    "-in",
    path.join(tmp, "x.pem"),
    "-noout",
    "-ext",
    "subjectAltName",
  ]).toString();
}

async function issue(names: string[], challengePriority: string[]) {
  const [key, csr] = await acme.crypto.createCsr({ altNames: names });
  const cert = await client.auto({
    csr,
    termsOfServiceAgreed: true,
    challengePriority,
    skipChallengeVerification: true,
    challengeCreateFn: async (authz, challenge, keyAuthorization) => {
      if (challenge.type === "http-01") http01.set(challenge.token, keyAuthorization);
      if (challenge.type === "dns-01")
        await dns.setTxt(`_acme-challenge.${authz.identifier.value}.`, keyAuthorization);
      if ((challenge.type as string) === "tls-alpn-01") {
        const [alpnKey, alpnCert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization);
        alpn.set(authz.identifier.value, { key: alpnKey, cert: alpnCert });
      }
    },
    // TXT records are left in place: "*.x" and "x" are validated at the same _acme-challenge.x,
    // and removing one authorization's record could remove the other's before it is checked.
    challengeRemoveFn: async (_authz, challenge) => {
      if (challenge.type === "http-01") http01.delete(challenge.token);
    },
  });
  return { key, cert };
}

describe("issuance with acme-client", () => {
  let first: string;

  it("issues for two names over http-01: a chain of leaf and issuing CA that openssl accepts", async () => {
    const { cert } = await issue(["www.issuance.test", "api.issuance.test"], ["http-01"]);
    first = cert;
    expect(cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(opensslVerify(cert)).toContain("OK");
    expect(sans(cert)).toMatch(/DNS:www\.issuance\.test/);
    expect(sans(cert)).toMatch(/DNS:api\.issuance\.test/);
    const audit = await testDb().auditEvent.count({ where: { action: "certificate.issued" } });
    expect(audit).toBeGreaterThan(0);
    // What the validation saw is kept for the console: when, where, and which address answered.
    const validated = await testDb().challenge.findFirstOrThrow({
      where: { status: "valid", type: "http-01", authorization: { identifierValue: "www.issuance.test" } },
    });
    expect(validated.validatedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(validated.validationRecord).toMatchObject([
      { challengeType: "http-01", hostname: "www.issuance.test", addressUsed: expect.any(String) },
    ]);
  });

  it("issues a wildcard over dns-01", async () => {
    const { cert } = await issue(["*.wild.issuance.test", "wild.issuance.test"], ["dns-01"]);
    expect(opensslVerify(cert)).toContain("OK");
    expect(sans(cert)).toMatch(/DNS:\*\.wild\.issuance\.test/);
  });

  it("issues over tls-alpn-01", async () => {
    const { cert } = await issue(["alpn.issuance.test"], ["tls-alpn-01"]);
    expect(opensslVerify(cert)).toContain("OK");
  });

  it("issues for an IP address over http-01 (RFC 8738)", async () => {
    // acme-client's auto() orders every CSR name as type "dns"; the steps by hand order type "ip".
    const order = await client.createOrder({ identifiers: [{ type: "ip", value: "127.0.0.1" }] });
    const [authz] = await client.getAuthorizations(order);
    expect(authz?.challenges.map((c) => c.type).sort()).toEqual(["http-01", "tls-alpn-01"]);
    const challenge = authz?.challenges.find((c) => c.type === "http-01");
    if (!challenge) throw new Error("no http-01 challenge");
    http01.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
    await client.completeChallenge(challenge);
    await client.waitForValidStatus(challenge);
    const [, csr] = await acme.crypto.createCsr({ altNames: ["127.0.0.1"] });
    const finalized = await client.finalizeOrder(order, csr);
    const cert = await client.getCertificate(await client.waitForValidStatus(finalized));
    expect(opensslVerify(cert)).toContain("OK");
    expect(sans(cert)).toMatch(/IP Address:127\.0\.0\.1/);
  });

  it("renews: a second order for the same names reuses the valid authorizations", async () => {
    const order = await client.createOrder({
      identifiers: [
        { type: "dns", value: "www.issuance.test" },
        { type: "dns", value: "api.issuance.test" },
      ],
    });
    expect(order.status).toBe("ready");
    const [, csr] = await acme.crypto.createCsr({ altNames: ["www.issuance.test", "api.issuance.test"] });
    const finalized = await client.finalizeOrder(order, csr);
    const cert = await client.getCertificate(await client.waitForValidStatus(finalized));
    expect(opensslVerify(cert)).toContain("OK");
    expect(cert).not.toBe(first);
  });

  it("revokes, and the CRL lists the certificate", async () => {
    await client.revokeCertificate(first, { reason: 4 });
    const serial = execFileSync("openssl", ["x509", "-noout", "-serial"], {
      input: first.split(/(?=-----BEGIN)/)[0],
    })
      .toString()
      .trim()
      .split("=")[1] as string;
    const row = await testDb().certificate.findUniqueOrThrow({ where: { serialHex: serial.toLowerCase() } });
    expect(row.status).toBe("revoked");
    expect(row.revocationReason).toBe(4);
    const crlUrl = `${keyward().httpUrl}/ca/crl/${row.issuerId}`;
    const crl = Buffer.from(await (await fetch(crlUrl)).arrayBuffer());
    fs.writeFileSync(path.join(tmp, "crl.der"), crl);
    const text = execFileSync("openssl", [
      "crl",
      "-inform",
      "DER",
      "-in",
      path.join(tmp, "crl.der"),
      "-noout",
      "-text",
    ]).toString();
    expect(text.toUpperCase()).toContain(serial.toUpperCase());
    expect(text).toContain("Superseded");
    await expect(client.revokeCertificate(first)).rejects.toThrow(/already been revoked/);
  });
});
