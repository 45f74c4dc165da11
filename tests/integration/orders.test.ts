// Orders, authorizations, challenges, finalize, download and revocation over raw JWS: every
// refusal a client can run into, with the problem type and status it sees, plus the races the
// database must arbitrate (two finalizes of one order) and the durability of validation jobs.
import { createPrivateKey } from "node:crypto";
import fs from "node:fs";
import * as acme from "acme-client";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AcmeResult, generateTestKey, RawAcmeClient, type TestKey } from "../support/acme-signer";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createTestAlias, directoryUrl, enableAcme, keyward, testDb } from "../support/keyward";

const PROBLEM = "urn:ietf:params:acme:error:";
let dns: ChallTestSrv;
let http01: Http01Responder;
let alias: string;
let raw: RawAcmeClient;

function expectProblem(res: AcmeResult, type: string, status: number, detail?: RegExp) {
  expect(res.headers.get("content-type"), res.text).toBe("application/problem+json");
  expect(res.body).toMatchObject({ type: PROBLEM + type, status });
  if (detail) expect(res.body.detail).toMatch(detail);
}

type Account = { key: TestKey; url: string; client: acme.Client };

async function newAccount(dir = directoryUrl(alias)): Promise<Account> {
  const key = await generateTestKey("ES256");
  const pem = await jose.exportPKCS8(key.privateKey);
  const client = new acme.Client({
    directoryUrl: dir,
    accountKey: pem,
    backoffMin: 100,
    backoffMax: 400,
    backoffAttempts: 30,
  });
  await client.createAccount({ termsOfServiceAgreed: true });
  return { key, url: client.getAccountUrl(), client };
}

async function post(account: Account, url: string, payload: unknown) {
  return raw.signedPost(account.key, url, payload, { kid: account.url });
}

async function readyOrder(account: Account, names: string[]) {
  const order = await account.client.createOrder({
    identifiers: names.map((value) => ({ type: "dns", value })),
  });
  for (const authz of await account.client.getAuthorizations(order)) {
    const challenge = authz.challenges.find((c) => c.type === "http-01");
    if (!challenge) throw new Error("no http-01 challenge");
    http01.set(challenge.token, await account.client.getChallengeKeyAuthorization(challenge));
    await account.client.completeChallenge(challenge);
    await account.client.waitForValidStatus(challenge);
  }
  // acme-client returns the polled object without its URL.
  return { ...(await account.client.waitForValidStatus(order)), url: order.url };
}

beforeAll(async () => {
  await enableAcme();
  dns = await startChallTestSrv();
  http01 = await startHttp01Responder(keyward().http01Port);
  alias = await createTestAlias({ dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort, retryAfterSeconds: 3 });
  raw = await new RawAcmeClient(directoryUrl(alias)).init();
});
afterAll(async () => {
  await http01?.close();
  await dns?.stop();
});

