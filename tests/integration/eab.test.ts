// External account binding over real HTTP (RFC 8555 §7.3.4): keys created through the console
// API (and what it refuses), newAccount with raw JWS in both forms — the MAC form clients send and
// the signature form { key, cf, aks } — with what each refuses, concurrent registrations racing
// for a key that binds one account, and what an alias without keys does with a binding.
import { createHash, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { type AcmeResult, generateTestKey, RawAcmeClient, type TestKey } from "../support/acme-signer";
import { createTestToken } from "../support/console-tokens";
import {
  accountKeySignature,
  eabCertificate,
  eabKeyPair,
  macBinding,
  signatureBinding,
} from "../support/eab";
import { createTestAlias, directoryUrl, enableAcme, keyward, testDb } from "../support/keyward";

const PROBLEM = "urn:ietf:params:acme:error:";
let adminToken: string;
let auditorToken: string;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, asserted field by field
type Answer = { status: number; body: any; text: string };

async function api(method: string, pathname: string, body?: unknown, token = adminToken): Promise<Answer> {
  const res = await fetch(`${keyward().httpUrl}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

const keysPath = (alias: string) => `/api/console/aliases/${alias}/eab-keys`;

async function createMacKey(alias: string, body: Record<string, unknown> = {}) {
  const res = await api("POST", keysPath(alias), { type: "mac", ...body });
  expect(res.status, res.text).toBe(201);
  return res.body as {
    key: { id: string; keyIdentifier: string };
    secret: { keyIdentifier: string; hmacKey: string };
  };
}

function expectProblem(res: AcmeResult, type: string, status: number, detail?: RegExp) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body, res.text).toMatchObject({ type: PROBLEM + type, status });
  if (detail) expect(res.body.detail).toMatch(detail);
}

/** newAccount with a binding built for this request's url (fn gets the account key and url). */
async function registerWith(
  client: RawAcmeClient,
  binding: (key: TestKey, url: string) => Promise<unknown>,
  key?: TestKey,
  url = client.directory.newAccount as string,
) {
  const accountKey = key ?? (await generateTestKey("ES256"));
  const payload = { termsOfServiceAgreed: true, externalAccountBinding: await binding(accountKey, url) };
  return { key: accountKey, res: await client.signedPost(accountKey, url, payload) };
}

beforeAll(async () => {
  await enableAcme();
  adminToken = await createTestToken(testDb(), "administrator");
  auditorToken = await createTestToken(testDb(), "auditor");
});

describe("EAB keys through the console API", () => {
  let alias: string;
  beforeAll(async () => {
    alias = await createTestAlias({ requireExternalAccountBinding: true });
  });

  it("a generated key: 256 random bits, kid = base64url(SHA-1(key)), shown once; the list never shows it", async () => {
    const { key, secret } = await createMacKey(alias);
    const hmac = Buffer.from(secret.hmacKey, "base64url");
    expect(hmac).toHaveLength(32);
    expect(secret.keyIdentifier).toBe(createHash("sha1").update(hmac).digest("base64url"));
    expect(key.keyIdentifier).toBe(secret.keyIdentifier);
    for (const token of [adminToken, auditorToken]) {
      const list = await api("GET", keysPath(alias), undefined, token);
      expect(list.status).toBe(200);
      expect(list.body.items.map((k: { keyIdentifier: string }) => k.keyIdentifier)).toContain(
        secret.keyIdentifier,
      );
      expect(list.text).not.toContain(secret.hmacKey);
      expect(list.body.items[0]).toMatchObject({
        type: "mac",
        macAlgorithm: "HS256",
        binds: "one",
        state: "active",
      });
    }
    const audit = await testDb().auditEvent.findMany({ where: { targetId: key.id } });
    expect(audit.map((a) => a.action)).toEqual(["eab.created"]);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(secret.hmacKey);
  });

  it("HS384 and HS512 keys are generated as long as their hash", async () => {
    expect(
      Buffer.from((await createMacKey(alias, { macAlgorithm: "HS384" })).secret.hmacKey, "base64url"),
    ).toHaveLength(48);
    expect(
      Buffer.from((await createMacKey(alias, { macAlgorithm: "HS512" })).secret.hmacKey, "base64url"),
    ).toHaveLength(64);
  });

  it("fail/what the console refuses: short keys, duplicates, both key and file, bad fields, unknown alias, roles", async () => {
    const cases: [unknown, number, string, RegExp][] = [
      [
        { type: "mac", key: randomBytes(31).toString("base64url") },
        422,
        "key",
        /HS256 needs a key of at least 256 bits/,
      ],
      [
        { type: "mac", macAlgorithm: "HS512", key: randomBytes(32).toString("base64url") },
        422,
        "key",
        /HS512 needs a key of at least 512 bits/,
      ],
      [{ type: "mac", key: "not base64url!" }, 422, "key", /Only base64url characters/],
      [{ type: "mac", keyIdentifier: "x".repeat(257) }, 422, "keyIdentifier", /At most 256 characters/],
      [
        { type: "mac", key: randomBytes(32).toString("base64url"), keyFile: "AAAA" },
        422,
        "keyFile",
        /not both/,
      ],
      [{ type: "mac", macAlgorithm: "HS1" }, 422, "macAlgorithm", /One of HS256, HS384, HS512/],
      [{ type: "hmac" }, 422, "type", /type is "mac"/],
      [{ type: "signature" }, 422, "publicKey", /Paste a PEM certificate or public key, or upload one/],
      [
        { type: "signature", publicKey: eabKeyPair("ec").publicKeyPem },
        422,
        "signatureAlgorithm",
        /Choose the signature algorithm/,
      ],
      [
        { type: "signature", publicKey: eabKeyPair("ec").publicKeyPem, signatureAlgorithm: "SHA256WithRSA" },
        422,
        "signatureAlgorithm",
        /SHA256WithRSA needs an RSA key; this key is ECDSA prime256v1/,
      ],
      [
        {
          type: "signature",
          publicKey: eabKeyPair("ec").privateKey.export({ type: "pkcs8", format: "pem" }),
        },
        422,
        "publicKey",
        /This is a private key/,
      ],
      [{ type: "signature", publicKey: "x".repeat(4097) }, 422, "publicKey", /At most 4096 characters/],
    ];
    for (const [body, status, field, reason] of cases) {
      const res = await api("POST", keysPath(alias), body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(res.body.invalidParams[0].name).toBe(field);
      expect(res.body.invalidParams[0].reason).toMatch(reason);
    }
    await createMacKey(alias, { keyIdentifier: "dup-kid" });
    const dup = await api("POST", keysPath(alias), { type: "mac", keyIdentifier: "dup-kid" });
    expect(dup.status).toBe(409);
    expect(dup.body.invalidParams[0]).toMatchObject({ name: "keyIdentifier" });
    expect(dup.body.detail).toMatch(/already has an EAB key with the key identifier "dup-kid"/);
    expect((await api("POST", keysPath("no-such-alias"), { type: "mac" })).status).toBe(404);
    const denied = await api("POST", keysPath(alias), { type: "mac" }, auditorToken);
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/eab.manage is required/);
    const approver = await createTestToken(testDb(), "approver");
    expect((await api("POST", keysPath(alias), { type: "mac" }, approver)).status).toBe(403);
  });

  it("inspect reads an upload; disable and delete are audited; an auditor can do neither", async () => {
    const holder = eabKeyPair("ec");
    const cert = await eabCertificate(holder);
    const inspected = await api("POST", "/api/console/eab-keys/inspect", {
      publicKeyFile: cert.der.toString("base64"),
    });
    expect(inspected.body).toEqual({
      kind: "certificate",
      keyType: "ec",
      keyDescription: "ECDSA prime256v1",
      fingerprint: cert.fingerprint,
      signatureAlgorithm: "SHA256withECDSA",
    });
    const { key } = await createMacKey(alias);
    const path = `${keysPath(alias)}/${key.id}`;
    expect((await api("PATCH", path, { disabled: true }, auditorToken)).status).toBe(403);
    expect((await api("DELETE", path, undefined, auditorToken)).status).toBe(403);
    const disabled = await api("PATCH", path, { disabled: true });
    expect(disabled.body).toMatchObject({ state: "disabled" });
    expect((await api("PATCH", path, { disabled: true })).status).toBe(409);
    expect((await api("DELETE", path)).status).toBe(204);
    expect((await api("DELETE", path)).status).toBe(404);
    const actions = (
      await testDb().auditEvent.findMany({ where: { targetId: key.id }, orderBy: { id: "asc" } })
    ).map((a) => a.action);
    expect(actions).toEqual(["eab.created", "eab.disabled", "eab.deleted"]);
    expect(
      await testDb().auditEvent.count({
        where: { action: "access.denied", details: { path: ["attempted"], equals: "eab.deleted" } },
      }),
    ).toBeGreaterThan(0);
  });

  it("the OpenAPI document describes the EAB key routes", async () => {
    const doc = await (await fetch(`${keyward().httpUrl}/api/console/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/console/aliases/{alias}/eab-keys",
        "/api/console/aliases/{alias}/eab-keys/{id}",
        "/api/console/eab-keys/inspect",
      ]),
    );
    expect(
      doc.paths["/api/console/aliases/{alias}/eab-keys"].post.requestBody.content["application/json"].schema
        .oneOf,
    ).toHaveLength(2);
    expect(doc.components.schemas.EabKey.properties.state.enum).toEqual([
      "active",
      "disabled",
      "expired",
      "used",
    ]);
  });
});

