// RFC 8555 §7.3.4 external account binding, verified step by step (lib/ra/eab.ts), against keys
// held in memory: every form that must pass, and every refusal with the problem type a client
// sees and a detail that names the rule it broke.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { jwkThumbprint, parseAccountJwk } from "@/lib/crypto/jwk";
import { AcmeProblem } from "@/lib/problem";
import {
  type EabKeyRecord,
  type EabKeySource,
  eabKeyState,
  type OuterJws,
  verifyExternalAccountBinding,
} from "@/lib/ra/eab";
import { generateTestKey, type TestKey } from "../../support/acme-signer";
import {
  accountKeySignature,
  type EabKeyPair,
  eabCertificate,
  eabKeyPair,
  macBinding,
  signatureBinding,
} from "../../support/eab";

const URL_ = "https://ca.test/acme/shop/newAccount";
const NOW = new Date("2026-06-01T12:00:00Z");
const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

type MemoryKey = EabKeyRecord & { secret?: Uint8Array };

function key(o: Partial<MemoryKey> & Pick<MemoryKey, "keyIdentifier" | "type">): MemoryKey {
  return {
    id: `id-${o.keyIdentifier}`,
    macAlgorithm: o.type === "mac" ? "HS256" : null,
    publicKeyPem: null,
    signatureAlgorithm: null,
    bindsMany: false,
    boundAccounts: 0,
    expiresAt: null,
    disabledAt: null,
    namespace: null,
    ...o,
  };
}

function source(keys: MemoryKey[]): EabKeySource {
  return {
    find: async (identifier) => keys.find((k) => k.keyIdentifier === identifier) ?? null,
    openMacKey: (k) => (k as MemoryKey).secret as Uint8Array,
  };
}

async function problemOf(promise: Promise<unknown>): Promise<AcmeProblem> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AcmeProblem) return err;
    throw err;
  }
  throw new Error("expected an AcmeProblem");
}

let account: TestKey;
let outer: OuterJws;
let other: TestKey;

const hs256 = { secret: randomBytes(32), id: "hs256-key" };
const hs384 = { secret: randomBytes(48), id: "hs384-key" };
const hs512 = { secret: randomBytes(64), id: "hs512-key" };
let macKeys: MemoryKey[];

beforeAll(async () => {
  account = await generateTestKey("ES256");
  other = await generateTestKey("ES256");
  const jwk = parseAccountJwk(account.jwk);
  outer = { jwk, thumbprint: await jwkThumbprint(jwk), alg: "ES256", url: URL_ };
  macKeys = [
    key({ type: "mac", keyIdentifier: hs256.id, secret: hs256.secret }),
    key({ type: "mac", keyIdentifier: hs384.id, secret: hs384.secret, macAlgorithm: "HS384" }),
    key({ type: "mac", keyIdentifier: hs512.id, secret: hs512.secret, macAlgorithm: "HS512" }),
  ];
});

const verify = (binding: unknown, keys: MemoryKey[] = macKeys, now = NOW) =>
  verifyExternalAccountBinding(binding, outer, source(keys), now);

const mac = (o: Partial<Parameters<typeof macBinding>[0]> = {}) =>
  macBinding({ accountJwk: account.jwk, kid: hs256.id, hmacKey: hs256.secret, url: URL_, ...o });