describe("newOrder", () => {
  it("creates a pending order with one authorization per identifier, lower-cased and de-duplicated", async () => {
    const a = await newAccount();
    const res = await post(a, raw.directory.newOrder as string, {
      identifiers: [
        { type: "dns", value: "WWW.Example.test" },
        { type: "dns", value: "www.example.test" },
        { type: "ip", value: "127.0.0.1" },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toMatch(/\/order\/[A-Za-z0-9_-]+$/);
    expect(res.body.status).toBe("pending");
    expect(res.body.identifiers).toEqual([
      { type: "dns", value: "www.example.test" },
      { type: "ip", value: "127.0.0.1" },
    ]);
    expect(res.body.authorizations).toHaveLength(2);
    expect(new Date(res.body.expires).getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    const authz = await post(a, res.body.authorizations[1], null);
    // RFC 8738 §7: no dns-01 for IP addresses.
    expect(authz.body.challenges.map((c: { type: string }) => c.type).sort()).toEqual([
      "http-01",
      "tls-alpn-01",
    ]);
    // Retry-After from the alias on a pending authorization.
    expect(authz.headers.get("retry-after")).toBe("3");
  });

  it("refuses bad identifiers, each named in a subproblem (bad input)", async () => {
    const a = await newAccount();
    const cases: [unknown[], string, RegExp][] = [
      [[{ type: "dns", value: "example.test." }], "rejectedIdentifier", /ends in a dot/],
      [[{ type: "dns", value: "test" }], "rejectedIdentifier", /single label/],
      [[{ type: "dns", value: "-bad.example.test" }], "rejectedIdentifier", /invalid label/],
      [[{ type: "dns", value: "under_score.example.test" }], "rejectedIdentifier", /invalid label/],
      [[{ type: "dns", value: `${"a".repeat(64)}.example.test` }], "rejectedIdentifier", /longer than 63/],
      [[{ type: "dns", value: "a..example.test" }], "rejectedIdentifier", /empty label/],
      [[{ type: "dns", value: "127.0.0.1" }], "rejectedIdentifier", /type "ip"/],
      [[{ type: "dns", value: "*.example.test" }], "rejectedIdentifier", /does not issue wildcard/],
      [[{ type: "ip", value: "300.1.1.1" }], "malformed", /not an IP address/],
      [[{ type: "email", value: "a@example.test" }], "unsupportedIdentifier", /not supported/],
    ];
    for (const [identifiers, type, detail] of cases) {
      const res = await post(a, raw.directory.newOrder as string, { identifiers });
      expectProblem(res, type, 400, detail);
      expect(res.body.subproblems[0].identifier).toEqual(identifiers[0]);
    }
    const two = await post(a, raw.directory.newOrder as string, {
      identifiers: [
        { type: "dns", value: "ok.example.test" },
        { type: "dns", value: "bad..test" },
        { type: "dns", value: "x" },
      ],
    });
    expectProblem(two, "rejectedIdentifier", 400, /2 identifiers/);
    expect(two.body.subproblems).toHaveLength(2);
    expectProblem(
      await post(a, raw.directory.newOrder as string, { identifiers: [] }),
      "malformed",
      400,
      /must not be empty/,
    );
    const many = Array.from({ length: 101 }, (_, i) => ({ type: "dns", value: `n${i}.example.test` }));
    expectProblem(
      await post(a, raw.directory.newOrder as string, { identifiers: many }),
      "rejectedIdentifier",
      400,
      /at most 100/,
    );
    expectProblem(
      await post(a, raw.directory.newOrder as string, {
        identifiers: [{ type: "dns", value: "a.example.test" }],
        notAfter: "tomorrow",
      }),
      "malformed",
      400,
      /RFC 3339/,
    );
    const past = new Date(Date.now() - 3 * 86_400_000).toISOString();
    expectProblem(
      await post(a, raw.directory.newOrder as string, {
        identifiers: [{ type: "dns", value: "a.example.test" }],
        notBefore: past,
      }),
      "malformed",
      400,
      /within 48 hours/,
    );
  });

  it("honours notBefore/notAfter within the limits and refuses longer validity", async () => {
    const a = await newAccount();
    const notBefore = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
    const notAfter = new Date(Date.now() + 10 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
    const res = await post(a, raw.directory.newOrder as string, {
      identifiers: [{ type: "dns", value: "nb.example.test" }],
      notBefore,
      notAfter,
    });
    expect(res.status).toBe(201);
    expect(res.body.notBefore).toBe(notBefore.replace("Z", ".000Z"));
    const tooLong = new Date(Date.now() + 400 * 86_400_000).toISOString();
    expectProblem(
      await post(a, raw.directory.newOrder as string, {
        identifiers: [{ type: "dns", value: "nb.example.test" }],
        notAfter: tooLong,
      }),
      "malformed",
      400,
      /at most 90 days after notBefore/,
    );
  });

  it("offers only the challenge types the alias allows; wildcards get dns-01 (and http-01 only when allowed)", async () => {
    const only = await createTestAlias({
      dnsIdentifierChallengeTypes: "dns-01",
      wildcardCertificateIssuanceAllowed: true,
      wildcardWithHttp01ChallengeAllowed: false,
    });
    const a = await newAccount(directoryUrl(only));
    const onlyRaw = await new RawAcmeClient(directoryUrl(only)).init();
    const res = await onlyRaw.signedPost(
      a.key,
      onlyRaw.directory.newOrder as string,
      {
        identifiers: [
          { type: "dns", value: "*.w.example.test" },
          { type: "dns", value: "plain.example.test" },
        ],
      },
      { kid: a.url },
    );
    expect(res.status).toBe(201);
    for (const url of res.body.authorizations) {
      const authz = await onlyRaw.signedPost(a.key, url, null, { kid: a.url });
      expect(authz.body.challenges.map((c: { type: string }) => c.type)).toEqual(["dns-01"]);
      if (authz.body.identifier.value === "w.example.test") expect(authz.body.wildcard).toBe(true);
    }
    const http = await createTestAlias({
      wildcardCertificateIssuanceAllowed: true,
      wildcardWithHttp01ChallengeAllowed: true,
    });
    const b = await newAccount(directoryUrl(http));
    const httpRaw = await new RawAcmeClient(directoryUrl(http)).init();
    const order = await httpRaw.signedPost(
      b.key,
      httpRaw.directory.newOrder as string,
      { identifiers: [{ type: "dns", value: "*.h.example.test" }] },
      { kid: b.url },
    );
    const authz = await httpRaw.signedPost(b.key, order.body.authorizations[0], null, { kid: b.url });
    expect(authz.body.challenges.map((c: { type: string }) => c.type).sort()).toEqual(["dns-01", "http-01"]);
  });

  it("the account's orders list names its orders", async () => {
    const a = await newAccount();
    const created = await post(a, raw.directory.newOrder as string, {
      identifiers: [{ type: "dns", value: "list.example.test" }],
    });
    const list = await post(a, `${a.url}/orders`, null);
    expect(list.body.orders).toEqual([created.headers.get("location")]);
  });
});

describe("unknown, foreign and expired resources (bad input)", () => {
  it("unknown order, authorization, challenge and certificate URLs → 404", async () => {
    const a = await newAccount();
    const base = directoryUrl(alias).replace(/directory$/, "");
    for (const path of [
      "order/AAAAAAAAAAAAAAAAAAAAAA",
      "authz/AAAAAAAAAAAAAAAAAAAAAA",
      "chall/AAAAAAAAAAAAAAAAAAAAAA",
      "cert/00ff",
      "order/AAAAAAAAAAAAAAAAAAAAAA/finalize",
    ]) {
      const payload = path.endsWith("finalize") ? { csr: "AA" } : null;
      expectProblem(await post(a, base + path, payload), "malformed", 404, /not found/);
    }
  });

  it("another account's order, authorization and challenge → 404", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const order = await post(a, raw.directory.newOrder as string, {
      identifiers: [{ type: "dns", value: "foreign.example.test" }],
    });
    const authz = await post(a, order.body.authorizations[0], null);
    expectProblem(await post(b, order.headers.get("location") as string, null), "malformed", 404);
    expectProblem(await post(b, order.body.authorizations[0], null), "malformed", 404);
    expectProblem(await post(b, authz.body.challenges[0].url, {}), "malformed", 404);
    expectProblem(await post(b, order.body.finalize, { csr: "AA" }), "malformed", 404);
  });

  it("an expired order reads as invalid with an error, and cannot be finalized", async () => {
    const a = await newAccount();
    const order = await post(a, raw.directory.newOrder as string, {
      identifiers: [{ type: "dns", value: "expired.example.test" }],
    });
    const id = (order.headers.get("location") as string).split("/").pop() as string;
    await testDb().order.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const read = await post(a, order.headers.get("location") as string, null);
    expect(read.body.status).toBe("invalid");
    expect(read.body.error.detail).toMatch(/expired/);
    expectProblem(await post(a, order.body.finalize, { csr: "AA" }), "orderNotReady", 403, /"invalid"/);
  });
});

describe("authorizations and challenges", () => {
  it("deactivation (RFC 8555 §7.5.2) makes the authorization and its order invalid; twice → malformed", async () => {
    const a = await newAccount();
    const order = await post(a, raw.directory.newOrder as string, {
      identifiers: [{ type: "dns", value: "deact.example.test" }],
    });
    const res = await post(a, order.body.authorizations[0], { status: "deactivated" });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("deactivated");
    expect((await post(a, order.headers.get("location") as string, null)).body.status).toBe("invalid");
    expectProblem(
      await post(a, order.body.authorizations[0], { status: "deactivated" }),
      "malformed",
      400,
      /deactivated/,
    );
    expectProblem(
      await post(a, order.body.authorizations[0], { status: "valid" }),
      "malformed",
      400,
      /deactivated/,
    );
  });

  it("a challenge POSTed twice → malformed the second time; the failed validation says what was seen", async () => {
    const a = await newAccount();
    const order = await post(a, raw.directory.newOrder as string, {
      identifiers: [{ type: "dns", value: "nothing-served.example.test" }],
    });
    const authz = await post(a, order.body.authorizations[0], null);
    const challenge = authz.body.challenges.find((c: { type: string }) => c.type === "http-01");
    const first = await post(a, challenge.url, {});
    expect(first.status).toBe(200);
    expect(first.body.status).toBe("processing");
    expect(first.headers.get("link")).toContain(`<${order.body.authorizations[0]}>;rel="up"`);
    // The second POST finds the challenge processing or, if validation already failed, the
    // authorization invalid: refused either way.
    expectProblem(
      await post(a, challenge.url, {}),
      "malformed",
      400,
      /only a pending challenge|authorization is invalid/,
    );
    // Nothing answers for this token: the validation fails with what it saw.
    let final: AcmeResult | undefined;
    for (let i = 0; i < 50; i++) {
      final = await post(a, challenge.url, null);
      if (final.body.status !== "processing") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(final?.body.status).toBe("invalid");
    expect(final?.body.error.type).toMatch(/incorrectResponse|connection|unauthorized/);
    expect(final?.body.error.detail).toMatch(/404|nothing-served/);
    expect((await post(a, order.body.authorizations[0], null)).body.status).toBe("invalid");
    expect((await post(a, order.headers.get("location") as string, null)).body.status).toBe("invalid");
  });

  it("a validation job left by a crashed worker is picked up again", async () => {
    const a = await newAccount();
    const order = await a.client.createOrder({
      identifiers: [{ type: "dns", value: "durable.example.test" }],
    });
    const [authz] = await a.client.getAuthorizations(order);
    const challenge = authz?.challenges.find((c) => c.type === "http-01");
    if (!challenge) throw new Error("no http-01");
    http01.set(challenge.token, await a.client.getChallengeKeyAuthorization(challenge));
    // What a worker that died mid-validation leaves behind: processing challenge, running job, lapsed lease.
    const challengeId = challenge.url.split("/").pop() as string;
    await testDb().$transaction([
      testDb().challenge.update({ where: { id: challengeId }, data: { status: "processing" } }),
      testDb().validationJob.create({
        data: {
          challengeId,
          authorizationId: authz?.url.split("/").pop() as string,
          status: "running",
          attempts: 1,
          lockedBy: "dead-worker",
          lockedUntil: new Date(Date.now() - 1000),
        },
      }),
    ]);
    const valid = await a.client.waitForValidStatus(challenge);
    expect(valid.status).toBe("valid");
    const job = await testDb().validationJob.findUniqueOrThrow({ where: { challengeId } });
    expect(job.status).toBe("done");
    expect(job.attempts).toBe(2);
  });

  it("newAuthz exists only where pre-authorization is allowed", async () => {
    expect(raw.directory.newAuthz).toBeUndefined();
    const a = await newAccount();
    expectProblem(
      await post(a, directoryUrl(alias).replace(/directory$/, "newAuthz"), {
        identifier: { type: "dns", value: "pre.example.test" },
      }),
      "malformed",
      404,
    );
    const pre = await createTestAlias({ preAuthorizationAllowed: true });
    const preRaw = await new RawAcmeClient(directoryUrl(pre)).init();
    expect(preRaw.directory.newAuthz).toBe(directoryUrl(pre).replace(/directory$/, "newAuthz"));
    const b = await newAccount(directoryUrl(pre));
    const res = await preRaw.signedPost(
      b.key,
      preRaw.directory.newAuthz as string,
      { identifier: { type: "dns", value: "pre.example.test" } },
      { kid: b.url },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      identifier: { type: "dns", value: "pre.example.test" },
      status: "pending",
    });
    const wildcard = await preRaw.signedPost(
      b.key,
      preRaw.directory.newAuthz as string,
      { identifier: { type: "dns", value: "*.pre.example.test" } },
      { kid: b.url },
    );
    expectProblem(wildcard, "rejectedIdentifier", 400);
  });
});

describe("finalize", () => {
  let a: Account;
  let order: acme.Order;
  beforeAll(async () => {
    a = await newAccount();
    order = await readyOrder(a, ["fin.example.test", "fin2.example.test"]);
  });

  it("before the order is ready → orderNotReady", async () => {
    const pending = await post(a, raw.directory.newOrder as string, {
      identifiers: [{ type: "dns", value: "notready.example.test" }],
    });
    const [, csr] = await acme.crypto.createCsr({ altNames: ["notready.example.test"] });
    const res = await post(a, pending.body.finalize, { csr: acme.crypto.getPemBodyAsB64u(csr) });
    expectProblem(res, "orderNotReady", 403, /"pending"/);
  });

  it("refuses unacceptable CSRs and leaves the order ready (bad input)", async () => {
    const csrOf = async (opts: Parameters<typeof acme.crypto.createCsr>[0], key?: Buffer) =>
      acme.crypto.getPemBodyAsB64u((await acme.crypto.createCsr(opts, key))[1]);
    const accountKeyPem = await jose.exportPKCS8(a.key.privateKey);
    const good = await csrOf({ altNames: ["fin.example.test", "fin2.example.test"] });
    const badSig = `${good.slice(0, -6)}${good.slice(-6, -4) === "AA" ? "BB" : "AA"}${good.slice(-4)}`;
    const cases: [string, string, RegExp][] = [
      [
        "extra name",
        await csrOf({ altNames: ["fin.example.test", "fin2.example.test", "extra.example.test"] }),
        /extra\.example\.test/,
      ],
      ["missing name", await csrOf({ altNames: ["fin.example.test"] }), /fin2\.example\.test/],
      [
        "weak RSA key",
        await csrOf(
          { altNames: ["fin.example.test", "fin2.example.test"] },
          await acme.crypto.createPrivateRsaKey(1024),
        ),
        /1024|key/i,
      ],
      [
        "the account key",
        await csrOf({ altNames: ["fin.example.test", "fin2.example.test"] }, Buffer.from(accountKeyPem)),
        /account key/,
      ],
      ["bad signature", badSig, /signature|not valid/i],
      ["garbage base64", "!!!not-base64!!!", /base64|DER|not valid/i],
      ["base64 but not DER", Buffer.from("hello world").toString("base64url"), /DER|not valid|PKCS/i],
    ];
    for (const [name, csr, detail] of cases) {
      const res = await post(a, order.finalize, { csr });
      expect(res.body?.type, name).toBe(`${PROBLEM}badCSR`);
      expect(res.status, name).toBe(400);
      expect(res.body.detail, name).toMatch(detail);
    }
    expect((await post(a, order.url, null)).body.status).toBe("ready");
  });

  it("two concurrent finalizes of one order issue exactly one certificate", async () => {
    const [, csr] = await acme.crypto.createCsr({ altNames: ["fin.example.test", "fin2.example.test"] });
    const payload = { csr: acme.crypto.getPemBodyAsB64u(csr) };
    const results = await Promise.all([
      post(a, order.finalize, payload),
      post(a, order.finalize, payload),
      post(a, order.finalize, payload),
    ]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expectProblem(r, "orderNotReady", 403);
    const orderId = order.url.split("/").pop() as string;
    expect(await testDb().certificate.count({ where: { orderId } })).toBe(1);
    const done = await post(a, order.url, null);
    expect(done.body.status).toBe("valid");
    const cert = await post(a, done.body.certificate, null);
    expect(cert.headers.get("content-type")).toBe("application/pem-certificate-chain");
    expect(cert.text.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    // A finalized order cannot be finalized again.
    expectProblem(await post(a, order.finalize, payload), "orderNotReady", 403, /"valid"/);
  });
});

describe("revokeCert (bad input and who may revoke)", () => {
  let owner: Account;
  let certPem: string;
  const certB64 = () => acme.crypto.getPemBodyAsB64u(certPem.split(/(?=-----BEGIN)/)[0] as string);
  beforeAll(async () => {
    owner = await newAccount();
    const order = await readyOrder(owner, ["rev.example.test"]);
    const [, csr] = await acme.crypto.createCsr({ altNames: ["rev.example.test"] });
    const finalized = await owner.client.finalizeOrder(order, csr);
    certPem = await owner.client.getCertificate(await owner.client.waitForValidStatus(finalized));
  });

  it("an unknown certificate → 404; garbage → malformed", async () => {
    const other = fs.readFileSync(`${keyward().dataDir}/ca/issuing.pem`, "utf8");
    expectProblem(
      await post(owner, raw.directory.revokeCert as string, {
        certificate: acme.crypto.getPemBodyAsB64u(other),
      }),
      "malformed",
      404,
    );
    expectProblem(
      await post(owner, raw.directory.revokeCert as string, { certificate: "AAAA" }),
      "malformed",
      400,
      /DER certificate/,
    );
  });

  it("an unsupported reason → badRevocationReason", async () => {
    for (const reason of [2, 6, 7, 8, 9, 10]) {
      expectProblem(
        await post(owner, raw.directory.revokeCert as string, { certificate: certB64(), reason }),
        "badRevocationReason",
        400,
      );
    }
  });

  it("a foreign account without authorizations → unauthorized", async () => {
    const stranger = await newAccount();
    expectProblem(
      await post(stranger, raw.directory.revokeCert as string, { certificate: certB64() }),
      "unauthorized",
      403,
      /neither owns/,
    );
  });

  it("an account holding valid authorizations for every name may revoke; then alreadyRevoked", async () => {
    const holder = await newAccount();
    await readyOrder(holder, ["rev.example.test"]);
    const res = await post(holder, raw.directory.revokeCert as string, { certificate: certB64(), reason: 1 });
    expect(res.status).toBe(200);
    expectProblem(
      await post(owner, raw.directory.revokeCert as string, { certificate: certB64() }),
      "alreadyRevoked",
      400,
    );
  });

  it("signed by the certificate's own key (jwk)", async () => {
    const order = await readyOrder(owner, ["rev2.example.test"]);
    const [key, csr] = await acme.crypto.createCsr({ altNames: ["rev2.example.test"] });
    const finalized = await owner.client.finalizeOrder(order, csr);
    const pem = await owner.client.getCertificate(await owner.client.waitForValidStatus(finalized));
    const publicJwk = createPrivateKey(key).export({ format: "jwk" });
    const certKeyJose: TestKey = {
      alg: "RS256",
      privateKey: (await jose.importPKCS8(key.toString(), "RS256")) as CryptoKey,
      jwk: { kty: "RSA", n: publicJwk.n, e: publicJwk.e },
    };
    const wrongKey = await generateTestKey("RS256");
    const payload = { certificate: acme.crypto.getPemBodyAsB64u(pem.split(/(?=-----BEGIN)/)[0] as string) };
    expectProblem(
      await raw.signedPost(wrongKey, raw.directory.revokeCert as string, payload),
      "unauthorized",
      403,
      /certificate's key/,
    );
    expect((await raw.signedPost(certKeyJose, raw.directory.revokeCert as string, payload)).status).toBe(200);
  });
});
