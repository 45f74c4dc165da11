// Rate limits over real HTTP (RFC 8555 §6.6): each limit, set low on an alias of its own, lets
// exactly its value through and then answers 429 rateLimited with Retry-After and the limit named;
// an override lifts a limit for one account only; the counts hold under concurrent requests
// within the slack lib/ra/rate-limits.ts states; the console API shows usage and audits changes.
// (IPv6 /48 grouping is a unit test: this server listens on IPv4 loopback.)
import * as acme from "acme-client";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AcmeResult, generateTestKey, RawAcmeClient, type TestKey } from "../support/acme-signer";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createTestUserWithToken } from "../support/console-tokens";
import { createTestAlias, directoryUrl, enableAcme, keyward, testDb } from "../support/keyward";

const PROBLEM = "urn:ietf:params:acme:error:";
const HOUR_S = 3600;
let dns: ChallTestSrv;
let http01: Http01Responder;
let adminToken: string;
let auditorToken: string;

beforeAll(async () => {
  await enableAcme();
  dns = await startChallTestSrv();
  http01 = await startHttp01Responder(keyward().http01Port);
  adminToken = (await createTestUserWithToken(testDb(), "administrator")).token;
  auditorToken = (await createTestUserWithToken(testDb(), "auditor")).token;
});
afterAll(async () => {
  await http01?.close();
  await dns?.stop();
});

/** An alias of its own with the given limits; challenges resolve through pebble-challtestsrv. */
async function aliasWith(settings: Record<string, unknown>) {
  const name = await createTestAlias({ dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort, ...settings });
  return { name, raw: await new RawAcmeClient(directoryUrl(name)).init() };
}

/** 429 rateLimited with a Retry-After of about `retryAfter` seconds and the limit named. */
function expectRateLimited(res: AcmeResult, limit: string, retryAfter: [number, number], detail?: RegExp) {
  expect(res.status, res.text).toBe(429);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ type: `${PROBLEM}rateLimited`, status: 429 });
  expect(res.body.detail).toContain(`Rate limit ${limit} (`);
  if (detail) expect(res.body.detail).toMatch(detail);
  const seconds = Number(res.headers.get("retry-after"));
  expect(seconds).toBeGreaterThanOrEqual(retryAfter[0]);
  expect(seconds).toBeLessThanOrEqual(retryAfter[1]);
  // The detail says when, in the same terms as the header.
  const at = /retry after (\S+)$/.exec(res.body.detail)?.[1];
  expect(Math.abs(new Date(at as string).getTime() - Date.now() - seconds * 1000)).toBeLessThan(5_000);
}

type Account = { key: TestKey; url: string; client: acme.Client };

async function newAccount(alias: string): Promise<Account> {
  const key = await generateTestKey("ES256");
  const client = new acme.Client({
    directoryUrl: directoryUrl(alias),
    accountKey: await jose.exportPKCS8(key.privateKey),
    backoffMin: 100,
    backoffMax: 400,
    backoffAttempts: 30,
  });
  await client.createAccount({ termsOfServiceAgreed: true });
  return { key, url: client.getAccountUrl(), client };
}

const accountId = (a: Account) => a.url.split("/").at(-1) as string;

function newOrder(raw: RawAcmeClient, a: Account, names: string[]) {
  return raw.signedPost(
    a.key,
    raw.directory.newOrder as string,
    { identifiers: names.map((value) => ({ type: "dns", value })) },
    { kid: a.url },
  );
}

function registerWith(raw: RawAcmeClient, key: TestKey, payload: Record<string, unknown> = {}) {
  return raw.signedPost(key, raw.directory.newAccount as string, { termsOfServiceAgreed: true, ...payload });
}

