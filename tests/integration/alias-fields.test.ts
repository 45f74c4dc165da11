// Alias fields that change what the ACME side does (spec "ACME Alias Configuration"), each
// checked the way a client would notice it. Fields covered elsewhere: website, terms of service
// and externalAccountRequired (accounts.test.ts, acme-front-end.test.ts), pre-authorization,
// wildcards, challenge types and Retry After (orders.test.ts), DNS resolver and port (issuance.test.ts).
import http from "node:http";
import * as acme from "acme-client";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTestKey } from "../support/acme-signer";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createTestAlias, directoryUrl, enableAcme, keyward } from "../support/keyward";
import { freePort } from "../support/ports";

let dns: ChallTestSrv;
beforeAll(async () => {
  await enableAcme();
  dns = await startChallTestSrv();
});
afterAll(async () => dns?.stop());

async function accountOn(alias: string) {
  const key = await generateTestKey();
  const client = new acme.Client({
    directoryUrl: directoryUrl(alias),
    accountKey: await jose.exportPKCS8(key.privateKey),
    backoffMin: 100,
    backoffMax: 300,
    backoffAttempts: 40,
  });
  await client.createAccount({ termsOfServiceAgreed: true });
  return client;
}

describe("Order Validity", () => {
  it("orders and their pending authorizations expire after the alias's order validity", async () => {
    const alias = await createTestAlias({ orderValidity: "10m 30s" });
    const client = await accountOn(alias);
    const before = Date.now();
    const order = await client.createOrder({
      identifiers: [{ type: "dns", value: "validity.example.test" }],
    });
    const expires = new Date(order.expires as string).getTime();
    expect(expires - before).toBeGreaterThan(10.5 * 60_000 - 5_000);
    expect(expires - before).toBeLessThan(10.5 * 60_000 + 5_000);
    const [authz] = await client.getAuthorizations(order);
    expect(authz?.expires).toBe(order.expires);
  });
});

describe("Authorized Redirect Ports", () => {
  async function redirectingResponder(port: number, target: string) {
    const server = http.createServer((req, res) =>
      res.writeHead(302, { location: `${target}${req.url}` }).end(),
    );
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    return server;
  }

  it("http-01 follows a redirect only to an authorized port", async () => {
    const targetPort = await freePort();
    const keyAuthorizations = new Map<string, string>();
    const target = http.createServer((req, res) => {
      const token = (req.url ?? "").split("/").pop() as string;
      res.writeHead(keyAuthorizations.has(token) ? 200 : 404).end(keyAuthorizations.get(token) ?? "");
    });
    await new Promise<void>((r) => target.listen(targetPort, "127.0.0.1", r));
    const front = await redirectingResponder(keyward().http01Port, `http://127.0.0.1:${targetPort}`);
    try {
      for (const [ports, expected] of [
        [[80, 443], "invalid"],
        [[80, targetPort], "valid"],
        [[], "valid"],
      ] as const) {
        const alias = await createTestAlias({
          authorizedRedirectPorts: [...ports],
          dnsResolver: "127.0.0.1",
          dnsPort: dns.dnsPort,
        });
        const client = await accountOn(alias);
        const order = await client.createOrder({
          identifiers: [{ type: "dns", value: `redirect-${expected}-${ports.length}.example.test` }],
        });
        const [authz] = await client.getAuthorizations(order);
        const challenge = authz?.challenges.find((c) => c.type === "http-01");
        if (!challenge) throw new Error("no http-01 challenge");
        keyAuthorizations.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
        await client.completeChallenge(challenge);
        let status = "processing";
        let detail = "";
        for (let i = 0; i < 60 && status === "processing"; i++) {
          await new Promise((r) => setTimeout(r, 100));
          const c = (await client.getAuthorizations(order))
            .at(0)
            ?.challenges.find((x) => x.type === "http-01");
          status = c?.status ?? "";
          detail = (c as { error?: { detail?: string } } | undefined)?.error?.detail ?? "";
        }
        expect(status, `ports ${ports.join(",")}`).toBe(expected);
        if (expected === "invalid") expect(detail).toMatch(new RegExp(`${targetPort}`));
      }
    } finally {
      front.close();
      target.close();
    }
  });
});

describe("DNSSEC", () => {
  it("with DNSSEC required, a dns-01 answer that is not authenticated fails the challenge", async () => {
    const alias = await createTestAlias({
      requireDnssec: true,
      dnsResolver: "127.0.0.1",
      dnsPort: dns.dnsPort,
    });
    const client = await accountOn(alias);
    const order = await client.createOrder({ identifiers: [{ type: "dns", value: "dnssec.example.test" }] });
    const [authz] = await client.getAuthorizations(order);
    const challenge = authz?.challenges.find((c) => c.type === "dns-01");
    if (!challenge) throw new Error("no dns-01 challenge");
    await dns.setTxt(
      "_acme-challenge.dnssec.example.test.",
      await client.getChallengeKeyAuthorization(challenge),
    );
    await client.completeChallenge(challenge);
    await expect(client.waitForValidStatus(challenge)).rejects.toThrow(/DNSSEC/i);
  });
});