describe("MAC bindings (RFC 8555 §7.3.4)", () => {
  it("ok/HS256, HS384 and HS512 each with a key of its own length", async () => {
    for (const [k, alg] of [
      [hs256, "HS256"],
      [hs384, "HS384"],
      [hs512, "HS512"],
    ] as const) {
      const found = await verify(await mac({ kid: k.id, hmacKey: k.secret, alg }));
      expect(found.keyIdentifier, alg).toBe(k.id);
    }
  });

  it("ok/a key that binds many accounts verifies after it bound some", async () => {
    const many = key({
      type: "mac",
      keyIdentifier: "many",
      secret: hs256.secret,
      bindsMany: true,
      boundAccounts: 7,
    });
    expect((await verify(await mac({ kid: "many" }), [many])).id).toBe(many.id);
  });

  const refusals: [string, () => Promise<unknown>, MemoryKey[] | null, string, RegExp][] = [
    [
      "fail/wrong MAC (another key)",
      () => mac({ hmacKey: randomBytes(32) }),
      null,
      "unauthorized",
      /the MAC does not verify with the key "hs256-key" \(wrong MAC key\)/,
    ],
    [
      "fail/unknown kid",
      () => mac({ kid: "nobody" }),
      null,
      "unauthorized",
      /no EAB key with key identifier \(kid\) "nobody" exists on this ACME alias/,
    ],
    [
      "fail/disabled key",
      () => mac({ kid: "off" }),
      [key({ type: "mac", keyIdentifier: "off", secret: hs256.secret, disabledAt: new Date("2026-01-01") })],
      "unauthorized",
      /the key "off" is disabled/,
    ],
    [
      "fail/expired key",
      () => mac({ kid: "old" }),
      [
        key({
          type: "mac",
          keyIdentifier: "old",
          secret: hs256.secret,
          expiresAt: new Date("2026-06-01T11:59:59Z"),
        }),
      ],
      "unauthorized",
      /the key "old" expired at 2026-06-01T11:59:59.000Z/,
    ],
    [
      "fail/used-up key (binds one account, has bound one)",
      () => mac({ kid: "once" }),
      [key({ type: "mac", keyIdentifier: "once", secret: hs256.secret, boundAccounts: 1 })],
      "unauthorized",
      /the key "once" has already bound an account and binds only one/,
    ],
    [
      "fail/wrong url (another resource)",
      () => mac({ url: "https://ca.test/acme/shop/newOrder" }),
      null,
      "malformed",
      /url "https:\/\/ca.test\/acme\/shop\/newOrder" must be the outer JWS's url/,
    ],
    [
      "fail/wrong url (another URL form of the same alias)",
      () => mac({ url: "https://ca.test/acme/newAccount?configurationId=shop" }),
      null,
      "malformed",
      /must be the outer JWS's url "https:\/\/ca.test\/acme\/shop\/newAccount"/,
    ],
    ["fail/no url", () => mac({ header: { url: undefined } }), null, "malformed", /must carry the url/],
    [
      "fail/a nonce in the protected header",
      () => mac({ header: { nonce: "abc" } }),
      null,
      "malformed",
      /must not contain a "nonce"/,
    ],
    [
      "fail/no kid",
      () => mac({ header: { kid: undefined } }),
      null,
      "malformed",
      /must carry the key identifier the CA gave out as "kid"/,
    ],
    [
      "fail/payload is another account key",
      () => mac({ payload: other.jwk }),
      null,
      "unauthorized",
      /the payload is not the account key \(the outer JWS's jwk\)/,
    ],
    [
      "fail/payload is not a key at all",
      () => mac({ payload: { hello: "world" } }),
      null,
      "unauthorized",
      /the payload is not the account key/,
    ],
    [
      "fail/alg none",
      () => mac({ alg: "none" }),
      null,
      "malformed",
      /alg "none" is not allowed: a MAC binding uses HS256, HS384, HS512/,
    ],
    [
      "fail/an asymmetric alg on a MAC key",
      () => mac({ alg: "ES256" }),
      null,
      "malformed",
      /the key "hs256-key" is a MAC key: the binding must be MAC'd with HS256, not signed with the asymmetric ES256/,
    ],
    [
      "fail/an asymmetric alg other than the account key's",
      () => mac({ alg: "RS256" }),
      null,
      "malformed",
      /alg "RS256" is not allowed/,
    ],
    [
      "fail/HS512 on an HS256 key",
      () => mac({ alg: "HS512", hmacKey: randomBytes(64) }),
      null,
      "malformed",
      /the key "hs256-key" is an HS256 key: the binding must use HS256, not HS512/,
    ],
    [
      "fail/critical header extensions",
      async () => ({
        protected: b64({ alg: "HS256", kid: hs256.id, url: URL_, crit: ["exp"], exp: 1 }),
        payload: b64(account.jwk),
        signature: "AAAA",
      }),
      null,
      "malformed",
      /critical extensions/,
    ],
  ];
  it.each(refusals)("%s", async (_name, build, keys, type, detail) => {
    const problem = await problemOf(verify(await build(), keys ?? macKeys));
    expect(problem.type).toBe(type);
    expect(problem.detail).toMatch(/^externalAccountBinding: /);
    expect(problem.detail).toMatch(detail);
  });

  it("ok/a key that expires later verifies", async () => {
    const later = key({
      type: "mac",
      keyIdentifier: "later",
      secret: hs256.secret,
      expiresAt: new Date("2026-06-01T12:00:01Z"),
    });
    expect(eabKeyState(later, NOW)).toBe("active");
    expect((await verify(await mac({ kid: "later" }), [later])).id).toBe(later.id);
  });
});

describe("malformed structure (step 1)", () => {
  const header = b64({ alg: "HS256", kid: "hs256-key", url: URL_ });
  const cases: [string, unknown, RegExp][] = [
    ["fail/a string", "eyJhbGciOiJIUzI1NiJ9", /must be a flattened JWS/],
    ["fail/an array", [], /must be a flattened JWS/],
    ["fail/no signature", { protected: header, payload: "e30" }, /must be a flattened JWS.*signature/],
    [
      "fail/an unprotected header",
      { protected: header, payload: "e30", signature: "AA", header: {} },
      /must be a flattened JWS/,
    ],
    ["fail/padded base64", { protected: `${header}=`, payload: "e30", signature: "AA" }, /base64url/],
    [
      "fail/protected header not JSON",
      { protected: b64("{not json"), payload: "e30", signature: "AA" },
      /protected header is not a base64url-encoded JSON object/,
    ],
    [
      "fail/protected header an array",
      { protected: b64([1]), payload: "e30", signature: "AA" },
      /protected header is not a base64url-encoded JSON object/,
    ],
    [
      "fail/payload not JSON",
      { protected: header, payload: b64("nope"), signature: "AA" },
      /the payload is not a base64url-encoded JSON object/,
    ],
    [
      "fail/alg not a string",
      { protected: b64({ alg: 256, kid: "k", url: URL_ }), payload: "e30", signature: "AA" },
      /alg/,
    ],
  ];
  it.each(cases)("%s", async (_name, binding, detail) => {
    const problem = await problemOf(verify(binding));
    expect(problem.type).toBe("malformed");
    expect(problem.detail).toMatch(/^externalAccountBinding: /);
    expect(problem.detail).toMatch(detail);
  });
});

describe("signature bindings (spec: EAB with asymmetric key signature)", () => {
  let ec: EabKeyPair;
  let rsa: EabKeyPair;
  let ed: EabKeyPair;
  let ecCert: Awaited<ReturnType<typeof eabCertificate>>;
  let keys: MemoryKey[];

  beforeAll(async () => {
    ec = eabKeyPair("ec");
    rsa = eabKeyPair("rsa");
    ed = eabKeyPair("ed25519");
    ecCert = await eabCertificate(ec);
    keys = [
      key({
        type: "signature",
        keyIdentifier: ecCert.fingerprint,
        publicKeyPem: ecCert.pem,
        signatureAlgorithm: "SHA256withECDSA",
      }),
      key({
        type: "signature",
        keyIdentifier: rsa.spkiFingerprint,
        publicKeyPem: rsa.publicKeyPem,
        signatureAlgorithm: "SHA384WithRSA",
      }),
      key({
        type: "signature",
        keyIdentifier: "ed-fingerprint",
        publicKeyPem: ed.publicKeyPem,
        signatureAlgorithm: "Ed25519",
      }),
      ...macKeys,
    ];
  });

  const signed = (o: Partial<Parameters<typeof signatureBinding>[0]> & { cf: string; aks: string }) =>
    signatureBinding({ accountKey: account, url: URL_, ...o });

  it("ok/a certificate's key with ECDSA (JOSE and DER signatures), an RSA key, an Ed25519 key", async () => {
    for (const encoding of ["ieee-p1363", "der"] as const) {
      const aks = accountKeySignature(account.jwk, ec.privateKey, "sha256", encoding);
      expect((await verify(await signed({ cf: ecCert.fingerprint, aks }), keys)).keyIdentifier).toBe(
        ecCert.fingerprint,
      );
    }
    const rsaAks = accountKeySignature(account.jwk, rsa.privateKey, "sha384");
    expect(
      (await verify(await signed({ cf: rsa.spkiFingerprint, aks: rsaAks }), keys)).signatureAlgorithm,
    ).toBe("SHA384WithRSA");
    const edAks = accountKeySignature(account.jwk, ed.privateKey, null);
    expect((await verify(await signed({ cf: "ed-fingerprint", aks: edAks }), keys)).signatureAlgorithm).toBe(
      "Ed25519",
    );
  });

  it("ok/the key named by kid as well as by cf", async () => {
    const aks = accountKeySignature(account.jwk, ed.privateKey, null);
    const found = await verify(
      await signed({ cf: "ed-fingerprint", aks, header: { kid: "ed-fingerprint" } }),
      keys,
    );
    expect(found.keyIdentifier).toBe("ed-fingerprint");
  });

  const refusals: [string, () => Promise<unknown>, string, RegExp][] = [
    [
      "fail/bad aks (signed by another private key)",
      async () =>
        signed({
          cf: "ed-fingerprint",
          aks: accountKeySignature(account.jwk, eabKeyPair("ed25519").privateKey, null),
        }),
      "unauthorized",
      /aks is not a Ed25519 signature of the account key \(its RFC 7638 JSON\) by the key "ed-fingerprint"/,
    ],
    [
      "fail/bad aks (a signature of another account key)",
      async () => signed({ cf: "ed-fingerprint", aks: accountKeySignature(other.jwk, ed.privateKey, null) }),
      "unauthorized",
      /aks is not a Ed25519 signature/,
    ],
    [
      "fail/bad aks (the right key, another hash than the key's algorithm)",
      async () =>
        signed({ cf: rsa.spkiFingerprint, aks: accountKeySignature(account.jwk, rsa.privateKey, "sha256") }),
      "unauthorized",
      /aks is not a SHA384WithRSA signature/,
    ],
    [
      "fail/wrong cf (no key has this fingerprint)",
      async () =>
        signed({ cf: "not-a-fingerprint", aks: accountKeySignature(account.jwk, ed.privateKey, null) }),
      "unauthorized",
      /no EAB key with the fingerprint \(cf\) "not-a-fingerprint" exists on this ACME alias/,
    ],
    [
      "fail/wrong cf (kid names the key, cf another)",
      async () =>
        signed({
          cf: rsa.spkiFingerprint,
          aks: accountKeySignature(account.jwk, ed.privateKey, null),
          header: { kid: "ed-fingerprint" },
        }),
      "unauthorized",
      /cf ".*" is not the fingerprint of the key "ed-fingerprint"/,
    ],
    [
      "fail/payload key is another account key",
      async () =>
        signed({
          cf: "ed-fingerprint",
          aks: accountKeySignature(other.jwk, ed.privateKey, null),
          payload: { key: other.jwk },
        }),
      "unauthorized",
      /the payload's key is not the account key/,
    ],
    [
      "fail/signed by another key than the account key",
      async () =>
        signed({
          cf: "ed-fingerprint",
          aks: accountKeySignature(account.jwk, ed.privateKey, null),
          signingKey: other.privateKey,
        }),
      "unauthorized",
      /the signature does not verify with the account key/,
    ],
    [
      "fail/payload without aks",
      async () => signed({ cf: "ed-fingerprint", aks: "x", payload: { aks: undefined } }),
      "malformed",
      /the payload of a signature binding must be \{ key, cf, aks \} \(aks/,
    ],
    [
      "fail/payload with an unknown member",
      async () => signed({ cf: "ed-fingerprint", aks: "x", payload: { extra: 1 } }),
      "malformed",
      /must be \{ key, cf, aks \}/,
    ],
    [
      "fail/a MAC alg on a signature key",
      async () =>
        macBinding({ accountJwk: account.jwk, kid: "ed-fingerprint", hmacKey: randomBytes(32), url: URL_ }),
      "malformed",
      /the key "ed-fingerprint" is a signature key: the binding must be signed with the account key \(ES256\), not MAC'd with HS256/,
    ],
    [
      "fail/a nonce in the protected header",
      async () => signed({ cf: "ed-fingerprint", aks: "x", header: { nonce: "n" } }),
      "malformed",
      /must not contain a "nonce"/,
    ],
    [
      "fail/wrong url",
      async () =>
        signed({
          cf: "ed-fingerprint",
          aks: "x",
          header: { url: "https://other.test/acme/shop/newAccount" },
        }),
      "malformed",
      /must be the outer JWS's url/,
    ],
  ];
  it.each(refusals)("%s", async (_name, build, type, detail) => {
    const problem = await problemOf(verify(await build(), keys));
    expect(problem.type).toBe(type);
    expect(problem.detail).toMatch(/^externalAccountBinding: /);
    expect(problem.detail).toMatch(detail);
  });

  it("fail/a used-up signature key", async () => {
    const used = [{ ...(keys[2] as MemoryKey), boundAccounts: 1 }];
    const aks = accountKeySignature(account.jwk, ed.privateKey, null);
    const problem = await problemOf(verify(await signed({ cf: "ed-fingerprint", aks }), used));
    expect(problem.type).toBe("unauthorized");
    expect(problem.detail).toMatch(/the key "ed-fingerprint" has already bound an account/);
  });
});

describe("eabKeyState", () => {
  it("orders the reasons: disabled before expired before used up", () => {
    const base = key({ type: "mac", keyIdentifier: "k" });
    expect(eabKeyState(base, NOW)).toBe("active");
    expect(eabKeyState({ ...base, boundAccounts: 1 }, NOW)).toBe("used");
    expect(eabKeyState({ ...base, boundAccounts: 1, bindsMany: true }, NOW)).toBe("active");
    expect(eabKeyState({ ...base, boundAccounts: 1, expiresAt: NOW }, NOW)).toBe("expired");
    expect(eabKeyState({ ...base, expiresAt: NOW, disabledAt: NOW }, NOW)).toBe("disabled");
  });
});