describe("storing an alias that requires EAB with no usable key", () => {
  it("is allowed, and the stored alias carries a warning until a key exists", async () => {
    const name = `warn-${randomBytes(3).toString("hex")}`;
    expect((await api("POST", "/api/console/aliases", { name })).status).toBe(201);
    const stored = await api("PATCH", `/api/console/aliases/${name}`, {
      settings: { requireExternalAccountBinding: true },
    });
    expect(stored.status).toBe(200);
    expect(stored.body.warnings).toEqual([
      {
        field: "requireExternalAccountBinding",
        message: expect.stringMatching(/every new account registration will be refused/),
      },
    ]);
    const { key } = await createMacKey(name);
    expect((await api("GET", `/api/console/aliases/${name}`)).body.warnings).toEqual([]);
    await api("PATCH", `${keysPath(name)}/${key.id}`, { disabled: true });
    expect((await api("GET", `/api/console/aliases/${name}`)).body.warnings).toHaveLength(1);
    expect((await api("GET", keysPath(name))).body.warning).toMatch(/no usable EAB key/);
  });
});

describe("newAccount with a MAC binding", () => {
  let alias: string;
  let client: RawAcmeClient;
  beforeAll(async () => {
    alias = await createTestAlias({ requireExternalAccountBinding: true });
    client = await new RawAcmeClient(directoryUrl(alias)).init();
  });

  it("the directory says a binding is required; without one → externalAccountRequired", async () => {
    expect((client.directory.meta as unknown as Record<string, unknown>).externalAccountRequired).toBe(true);
    const res = await client.signedPost(await generateTestKey(), client.directory.newAccount as string, {
      termsOfServiceAgreed: true,
    });
    expectProblem(res, "externalAccountRequired", 400, /requires an external account binding/);
  });

  it("ok/a binding with a generated key: 201, the binding reflected, the account bound; the same key again → 200 without it", async () => {
    const { secret, key: eabKey } = await createMacKey(alias);
    const { key, res } = await registerWith(client, (k, url) =>
      macBinding({ accountJwk: k.jwk, kid: secret.keyIdentifier, hmacKey: secret.hmacKey, url }),
    );
    expect(res.status, res.text).toBe(201);
    const sent = JSON.parse(res.text).externalAccountBinding;
    expect(sent).toBeDefined();
    expect(res.body.externalAccountBinding).toEqual(sent);
    const accountId = (res.headers.get("location") as string).split("/").pop() as string;
    const row = await testDb().account.findUniqueOrThrow({ where: { id: accountId } });
    expect(row).toMatchObject({ eabKeyId: eabKey.id, eabKeyIdentifier: secret.keyIdentifier });
    const audit = await testDb().auditEvent.findFirstOrThrow({
      where: { targetId: accountId, action: "account.created" },
    });
    expect(audit.details).toMatchObject({ eabKey: { id: eabKey.id, keyIdentifier: secret.keyIdentifier } });

    // §7.3.1: the existing account; its key was used, but the account is this one.
    const again = await client.signedPost(key, client.directory.newAccount as string, {});
    expect(again.status).toBe(200);
    expect(again.body.externalAccountBinding).toBeUndefined();
    const list = await api("GET", keysPath(alias));
    const listed = list.body.items.find((k: { id: string }) => k.id === eabKey.id);
    expect(listed).toMatchObject({ state: "used", boundAccountCount: 1, boundAccounts: [{ id: accountId }] });
  });

  it("ok/HS512, and the query URL form (the binding names the url the client used)", async () => {
    const { secret } = await createMacKey(alias, { macAlgorithm: "HS512" });
    const queryClient = await new RawAcmeClient(
      `${keyward().httpUrl}/acme/directory?configurationId=${alias}`,
    ).init();
    const { res } = await registerWith(queryClient, (k, url) =>
      macBinding({
        accountJwk: k.jwk,
        kid: secret.keyIdentifier,
        hmacKey: secret.hmacKey,
        url,
        alg: "HS512",
      }),
    );
    expect(res.status, res.text).toBe(201);
  });

  it("fail/wrong MAC, used-up, disabled and unknown keys → unauthorized; another URL form → malformed; no account", async () => {
    const { secret } = await createMacKey(alias);
    const before = await testDb().account.count();
    const bind = (o: Partial<Parameters<typeof macBinding>[0]>) => (k: TestKey, url: string) =>
      macBinding({ accountJwk: k.jwk, kid: secret.keyIdentifier, hmacKey: secret.hmacKey, url, ...o });
    expectProblem(
      (await registerWith(client, bind({ hmacKey: randomBytes(32) }))).res,
      "unauthorized",
      403,
      /the MAC does not verify with the key/,
    );
    expectProblem(
      (await registerWith(client, bind({ kid: "nobody" }))).res,
      "unauthorized",
      403,
      /no EAB key with key identifier \(kid\) "nobody"/,
    );
    expectProblem(
      (
        await registerWith(client, (k, url) =>
          macBinding({
            accountJwk: k.jwk,
            kid: secret.keyIdentifier,
            hmacKey: secret.hmacKey,
            url: url.replace(`/acme/${alias}/newAccount`, `/acme/newAccount?configurationId=${alias}`),
          }),
        )
      ).res,
      "malformed",
      400,
      /must be the outer JWS's url/,
    );
    expect(await testDb().account.count()).toBe(before);
    expect((await registerWith(client, bind({}))).res.status).toBe(201);
    expectProblem(
      (await registerWith(client, bind({}))).res,
      "unauthorized",
      403,
      /has already bound an account and binds only one/,
    );
    const { key: toDisable, secret: disabledSecret } = await createMacKey(alias);
    await api("PATCH", `${keysPath(alias)}/${toDisable.id}`, { disabled: true });
    expectProblem(
      (
        await registerWith(client, (k, url) =>
          macBinding({
            accountJwk: k.jwk,
            kid: disabledSecret.keyIdentifier,
            hmacKey: disabledSecret.hmacKey,
            url,
          }),
        )
      ).res,
      "unauthorized",
      403,
      /is disabled/,
    );
  });

  it("a key that binds one account: of concurrent registrations with it exactly one wins", async () => {
    const { secret, key } = await createMacKey(alias);
    const attempts = await Promise.all(
      Array.from({ length: 6 }, () =>
        registerWith(client, (k, url) =>
          macBinding({ accountJwk: k.jwk, kid: secret.keyIdentifier, hmacKey: secret.hmacKey, url }),
        ),
      ),
    );
    const statuses = attempts.map((a) => a.res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 403)).toHaveLength(5);
    for (const { res } of attempts.filter((a) => a.res.status === 403)) {
      expectProblem(
        res,
        "unauthorized",
        403,
        /(has already bound an account|used up, disabled or expired by a concurrent request)/,
      );
    }
    expect(await testDb().account.count({ where: { eabKeyId: key.id } })).toBe(1);
    expect((await testDb().eabKey.findUniqueOrThrow({ where: { id: key.id } })).boundAccounts).toBe(1);
  });

  it("a key that binds many: each registration binds", async () => {
    const { secret, key } = await createMacKey(alias, { binds: "many" });
    for (let i = 0; i < 3; i++) {
      const { res } = await registerWith(client, (k, url) =>
        macBinding({ accountJwk: k.jwk, kid: secret.keyIdentifier, hmacKey: secret.hmacKey, url }),
      );
      expect(res.status).toBe(201);
    }
    expect(await testDb().account.count({ where: { eabKeyId: key.id } })).toBe(3);
  });
});

