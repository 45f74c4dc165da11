// Two Keyward instances on one database, as behind a load balancer (issue 13, scale-out): a
// second server process shares the suite's database and data directory (the master key), and
// each request of a flow goes to either instance. Nonces, validation jobs, order moves and the
// caches kept right by notifications (lib/db/changes.ts) must hold across them.
import * as acme from "acme-client";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AcmeResult, generateTestKey, RawAcmeClient, type TestKey } from "../support/acme-signer";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { consoleApi } from "../support/console-api";
import { createTestUserWithToken } from "../support/console-tokens";
import {
  createTestAlias,
  directoryUrl,
  enableAcme,
  keyward,
  testDb,
  updateTestAlias,
} from "../support/keyward";
import { type RunningServer, startServer } from "../support/server-process";

const PROBLEM = "urn:ietf:params:acme:error:";
/** How long a change made through one instance (or at psql) may take to reach the other. */
const PROPAGATION_MS = 3_000;
const POLL_MS = 50;

let dns: ChallTestSrv;
let http01: Http01Responder;
let second: RunningServer;
let alias: string;
let a: RawAcmeClient;
let b: RawAcmeClient;
/** The certificate the first test issues, and its account, for the tests after it. */
let issued: { account: Account; url: string } | undefined;

beforeAll(async () => {
  await enableAcme();
  dns = await startChallTestSrv();
  http01 = await startHttp01Responder(keyward().http01Port);
  alias = await createTestAlias({ dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort, retryAfterSeconds: 1 });
  second = await startServer({
    DATABASE_URL: keyward().databaseUrl,
    KEYWARD_DATA_DIR: keyward().dataDir,
    KEYWARD_VA_HTTP01_PORT: String(keyward().http01Port),
    KEYWARD_VA_TLSALPN01_PORT: String(keyward().tlsAlpn01Port),
  });
  a = await new RawAcmeClient(directoryUrl(alias)).init();
  b = await new RawAcmeClient(directoryUrl(alias, second.httpUrl)).init();
}, 180_000);

afterAll(async () => {
  const code = await second?.stop();
  expect(code, second?.output().slice(-3000)).toBe(0);
  await http01?.close();
  await dns?.stop();
});

/** The same URL at the other instance (its origin swapped). */
function at(client: RawAcmeClient, url: string): string {
  const target = new URL(client.directoryUrl);
  const u = new URL(url);
  u.protocol = target.protocol;
  u.host = target.host;
  return u.toString();
}

type Account = { key: TestKey; url: string };

/** A signed request to `url` at `client`'s instance, with the account URL in that instance's form. */
function post(client: RawAcmeClient, account: Account, url: string, payload: unknown, nonce?: string) {
  return client.signedPost(key(account), at(client, url), payload, {
    kid: at(client, account.url),
    ...(nonce ? { nonce } : {}),
  });
}
const key = (account: Account) => account.key;

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function expectProblem(res: AcmeResult, type: string, status: number) {
  expect(res.body, res.text).toMatchObject({ type: PROBLEM + type, status });
}

async function csrFor(name: string): Promise<string> {
  const [, csr] = await acme.crypto.createCsr({ altNames: [name] });
  const der = Buffer.from(
    csr
      .toString()
      .replace(/-----[^-]+-----/g, "")
      .replace(/\s+/g, ""),
    "base64",
  );
  return der.toString("base64url");
}

