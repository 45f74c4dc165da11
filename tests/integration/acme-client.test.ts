// A real ACME client library (npm acme-client) against Keyward over HTTPS, trusting only the
// root CA that Keyward created and wrote to its data directory.
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import * as acme from "acme-client";
import { beforeAll, describe, expect, it } from "vitest";
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