describe("newAccount with a signature binding ({ key, cf, aks })", () => {
  it("ok/a certificate's key signs the account key; fail/bad aks, wrong cf, wrong signer", async () => {
    const alias = await createTestAlias({ requireExternalAccountBinding: true });
    const client = await new RawAcmeClient(directoryUrl(alias)).init();
    const holder = eabKeyPair("rsa");
    const cert = await eabCertificate(holder);
    const created = await api("POST", keysPath(alias), {
      type: "signature",
      publicKeyFile: Buffer.from(cert.pem).toString("base64"),
      binds: "many",
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      secret: null,
      key: {
        type: "signature",
        keyIdentifier: cert.fingerprint,
        signatureAlgorithm: "SHA256WithRSA",
        publicKeyKind: "certificate",
      },
    });

    const bind =
      (o: { aks?: (k: TestKey) => string; cf?: string; signingKey?: (k: TestKey) => CryptoKey } = {}) =>
      (k: TestKey, url: string) =>
        signatureBinding({
          accountKey: k,
          url,
          cf: o.cf ?? cert.fingerprint,
          aks: o.aks ? o.aks(k) : accountKeySignature(k.jwk, holder.privateKey, "sha256"),
          signingKey: o.signingKey?.(k),
        });
    const ok = await registerWith(client, bind());
    expect(ok.res.status, ok.res.text).toBe(201);
    expect(ok.res.body.externalAccountBinding).toEqual(JSON.parse(ok.res.text).externalAccountBinding);

    const stranger = eabKeyPair("rsa");
    expectProblem(
      (
        await registerWith(
          client,
          bind({ aks: (k) => accountKeySignature(k.jwk, stranger.privateKey, "sha256") }),
        )
      ).res,
      "unauthorized",
      403,
      /aks is not a SHA256WithRSA signature of the account key/,
    );
    expectProblem(
      (await registerWith(client, bind({ cf: "not-the-fingerprint" }))).res,
      "unauthorized",
      403,
      /no EAB key with the fingerprint \(cf\) "not-the-fingerprint"/,
    );
    const other = await generateTestKey("ES256");
    expectProblem(
      (await registerWith(client, bind({ signingKey: () => other.privateKey }))).res,
      "unauthorized",
      403,
      /the signature does not verify with the account key/,
    );
  });
});

