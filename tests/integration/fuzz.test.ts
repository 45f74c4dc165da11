// A fuzz suite against the running server (issue 14): seeded, generated and table-driven cases
// over the transport, JWS structure, the protected header, every resource's payload,
// identifiers, CSRs, URLs, and races on nonces, finalize, challenges, accounts and key changes.
// Every case is judged by one oracle (tests/support/fuzz.ts judge): a 4xx problem document, or
// an acceptance of the shape the case expects; never a 5xx, a reset or no answer within 10 s.
//
// The seed is fixed unless KEYWARD_FUZZ_SEED says otherwise, and every failure names its seed,
// its case (family#index) and the answer, so `KEYWARD_FUZZ_SEED=<seed> npx vitest run --project
// integration tests/integration/fuzz.test.ts` reproduces it.
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTestKey, type TestKey } from "../support/acme-signer";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import {
  type Answer,
  acceptIf,
  b64,
  deeplyNested,
  describeAnswer,
  type Expectation,
  fuzzSeed,
  HOSTILE_STRINGS,
  hostileValue,
  inPool,
  judge,
  Rng,
  requestCount,
  send,
  sendRaw,
  signBytes,
  type WireRequest,
} from "../support/fuzz";
import {
  ACCEPT,
  acceptOrderFor,
  buildCsr,
  type CsrKeys,
  csrKeys,
  freshDnsIdentifier,
  fuzzCsr,
  fuzzIdentifier,
  HEADER_MUTATIONS,
  type HeaderContext,
  identifierProblem,
  JWS_BODY_MUTATIONS,
} from "../support/fuzz-acme";
import { createTestAlias, directoryUrl, enableAcme, keyward, testDb } from "../support/keyward";

const SEED = fuzzSeed(process.env.KEYWARD_FUZZ_SEED);
const ROOT = new Rng(SEED);
// Requests run this many at a time: enough to interleave, not enough to starve 2 cores.
const CONCURRENCY = 6;

type Account = { key: TestKey; url: string };
type Case = { name: string; expect: Expectation; run: () => Promise<Answer> };

let base: string;
let alias: string;
let dir: Record<string, string>;
let http01: Http01Responder;
let keys: CsrKeys;
// Accounts with one key type each; `es` also owns the orders and certificates below.
let es: Account;
let rs: Account;
let ed: Account;
let foreign: Account;
let pendingOrder: { url: string; authorizations: string[]; challenges: string[] };
let certificate: { url: string; der: Buffer };

// --- requests ------------------------------------------------------------------------------------

// Every answer carries a fresh nonce (RFC 8555 §6.5): kept here for the next signed request.
const nonces: string[] = [];

function harvest(answer: Answer): Answer {
  if (answer.kind === "response") {
    const nonce = answer.headers["replay-nonce"];
    if (typeof nonce === "string" && /^[A-Za-z0-9_-]{43}$/.test(nonce)) nonces.push(nonce);
  }
  return answer;
}

async function takeNonce(): Promise<string> {
  const pooled = nonces.pop();
  if (pooled) return pooled;
  const answer = await send(base, { method: "HEAD", path: new URL(dir.newNonce as string).pathname });
  const nonce = answer.kind === "response" ? answer.headers["replay-nonce"] : undefined;
  if (typeof nonce !== "string") throw new Error(`newNonce gave no nonce: ${describeAnswer(answer)}`);
  return nonce;
}

type Signed = {
  key: TestKey;
  url: string;
  /** The payload bytes as sent ("" is POST-as-GET); objects are JSON-encoded. */
  payload: unknown;
  kid?: string;
  nonce?: string;
  /** The protected header as text, from the header that would be sent. */
  header?: (header: Record<string, unknown>, nonce: string) => string;
  /** The body as sent, from the signed JWS. */
  body?: (jws: ReturnType<typeof signBytes>) => string | Buffer;
  headers?: Record<string, string | string[]>;
  /** The request target exactly as sent, when it is not the url's own path (unnormalised). */
  path?: string;
  method?: string;
};

async function signed(o: Signed): Promise<Answer> {
  const nonce = o.nonce ?? (await takeNonce());
  const header = { alg: o.key.alg, nonce, url: o.url, ...(o.kid ? { kid: o.kid } : { jwk: o.key.jwk }) };
  const payload =
    typeof o.payload === "string" || Buffer.isBuffer(o.payload) ? o.payload : JSON.stringify(o.payload);
  const jws = signBytes(o.key, o.header ? o.header(header, nonce) : JSON.stringify(header), payload);
  const url = new URL(o.url);
  const request: WireRequest = {
    method: o.method ?? "POST",
    path: o.path ?? url.pathname + url.search,
    headers: o.headers ?? { "content-type": "application/jose+json" },
    body: o.body ? o.body(jws) : JSON.stringify(jws),
  };
  return harvest(
    isRawPath(request.path)
      ? await sendRaw(base, [{ data: rawRequest(request) }])
      : await send(base, request),
  );
}

/** RFC 7638: the same key, whatever other members the JWK carries (but no private ones). */
async function isSamePublicKey(candidate: unknown, jwk: jose.JWK): Promise<boolean> {
  if (typeof candidate !== "object" || candidate === null || "d" in candidate) return false;
  try {
    return (
      (await jose.calculateJwkThumbprint(candidate as jose.JWK)) === (await jose.calculateJwkThumbprint(jwk))
    );
  } catch {
    return false;
  }
}

/** A path node:http will not send as is (it refuses or re-encodes what is not printable ASCII). */
const isRawPath = (path: string) => /[^\x21-\x7e]/.test(path);

/** A signed request whose answer the fixtures need: JSON body and Location, or an error. */
async function must(o: Signed, statuses = [200, 201]) {
  const answer = await signed(o);
  if (answer.kind !== "response" || !statuses.includes(answer.status)) {
    throw new Error(`fixture request to ${o.url} failed: ${describeAnswer(answer)}`);
  }
  const text = answer.body.toString();
  return {
    // biome-ignore lint/suspicious/noExplicitAny: fixtures read ACME objects field by field
    json: (text.startsWith("{") ? JSON.parse(text) : null) as any,
    text,
    location: answer.headers.location as string,
  };
}

async function register(key: TestKey, directory = dir): Promise<Account> {
  const { location } = await must({
    key,
    url: directory.newAccount as string,
    payload: { termsOfServiceAgreed: true },
  });
  return { key, url: location };
}

async function newOrder(account: Account, identifiers: { type: string; value: string }[]) {
  const { json, location } = await must({
    key: account.key,
    url: dir.newOrder as string,
    kid: account.url,
    payload: { identifiers },
  });
  return { ...json, url: location } as {
    url: string;
    status: string;
    finalize: string;
    authorizations: string[];
    certificate?: string;
  };
}

/** RFC 8555 §7.3.5: `from` rolls over to the key `to`. */
function rollover(from: Account, to: TestKey): Promise<Answer> {
  const inner = signBytes(
    to,
    JSON.stringify({ alg: to.alg, jwk: to.jwk, url: dir.keyChange }),
    JSON.stringify({ account: from.url, oldKey: from.key.jwk }),
  );
  return signed({
    key: from.key,
    url: dir.keyChange as string,
    kid: from.url,
    payload: JSON.stringify(inner),
  });
}

/** An order of `es` for 127.0.0.1, ready at once (its validated authorization is reused). */
async function readyOrder() {
  const order = await newOrder(es, [{ type: "ip", value: "127.0.0.1" }]);
  if (order.status !== "ready") throw new Error(`order for 127.0.0.1 is ${order.status}, not ready`);
  return order;
}

async function validCsr(names = ["127.0.0.1"]): Promise<string> {
  return buildCsr({ keys: keys.ec, san: names.map((value) => ({ type: "ip", value })) });
}

async function issueCertificate(): Promise<{ url: string; der: Buffer }> {
  const order = await readyOrder();
  const { json } = await must({
    key: es.key,
    url: order.finalize,
    kid: es.url,
    payload: { csr: await validCsr() },
  });
  const chain = await must({ key: es.key, url: json.certificate, kid: es.url, payload: "" });
  const pem = chain.text.split("-----END CERTIFICATE-----")[0] as string;
  const der = Buffer.from(pem.replace(/-----BEGIN CERTIFICATE-----|\s/g, ""), "base64");
  return { url: json.certificate, der };
}

