// Versioned terms of service (spec "Terms of Service", RFC 8555 §7.3.3) over real HTTP: terms
// published through the console API, the directory naming the current ones, accounts recording the
// version they agreed to, and, with "Require client approval for Terms of Service changes" on, every
// request but newAccount from an account behind refused with 403 userActionRequired until it agrees
// (where "Agree to new Terms of Service allowed") or registers anew (where not).
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AcmeResult,
  generateTestKey,
  RawAcmeClient,
  signJws,
  type TestKey,
} from "../support/acme-signer";
import { consoleApi } from "../support/console-api";
import { createTestUserWithToken } from "../support/console-tokens";
import { directoryUrl, enableAcme, testDb } from "../support/keyward";

const PROBLEM = "urn:ietf:params:acme:error:";
let admin: string;
let auditor: string;
let approver: string;

beforeAll(async () => {
  await enableAcme();
  admin = (await createTestUserWithToken(testDb(), "administrator")).token;
  auditor = (await createTestUserWithToken(testDb(), "auditor")).token;
  approver = (await createTestUserWithToken(testDb(), "approver")).token;
});

let counter = 0;
/** An alias stored through the console with these settings and terms v1 published. */
async function aliasWithTerms(settings: Record<string, unknown>) {
  const name = `tos-${Date.now().toString(36)}-${counter++}`;
  expect((await consoleApi("POST", "/api/console/aliases", { token: admin, body: { name } })).status).toBe(
    201,
  );
  expect(
    (await consoleApi("PATCH", `/api/console/aliases/${name}`, { token: admin, body: { settings } })).status,
  ).toBe(200);
  await publish(name, `https://ca.example/${name}/v1`, null);
  return { name, client: await new RawAcmeClient(directoryUrl(name)).init() };
}