describe("an alias that does not require a binding", () => {
  it("without keys: a well-formed binding is ignored and not reflected; with keys: it is verified", async () => {
    const alias = await createTestAlias();
    const client = await new RawAcmeClient(directoryUrl(alias)).init();
    const garbage = (k: TestKey, url: string) =>
      macBinding({ accountJwk: k.jwk, kid: "made-up", hmacKey: randomBytes(32), url });
    const ignored = await registerWith(client, garbage);
    expect(ignored.res.status, ignored.res.text).toBe(201);
    expect(ignored.res.body.externalAccountBinding).toBeUndefined();
    const id = (ignored.res.headers.get("location") as string).split("/").pop() as string;
    expect((await testDb().account.findUniqueOrThrow({ where: { id } })).eabKeyId).toBeNull();

    // A binding that is not even a JWS object is malformed, keys or not.
    const notJws = await client.signedPost(await generateTestKey(), client.directory.newAccount as string, {
      externalAccountBinding: "eyJhbGciOiJIUzI1NiJ9",
    });
    expectProblem(notJws, "malformed", 400, /externalAccountBinding: must be a flattened JWS object/);

    const { secret } = await createMacKey(alias);
    expectProblem(
      (await registerWith(client, garbage)).res,
      "unauthorized",
      403,
      /no EAB key with key identifier \(kid\) "made-up"/,
    );
    // No binding at all is still fine here.
    const plain = await client.signedPost(await generateTestKey(), client.directory.newAccount as string, {});
    expect(plain.status).toBe(201);
    const bound = await registerWith(client, (k, url) =>
      macBinding({ accountJwk: k.jwk, kid: secret.keyIdentifier, hmacKey: secret.hmacKey, url }),
    );
    expect(bound.res.status).toBe(201);
    expect(bound.res.body.externalAccountBinding).toBeDefined();
  });
});