async function consoleApi(method: string, pathname: string, body?: unknown, token = adminToken) {
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

/** Validates every authorization of a new order by http-01 and returns the ready order. */
async function readyOrder(a: Account, names: string[]) {
  const order = await a.client.createOrder({ identifiers: names.map((value) => ({ type: "dns", value })) });
  for (const authz of await a.client.getAuthorizations(order)) {
    const challenge = authz.challenges.find((c) => c.type === "http-01");
    if (!challenge) throw new Error("no http-01 challenge");
    http01.set(challenge.token, await a.client.getChallengeKeyAuthorization(challenge));
    await a.client.completeChallenge(challenge);
    await a.client.waitForValidStatus(challenge);
  }
  return { ...(await a.client.waitForValidStatus(order)), url: order.url };
}

async function csrFor(names: string[]) {
  const [, csr] = await acme.crypto.createCsr({ altNames: names }, await acme.crypto.createPrivateEcdsaKey());
  return csr;
}

describe("newAccount: new accounts per IP address", () => {
  it("lets the limit through, then 429 naming the limit and the address; existing keys are still found", async () => {
    const { name, raw } = await aliasWith({ rateLimitNewAccountsPerIpAddress: 3 });
    const keys = await Promise.all([1, 2, 3, 4].map(() => generateTestKey("ES256")));
    for (const key of keys.slice(0, 3)) expect((await registerWith(raw, key as TestKey)).status).toBe(201);

    const refused = await registerWith(raw, keys[3] as TestKey);
    expectRateLimited(
      refused,
      "newAccountsPerIpAddress",
      [3 * HOUR_S - 60, 3 * HOUR_S],
      /3 new accounts per 3 hours\) reached: too many new accounts from 127\.0\.0\.1;/,
    );
    expect(await testDb().account.count({ where: { alias: { name } } })).toBe(3);

    // RFC 8555 §7.3.1: a key that has an account is never limited, nor is onlyReturnExisting.
    expect((await registerWith(raw, keys[0] as TestKey)).status).toBe(200);
    const lookup = await registerWith(raw, keys[3] as TestKey, { onlyReturnExisting: true });
    expect(lookup.body.type).toBe(`${PROBLEM}accountDoesNotExist`);

    // Another alias counts its own accounts (default limits: thousands).
    const other = await aliasWith({});
    expect((await registerWith(other.raw, keys[3] as TestKey)).status).toBe(201);
  });

  it("0 means no limit", async () => {
    const { raw } = await aliasWith({
      rateLimitNewAccountsPerIpAddress: 0,
      rateLimitNewAccountsPerIpv6Range: 1,
    });
    for (let i = 0; i < 4; i++)
      expect((await registerWith(raw, await generateTestKey("ES256"))).status).toBe(201);
  });

  it("concurrent registrations: a burst overshoots by at most its own size - 1, and nothing after it passes", async () => {
    // Check and insert are separate statements (READ COMMITTED): requests of one burst whose
    // checks all run before any of them commits all pass, so a burst of WAVE simultaneous
    // requests may overshoot the limit by up to WAVE - 1. Every later request sees the burst's
    // committed rows and is refused: the second and third bursts must be refused whole.
    const LIMIT = 3;
    const WAVE = 8;
    const { name, raw } = await aliasWith({ rateLimitNewAccountsPerIpAddress: LIMIT });
    const statuses: number[][] = [];
    for (let wave = 0; wave < 3; wave++) {
      const keys = await Promise.all(Array.from({ length: WAVE }, () => generateTestKey("ES256")));
      const results = await Promise.all(keys.map((key) => registerWith(raw, key)));
      for (const r of results) if (r.status !== 201) expect(r.body.type).toBe(`${PROBLEM}rateLimited`);
      statuses.push(results.map((r) => r.status));
    }
    const created = await testDb().account.count({ where: { alias: { name } } });
    // No request below the limit is refused, whatever the interleaving.
    expect(created).toBeGreaterThanOrEqual(LIMIT);
    expect(statuses[0]?.filter((s) => s === 201)).toHaveLength(created);
    expect(statuses[1]?.every((s) => s === 429)).toBe(true);
    expect(statuses[2]?.every((s) => s === 429)).toBe(true);
    console.info(`[rate-limits] a burst of ${WAVE} registrations at a limit of ${LIMIT}: ${created} created`);
  });
});