async function waitFor<T>(what: string, poll: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await poll();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Validates 127.0.0.1 for `account` over http-01, so that its later orders for it are ready. */
async function validateLoopback(account: Account) {
  const order = await newOrder(account, [{ type: "ip", value: "127.0.0.1" }]);
  if (order.status === "ready") return;
  const authzUrl = order.authorizations[0] as string;
  const authz = (await must({ key: account.key, url: authzUrl, kid: account.url, payload: "" })).json;
  const challenge = authz.challenges.find((c: { type: string }) => c.type === "http-01");
  const thumbprint = await jose.calculateJwkThumbprint(account.key.jwk, "sha256");
  http01.set(challenge.token, `${challenge.token}.${thumbprint}`);
  await must({ key: account.key, url: challenge.url, kid: account.url, payload: {} });
  await waitFor("127.0.0.1 to validate", async () => {
    const now = (await must({ key: account.key, url: authzUrl, kid: account.url, payload: "" })).json;
    if (now.status === "invalid") throw new Error(`validation failed: ${JSON.stringify(now)}`);
    return now.status === "valid" ? true : undefined;
  });
}

// --- running cases -------------------------------------------------------------------------------

/** Runs the cases and asserts the oracle for each, naming the seed and the case. */
async function runCases(family: string, cases: Case[], concurrency = CONCURRENCY): Promise<void> {
  const failures: string[] = [];
  await inPool(cases, concurrency, async (c) => {
    let answer: Answer;
    try {
      answer = await c.run();
    } catch (err) {
      failures.push(`${family} ${c.name}: the case itself failed: ${(err as Error).stack}`);
      return;
    }
    const why = judge(answer, c.expect);
    if (why) failures.push(`${c.name}: ${why}\n      answer: ${describeAnswer(answer)}`);
  });
  for (const failure of failures) {
    expect.soft(failure, `KEYWARD_FUZZ_SEED=${SEED} ${family}`).toBe("");
  }
}

/** `count` cases of a family, each drawing from its own stream of the seed. */
function generate(family: string, count: number, make: (rng: Rng, name: string) => Case): Case[] {
  return Array.from({ length: count }, (_, i) => {
    const rng = ROOT.fork(`${family}#${i}`);
    return make(rng, `${family}#${i}`);
  });
}

/** A JSON payload for a resource: the base object with fields replaced, dropped or added, or no object at all. */
function fuzzPayload(
  rng: Rng,
  baseObject: Record<string, unknown>,
  fields: Record<string, (r: Rng) => unknown>,
): { text: string | Buffer; kind: "object" | "empty" | "other"; object?: Record<string, unknown> } {
  // The base object's members, to follow a first member of our own: `,"a":1` or nothing.
  const members = JSON.stringify(baseObject).slice(1, -1);
  const rest = members ? `,${members}` : "";
  switch (rng.int(0, 11)) {
    case 0:
      return {
        text: rng.pick(["[]", "null", "1", '"x"', "true", "{", "\ufeff{}", "{}}", deeplyNested(20_000)]),
        kind: "other",
      };
    case 1:
      return { text: "", kind: "empty" };
    case 2: {
      // A duplicate member: the last one counts (RFC 8259 §4 leaves it open; JSON.parse keeps the last).
      const text = `{"${rng.pick(Object.keys(fields))}":${JSON.stringify(hostileValue(rng))}${rest}}`;
      return { text, kind: "object", object: JSON.parse(text) };
    }
    case 3:
      return {
        text: `{"__proto__":${JSON.stringify(baseObject)},"constructor":{"prototype":{"status":"deactivated"}}}`,
        kind: "object",
        object: {},
      };
    case 4:
      return {
        text: Buffer.concat([Buffer.from('{"x":"'), rng.bytes(8), Buffer.from(`"${rest}}`)]),
        // Bytes that are not UTF-8 decode to U+FFFD: an object with an unknown member, when they
        // hold no quote, backslash or control character.
        kind: "object",
        object: baseObject,
      };
    default: {
      const object: Record<string, unknown> = { ...baseObject };
      for (const [field, gen] of Object.entries(fields)) {
        const roll = rng.int(0, 5);
        if (roll === 0) delete object[field];
        else if (roll <= 2) object[field] = gen(rng);
        else if (roll === 3) object[field] = hostileValue(rng);
      }
      if (rng.chance(0.2)) object[rng.pick(["foo", "type", "", "url", "orders"])] = hostileValue(rng);
      return { text: JSON.stringify(object), kind: "object", object };
    }
  }
}

const CONTACTS = [
  "mailto:fuzz@example.test",
  "mailto:",
  "mailto:a",
  "mailto:a@b",
  "mailto:a@example.test?subject=x",
  "mailto:a@example.test,b@example.test",
  "mailto:a%40b@example.test",
  "mailto:a%25b@example.test",
  "mailto:a%23b@example.test",
  "mailto:a#b@example.test",
  "mailto:a/b@example.test",
  "mailto:%61@example.test",
  "mailto:\ud800@example.test",
  "tel:+15555550100",
  "https://example.test/",
  "MAILTO:A@EXAMPLE.TEST",
  "mailto:a@[127.0.0.1]",
  "mailto:a@localhost",
  `mailto:${"a".repeat(500)}@example.test`,
  "mailto:a b@example.test",
  "mailto:a@example.test\u0000",
  "mailto:a@example.test\r\nBcc: x@example.test",
  "mailto:😀@example.test",
  "mailto:a@xn--a.test",
];
const fuzzContact = (r: Rng): unknown =>
  r.pick<unknown>([
    [],
    [r.pick(CONTACTS)],
    [r.pick(CONTACTS), r.pick(CONTACTS)],
    Array(11).fill("mailto:a@example.test"),
    r.pick(CONTACTS),
    [1],
    [null],
    [[]],
    [r.pick(HOSTILE_STRINGS)],
  ]);

const isoIn = (ms: number) => new Date(Date.now() + ms).toISOString();
const fuzzDate = (r: Rng): unknown =>
  r.pick<unknown>([
    isoIn(3_600_000),
    isoIn(-3_600_000),
    isoIn(10 * 86_400_000),
    isoIn(400 * 86_400_000),
    isoIn(-3 * 86_400_000),
    "tomorrow",
    "",
    "2024-13-45T99:99:99Z",
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "+275760-09-13T00:00:00.000Z",
    "2030-01-01T00:00:00+99:99",
    "2030-01-01T00:00:00.123456789123Z",
    "2030-01-01",
    "2030-01-01T00:00:00",
    0,
    1e20,
    null,
  ]);

/** The order reply also honours the notBefore/notAfter it was asked for (README: exactly or refused). */
function acceptOrderRequest(object: Record<string, unknown> | undefined) {
  return (a: Extract<Answer, { kind: "response" }>, json: unknown) => {
    const identifiers = object?.identifiers;
    const typed =
      Array.isArray(identifiers) &&
      identifiers.every((i) => typeof i?.type === "string" && typeof i?.value === "string");
    const shape = typed ? acceptOrderFor(identifiers)(a, json) : ACCEPT.order(a, json);
    if (shape) return shape;
    const order = json as Record<string, unknown>;
    for (const field of ["notBefore", "notAfter"] as const) {
      const asked = object?.[field];
      if (asked === undefined) continue;
      const got = order[field];
      if (typeof asked !== "string" || typeof got !== "string")
        return `${field} ${JSON.stringify(asked)} accepted as ${JSON.stringify(got)}`;
      if (Math.floor(Date.parse(asked) / 1000) !== Math.floor(Date.parse(got) / 1000))
        return `${field} ${asked} became ${got}`;
    }
    return null;
  };
}

// --- fixtures ------------------------------------------------------------------------------------

beforeAll(async () => {
  console.log(`fuzz: KEYWARD_FUZZ_SEED=${SEED} (set it to run another seed; a failure names its seed)`);
  base = keyward().httpUrl;
  await enableAcme();
  alias = await createTestAlias({
    preAuthorizationAllowed: true,
    wildcardCertificateIssuanceAllowed: true,
    retryAfterSeconds: 1,
  });
  const otherAlias = await createTestAlias();
  http01 = await startHttp01Responder(keyward().http01Port);
  dir = await (await fetch(directoryUrl(alias))).json();
  const otherDir = await (await fetch(directoryUrl(otherAlias))).json();
  keys = await csrKeys();
  es = await register(await generateTestKey("ES256"));
  rs = await register(await generateTestKey("RS256"));
  ed = await register(await generateTestKey("EdDSA"));
  foreign = await register(await generateTestKey("ES256"), otherDir);
  await validateLoopback(es);
  certificate = await issueCertificate();
  const order = await newOrder(es, [freshDnsIdentifier(ROOT.fork("pending-order"))]);
  const authz = (
    await must({ key: es.key, url: order.authorizations[0] as string, kid: es.url, payload: "" })
  ).json;
  pendingOrder = {
    url: order.url,
    authorizations: order.authorizations,
    challenges: authz.challenges.map((c: { url: string }) => c.url),
  };
}, 120_000);

afterAll(async () => {
  await http01?.close();
  console.log(`fuzz: ${requestCount.value} requests, KEYWARD_FUZZ_SEED=${SEED}`);
});

/** Somewhere else that exists, for url and kid mutations. */
function elsewhere(): HeaderContext["elsewhere"] {
  return { otherResource: dir.newOrder as string, otherAliasAccount: foreign.url, order: pendingOrder.url };
}

// --- families ------------------------------------------------------------------------------------

describe("fuzz: JWS structure and protected header", () => {
  it("mutations of a valid flattened JWS are refused with a problem document", async () => {
    const cases = generate("jws", 160, (rng, name) => {
      const mutation = rng.pick(JWS_BODY_MUTATIONS);
      const byKid = rng.chance(0.5);
      const account = rng.pick([es, rs, ed]);
      const request: Signed = byKid
        ? { key: account.key, url: account.url, kid: account.url, payload: "" }
        : { key: account.key, url: dir.newAccount as string, payload: { onlyReturnExisting: true } };
      const other = signBytes(account.key, JSON.stringify({ alg: account.key.alg, url: dir.newOrder }), "{}");
      // A mutation that happened to change nothing (the payload emptied of a POST-as-GET) sent a valid JWS.
      let unchanged = false;
      return {
        name: `${name} ${mutation.name} (${byKid ? "kid" : "jwk"}, ${account.key.alg})`,
        expect: { accept: acceptIf(() => mutation.harmless === true || unchanged, ACCEPT.account) },
        run: () =>
          signed({
            ...request,
            body: (jws) => {
              const body = mutation.apply(rng, jws, other);
              unchanged = body.toString() === JSON.stringify(jws);
              return body;
            },
          }),
      };
    });
    await runCases("jws", cases);
  });

  it("protected headers of every shape are refused with the problem type RFC 8555 names", async () => {
    const cases = generate("header", 260, (rng, name) => {
      const byKid = rng.chance(0.5);
      const mutation = rng.pick(
        HEADER_MUTATIONS.filter((m) => !m.only || m.only === (byKid ? "kid" : "jwk")),
      );
      const account = rng.pick([es, rs, ed]);
      const request: Signed = byKid
        ? { key: account.key, url: account.url, kid: account.url, payload: "" }
        : { key: account.key, url: dir.newAccount as string, payload: { onlyReturnExisting: true } };
      const ctx = (nonce: string): HeaderContext => ({
        key: account.key,
        otherKey: (account === es ? rs : es).key,
        url: request.url,
        nonce,
        kid: request.kid,
        elsewhere: elsewhere(),
      });
      let unchanged = false;
      return {
        name: `${name} ${mutation.name} (${byKid ? "kid" : "jwk"}, ${account.key.alg})`,
        expect: {
          accept: acceptIf(() => mutation.harmless === true || unchanged, ACCEPT.account),
          types: mutation.types,
        },
        run: () =>
          signed({
            ...request,
            header: (h, nonce) => {
              const text = mutation.apply(rng, h, ctx(nonce));
              unchanged = text === JSON.stringify(h);
              return text;
            },
          }),
      };
    });
    await runCases("header", cases);
  });
});

describe("fuzz: payloads of every resource", () => {
  it("newAccount", async () => {
    // An alias with terms of service too (RFC 8555 §7.3.3): a new account there must agree to them.
    const tosDir = await (
      await fetch(directoryUrl(await createTestAlias({ termsOfServiceUrl: "https://ca.example/tos" })))
    ).json();
    const cases = generate("newAccount", 70, (rng, name) => {
      const withTerms = rng.chance(0.3);
      const payload = fuzzPayload(
        rng,
        { termsOfServiceAgreed: true, contact: ["mailto:fuzz@example.test"] },
        {
          contact: fuzzContact,
          termsOfServiceAgreed: (r) => r.pick([true, false, "true", 1, null]),
          onlyReturnExisting: (r) => r.pick([true, false, "true", 0]),
          externalAccountBinding: (r) =>
            r.pick<unknown>([
              {},
              "x",
              { protected: "", payload: "", signature: "" },
              { protected: "e30", payload: "e30", signature: "AA" },
              [],
              null,
            ]),
        },
      );
      return {
        name: `${name}${withTerms ? " (terms of service)" : ""} ${String(payload.text).slice(0, 80)}`,
        expect: {
          accept:
            payload.kind === "object"
              ? (a, json) =>
                  ACCEPT.account(a, json) ??
                  (withTerms && a.status === 201 && payload.object?.termsOfServiceAgreed !== true
                    ? "an account was created without agreeing to the terms of service"
                    : null)
              : undefined,
        },
        run: async () =>
          signed({
            key: rng.chance(0.8) ? await generateTestKey("ES256") : rng.pick([es, rs, ed]).key,
            url: (withTerms ? tosDir : dir).newAccount as string,
            payload: payload.text,
          }),
      };
    });
    await runCases("newAccount", cases);
  });

  it("account update", async () => {
    const account = await register(await generateTestKey("ES256"));
    const cases = generate("account", 60, (rng, name) => {
      const payload = fuzzPayload(
        rng,
        { contact: ["mailto:update@example.test"] },
        {
          contact: fuzzContact,
          termsOfServiceAgreed: (r) => r.pick([true, false, "yes", null]),
          // Never "deactivated": the account must stay usable for the next case.
          status: (r) => r.pick(["valid", "revoked", "pending", "", "DEACTIVATED", "deactivated ", 0]),
        },
      );
      return {
        name: `${name} ${String(payload.text).slice(0, 80)}`,
        expect: {
          accept:
            payload.kind === "other"
              ? undefined
              : (a, json) =>
                  ACCEPT.account(a, json) ??
                  ((json as { status?: string }).status === "valid" ? null : "account changed status"),
        },
        run: () => signed({ key: account.key, url: account.url, kid: account.url, payload: payload.text }),
      };
    });
    await runCases("account", cases);
  });

  it("newOrder", async () => {
    const cases = generate("newOrder", 80, (rng, name) => {
      const fresh = freshDnsIdentifier(rng);
      const payload = fuzzPayload(
        rng,
        { identifiers: [fresh] },
        {
          identifiers: (r) =>
            r.pick<unknown>([
              [fresh],
              fresh,
              [],
              [[fresh]],
              Array.from({ length: 101 }, () => freshDnsIdentifier(r)),
              [{ ...fresh, extra: 1 }],
              [fresh, fresh],
              "x",
            ]),
          notBefore: fuzzDate,
          notAfter: fuzzDate,
        },
      );
      return {
        name: `${name} ${String(payload.text).slice(0, 120)}`,
        expect: { accept: payload.kind === "object" ? acceptOrderRequest(payload.object) : undefined },
        run: () => signed({ key: es.key, url: dir.newOrder as string, kid: es.url, payload: payload.text }),
      };
    });
    await runCases("newOrder", cases);
  });

  it("identifiers in newOrder", async () => {
    const cases = generate("identifiers", 200, (rng, name) => {
      const identifiers = Array.from({ length: rng.pick([1, 1, 1, 2, 3]) }, () =>
        rng.chance(0.15) ? freshDnsIdentifier(rng) : fuzzIdentifier(rng),
      );
      const typed = identifiers.every((i) => typeof i.type === "string" && typeof i.value === "string");
      return {
        name: `${name} ${JSON.stringify(identifiers).slice(0, 160)}`,
        expect: {
          accept: typed ? acceptOrderFor(identifiers as { type: string; value: string }[]) : undefined,
          types: ["malformed", "rejectedIdentifier", "unsupportedIdentifier"],
        },
        run: () =>
          signed({ key: es.key, url: dir.newOrder as string, kid: es.url, payload: { identifiers } }),
      };
    });
    await runCases("identifiers", cases);
  });

  it("newAuthz (pre-authorization)", async () => {
    const cases = generate("newAuthz", 60, (rng, name) => {
      const identifier = rng.chance(0.2) ? freshDnsIdentifier(rng) : fuzzIdentifier(rng);
      const payload = fuzzPayload(rng, { identifier }, { identifier: (r) => fuzzIdentifier(r) });
      return {
        name: `${name} ${String(payload.text).slice(0, 120)}`,
        expect: {
          accept:
            payload.kind === "object"
              ? (a, json) => {
                  const why = ACCEPT.authorization(a, json);
                  if (why) return why;
                  // RFC 8555 §7.4.1: no wildcard pre-authorization.
                  const got = json as { identifier: unknown; wildcard?: boolean };
                  return got.wildcard ? "a wildcard was pre-authorized" : identifierProblem(got.identifier);
                }
              : undefined,
        },
        run: () => signed({ key: es.key, url: dir.newAuthz as string, kid: es.url, payload: payload.text }),
      };
    });
    await runCases("newAuthz", cases);
  });

  it("finalize with hostile CSRs", async () => {
    const cases = generate("finalize", 70, (rng, name) => {
      const csrCase = fuzzCsr(rng, keys, ["127.0.0.1"]);
      const extra = rng.chance(0.1) ? { [rng.pick(["csr ", "CSR", "foo"])]: hostileValue(rng) } : {};
      let csr: unknown;
      const acceptable = () =>
        typeof csrCase.acceptable === "function" ? csrCase.acceptable(csr) : csrCase.acceptable === true;
      return {
        name: `${name} ${csrCase.name}`,
        expect: {
          accept: acceptIf(
            acceptable,
            (a, json) =>
              ACCEPT.order(a, json) ??
              (["valid", "processing"].includes((json as { status: string }).status)
                ? null
                : "not finalized"),
          ),
          types: ["badCSR", "malformed"],
        },
        run: async () => {
          const order = await readyOrder();
          csr = await csrCase.csr();
          return signed({ key: es.key, url: order.finalize, kid: es.url, payload: { csr, ...extra } });
        },
      };
    });
    await runCases("finalize", cases, 4);
  });

  it("finalize refusals the RFC names (table)", async () => {
    const accountPublic = await crypto.subtle.importKey(
      "jwk",
      es.key.jwk,
      { name: "ECDSA", namedCurve: "P-256" },
      true,
      ["verify"],
    );
    const accountCsr = await buildCsr({
      keys: { privateKey: es.key.privateKey, publicKey: accountPublic },
      san: [{ type: "ip", value: "127.0.0.1" }],
    });
    const finished = await readyOrder();
    await must({ key: es.key, url: finished.finalize, kid: es.url, payload: { csr: await validCsr() } });
    const table: Case[] = [
      {
        name: "a CSR for the account key (RFC 8555 §11.1)",
        expect: { types: ["badCSR"] },
        run: async () =>
          signed({
            key: es.key,
            url: (await readyOrder()).finalize,
            kid: es.url,
            payload: { csr: accountCsr },
          }),
      },
      {
        name: "a pending order",
        expect: { types: ["orderNotReady"], statuses: [403] },
        run: async () =>
          signed({
            key: es.key,
            url: `${pendingOrder.url}/finalize`,
            kid: es.url,
            payload: { csr: await validCsr() },
          }),
      },
      {
        name: "a valid order, again",
        expect: { types: ["orderNotReady"], statuses: [403] },
        run: async () =>
          signed({ key: es.key, url: finished.finalize, kid: es.url, payload: { csr: await validCsr() } }),
      },
      {
        name: "another account's ready order",
        expect: { statuses: [404] },
        run: async () =>
          signed({
            key: rs.key,
            url: (await readyOrder()).finalize,
            kid: rs.url,
            payload: { csr: await validCsr() },
          }),
      },
    ];
    await runCases("finalize-table", table);
  });

  it("challenge responses and authorization updates", async () => {
    const order = await newOrder(
      es,
      Array.from({ length: 3 }, (_, i) => freshDnsIdentifier(ROOT.fork(`chall-order-${i}`))),
    );
    const challengeUrls: string[] = [];
    for (const authzUrl of order.authorizations) {
      const authz = (await must({ key: es.key, url: authzUrl, kid: es.url, payload: "" })).json;
      challengeUrls.push(...authz.challenges.map((c: { url: string }) => c.url));
    }
    const challengeCases = generate("challenge", 40, (rng, name) => {
      const payload = fuzzPayload(
        rng,
        {},
        {
          keyAuthorization: (r) => r.pick(HOSTILE_STRINGS),
          type: (r) => r.pick(["http-01", "dns-01", "tls-alpn-01", "dns-account-01"]),
          status: (r) => r.pick(["valid", "processing", "invalid"]),
        },
      );
      return {
        name: `${name} ${String(payload.text).slice(0, 100)}`,
        expect: { accept: payload.kind === "other" ? undefined : ACCEPT.challenge },
        run: () => signed({ key: es.key, url: rng.pick(challengeUrls), kid: es.url, payload: payload.text }),
      };
    });
    const authzCases = generate("authz", 40, (rng, name) => {
      const payload = fuzzPayload(
        rng,
        { status: "deactivated" },
        {
          status: (r) =>
            r.pick(["deactivated", "valid", "invalid", "revoked", "pending", "", "Deactivated", null]),
        },
      );
      return {
        name: `${name} ${String(payload.text).slice(0, 100)}`,
        expect: { accept: payload.kind === "other" ? undefined : ACCEPT.authorization },
        run: () =>
          signed({ key: es.key, url: rng.pick(order.authorizations), kid: es.url, payload: payload.text }),
      };
    });
    await runCases("challenge", challengeCases);
    await runCases("authz", authzCases);
  });

  it("revokeCert", async () => {
    const target = await issueCertificate();
    const ca = Buffer.from(
      (await (await fetch(`${base}/ca/issuing.pem`)).text()).replace(/-----[A-Z ]+-----|\s/g, ""),
      "base64",
    );
    const cases = generate("revokeCert", 70, (rng, name) => {
      const flipped = Buffer.from(target.der);
      const at = rng.int(0, flipped.length - 1);
      flipped[at] = (flipped[at] as number) ^ (1 << rng.int(0, 7));
      const certificates: [string, unknown, boolean][] = [
        ["the certificate", b64(target.der), true],
        ["the certificate in standard base64", target.der.toString("base64"), true],
        ["the CA certificate", b64(ca), false],
        ["a truncated certificate", b64(target.der.subarray(0, rng.int(0, target.der.length - 1))), false],
        ["a certificate with a flipped bit", b64(flipped), false],
        ["the certificate with trailing bytes", b64(Buffer.concat([target.der, Buffer.from([0])])), false],
        ["random DER", b64(Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), rng.bytes(256)])), false],
        [
          "the certificate as PEM",
          `-----BEGIN CERTIFICATE-----\n${target.der.toString("base64")}\n-----END CERTIFICATE-----`,
          false,
        ],
        ["hostile text", rng.pick(HOSTILE_STRINGS), false],
        ["not a string", rng.pick<unknown>([null, 1, [], {}, true]), false],
      ];
      const [what, cert, owned] = rng.pick(certificates);
      const reason = rng.chance(0.5)
        ? undefined
        : rng.pick<unknown>([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1, 1.5, "1", null, 2 ** 31]);
      const signer = rng.pick(["owner", "owner", "stranger", "jwk"] as const);
      const okReason = reason === undefined || [0, 1, 3, 4, 5].includes(reason as number);
      return {
        name: `${name} ${what}, reason ${JSON.stringify(reason)}, signed by ${signer}`,
        expect: { accept: owned && okReason && signer === "owner" ? ACCEPT.revoked : undefined },
        run: async () => {
          const payload = { certificate: cert, ...(reason === undefined ? {} : { reason }) };
          if (signer === "jwk")
            return signed({ key: await generateTestKey("ES256"), url: dir.revokeCert as string, payload });
          const account = signer === "owner" ? es : rs;
          return signed({ key: account.key, url: dir.revokeCert as string, kid: account.url, payload });
        },
      };
    });
    await runCases("revokeCert", cases);
  });

  it("keyChange with hostile inner JWSs", async () => {
    const account = await register(await generateTestKey("ES256"));
    const rsaSpare = await generateTestKey("RS256");
    const weak = await generateTestKey("RS256", 1024);
    const url = dir.keyChange as string;
    // Run one at a time: an accepted case changes the account's key for the next.
    const cases = generate("keyChange", 90, (rng, name) => {
      const kind = rng.pick(["valid", "header", "header", "body", "payload", "payload", "outer"] as const);
      const keyKind = rng.pick([
        "fresh",
        "fresh",
        "fresh",
        "ed25519",
        "rsa",
        "in use",
        "same",
        "weak",
      ] as const);
      const headerMutation = rng.pick(HEADER_MUTATIONS.filter((m) => m.only !== "kid"));
      const bodyMutation = rng.pick(JWS_BODY_MUTATIONS);
      const label =
        kind === "header" ? `: ${headerMutation.name}` : kind === "body" ? `: ${bodyMutation.name}` : "";
      // Decided when the case runs: whether what was sent is still a valid key change.
      let acceptable = false;
      return {
        name: `${name} ${kind}, new key ${keyKind}${label}`,
        expect: { accept: acceptIf(() => acceptable, ACCEPT.account) },
        run: async () => {
          const newKey =
            keyKind === "fresh"
              ? await generateTestKey("ES256")
              : keyKind === "ed25519"
                ? await generateTestKey("EdDSA")
                : keyKind === "rsa"
                  ? rsaSpare
                  : keyKind === "in use"
                    ? es.key
                    : keyKind === "same"
                      ? account.key
                      : weak;
          const innerHeader: Record<string, unknown> = { alg: newKey.alg, jwk: newKey.jwk, url };
          let innerPayload: Record<string, unknown> = { account: account.url, oldKey: account.key.jwk };
          if (kind === "payload") {
            innerPayload = {
              account: rng.chance(0.5)
                ? account.url
                : rng.pick<unknown>([
                    es.url,
                    foreign.url,
                    `${account.url}/`,
                    "",
                    account.url.replace("http:", "https:"),
                    null,
                    1,
                    rng.pick(HOSTILE_STRINGS),
                  ]),
              oldKey: rng.chance(0.3)
                ? account.key.jwk
                : rng.pick<unknown>([
                    newKey.jwk,
                    es.key.jwk,
                    {},
                    { ...account.key.jwk, d: "AAAA" },
                    null,
                    "x",
                    [account.key.jwk],
                    { ...account.key.jwk, x: "AAAA" },
                  ]),
              ...(rng.chance(0.3) ? { extra: hostileValue(rng) } : {}),
            };
          }
          const headerText =
            kind === "header"
              ? headerMutation.apply(rng, innerHeader, {
                  key: newKey,
                  otherKey: rs.key,
                  url,
                  nonce: await takeNonce(),
                  elsewhere: elsewhere(),
                })
              : JSON.stringify(innerHeader);
          const inner = signBytes(newKey, headerText, JSON.stringify(innerPayload));
          const other = signBytes(newKey, JSON.stringify(innerHeader), "{}");
          const outerPayload =
            kind === "body"
              ? bodyMutation.apply(rng, inner, other)
              : kind === "outer"
                ? rng.pick([
                    "",
                    "{}",
                    "null",
                    "[]",
                    '"x"',
                    JSON.stringify({ ...inner, protected: undefined }),
                    deeplyNested(10_000),
                  ])
                : JSON.stringify(inner);
          acceptable =
            ["fresh", "ed25519", "rsa"].includes(keyKind) &&
            (kind === "valid" ||
              (kind === "header" &&
                (headerMutation.harmless === true ||
                  headerMutation.name === "no nonce" ||
                  headerText === JSON.stringify(innerHeader))) ||
              (kind === "body" &&
                (bodyMutation.harmless === true || outerPayload === JSON.stringify(inner))) ||
              (kind === "payload" &&
                innerPayload.account === account.url &&
                (await isSamePublicKey(innerPayload.oldKey, account.key.jwk))));
          const answer = await signed({ key: account.key, url, kid: account.url, payload: outerPayload });
          // The account signs with its new key from now on.
          if (answer.kind === "response" && answer.status === 200) account.key = newKey;
          return answer;
        },
      };
    });
    await runCases("keyChange", cases, 1);
  });

  it("POST-as-GET resources with payloads that are not empty, and orders list cursors", async () => {
    const targets: [string, string, (typeof ACCEPT)[keyof typeof ACCEPT], boolean][] = [
      ["order", pendingOrder.url, ACCEPT.order, false],
      ["authorization", pendingOrder.authorizations[0] as string, ACCEPT.authorization, true],
      ["challenge", pendingOrder.challenges.at(-1) as string, ACCEPT.challenge, true],
      ["certificate", certificate.url, ACCEPT.certificate, false],
      ["orders", `${es.url}/orders`, ACCEPT.orders, false],
      ["account", es.url, ACCEPT.account, true],
      ["directory", directoryUrl(alias), ACCEPT.directory, false],
      ["newNonce", dir.newNonce as string, ACCEPT.nonce, false],
    ];
    const cases = generate("postAsGet", 80, (rng, name) => {
      const [what, url, accept, takesObject] = rng.pick(targets);
      const payload = rng.pick([
        "",
        "",
        "{}",
        "null",
        "[]",
        " ",
        '""',
        '{"a":1}',
        "0",
        JSON.stringify(hostileValue(rng)),
      ]);
      const acceptable = payload === "" || (takesObject && payload.trim().startsWith("{"));
      return {
        name: `${name} ${what} with payload ${payload.slice(0, 60)}`,
        expect: { accept: acceptable ? accept : undefined },
        run: () => signed({ key: es.key, url, kid: es.url, payload }),
      };
    });
    const cursors = generate("cursor", 30, (rng, name) => {
      const cursor = rng.pick([
        ...HOSTILE_STRINGS,
        "0",
        "-1",
        "9".repeat(40),
        "AAAA",
        b64(rng.bytes(12)),
        "x".repeat(5000),
      ]);
      // Percent-encoded, or as raw as a URL carries it (a lone surrogate cannot be encoded).
      const raw = cursor.replace(/[\s#]/g, "");
      let encoded = raw;
      try {
        if (rng.chance(0.5)) encoded = encodeURIComponent(cursor);
      } catch {
        // A lone surrogate has no UTF-8 form to encode.
      }
      const url = `${es.url}/orders?cursor=${encoded}`;
      return {
        name: `${name} cursor ${JSON.stringify(cursor).slice(0, 60)}`,
        expect: { accept: ACCEPT.orders },
        run: () => signed({ key: es.key, url: new URL(url).href, kid: es.url, payload: "" }),
      };
    });
    // §6.7 (README): another account's resources do not exist for the signer, here or through another alias.
    const foreignPaths = new URL(pendingOrder.url).pathname.replace(`/acme/${alias}/`, "");
    const strangers: Case[] = [
      ...targets.slice(0, 6).map(([what, url]) => ({
        name: `${what} of another account`,
        expect: { statuses: [403, 404], types: ["malformed", "unauthorized"] as const },
        run: () => signed({ key: rs.key, url, kid: rs.url, payload: "" }),
      })),
      {
        name: "an order through another alias",
        expect: { statuses: [404], types: ["malformed"] as const },
        run: () =>
          signed({
            key: foreign.key,
            url: foreign.url.replace(/acct\/.*$/, foreignPaths),
            kid: foreign.url,
            payload: "",
          }),
      },
    ];
    await runCases("postAsGet", [...cases, ...cursors, ...strangers]);
  });
});