async function publish(alias: string, url: string, changeUrl: string | null) {
  const res = await consoleApi("POST", `/api/console/aliases/${alias}/terms`, {
    token: admin,
    body: { url, changeUrl },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function register(client: RawAcmeClient, key: TestKey) {
  const res = await client.signedPost(key, client.directory.newAccount as string, {
    termsOfServiceAgreed: true,
  });
  expect(res.status).toBe(201);
  return res.headers.get("location") as string;
}

function newOrder(client: RawAcmeClient, key: TestKey, kid: string) {
  return client.signedPost(
    key,
    client.directory.newOrder as string,
    { identifiers: [{ type: "dns", value: "www.example.test" }] },
    { kid },
  );
}

function expectNewTerms(res: AcmeResult, url: string, instance: string, detail: RegExp) {
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({ type: `${PROBLEM}userActionRequired`, instance });
  expect(res.body.detail).toMatch(detail);
  expect(res.headers.get("link")).toContain(`<${url}>;rel="terms-of-service"`);
}

const accountId = (url: string) => url.split("/").pop() as string;

describe("with approval of changes required and agreeing allowed (the defaults)", () => {
  it("new terms: the directory names them; an old account is refused everything but agreeing; after agreeing it orders", async () => {
    const { name, client } = await aliasWithTerms({});
    const key = await generateTestKey();
    const url = await register(client, key);
    expect(await testDb().account.findUniqueOrThrow({ where: { id: accountId(url) } })).toMatchObject({
      termsOfServiceVersion: 1,
    });
    expect((await newOrder(client, key, url)).status).toBe(201);

    const v2 = `https://ca.example/${name}/v2`;
    const changes = `https://ca.example/${name}/changes`;
    await publish(name, v2, changes);
    const directory = await (await fetch(directoryUrl(name))).json();
    expect(directory.meta.termsOfService).toBe(v2);

    const agreeHint = /agree to the new terms at .* "termsOfServiceAgreed": true/;
    expectNewTerms(await newOrder(client, key, url), v2, changes, agreeHint);
    expectNewTerms(await client.signedPost(key, url, null, { kid: url }), v2, changes, agreeHint);
    expectNewTerms(
      await client.signedPost(key, url, { contact: ["mailto:x@example.test"] }, { kid: url }),
      v2,
      changes,
      agreeHint,
    );
    expectNewTerms(await client.signedPost(key, `${url}/orders`, null, { kid: url }), v2, changes, agreeHint);
    // newAccount is not refused: it answers with the account (RFC 8555 §7.3.1).
    expect(
      (await client.signedPost(key, client.directory.newAccount as string, { onlyReturnExisting: true }))
        .status,
    ).toBe(200);

    const agreed = await client.signedPost(key, url, { termsOfServiceAgreed: true }, { kid: url });
    expect(agreed.status).toBe(200);
    expect(agreed.body.termsOfServiceAgreed).toBe(true);
    expect(await testDb().account.findUniqueOrThrow({ where: { id: accountId(url) } })).toMatchObject({
      termsOfServiceVersion: 2,
    });
    expect((await newOrder(client, key, url)).status).toBe(201);
    const audit = await testDb().auditEvent.findFirstOrThrow({
      where: { action: "account.updated", targetId: accountId(url) },
      orderBy: { id: "desc" },
    });
    expect(audit.details).toMatchObject({
      before: { termsOfServiceVersion: 1 },
      after: { termsOfServiceVersion: 2 },
    });

    // A new account agrees to the terms in force.
    const fresh = await register(client, await generateTestKey());
    expect(
      (await testDb().account.findUniqueOrThrow({ where: { id: accountId(fresh) } })).termsOfServiceVersion,
    ).toBe(2);

    // The console shows the history and who agreed to what.
    const terms = await consoleApi("GET", `/api/console/aliases/${name}/terms`, { token: auditor });
    expect(terms.body).toMatchObject({
      currentUrl: v2,
      currentChangeUrl: changes,
      accounts: 2,
      accountsAgreedToCurrent: 2,
    });
    expect(terms.body.versions.map((v: { version: number; url: string }) => [v.version, v.url])).toEqual([
      [2, v2],
      [1, `https://ca.example/${name}/v1`],
    ]);
  });

  it("an account behind can still deactivate itself; a key change is refused until it agrees", async () => {
    const { name, client } = await aliasWithTerms({});
    const key = await generateTestKey();
    const url = await register(client, key);
    await publish(name, `https://ca.example/${name}/v2`, null);
    const keyChangeUrl = client.directory.keyChange as string;
    const newKey = await generateTestKey();
    const inner = await signJws(newKey, { account: url, oldKey: key.jwk }, { url: keyChangeUrl });
    const refused = await client.signedPost(key, keyChangeUrl, inner, { kid: url });
    // Without a changes page, the instance is the terms themselves.
    expectNewTerms(
      refused,
      `https://ca.example/${name}/v2`,
      `https://ca.example/${name}/v2`,
      /terms of service have changed/,
    );
    const deactivated = await client.signedPost(key, url, { status: "deactivated" }, { kid: url });
    expect(deactivated.status).toBe(200);
  });
});

describe("with agreeing not allowed", () => {
  it("agreeing by account update is refused and the problem says a new account with new keys is needed", async () => {
    const { name, client } = await aliasWithTerms({ agreeToNewTermsOfServiceAllowed: false });
    const key = await generateTestKey();
    const url = await register(client, key);
    const v2 = `https://ca.example/${name}/v2`;
    await publish(name, v2, null);
    const newKeys = /register a new account with new keys/;
    expectNewTerms(await newOrder(client, key, url), v2, v2, newKeys);
    expectNewTerms(
      await client.signedPost(key, url, { termsOfServiceAgreed: true }, { kid: url }),
      v2,
      v2,
      newKeys,
    );
    expect(
      (await testDb().account.findUniqueOrThrow({ where: { id: accountId(url) } })).termsOfServiceVersion,
    ).toBe(1);
    // New keys: a new account, which agrees to v2 and orders.
    const newKey = await generateTestKey();
    const fresh = await register(client, newKey);
    expect((await newOrder(client, newKey, fresh)).status).toBe(201);
  });
});

describe("with approval of changes not required", () => {
  it("new terms change nothing for existing accounts", async () => {
    const { name, client } = await aliasWithTerms({ termsOfServiceRequireNewApproval: false });
    const key = await generateTestKey();
    const url = await register(client, key);
    await publish(name, `https://ca.example/${name}/v2`, null);
    expect((await newOrder(client, key, url)).status).toBe(201);
    // Agreeing still records the version, for the record.
    expect((await client.signedPost(key, url, { termsOfServiceAgreed: true }, { kid: url })).status).toBe(
      200,
    );
    expect(
      (await testDb().account.findUniqueOrThrow({ where: { id: accountId(url) } })).termsOfServiceVersion,
    ).toBe(2);
  });
});

describe("publishing through the console API", () => {
  it("fail/the URL in force again, a URL that is not http(s), an unknown alias; ok/audited", async () => {
    const { name } = await aliasWithTerms({});
    const same = await consoleApi("POST", `/api/console/aliases/${name}/terms`, {
      token: admin,
      body: { url: `https://ca.example/${name}/v1` },
    });
    expect(same.status).toBe(422);
    expect(same.body.invalidParams[0].name).toBe("url");
    const bad = await consoleApi("POST", `/api/console/aliases/${name}/terms`, {
      token: admin,
      body: { url: "ftp://ca.example/tos", changeUrl: "nope" },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(["changeUrl", "url"]);
    expect(
      (
        await consoleApi("POST", "/api/console/aliases/no-such-alias/terms", {
          token: admin,
          body: { url: "https://x.example/" },
        })
      ).status,
    ).toBe(404);
    expect(
      await testDb().auditEvent.count({
        where: { action: "terms.published", details: { path: ["name"], equals: name } },
      }),
    ).toBe(1);
  });

  it("fail/auditors and approvers publish nothing", async () => {
    const { name } = await aliasWithTerms({});
    for (const token of [auditor, approver]) {
      const res = await consoleApi("POST", `/api/console/aliases/${name}/terms`, {
        token,
        body: { url: "https://ca.example/other" },
      });
      expect(res.status).toBe(403);
    }
    const all = await consoleApi("GET", `/api/console/terms?q=${name}`, { token: auditor });
    expect(all.body.items.find((t: { alias: string }) => t.alias === name).versions).toHaveLength(1);
  });
});