describe("newOrder: new orders per account, and an override for one account", () => {
  it("refuses the limit-th + 1 order; an override lifts it for one account only; clearing restores it", async () => {
    const { name, raw } = await aliasWith({ rateLimitNewOrdersPerAccount: 2 });
    const lifted = await newAccount(name);
    const other = await newAccount(name);
    for (const a of [lifted, other]) {
      expect((await newOrder(raw, a, ["one.example.test"])).status).toBe(201);
      expect((await newOrder(raw, a, ["two.example.test"])).status).toBe(201);
      expectRateLimited(
        await newOrder(raw, a, ["three.example.test"]),
        "newOrdersPerAccount",
        [3 * HOUR_S - 60, 3 * HOUR_S],
        /\(2 new orders per 3 hours\) reached: too many new orders from this account;/,
      );
    }

    const base = `/api/console/aliases/${name}/rate-limits/overrides`;
    const set = await consoleApi("POST", base, {
      accountId: accountId(lifted),
      limit: "newOrdersPerAccount",
      value: 4,
      note: "fleet controller",
    });
    expect(set.status).toBe(200);
    expect(set.body.overrides).toEqual([
      expect.objectContaining({
        accountId: accountId(lifted),
        limit: "newOrdersPerAccount",
        value: 4,
        note: "fleet controller",
      }),
    ]);
    expect((await newOrder(raw, lifted, ["three.example.test"])).status).toBe(201);
    expect((await newOrder(raw, lifted, ["four.example.test"])).status).toBe(201);
    expectRateLimited(
      await newOrder(raw, lifted, ["five.example.test"]),
      "newOrdersPerAccount",
      [3 * HOUR_S - 60, 3 * HOUR_S],
      /\(4 new orders per 3 hours, set for this account\)/,
    );
    // The other account still has the alias's limit.
    expect((await newOrder(raw, other, ["three.example.test"])).status).toBe(429);

    const audit = await testDb().auditEvent.findFirstOrThrow({
      where: { action: "rateLimitOverride.set", targetId: accountId(lifted) },
    });
    expect(audit.details).toMatchObject({
      alias: name,
      limit: "newOrdersPerAccount",
      before: null,
      after: { value: 4, note: "fleet controller" },
    });

    const cleared = await consoleApi("DELETE", `${base}/${accountId(lifted)}/newOrdersPerAccount`);
    expect(cleared.status).toBe(200);
    expect(cleared.body.overrides).toEqual([]);
    expect((await newOrder(raw, lifted, ["five.example.test"])).status).toBe(429);
    expect(
      await testDb().auditEvent.count({
        where: { action: "rateLimitOverride.cleared", targetId: accountId(lifted) },
      }),
    ).toBe(1);
  });

  it("fail/overrides: bad input is 422 naming the field, auditors may read but not change, unknown is 404", async () => {
    const { name } = await aliasWith({});
    const a = await newAccount(name);
    const stranger = await newAccount((await aliasWith({})).name);
    const base = `/api/console/aliases/${name}/rate-limits/overrides`;
    const good = { accountId: accountId(a), limit: "newOrdersPerAccount", value: 5 };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, limit: "newAccountsPerIpAddress" }, "limit"],
      [{ ...good, value: -1 }, "value"],
      [{ ...good, value: "lots" }, "value"],
      [{ ...good, accountId: "not an id!" }, "accountId"],
      [{ ...good, accountId: accountId(stranger) }, "accountId"],
      [{ ...good, note: "x".repeat(501) }, "note"],
    ];
    for (const [body, field] of cases) {
      const res = await consoleApi("POST", base, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toContain(field);
    }
    expect((await consoleApi("POST", base, good, auditorToken)).status).toBe(403);
    expect(
      (await consoleApi("GET", `/api/console/aliases/${name}/rate-limits`, undefined, auditorToken)).status,
    ).toBe(200);
    expect((await consoleApi("DELETE", `${base}/${accountId(a)}/newOrdersPerAccount`)).status).toBe(404);
    expect((await consoleApi("GET", "/api/console/aliases/no-such-alias/rate-limits")).status).toBe(404);
    expect(await testDb().rateLimitOverride.count({ where: { accountId: accountId(a) } })).toBe(0);
  });
});

describe("pending authorizations per account", () => {
  it("newOrder and newAuthz are refused while the account has the limit pending; Retry-After until one expires", async () => {
    const { name, raw } = await aliasWith({
      rateLimitPendingAuthorizationsPerAccount: 2,
      preAuthorizationAllowed: true,
      orderValidity: "1h",
    });
    const a = await newAccount(name);
    expect((await newOrder(raw, a, ["p1.example.test", "p2.example.test"])).status).toBe(201);
    expectRateLimited(
      await newOrder(raw, a, ["p3.example.test"]),
      "pendingAuthorizationsPerAccount",
      [HOUR_S - 60, HOUR_S],
      /\(2 pending authorizations at once\)/,
    );
    const preAuthorization = await raw.signedPost(
      a.key,
      raw.directory.newAuthz as string,
      { identifier: { type: "dns", value: "p3.example.test" } },
      { kid: a.url },
    );
    expectRateLimited(preAuthorization, "pendingAuthorizationsPerAccount", [HOUR_S - 60, HOUR_S]);
    // Another account of the alias is not affected.
    expect((await newOrder(raw, await newAccount(name), ["p3.example.test"])).status).toBe(201);
  });
});