describe("fuzz: URLs and transport", () => {
  it("paths, queries and methods under /acme answer problem documents", async () => {
    const ids = () => [
      es.url.split("/").at(-1) as string,
      pendingOrder.url.split("/").at(-1) as string,
      "A".repeat(128),
      "A".repeat(129),
      "..",
      "%2e%2e",
      "%2F",
      "%00",
      "%ff",
      "%",
      "%%41",
      "%C3%A9",
      "%F0%9F%98%80",
      "%20",
      "-",
      ";",
      "a;b=c",
      "é",
      "x".repeat(3000),
    ];
    const cases = generate("url", 240, (rng, name) => {
      const prefix = rng.pick([
        `/acme/${alias}`,
        `/acme/${alias}`,
        "/acme",
        "/acme/nosuchalias",
        `/acme/${alias.toUpperCase()}`,
        "/acme/default",
        "/acme/%61",
        `/acme/${"a".repeat(251)}`,
        `/acme/${alias}/`,
        "/acme/.",
      ]);
      const id = rng.pick(ids());
      const resource = rng.pick([
        "directory",
        "newNonce",
        "newAccount",
        "newOrder",
        "newAuthz",
        "revokeCert",
        "keyChange",
        `acct/${id}`,
        `acct/${id}/orders`,
        `order/${id}`,
        `order/${id}/finalize`,
        `authz/${id}`,
        `chall/${id}`,
        `cert/${id}`,
        "renewalInfo",
        "",
        "nope",
        "Directory",
        "new%4eonce",
        "directory/",
        "./directory",
        "../directory",
        `${id}`,
      ]);
      const query = rng.pick([
        "",
        "",
        "?",
        "?configurationId=",
        `?configurationId=${alias}`,
        "?configurationId=nosuch",
        "?configurationId=%00",
        `?configurationId=${"a".repeat(300)}`,
        `?configurationId=${alias}&configurationId=x`,
        "?cursor=x",
        "?a=%zz",
        "?%",
        "#frag",
      ]);
      const method = rng.pick([
        "GET",
        "GET",
        "HEAD",
        "POST",
        "POST",
        "POST",
        "PUT",
        "DELETE",
        "OPTIONS",
        "PATCH",
        "TRACE",
        "PROPFIND",
        "M-SEARCH",
      ]);
      const path = `${prefix}/${resource}${query}`.replace(
        /^\/acme\/\//,
        rng.chance(0.5) ? "/acme/" : "/acme//",
      );
      const body =
        method === "POST" || method === "PUT" || method === "PATCH"
          ? rng.pick(["signed", "signed", "", "{}", "garbage"])
          : "";
      const raw = isRawPath(path);
      return {
        name: `${name} ${method} ${path.slice(0, 140)} (${body || "no body"})`,
        expect: {
          accept: (a, json) => {
            if (!/^[A-Za-z0-9_-]{43}$/.test(String(a.headers["replay-nonce"])))
              return "accepted without a Replay-Nonce";
            // §7.2: newNonce answers with no body (HEAD 200, GET 204, POST-as-GET 200).
            if (method === "HEAD" || a.status === 204 || /^new(N|%4e)once$/i.test(resource)) return null;
            return json === undefined && a.headers["content-type"] !== "application/pem-certificate-chain"
              ? "accepted without a body"
              : null;
          },
          // A path that is not ASCII is refused by the HTTP parser, before any ACME step.
          transport: raw,
        },
        run: async () => {
          // Signed for the URL Keyward will see (WHATWG-normalised), sent to the path as written.
          if (body === "signed") {
            return signed({
              key: es.key,
              url: new URL(path, base).href,
              path,
              method,
              kid: es.url,
              payload: "",
            });
          }
          const request: WireRequest = {
            method,
            path,
            headers: body ? { "content-type": "application/jose+json" } : {},
            body: body === "garbage" ? "\u0000garbage" : body,
          };
          return harvest(
            raw ? await sendRaw(base, [{ data: rawRequest(request) }]) : await send(base, request),
          );
        },
      };
    });
    await runCases("url", cases);
  });

  it("content types, framing, slow bodies and methods (table)", async () => {
    const account = (): Signed => ({ key: es.key, url: es.url, kid: es.url, payload: "" });
    const bodyOf = async () => {
      const nonce = await takeNonce();
      return JSON.stringify(
        signBytes(es.key, JSON.stringify({ alg: "ES256", nonce, url: es.url, kid: es.url }), ""),
      );
    };
    const path = new URL(es.url).pathname;
    const host = new URL(base).host;
    const contentTypes: [string, string | string[] | undefined, boolean][] = [
      ["no Content-Type", undefined, false],
      ["application/json", "application/json", false],
      ["text/plain", "text/plain", false],
      ["application/jose", "application/jose", false],
      ["application/jose+jsonx", "application/jose+jsonx", false],
      ["multipart/form-data", "multipart/form-data; boundary=x", false],
      ["a charset parameter", "application/jose+json; charset=utf-8", true],
      ["upper case", "APPLICATION/JOSE+JSON", true],
      ["an empty parameter", "application/jose+json;", true],
    ];
    const table: Case[] = contentTypes.map(([what, type, ok]) => ({
      name: `Content-Type: ${what}`,
      expect: ok ? { accept: ACCEPT.account } : { statuses: [415], types: ["malformed"] },
      run: () => signed({ ...account(), headers: type === undefined ? {} : { "content-type": type } }),
    }));
    const raw = (
      name: string,
      expectation: Expectation,
      pieces: () => Promise<{ data: string | Buffer; delayMs?: number }[]>,
    ) =>
      table.push({
        name,
        expect: expectation,
        run: async () => harvest(await sendRaw(base, await pieces())),
      });
    const head = (extra = "") =>
      `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/jose+json\r\nConnection: close\r\n${extra}`;
    table.push(
      {
        name: "a chunked body in random chunks",
        expect: { accept: ACCEPT.account },
        run: async () => {
          const body = Buffer.from(await bodyOf());
          const cut = [0, 1, 17, 100, body.length].filter((n) => n <= body.length);
          const chunks = cut.slice(1).map((end, i) => ({ data: body.subarray(cut[i] as number, end) }));
          return harvest(
            await send(base, {
              method: "POST",
              path,
              headers: { "content-type": "application/jose+json" },
              chunks,
            }),
          );
        },
      },
      {
        name: "a slow body (three pauses of 1 s)",
        expect: { accept: ACCEPT.account },
        run: async () => {
          const body = Buffer.from(await bodyOf());
          const third = Math.floor(body.length / 3);
          const chunks = [0, 1, 2].map((i) => ({
            data: body.subarray(i * third, i === 2 ? body.length : (i + 1) * third),
            delayMs: 1000,
          }));
          return harvest(
            await send(base, {
              method: "POST",
              path,
              headers: { "content-type": "application/jose+json" },
              chunks,
            }),
          );
        },
      },
      {
        name: "a chunked body over 128 KiB",
        expect: { statuses: [413] },
        run: async () =>
          harvest(
            await send(base, {
              method: "POST",
              path,
              headers: { "content-type": "application/jose+json" },
              chunks: Array.from({ length: 20 }, () => ({ data: Buffer.alloc(10_000, 0x41) })),
            }),
          ),
      },
    );
    raw("Expect: 100-continue", { accept: ACCEPT.account }, async () => {
      const body = await bodyOf();
      return [
        { data: head(`Expect: 100-continue\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`) },
        { data: body, delayMs: 200 },
      ];
    });
    raw("HTTP/1.0", { accept: ACCEPT.directory }, async () => [
      { data: `GET ${new URL(directoryUrl(alias)).pathname} HTTP/1.0\r\n\r\n` },
    ]);
    raw("an absolute-form request target (RFC 9112 §3.2.2)", { accept: ACCEPT.directory }, async () => [
      { data: `GET ${directoryUrl(alias)} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n` },
    ]);
    raw(
      "a Host header that is not a host",
      { statuses: [400], types: ["malformed"], transport: true },
      async () => [
        {
          data: `GET ${new URL(directoryUrl(alias)).pathname} HTTP/1.1\r\nHost: a b[::1\r\nConnection: close\r\n\r\n`,
        },
      ],
    );
    raw("a Host header with a path", { statuses: [400], types: ["malformed"], transport: true }, async () => [
      {
        data: `POST ${path} HTTP/1.1\r\nHost: ${host}/x?\r\nContent-Type: application/jose+json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      },
    ]);
    // The bytes after the body are a second request, refused as such (with Connection: close,
    // before the first is answered).
    raw(
      "a body longer than its Content-Length",
      { accept: ACCEPT.account, types: ["malformed"], transport: true },
      async () => {
        const body = await bodyOf();
        return [{ data: `${head(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`)}${body}GARBAGE` }];
      },
    );
    table.push({
      name: "a body cut short, then the client closes its side",
      expect: { statuses: [400], transport: true },
      run: async () =>
        harvest(
          await sendRaw(base, [{ data: head('Content-Length: 1000\r\n\r\n{"protected":') }], {
            halfClose: true,
          }),
        ),
    });
    raw("NUL in the Content-Type", { statuses: [400], transport: true }, async () => [
      { data: head("Content-Type: application/jose+json\u0001\r\nContent-Length: 2\r\n\r\n{}") },
    ]);
    raw("Content-Length and Transfer-Encoding together", { statuses: [400], transport: true }, async () => [
      { data: head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") },
    ]);
    raw("a bad chunk size", { statuses: [400], transport: true }, async () => [
      { data: head("Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n") },
    ]);
    raw("a negative Content-Length", { statuses: [400], transport: true }, async () => [
      { data: head("Content-Length: -1\r\n\r\n") },
    ]);
    raw("two Content-Lengths", { statuses: [400], transport: true }, async () => [
      { data: head("Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}") },
    ]);
    raw("no Host header", { statuses: [400], transport: true }, async () => [
      { data: `GET ${new URL(directoryUrl(alias)).pathname} HTTP/1.1\r\nConnection: close\r\n\r\n` },
    ]);
    raw("a 20 KiB header", { statuses: [431], transport: true }, async () => [
      {
        data: `GET ${new URL(directoryUrl(alias)).pathname} HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${"x".repeat(20_000)}\r\n\r\n`,
      },
    ]);
    raw("a 20 KiB path", { statuses: [431], transport: true }, async () => [
      { data: `GET /acme/${alias}/${"x".repeat(20_000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n` },
    ]);
    raw("a header name with a space", { statuses: [400], transport: true }, async () => [
      { data: `GET /acme/${alias}/directory HTTP/1.1\r\nHost: ${host}\r\nBad Header: x\r\n\r\n` },
    ]);
    raw("a request line that is not HTTP", { statuses: [400], transport: true }, async () => [
      { data: "GARBAGE\r\n\r\n" },
    ]);
    raw("the HTTP/2 preface on the HTTP/1.1 port", { statuses: [400], transport: true }, async () => [
      { data: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" },
    ]);
    raw("CONNECT to an /acme path", { statuses: [405], transport: true }, async () => [
      { data: `CONNECT /acme/${alias}/directory HTTP/1.1\r\nHost: ${host}\r\n\r\n` },
    ]);
    raw("CONNECT in authority form", { statuses: [405], transport: true }, async () => [
      { data: `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n` },
    ]);
    for (const method of ["OPTIONS", "TRACE", "PUT", "DELETE", "PATCH", "HEAD", "GET"]) {
      table.push({
        name: `${method} on an account URL`,
        expect: { statuses: [405], types: ["malformed"] },
        run: async () =>
          harvest(
            await send(base, {
              method,
              path,
              headers: { "content-type": "application/jose+json" },
              body: method === "GET" || method === "HEAD" ? undefined : await bodyOf(),
            }),
          ),
      });
    }
    await runCases("transport", table, 4);
  });
});

describe("fuzz: regressions (issue 14, this suite's findings) and the problem types RFC 8555 names (table)", () => {
  it("each answers as RFC 8555 says", async () => {
    const weak = await generateTestKey("RS256", 1024);
    const newAccount = dir.newAccount as string;
    const finalizeWith = async (san: Parameters<typeof buildCsr>[0]["san"]) =>
      signed({
        key: es.key,
        url: (await readyOrder()).finalize,
        kid: es.url,
        payload: { csr: await buildCsr({ keys: keys.ec, cn: "127.0.0.1", san }) },
      });
    const table: Case[] = [
      // Found by this suite: each was a 500, a wrong type or a wrong acceptance before its fix.
      {
        name: "an orders cursor with a NUL byte → malformed, not 500",
        expect: { statuses: [400], types: ["malformed"] },
        run: () => signed({ key: es.key, url: `${es.url}/orders?cursor=%00`, kid: es.url, payload: "" }),
      },
      {
        name: "a 300-character nonce → badNonce, not malformed (§6.5)",
        expect: { types: ["badNonce"] },
        run: () => signed({ key: es.key, url: es.url, kid: es.url, payload: "", nonce: "A".repeat(300) }),
      },
      {
        name: "a CSR with an otherName SAN → badCSR, not issued",
        expect: { types: ["badCSR"] },
        run: () =>
          finalizeWith([
            { type: "ip", value: "127.0.0.1" },
            { tag: 0xa0, bytes: Buffer.from([0x06, 0x01, 0x2a, 0xa0, 0x02, 0x0c, 0x00]) },
          ]),
      },
      {
        name: "a CSR with an empty SAN extension → badCSR (RFC 5280 §4.2.1.6)",
        expect: { types: ["badCSR"] },
        run: () => finalizeWith([]),
      },
      {
        name: "TRACE → 405, not 500",
        expect: { statuses: [405], types: ["malformed"] },
        run: async () =>
          harvest(await send(base, { method: "TRACE", path: new URL(directoryUrl(alias)).pathname })),
      },
      {
        name: 'a contact with an escaped "%" or "#" comes back as a URL, escaped (RFC 6068)',
        expect: {
          accept: (a, json) =>
            ACCEPT.account(a, json) ??
            (JSON.stringify((json as { contact: string[] }).contact) ===
            '["mailto:a%25b@example.test","mailto:a%23b@example.test"]'
              ? null
              : `contacts ${JSON.stringify((json as { contact: string[] }).contact)}`),
        },
        run: async () =>
          signed({
            key: await generateTestKey(),
            url: newAccount,
            payload: { contact: ["mailto:a%25b@example.test", "mailto:a%23b@example.test"] },
          }),
      },
      {
        name: "a kid of this alias naming no account → accountDoesNotExist",
        expect: { types: ["accountDoesNotExist"] },
        run: () => {
          const kid = es.url.replace(/[^/]+$/, "AAAAAAAAAAAAAAAAAAAAAA");
          return signed({ key: es.key, url: kid, kid, payload: "" });
        },
      },
      {
        name: "onlyReturnExisting for a new key → accountDoesNotExist (§7.3.1)",
        expect: { types: ["accountDoesNotExist"] },
        run: async () =>
          signed({ key: await generateTestKey(), url: newAccount, payload: { onlyReturnExisting: true } }),
      },
      {
        name: "a contact of another scheme → unsupportedContact (§7.3)",
        expect: { types: ["unsupportedContact"] },
        run: async () =>
          signed({
            key: await generateTestKey(),
            url: newAccount,
            payload: { contact: ["tel:+15555550100"] },
          }),
      },
      {
        name: "a mailto contact that is not an address → invalidContact (§7.3)",
        expect: { types: ["invalidContact"] },
        run: async () =>
          signed({ key: await generateTestKey(), url: newAccount, payload: { contact: ["mailto:nobody"] } }),
      },
      {
        name: "an identifier of an unknown type → unsupportedIdentifier",
        expect: { types: ["unsupportedIdentifier"] },
        run: () =>
          signed({
            key: es.key,
            url: dir.newOrder as string,
            kid: es.url,
            payload: { identifiers: [{ type: "email", value: "a@example.test" }] },
          }),
      },
      {
        name: "a revocation reason Keyward does not take → badRevocationReason (§7.6)",
        expect: { types: ["badRevocationReason"] },
        run: () =>
          signed({
            key: es.key,
            url: dir.revokeCert as string,
            kid: es.url,
            payload: { certificate: b64(certificate.der), reason: 6 },
          }),
      },
      {
        name: "a key change to a key in use → 409 with the holder's URL (§7.3.5)",
        expect: {
          statuses: [409],
          refusal: (a) =>
            a.headers.location === rs.url ? null : `Location ${a.headers.location}, not ${rs.url}`,
        },
        run: async () => rollover(await register(await generateTestKey()), rs.key),
      },
      {
        name: "a 1024-bit RSA account key → badPublicKey",
        expect: { types: ["badPublicKey"] },
        run: () => signed({ key: weak, url: newAccount, payload: { termsOfServiceAgreed: true } }),
      },
      {
        name: "a kid on another host → malformed",
        expect: { types: ["malformed"] },
        run: () =>
          signed({ key: es.key, url: es.url, kid: es.url.replace("127.0.0.1", "localhost"), payload: "" }),
      },
      {
        name: "a 10 MB body → 413, not a reset",
        expect: { statuses: [413], types: ["malformed"] },
        run: async () =>
          harvest(
            await send(base, {
              method: "POST",
              path: new URL(newAccount).pathname,
              headers: { "content-type": "application/jose+json" },
              body: Buffer.alloc(10 * 1024 * 1024, 0x41),
            }),
          ),
      },
      {
        name: "invalid punycode → rejectedIdentifier",
        expect: { types: ["rejectedIdentifier"] },
        run: () =>
          signed({
            key: es.key,
            url: dir.newOrder as string,
            kid: es.url,
            payload: { identifiers: [{ type: "dns", value: "xn--a.test" }] },
          }),
      },
      {
        name: "localhost → rejectedIdentifier",
        expect: { types: ["rejectedIdentifier"] },
        run: () =>
          signed({
            key: es.key,
            url: dir.newOrder as string,
            kid: es.url,
            payload: { identifiers: [{ type: "dns", value: "app.localhost" }] },
          }),
      },
      {
        name: "an externalAccountBinding that is not a JWS → malformed",
        expect: { types: ["malformed"] },
        run: async () =>
          signed({
            key: await generateTestKey(),
            url: newAccount,
            payload: { termsOfServiceAgreed: true, externalAccountBinding: "x" },
          }),
      },
      {
        name: "POST-as-GET of the directory → 200",
        expect: { accept: ACCEPT.directory },
        run: () => signed({ key: es.key, url: directoryUrl(alias), kid: es.url, payload: "" }),
      },
      {
        name: "POST-as-GET of newNonce → 200",
        expect: { accept: ACCEPT.nonce },
        run: () => signed({ key: es.key, url: dir.newNonce as string, kid: es.url, payload: "" }),
      },
      {
        name: 'alg "none" → badSignatureAlgorithm',
        expect: { types: ["badSignatureAlgorithm"] },
        run: () =>
          signed({
            key: es.key,
            url: es.url,
            kid: es.url,
            payload: "",
            header: (h) => JSON.stringify({ ...h, alg: "none" }),
            body: (j) => JSON.stringify({ ...j, signature: "" }),
          }),
      },
      {
        name: "a used nonce → badNonce",
        expect: { types: ["badNonce"] },
        run: async () => {
          const nonce = await takeNonce();
          await signed({ key: es.key, url: es.url, kid: es.url, payload: "", nonce });
          return signed({ key: es.key, url: es.url, kid: es.url, payload: "", nonce });
        },
      },
    ];
    await runCases("regressions", table);

    // §7.3.6: a deactivated account is 401 for everything it signs, newAccount included.
    const gone = await register(await generateTestKey());
    await must({ key: gone.key, url: gone.url, kid: gone.url, payload: { status: "deactivated" } });
    await runCases("deactivated", [
      {
        name: "POST-as-GET of the account",
        expect: { types: ["unauthorized"], statuses: [401] },
        run: () => signed({ key: gone.key, url: gone.url, kid: gone.url, payload: "" }),
      },
      {
        name: "newOrder",
        expect: { types: ["unauthorized"], statuses: [401] },
        run: () =>
          signed({
            key: gone.key,
            url: dir.newOrder as string,
            kid: gone.url,
            payload: { identifiers: [{ type: "dns", value: "gone.test" }] },
          }),
      },
      {
        name: "newAccount with its key",
        expect: { types: ["unauthorized"], statuses: [401] },
        run: () => signed({ key: gone.key, url: newAccount, payload: { termsOfServiceAgreed: true } }),
      },
    ]);
  });
});

describe("fuzz: races", () => {
  /** Runs `count` requests at once; every answer is judged, and the answers are returned. */
  async function race(
    family: string,
    count: number,
    request: (i: number) => Promise<Answer>,
    expectation: Expectation,
  ) {
    const answers = await Promise.all(Array.from({ length: count }, (_, i) => request(i)));
    await runCases(
      family,
      answers.map((answer, i) => ({ name: `${family}#${i}`, expect: expectation, run: async () => answer })),
    );
    return answers.map((a) => (a.kind === "response" ? a.status : 0));
  }
  const ok = (statuses: number[]) => statuses.filter((s) => s >= 200 && s < 300).length;

  it("one nonce, many requests: exactly one is accepted", async () => {
    const nonce = await takeNonce();
    const statuses = await race(
      "nonce-reuse",
      16,
      () => signed({ key: es.key, url: es.url, kid: es.url, payload: "", nonce }),
      {
        accept: ACCEPT.account,
        types: ["badNonce"],
      },
    );
    expect(ok(statuses), `statuses ${statuses}`).toBe(1);
  });

  it("concurrent finalizes of one order: one certificate", async () => {
    const order = await readyOrder();
    const csr = await validCsr();
    const statuses = await race(
      "finalize-race",
      8,
      () => signed({ key: es.key, url: order.finalize, kid: es.url, payload: { csr } }),
      {
        accept: ACCEPT.order,
        types: ["orderNotReady"],
      },
    );
    expect(ok(statuses), `statuses ${statuses}`).toBe(1);
    const orderId = order.url.split("/").at(-1) as string;
    expect(await testDb().certificate.count({ where: { orderId } })).toBe(1);
  });

  it("concurrent challenge POSTs on one authorization: one validation", async () => {
    const account = await register(await generateTestKey());
    const order = await newOrder(account, [{ type: "ip", value: "127.0.0.1" }]);
    const authz = (
      await must({ key: account.key, url: order.authorizations[0] as string, kid: account.url, payload: "" })
    ).json;
    const challenges: string[] = authz.challenges.map((c: { url: string }) => c.url);
    const statuses = await race(
      "challenge-race",
      12,
      (i) =>
        signed({
          key: account.key,
          url: challenges[i % challenges.length] as string,
          kid: account.url,
          payload: {},
        }),
      { accept: ACCEPT.challenge, types: ["malformed"] },
    );
    expect(ok(statuses), `statuses ${statuses}`).toBe(1);
    const authorizationId = (order.authorizations[0] as string).split("/").at(-1) as string;
    expect(await testDb().validationJob.count({ where: { challenge: { authorizationId } } })).toBe(1);
  });

  it("concurrent newAccount with one key: one account", async () => {
    const key = await generateTestKey();
    const answers: Answer[] = [];
    const statuses = await race(
      "newAccount-race",
      8,
      async () => {
        const a = await signed({
          key,
          url: dir.newAccount as string,
          payload: { termsOfServiceAgreed: true },
        });
        answers.push(a);
        return a;
      },
      { accept: ACCEPT.account },
    );
    expect(
      statuses.filter((s) => s === 201),
      `statuses ${statuses}`,
    ).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(7);
    expect(new Set(answers.map((a) => (a.kind === "response" ? a.headers.location : a.kind))).size).toBe(1);
  });

  it("concurrent key changes: one wins, and the account signs with the winner's key", async () => {
    const account = await register(await generateTestKey());
    const newKeys = await Promise.all(Array.from({ length: 6 }, () => generateTestKey()));
    const statuses = await race("keyChange-race", 6, (i) => rollover(account, newKeys[i] as TestKey), {
      accept: ACCEPT.account,
    });
    expect(ok(statuses), `statuses ${statuses}`).toBe(1);
    const winner = newKeys[statuses.indexOf(200)] as TestKey;
    const read = await signed({ key: winner, url: account.url, kid: account.url, payload: "" });
    expect(judge(read, { accept: ACCEPT.account }), describeAnswer(read)).toBeNull();

    // Two accounts rolling over to one key: one of them gets it, the other hears 409.
    const [a, b] = [await register(await generateTestKey()), await register(await generateTestKey())];
    const shared = await generateTestKey();
    const both = await race("keyChange-same-key", 2, (i) => rollover(i === 0 ? a : b, shared), {
      accept: ACCEPT.account,
      statuses: [409],
    });
    expect(ok(both), `statuses ${both}`).toBe(1);
  });

  it("concurrent revocations of one certificate: one revocation", async () => {
    const target = await issueCertificate();
    const statuses = await race(
      "revoke-race",
      6,
      () =>
        signed({
          key: es.key,
          url: dir.revokeCert as string,
          kid: es.url,
          payload: { certificate: b64(target.der), reason: 1 },
        }),
      {
        accept: ACCEPT.revoked,
        types: ["alreadyRevoked"],
      },
    );
    expect(ok(statuses), `statuses ${statuses}`).toBe(1);
  });

  it("concurrent deactivations and orders keep their answers 4xx or correct", async () => {
    const order = await newOrder(es, [freshDnsIdentifier(ROOT.fork("deactivate-race"))]);
    await race(
      "authz-deactivate-race",
      6,
      () =>
        signed({
          key: es.key,
          url: order.authorizations[0] as string,
          kid: es.url,
          payload: { status: "deactivated" },
        }),
      {
        accept: (a, json) =>
          ACCEPT.authorization(a, json) ??
          ((json as { status: string }).status === "deactivated" ? null : "not deactivated"),
      },
    );
    const account = await register(await generateTestKey());
    const statuses = await race(
      "account-deactivate-race",
      6,
      (i) =>
        i % 2 === 0
          ? signed({
              key: account.key,
              url: account.url,
              kid: account.url,
              payload: { status: "deactivated" },
            })
          : signed({
              key: account.key,
              url: dir.newOrder as string,
              kid: account.url,
              payload: { identifiers: [{ type: "dns", value: "race.example.test" }] },
            }),
      {
        accept: (a, json) => (a.status === 201 ? ACCEPT.order(a, json) : ACCEPT.account(a, json)),
        types: ["unauthorized"],
      },
    );
    expect(
      statuses.some((s) => s === 200),
      `statuses ${statuses}`,
    ).toBe(true);
    const same = freshDnsIdentifier(ROOT.fork("same-order"));
    await race(
      "newOrder-race",
      8,
      () =>
        signed({ key: es.key, url: dir.newOrder as string, kid: es.url, payload: { identifiers: [same] } }),
      {
        accept: acceptOrderFor([same]),
      },
    );
  });
});

describe("fuzz: the server is still there", () => {
  it("answers the directory and runs the same process", async () => {
    const answer = await send(base, { method: "GET", path: new URL(directoryUrl(alias)).pathname });
    expect(judge(answer, { accept: ACCEPT.directory }), describeAnswer(answer)).toBeNull();
    expect(() => process.kill(keyward().pid, 0)).not.toThrow();
  });
});

/** The bytes of an HTTP/1.1 request, path and all, exactly as given. */
function rawRequest(r: WireRequest): Buffer {
  const body = Buffer.from(r.body ?? "");
  const headers = Object.entries({
    Host: new URL(base).host,
    Connection: "close",
    "Content-Length": String(body.length),
    ...r.headers,
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  return Buffer.concat([Buffer.from(`${r.method} ${r.path} HTTP/1.1\r\n${headers}\r\n`, "utf8"), body]);
}
