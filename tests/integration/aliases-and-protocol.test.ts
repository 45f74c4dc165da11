// Which alias a request reaches (spec "URL Endpoints and Aliases"), that every URL Keyward
// returns keeps the client's form, and what a disabled protocol or an unusable alias answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTestKey, RawAcmeClient } from "../support/acme-signer";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";

const PROBLEM = "urn:ietf:params:acme:error:";
let alias: string;

beforeAll(async () => {
  await enableAcme();
  alias = await createTestAlias();
});
afterAll(() => enableAcme());

describe("URL forms", () => {
  const forms = () => {
    const base = keyward().httpUrl;
    return {
      path: { directory: `${base}/acme/${alias}/directory`, prefix: `${base}/acme/${alias}/`, suffix: "" },
      query: {
        directory: `${base}/acme/directory?configurationId=${alias}`,
        prefix: `${base}/acme/`,
        suffix: `?configurationId=${alias}`,
      },
    };
  };

  for (const form of ["path", "query"] as const) {
    it(`${form} form: directory, Location and account URLs keep the form`, async () => {
      const f = forms()[form];
      const client = await new RawAcmeClient(f.directory).init();
      for (const name of ["newNonce", "newAccount", "newOrder", "revokeCert", "keyChange"]) {
        expect(client.directory[name]).toBe(`${f.prefix}${name}${f.suffix}`);
      }
      const key = await generateTestKey();
      const res = await client.signedPost(key, client.directory.newAccount as string, {});
      expect(res.status).toBe(201);
      const location = res.headers.get("location") as string;
      expect(location).toMatch(
        new RegExp(
          `^${f.prefix.replace(/[?]/g, "\\?")}acct/[A-Za-z0-9_-]+${f.suffix.replace(/[?]/g, "\\?")}$`,
        ),
      );
      expect(res.body.orders).toBe(location.replace(/acct\/([^/?]+)/, "acct/$1/orders"));
      expect(res.headers.get("link")).toBe(`<${f.directory}>;rel="index"`);
      // The account answers at its URL, in the same form.
      const get = await client.signedPost(key, location, null, { kid: location });
      expect(get.status).toBe(200);
    });
  }

  it("default form: /acme/directory serves the default alias with unprefixed URLs", async () => {
    const base = keyward().httpUrl;
    const client = await new RawAcmeClient(`${base}/acme/directory`).init();
    expect(client.directory.newAccount).toBe(`${base}/acme/newAccount`);
    const res = await client.signedPost(await generateTestKey(), client.directory.newAccount as string, {});
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toMatch(new RegExp(`^${base}/acme/acct/[A-Za-z0-9_-]+$`));
  });

  it("an unknown alias → 404 problem (path and query form)", async () => {
    for (const url of [
      `${keyward().httpUrl}/acme/no-such-alias/directory`,
      `${keyward().httpUrl}/acme/directory?configurationId=no-such-alias`,
    ]) {
      const res = await fetch(url);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect((await res.json()).detail).toContain('"no-such-alias" does not exist');
    }
  });

  it("an alias that was never stored answers a problem saying so", async () => {
    const draft = await createTestAlias({}, { configured: false });
    const res = await fetch(`${keyward().httpUrl}/acme/${draft}/directory`);
    expect(res.status).toBe(403);
    expect((await res.json()).detail).toContain("has not been stored yet");
  });

  it("aliases are case-sensitive", async () => {
    const res = await fetch(`${keyward().httpUrl}/acme/${alias.toUpperCase()}/directory`);
    expect(res.status).toBe(404);
  });
});

describe("protocol enablement", () => {
  it("while ACME is disabled every /acme request gets a problem document saying so", async () => {
    await enableAcme(false);
    try {
      const base = keyward().httpUrl;
      for (const [url, method] of [
        [`${base}/acme/directory`, "GET"],
        [`${base}/acme/${alias}/newNonce`, "HEAD"],
        [`${base}/acme/${alias}/newAccount`, "POST"],
      ] as const) {
        const res = await fetch(url, {
          method,
          headers: { "content-type": "application/jose+json" },
          body: method === "POST" ? "{}" : undefined,
        });
        expect(res.status).toBe(403);
        if (method !== "HEAD") {
          expect(res.headers.get("content-type")).toBe("application/problem+json");
          const body = await res.json();
          expect(body.type).toBe(`${PROBLEM}unauthorized`);
          expect(body.detail).toContain("disabled");
        }
      }
      const audit = await testDb().auditEvent.findFirst({
        where: { action: "protocol.disabled" },
        orderBy: { id: "desc" },
      });
      expect(audit?.details).toEqual({ before: { acmeEnabled: true }, after: { acmeEnabled: false } });
    } finally {
      await enableAcme(true);
    }
    expect((await fetch(`${keyward().httpUrl}/acme/directory`)).status).toBe(200);
  });
});
