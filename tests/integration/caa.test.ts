// CAA end to end (RFC 8659): an order for a name whose CAA records name another CA fails with the
// caa problem naming the identifier; a name whose records name this CA gets its certificate; an
// alias with the check turned off issues for the forbidden name. CAA comes from pebble-challtestsrv,
// the alias's DNS resolver.
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createTestAlias, enableAcme, keyward } from "../support/keyward";

const CA_IDENTITY = "ca.keyward.test";
let dns: ChallTestSrv;
let http01: Http01Responder;
let checking: string;
let notChecking: string;

beforeAll(async () => {
  await enableAcme();
  dns = await startChallTestSrv();
  http01 = await startHttp01Responder(keyward().http01Port);
  const settings = { dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort, caaIdentities: [CA_IDENTITY] };
  checking = await createTestAlias(settings);
  notChecking = await createTestAlias({ ...settings, caaCheck: false });
  acme.axios.defaults.httpsAgent = new https.Agent({
    ca: fs.readFileSync(path.join(keyward().dataDir, "ca", "root.pem")),
  });
  await dns.addCaa("forbidden.caa-it.test", [{ tag: "issue", value: "other-ca.example" }]);
  await dns.addCaa("caa-it.test", [{ tag: "issue", value: CA_IDENTITY }]);
});

afterAll(async () => {
  await http01?.close();
  await dns?.stop();
});

/** Runs an order for `name` over http-01 to its end; returns the order, its authorization and the certificate or error. */
async function order(alias: string, name: string) {
  const client = new acme.Client({
    directoryUrl: `${keyward().httpsUrl}/acme/${alias}/directory`,
    accountKey: await acme.crypto.createPrivateKey(),
  });
  await client.createAccount({ termsOfServiceAgreed: true });
  const created = await client.createOrder({ identifiers: [{ type: "dns", value: name }] });
  const [authz] = await client.getAuthorizations(created);
  const challenge = authz?.challenges.find((c) => c.type === "http-01");
  if (!authz || !challenge) throw new Error("no http-01 challenge");
  http01.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
  await client.completeChallenge(challenge);
  let settled: acme.Authorization | undefined;
  for (let i = 0; i < 100; i++) {
    [settled] = await client.getAuthorizations(created);
    if (settled && settled.status !== "pending") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const finalOrder = await client.getOrder(created);
  return { client, order: finalOrder, authz: settled };
}

describe("CAA before issuance", () => {
  it("fail/a name whose CAA names another CA: the challenge and the order are invalid with the caa problem", async () => {
    const { order: o, authz } = await order(checking, "forbidden.caa-it.test");
    expect(authz?.status).toBe("invalid");
    const failed = authz?.challenges.find((c) => c.type === "http-01") as {
      type: string;
      status: string;
      error?: { type: string; detail: string; identifier?: { value: string } };
    };
    expect(failed.status).toBe("invalid");
    expect(failed.error?.type).toBe("urn:ietf:params:acme:error:caa");
    expect(failed.error?.detail).toContain("forbidden.caa-it.test");
    expect(failed.error?.identifier).toEqual({ type: "dns", value: "forbidden.caa-it.test" });
    expect(o.status).toBe("invalid");
  });

  it("ok/a name whose parent's CAA names this CA gets its certificate", async () => {
    const { client, order: o, authz } = await order(checking, "www.caa-it.test");
    expect(authz?.status).toBe("valid");
    expect(o.status).toBe("ready");
    const [, csr] = await acme.crypto.createCsr({ altNames: ["www.caa-it.test"] });
    const finalized = await client.finalizeOrder(o, csr);
    const cert = await client.getCertificate(await client.waitForValidStatus(finalized));
    expect(cert).toContain("BEGIN CERTIFICATE");
  });

  it("ok/an alias with the check off issues for the forbidden name", async () => {
    const { authz } = await order(notChecking, "forbidden.caa-it.test");
    expect(authz?.status).toBe("valid");
  });
});
