// RFC 8555 §7.3 accounts over real HTTP: registration, lookup, contacts, terms of service,
// update, orders list, deactivation and key change — and what each refuses.
import { createPublicKey } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AcmeResult,
  generateTestKey,
  RawAcmeClient,
  signJws,
  type TestKey,
} from "../support/acme-signer";
import {
  createTestAlias,
  directoryUrl,
  enableAcme,
  keyward,
  testDb,
  updateTestAlias,
} from "../support/keyward";
import { fermatWeakRsaKey, forgeRs256WithExponentOne, rsaJwkWithExponent } from "../support/weak-keys";

const PROBLEM = "urn:ietf:params:acme:error:";
let alias: string;
let client: RawAcmeClient;

function expectProblem(res: AcmeResult, type: string, status: number, detail?: RegExp) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ type: PROBLEM + type, status });
  if (detail) expect(res.body.detail).toMatch(detail);
}

async function register(key: TestKey, payload: Record<string, unknown> = { termsOfServiceAgreed: true }) {
  return client.signedPost(key, client.directory.newAccount as string, payload);
}

beforeAll(async () => {
  await enableAcme();
  alias = await createTestAlias();
  client = await new RawAcmeClient(directoryUrl(alias)).init();
});

describe("newAccount", () => {
  it("creates an account: 201, Location, the account object; the same key again → 200 and the same URL", async () => {
    const key = await generateTestKey("ES256");
    const created = await register(key, { contact: ["mailto:ops@example.test"], termsOfServiceAgreed: true });
    expect(created.status).toBe(201);
    const location = created.headers.get("location") as string;
    expect(location).toMatch(new RegExp(`^${keyward().httpUrl}/acme/${alias}/acct/[A-Za-z0-9_-]{22}$`));
    expect(created.body).toMatchObject({
      status: "valid",
      contact: ["mailto:ops@example.test"],
      termsOfServiceAgreed: true,
      orders: `${location}/orders`,
    });
    const again = await register(key, {});
    expect(again.status).toBe(200);
    expect(again.headers.get("location")).toBe(location);
    const audit = await testDb().auditEvent.findMany({
      where: { targetId: location.split("/").pop(), action: "account.created" },
    });
    expect(audit).toHaveLength(1);
  });

  it("every allowed algorithm registers (RS256, ES256, ES384, ES512, EdDSA)", async () => {
    for (const alg of ["RS256", "ES256", "ES384", "ES512", "EdDSA"] as const) {
      const res = await register(await generateTestKey(alg));
      expect(res.status, alg).toBe(201);
    }
  });

  it("RSA key of 1024 bits → badPublicKey", async () => {
    expectProblem(
      await register(await generateTestKey("RS256", 1024)),
      "badPublicKey",
      400,
      /2048 to 8192 bits, this one has 1024/,
    );
  });

  it("an RSA key with exponent 1, whose signature anyone can forge → badPublicKey, no account", async () => {
    const jwk = rsaJwkWithExponent(1n);
    const url = client.directory.newAccount as string;
    const protectedB64 = Buffer.from(
      JSON.stringify({ alg: "RS256", jwk, url, nonce: await client.nonce() }),
    ).toString("base64url");
    const payloadB64 = Buffer.from(JSON.stringify({ termsOfServiceAgreed: true })).toString("base64url");
    const signature = await forgeRs256WithExponentOne(jwk, `${protectedB64}.${payloadB64}`);
    const res = await client.post(url, { protected: protectedB64, payload: payloadB64, signature });
    expectProblem(res, "badPublicKey", 400, /exponent 1 is not allowed/);
    expect(await testDb().account.count({ where: { jwk: { equals: jwk } } })).toBe(0);
  });

  it("RSA keys with a small prime factor or primes close together → badPublicKey", async () => {
    const weak = fermatWeakRsaKey();
    const fermatKey: TestKey = {
      alg: "RS256",
      privateKey: undefined as unknown as CryptoKey,
      jwk: createPublicKey(weak).export({ format: "jwk" }) as TestKey["jwk"],
      weakRsaKey: weak,
    };
    expectProblem(await register(fermatKey), "badPublicKey", 400, /Fermat/);
  });

  it("onlyReturnExisting with an unknown key → accountDoesNotExist; with a known key → the account", async () => {
    const key = await generateTestKey();
    expectProblem(await register(key, { onlyReturnExisting: true }), "accountDoesNotExist", 400);
    const created = await register(key);
    const found = await register(key, { onlyReturnExisting: true });
    expect(found.status).toBe(200);
    expect(found.headers.get("location")).toBe(created.headers.get("location"));
  });

  it("an externalAccountBinding that is not a JWS object → malformed, on any alias", async () => {
    for (const binding of [
      "eyJhbGciOiJIUzI1NiJ9",
      42,
      [],
      {},
      { protected: "a", payload: "b" },
      { garbage: true },
    ]) {
      expectProblem(
        await register(await generateTestKey(), {
          termsOfServiceAgreed: true,
          externalAccountBinding: binding,
        }),
        "malformed",
        400,
        /externalAccountBinding: must be a flattened JWS object/,
      );
    }
  });

  it("contacts are validated (bad input)", async () => {
    const cases: [unknown, string, RegExp][] = [
      [["tel:+4912345"], "unsupportedContact", /only mailto/],
      [["https://example.test"], "unsupportedContact", /only mailto/],
      [["ops@example.test"], "unsupportedContact", /only mailto/],
      [["mailto:"], "invalidContact", /not a valid email/],
      [["mailto:not-an-address"], "invalidContact", /not a valid email/],
      [["mailto:a@b.test?subject=hi"], "invalidContact", /hfields/],
      [["mailto:a@b.test,c@d.test"], "invalidContact", /one address/],
      [["mailto:a@localhost"], "invalidContact", /not a valid email/],
    ];
    for (const [contact, type, detail] of cases) {
      expectProblem(
        await register(await generateTestKey(), { contact, termsOfServiceAgreed: true }),
        type,
        400,
        detail,
      );
    }
    const tooMany = Array.from({ length: 11 }, (_, i) => `mailto:a${i}@example.test`);
    expectProblem(
      await register(await generateTestKey(), { contact: tooMany }),
      "malformed",
      400,
      /at most 10/,
    );
  });

  it("concurrent registrations of one key end with one account", async () => {
    const key = await generateTestKey();
    const results = await Promise.all(Array.from({ length: 6 }, () => register(key)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(new Set(results.map((r) => r.headers.get("location"))).size).toBe(1);
  });
});

describe("terms of service", () => {
  it("when configured, the directory names them and registration requires agreeing", async () => {
    const tosAlias = await createTestAlias({ termsOfServiceUrl: "https://ca.example/tos-v1" });
    const tosClient = await new RawAcmeClient(directoryUrl(tosAlias)).init();
    expect((tosClient.directory.meta as unknown as Record<string, unknown>).termsOfService).toBe(
      "https://ca.example/tos-v1",
    );
    for (const payload of [{}, { termsOfServiceAgreed: false }]) {
      const res = await tosClient.signedPost(
        await generateTestKey(),
        tosClient.directory.newAccount as string,
        payload,
      );
      expectProblem(res, "userActionRequired", 403, /terms of service/);
      expect(res.headers.get("link")).toContain('<https://ca.example/tos-v1>;rel="terms-of-service"');
    }
    const ok = await tosClient.signedPost(await generateTestKey(), tosClient.directory.newAccount as string, {
      termsOfServiceAgreed: true,
    });
    expect(ok.status).toBe(201);
  });

  it("without terms, registration does not require agreeing", async () => {
    expect((await register(await generateTestKey(), {})).status).toBe(201);
  });
});

describe("external account binding required", () => {
  it("newAccount without a binding → externalAccountRequired, and the directory says so", async () => {
    const eabAlias = await createTestAlias({ requireExternalAccountBinding: true });
    const eabClient = await new RawAcmeClient(directoryUrl(eabAlias)).init();
    expect((eabClient.directory.meta as unknown as Record<string, unknown>).externalAccountRequired).toBe(
      true,
    );
    const res = await eabClient.signedPost(
      await generateTestKey(),
      eabClient.directory.newAccount as string,
      { termsOfServiceAgreed: true },
    );
    expectProblem(res, "externalAccountRequired", 400);
  });
});

describe("an existing account", () => {
  let key: TestKey;
  let url: string;
  beforeAll(async () => {
    key = await generateTestKey();
    url = (
      await register(key, { contact: ["mailto:first@example.test"], termsOfServiceAgreed: true })
    ).headers.get("location") as string;
  });

  it("POST-as-GET returns it", async () => {
    const res = await client.signedPost(key, url, null, { kid: url });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "valid", contact: ["mailto:first@example.test"] });
  });

  it("contact update replaces the contacts; invalid ones are refused and change nothing", async () => {
    const res = await client.signedPost(
      key,
      url,
      { contact: ["mailto:second@example.test", "mailto:third@example.test"] },
      { kid: url },
    );
    expect(res.status).toBe(200);
    expect(res.body.contact).toEqual(["mailto:second@example.test", "mailto:third@example.test"]);
    expectProblem(
      await client.signedPost(key, url, { contact: ["mailto:bad"] }, { kid: url }),
      "invalidContact",
      400,
    );
    const after = await client.signedPost(key, url, null, { kid: url });
    expect(after.body.contact).toEqual(["mailto:second@example.test", "mailto:third@example.test"]);
  });

  it("another account cannot read or change it → unauthorized", async () => {
    const otherKey = await generateTestKey();
    const otherUrl = (await register(otherKey)).headers.get("location") as string;
    // Signed by the other account (its kid), sent to this account's URL.
    const jws = await signJws(otherKey, null, { url, kid: otherUrl, nonce: await client.nonce() });
    expectProblem(await client.post(url, jws), "unauthorized", 403, /different account/);
  });

  it("status other than deactivated → malformed", async () => {
    expectProblem(
      await client.signedPost(key, url, { status: "revoked" }, { kid: url }),
      "malformed",
      400,
      /deactivated/,
    );
  });

  it("orders list is empty for a new account", async () => {
    const res = await client.signedPost(key, `${url}/orders`, null, { kid: url });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ orders: [] });
  });
});

