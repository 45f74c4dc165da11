// A real ACME client library (npm acme-client) against Keyward over HTTPS, trusting only the
// root CA that Keyward created and wrote to its data directory: account life cycle, and
// registration with an external account binding on an alias that requires one, then issuance.
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createMacKeyThroughApi } from "../support/eab-api";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";

let directoryUrl: string;

beforeAll(async () => {
  await enableAcme();
  const alias = await createTestAlias({ termsOfServiceUrl: "https://ca.example/terms" });
  const root = fs.readFileSync(path.join(keyward().dataDir, "ca", "root.pem"));
  // Trust Keyward's root only (no NODE_TLS_REJECT_UNAUTHORIZED shortcuts).
  acme.axios.defaults.httpsAgent = new https.Agent({ ca: root });
  directoryUrl = `${keyward().httpsUrl}/acme/${alias}/directory`;
});

describe("acme-client", () => {
  it("registers, reads, updates, rolls the key over and deactivates an account", async () => {
    const accountKey = await acme.crypto.createPrivateKey();
    const client = new acme.Client({ directoryUrl, accountKey });
    expect(await client.getTermsOfServiceUrl()).toBe("https://ca.example/terms");

    const created = await client.createAccount({
      termsOfServiceAgreed: true,
      contact: ["mailto:admin@example.test"],
    });
    expect(created.status).toBe("valid");
    const accountUrl = client.getAccountUrl();
    expect(accountUrl).toMatch(/\/acct\/[A-Za-z0-9_-]+$/);

    // createAccount again with the same key: the same account (RFC 8555 §7.3.1).
    const again = new acme.Client({ directoryUrl, accountKey });
    await again.createAccount({ termsOfServiceAgreed: true });
    expect(again.getAccountUrl()).toBe(accountUrl);

    const updated = await client.updateAccount({ contact: ["mailto:security@example.test"] });
    expect(updated.contact).toEqual(["mailto:security@example.test"]);

    const newKey = await acme.crypto.createPrivateEcdsaKey("P-384");
    await client.updateAccountKey(newKey);
    const withNewKey = new acme.Client({ directoryUrl, accountKey: newKey, accountUrl });
    expect((await withNewKey.updateAccount({})).status).toBe("valid");

    const deactivated = await withNewKey.updateAccount({ status: "deactivated" });
    expect(deactivated.status).toBe("deactivated");
    await expect(withNewKey.updateAccount({ contact: [] })).rejects.toThrow(/deactivated/);

    const audit = await testDb().auditEvent.findMany({
      where: { targetId: accountUrl.split("/").pop() },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual([
      "account.created",
      "account.updated",
      "account.keyChanged",
      "account.deactivated",
    ]);
  });

  it("refuses registration without agreeing to the terms", async () => {
    const client = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateKey() });
    await expect(client.createAccount({ termsOfServiceAgreed: false })).rejects.toThrow(/terms of service/);
  });
});

describe("acme-client with external account binding", () => {
  let dns: ChallTestSrv;
  let http01: Http01Responder;
  let eabDirectoryUrl: string;
  let eabAlias: string;

  beforeAll(async () => {
    dns = await startChallTestSrv();
    http01 = await startHttp01Responder(keyward().http01Port);
    // Names resolve to 127.0.0.1 through pebble-challtestsrv, where the http-01 responder listens.
    eabAlias = await createTestAlias({
      requireExternalAccountBinding: true,
      dnsResolver: "127.0.0.1",
      dnsPort: dns.dnsPort,
    });
    eabDirectoryUrl = `${keyward().httpsUrl}/acme/${eabAlias}/directory`;
  });

  afterAll(async () => {
    await http01?.close();
    await dns?.stop();
  });

  it("without a binding the alias refuses the account: externalAccountRequired", async () => {
    const client = new acme.Client({
      directoryUrl: eabDirectoryUrl,
      accountKey: await acme.crypto.createPrivateKey(),
    });
    await expect(client.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(
      /requires an external account binding/,
    );
  });

  it("registers with a generated key (HS256) and issues a certificate over http-01", async () => {
    const { key, secret } = await createMacKeyThroughApi(eabAlias);
    const client = new acme.Client({
      directoryUrl: eabDirectoryUrl,
      accountKey: await acme.crypto.createPrivateKey(),
      externalAccountBinding: { kid: secret.keyIdentifier, hmacKey: secret.hmacKey },
      backoffMin: 100,
      backoffMax: 500,
      backoffAttempts: 30,
    });
    const account = await client.createAccount({
      termsOfServiceAgreed: true,
      contact: ["mailto:eab@example.test"],
    });
    expect(account.status).toBe("valid");
    const accountId = client.getAccountUrl().split("/").pop() as string;
    expect((await testDb().account.findUniqueOrThrow({ where: { id: accountId } })).eabKeyId).toBe(key.id);

    const [, csr] = await acme.crypto.createCsr({ altNames: ["eab.acme-client.test"] });
    const cert = await client.auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ["http-01"],
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) =>
        http01.set(challenge.token, keyAuthorization),
      challengeRemoveFn: async (_authz, challenge) => http01.delete(challenge.token),
    });
    expect(cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const info = acme.crypto.readCertificateInfo(cert);
    expect(info.domains.altNames).toEqual(["eab.acme-client.test"]);
    expect(await testDb().certificate.count({ where: { accountId } })).toBe(1);

    // The key binds one account: another client with the same key is refused.
    const second = new acme.Client({
      directoryUrl: eabDirectoryUrl,
      accountKey: await acme.crypto.createPrivateKey(),
      externalAccountBinding: { kid: secret.keyIdentifier, hmacKey: secret.hmacKey },
    });
    await expect(second.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(
      /has already bound an account and binds only one/,
    );
  });
});