describe("failed validations per account and name", () => {
  it("after the limit of failures of a name, orders for that name are refused; other names are not", async () => {
    const { name, raw } = await aliasWith({ rateLimitFailedValidationsPerAccountAndName: 1 });
    const a = await newAccount(name);
    const order = await a.client.createOrder({
      identifiers: [{ type: "dns", value: "broken.example.test" }],
    });
    const [authz] = await a.client.getAuthorizations(order);
    const challenge = authz?.challenges.find((c) => c.type === "http-01");
    if (!authz || !challenge) throw new Error("no http-01 challenge");
    // Nothing answers the token: the validation fails (404), and the authorization is invalid.
    await a.client.completeChallenge(challenge);
    await expect(a.client.waitForValidStatus(challenge)).rejects.toThrow();

    expectRateLimited(
      await newOrder(raw, a, ["broken.example.test", "fine.example.test"]),
      "failedValidationsPerAccountAndName",
      [HOUR_S - 60, HOUR_S],
      /too many failed validations of "broken\.example\.test" for this account/,
    );
    expect((await newOrder(raw, a, ["fine.example.test"])).status).toBe(201);
    expect((await newOrder(raw, await newAccount(name), ["broken.example.test"])).status).toBe(201);
  });
});

describe("certificates per registered domain", () => {
  it("counts issued certificates at newOrder and at finalize; the console shows the usage", async () => {
    const { name, raw } = await aliasWith({ rateLimitCertificatesPerRegisteredDomain: 1 });
    const a = await newAccount(name);
    // Two orders made ready before either is issued: the second is refused at finalize.
    const first = await readyOrder(a, ["www.limited.test"]);
    const second = await readyOrder(a, ["api.limited.test"]);
    expect((await a.client.finalizeOrder(first, await csrFor(["www.limited.test"]))).status).toBe("valid");
    const refused = await raw.signedPost(
      a.key,
      second.finalize,
      { csr: acme.crypto.getPemBodyAsB64u(await csrFor(["api.limited.test"])) },
      { kid: a.url },
    );
    expectRateLimited(
      refused,
      "certificatesPerRegisteredDomain",
      [7 * 24 * HOUR_S - 120, 7 * 24 * HOUR_S],
      /\(1 certificates per 7 days\) reached: too many certificates already issued for the registered domain "limited\.test"/,
    );
    // The refused order stays ready: once the limit allows, the client can finalize it.
    expect((await raw.signedPost(a.key, second.url, null, { kid: a.url })).body.status).toBe("ready");

    // newOrder is refused too, before the client spends validations; another domain is not.
    expectRateLimited(await newOrder(raw, a, ["mail.limited.test"]), "certificatesPerRegisteredDomain", [
      7 * 24 * HOUR_S - 120,
      7 * 24 * HOUR_S,
    ]);
    expect((await newOrder(raw, a, ["www.unlimited.test"])).status).toBe(201);

    const usage = await consoleApi(
      "GET",
      `/api/console/aliases/${name}/rate-limits`,
      undefined,
      auditorToken,
    );
    const limit = (n: string) => usage.body.limits.find((l: { name: string }) => l.name === n);
    expect(limit("certificatesPerRegisteredDomain")).toMatchObject({
      value: 1,
      window: "7 days",
      top: [expect.objectContaining({ key: "limited.test", count: 1, limit: 1 })],
    });
    expect(limit("newAccountsPerIpAddress").top).toEqual([
      expect.objectContaining({ key: "127.0.0.1", count: 1, limit: 10_000, overridden: false }),
    ]);
    expect(limit("newOrdersPerAccount").top).toEqual([
      expect.objectContaining({ key: accountId(a), count: 3, accountContact: null }),
    ]);
  });
});