describe("deactivation", () => {
  it("deactivates, and every later request signed by the account is refused", async () => {
    const key = await generateTestKey();
    const url = (await register(key)).headers.get("location") as string;
    const res = await client.signedPost(key, url, { status: "deactivated" }, { kid: url });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("deactivated");
    // RFC 8555 §7.3.6: 401 for every POST from a deactivated account.
    expectProblem(await client.signedPost(key, url, null, { kid: url }), "unauthorized", 401, /deactivated/);
    expectProblem(await client.signedPost(key, url, { contact: [] }, { kid: url }), "unauthorized", 401);
    expectProblem(await client.signedPost(key, `${url}/orders`, null, { kid: url }), "unauthorized", 401);
    expectProblem(await register(key), "unauthorized", 401, /deactivated/);
    const row = await testDb().account.findUniqueOrThrow({ where: { id: url.split("/").pop() } });
    expect(row.status).toBe("deactivated");
  });
});

describe("keyChange (RFC 8555 §7.3.5)", () => {
  async function rollover(
    oldKey: TestKey,
    url: string,
    newKey: TestKey,
    tweak: { inner?: Record<string, unknown>; header?: Record<string, unknown>; innerUrl?: string } = {},
  ) {
    const keyChangeUrl = client.directory.keyChange as string;
    const inner = await signJws(
      newKey,
      { account: url, oldKey: oldKey.jwk, ...tweak.inner },
      { url: tweak.innerUrl ?? keyChangeUrl, header: tweak.header },
    );
    return client.signedPost(oldKey, keyChangeUrl, inner, { kid: url });
  }

  it("replaces the key: the new key works, the old one no longer does", async () => {
    const oldKey = await generateTestKey("ES256");
    const url = (await register(oldKey)).headers.get("location") as string;
    const newKey = await generateTestKey("ES384");
    const res = await rollover(oldKey, url, newKey);
    expect(res.status).toBe(200);
    expect((await client.signedPost(newKey, url, null, { kid: url })).status).toBe(200);
    expect((await register(newKey, { onlyReturnExisting: true })).headers.get("location")).toBe(url);
    expectProblem(
      await client.signedPost(oldKey, url, null, { kid: url }),
      "badSignatureAlgorithm",
      400,
      /ES256 needs an EC P-256 key, the key is EC P-384/,
    );
    expectProblem(await register(oldKey, { onlyReturnExisting: true }), "accountDoesNotExist", 400);
  });

  it("a new key that belongs to another account → 409 with that account's URL", async () => {
    const a = await generateTestKey();
    const b = await generateTestKey();
    const urlA = (await register(a)).headers.get("location") as string;
    const urlB = (await register(b)).headers.get("location") as string;
    const res = await rollover(a, urlA, b);
    expectProblem(res, "malformed", 409, /already in use/);
    expect(res.headers.get("location")).toBe(urlB);
  });

  it("refuses inner JWS defects (bad input)", async () => {
    const oldKey = await generateTestKey();
    const url = (await register(oldKey)).headers.get("location") as string;
    const newKey = await generateTestKey();
    const other = await generateTestKey();
    const keyChangeUrl = client.directory.keyChange as string;

    // inner url differs from outer url
    expectProblem(
      await rollover(oldKey, url, newKey, { innerUrl: `${keyChangeUrl}?x` }),
      "malformed",
      400,
      /inner JWS url/,
    );
    // inner has a nonce
    expectProblem(
      await rollover(oldKey, url, newKey, { header: { nonce: "abc" } }),
      "malformed",
      400,
      /must not have a nonce/,
    );
    // account field names another URL
    expectProblem(
      await rollover(oldKey, url, newKey, { inner: { account: `${url}x` } }),
      "unauthorized",
      403,
      /not the URL/,
    );
    // oldKey is not the account's key
    expectProblem(
      await rollover(oldKey, url, newKey, { inner: { oldKey: other.jwk } }),
      "unauthorized",
      403,
      /current key/,
    );
    // inner payload not a keyChange object
    expectProblem(
      await rollover(oldKey, url, newKey, { inner: { account: 42 } }),
      "malformed",
      400,
      /keyChange object/,
    );
    // inner signed with kid instead of jwk
    const innerKid = await signJws(
      newKey,
      { account: url, oldKey: oldKey.jwk },
      { url: keyChangeUrl, kid: url },
    );
    expectProblem(
      await client.signedPost(oldKey, keyChangeUrl, innerKid, { kid: url }),
      "malformed",
      400,
      /jwk, not kid/,
    );
    // inner signature by a different key than its jwk
    const forged = await signJws(
      other,
      { account: url, oldKey: oldKey.jwk },
      { url: keyChangeUrl, header: { jwk: newKey.jwk } },
    );
    expectProblem(
      await client.signedPost(oldKey, keyChangeUrl, forged, { kid: url }),
      "malformed",
      400,
      /signature verification failed/,
    );
    // outer payload is not a JWS
    expectProblem(
      await client.signedPost(oldKey, keyChangeUrl, { hello: 1 }, { kid: url }),
      "malformed",
      400,
      /Invalid JWS/,
    );
    // nothing changed
    expect((await client.signedPost(oldKey, url, null, { kid: url })).status).toBe(200);
  });

  it("two concurrent key changes of one account: exactly one wins", async () => {
    const oldKey = await generateTestKey();
    const url = (await register(oldKey)).headers.get("location") as string;
    const results = await Promise.all([
      rollover(oldKey, url, await generateTestKey()),
      rollover(oldKey, url, await generateTestKey()),
    ]);
    expect(results.map((r) => r.status).filter((s) => s === 200)).toHaveLength(1);
  });
});

describe("alias configuration reaches the wire", () => {
  it("a changed website URL shows in the directory at once", async () => {
    const name = await createTestAlias();
    await updateTestAlias(name, { websiteUrl: "https://changed.example/" });
    const dir = await (await fetch(directoryUrl(name))).json();
    expect(dir.meta.website).toBe("https://changed.example/");
  });
});