describe("two instances on one database", () => {
  it("a nonce from one is redeemed at the other, once; an order made at one is validated, finalized twice at once and downloaded through both, with one certificate", async () => {
    const accountKey = await generateTestKey("ES256");
    // newAccount at B with a nonce A issued.
    const nonce = await a.nonce();
    const created = await b.signedPost(
      accountKey,
      b.directory.newAccount as string,
      { termsOfServiceAgreed: true },
      { nonce },
    );
    expect(created.status, created.text).toBe(201);
    const account: Account = { key: accountKey, url: created.headers.get("location") as string };
    // The same nonce again, at A: redeemed already (RFC 8555 §6.5).
    const replay = await a.signedPost(
      accountKey,
      a.directory.newAccount as string,
      { onlyReturnExisting: true },
      { nonce },
    );
    expect(replay.status).toBe(400);
    expectProblem(replay, "badNonce", 400);

    const name = "scale-out.example.test";
    const order = await post(a, account, a.directory.newOrder as string, {
      identifiers: [{ type: "dns", value: name }],
    });
    expect(order.status, order.text).toBe(201);
    const orderUrl = order.headers.get("location") as string;
    const authzUrl = order.body.authorizations[0] as string;
    const authz = await post(b, account, authzUrl, null);
    const challenge = authz.body.challenges.find((c: { type: string }) => c.type === "http-01");
    const thumbprint = await jose.calculateJwkThumbprint(accountKey.jwk);
    http01.set(challenge.token, `${challenge.token}.${thumbprint}`);
    // Answered at B, so validated by B's worker; read at A.
    const answered = await post(b, account, challenge.url, {});
    expect(answered.body.status, answered.text).toBe("processing");
    const validated = await until(
      "authorization at A",
      () => post(a, account, authzUrl, null),
      (res) => res.body.status !== "pending",
    );
    expect(validated.body.status, validated.text).toBe("valid");
    await until(
      "order at B",
      () => post(b, account, orderUrl, null),
      (res) => res.body.status === "ready",
    );

    // Finalized at both instances at once: exactly one certificate.
    const csr = await csrFor(name);
    const finalizeUrl = order.body.finalize as string;
    const [atA, atB] = await Promise.all([
      post(a, account, finalizeUrl, { csr }),
      post(b, account, finalizeUrl, { csr }),
    ]);
    const winners = [atA, atB].filter((res) => res.status === 200);
    expect(winners.length, `${atA.text}\n${atB.text}`).toBeGreaterThanOrEqual(1);
    for (const res of [atA, atB]) if (res.status !== 200) expectProblem(res, "orderNotReady", 403);
    const orderId = new URL(orderUrl).pathname.split("/").pop() as string;
    expect(await testDb().certificate.count({ where: { orderId } })).toBe(1);

    const readA = await until(
      "order valid at A",
      () => post(a, account, orderUrl, null),
      (res) => res.body.status === "valid",
    );
    const readB = await post(b, account, orderUrl, null);
    expect(readB.body.status).toBe("valid");
    expect(new URL(readB.body.certificate).pathname).toBe(new URL(readA.body.certificate).pathname);
    const certificate = await post(b, account, readA.body.certificate, null);
    expect(certificate.status).toBe(200);
    expect(certificate.text).toContain("-----BEGIN CERTIFICATE-----");
    issued = { account, url: readA.body.certificate };
  }, 120_000);

  it("a cross-certificate added through one instance's console is linked as an alternate chain by the other", async () => {
    if (!issued) throw new Error("the first test issued no certificate");
    const { account, url } = issued;
    // Each instance keeps the CA's chains in memory (lib/ca/chains.ts) until a CA changes.
    const alternates = async () =>
      ((await post(b, account, url, null)).headers.get("link") ?? "")
        .split(",")
        .filter((l) => /rel="alternate"/.test(l)).length;
    const before = await alternates();
    const admin = (await createTestUserWithToken(testDb(), "administrator")).token;
    const cas = (path: string, body?: unknown) =>
      consoleApi(body === undefined ? "GET" : "POST", `/api/console/certificate-authorities${path}`, {
        token: admin,
        body,
      });
    const root = await cas("", {
      kind: "root",
      subjectDn: `CN=Scale-out Root ${Math.random().toString(36).slice(2, 8)}`,
      keyAlgorithm: "ECDSA-P256",
      validityDays: 365,
    });
    expect(root.status, JSON.stringify(root.body)).toBe(201);
    const issuing = (await cas("")).body.items.find((c: { isDefault: boolean }) => c.isDefault);
    const cross = await cas(`/${issuing.id}/cross-certificates`, { issuerId: root.body.id });
    expect(cross.status, JSON.stringify(cross.body)).toBe(201);
    const started = Date.now();
    const after = await until(
      "alternates at B",
      alternates,
      (n) => n > before || Date.now() - started > PROPAGATION_MS,
    );
    expect(after).toBe(before + 1);
  }, 60_000);

  it("an account deactivated through one instance is refused by the other", async () => {
    const accountKey = await generateTestKey("ES256");
    const created = await a.signedPost(accountKey, a.directory.newAccount as string, {
      termsOfServiceAgreed: true,
    });
    const account: Account = { key: accountKey, url: created.headers.get("location") as string };
    // B has read (and may cache) the account before the change.
    expect((await post(b, account, account.url, null)).status).toBe(200);
    const deactivated = await post(a, account, account.url, { status: "deactivated" });
    expect(deactivated.body.status, deactivated.text).toBe("deactivated");
    const started = Date.now();
    const refused = await until(
      "the deactivated account at B",
      () => post(b, account, account.url, null),
      (res) => res.status !== 200 || Date.now() - started > PROPAGATION_MS,
    );
    expectProblem(refused, "unauthorized", 401);
  }, 60_000);

  it("an alias changed in the database (console, CLI or psql) is served changed by both instances", async () => {
    const other = await createTestAlias({ websiteUrl: "https://before.example.test/" });
    const directories = [directoryUrl(other), directoryUrl(other, second.httpUrl)];
    const website = async (url: string) =>
      ((await (await fetch(url)).json()) as { meta: { website?: string } }).meta.website;
    for (const url of directories) expect(await website(url)).toBe("https://before.example.test/");
    await updateTestAlias(other, { websiteUrl: "https://after.example.test/" });
    const started = Date.now();
    for (const url of directories) {
      const seen = await until(
        `the directory at ${url}`,
        () => website(url),
        (value) => value === "https://after.example.test/" || Date.now() - started > PROPAGATION_MS,
      );
      expect(seen).toBe("https://after.example.test/");
    }
  }, 60_000);
});
