// The ACME front end over real HTTP against the running server: directory, nonces, headers,
// methods, and every way a request is refused before it reaches a resource. Each bad input is a
// table row with the problem type and status a client sees.
import http from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AcmeResult,
  generateTestKey,
  RawAcmeClient,
  signJws,
  type TestKey,
} from "../support/acme-signer";
import { createTestAlias, directoryUrl, enableAcme, keyward } from "../support/keyward";

const PROBLEM = "urn:ietf:params:acme:error:";
let alias: string;
let client: RawAcmeClient;
let key: TestKey;
let accountUrl: string;

function expectProblem(res: AcmeResult, type: string, status: number, detail?: string | RegExp) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ type: PROBLEM + type, status });
  if (detail) expect(res.body.detail).toMatch(detail);
  // §6.5: every response, errors included, carries a fresh nonce; §7.1: and the index link.
  expect(res.headers.get("replay-nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(res.headers.get("link")).toContain('rel="index"');
}

beforeAll(async () => {
  await enableAcme();
  alias = await createTestAlias({ websiteUrl: "https://ca.example/", caaIdentities: ["ca.example"] });
  client = await new RawAcmeClient(directoryUrl(alias)).init();
  key = await generateTestKey("ES256");
  const res = await client.signedPost(key, client.directory.newAccount as string, {
    termsOfServiceAgreed: true,
  });
  expect(res.status).toBe(201);
  accountUrl = res.headers.get("location") as string;
});

describe("directory and nonces", () => {
  it("directory lists the resources of the alias and its meta", async () => {
    const res = await fetch(directoryUrl(alias));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = await res.json();
    const base = `${keyward().httpUrl}/acme/${alias}`;
    expect(body).toEqual({
      newNonce: `${base}/newNonce`,
      newAccount: `${base}/newAccount`,
      newOrder: `${base}/newOrder`,
      revokeCert: `${base}/revokeCert`,
      keyChange: `${base}/keyChange`,
      meta: { website: "https://ca.example/", caaIdentities: ["ca.example"], externalAccountRequired: false },
    });
  });

  it("HEAD newNonce → 200, GET newNonce → 204, both no-store with a nonce", async () => {
    const head = await fetch(client.directory.newNonce as string, { method: "HEAD" });
    const get = await fetch(client.directory.newNonce as string);
    expect(head.status).toBe(200);
    expect(get.status).toBe(204);
    for (const res of [head, get]) {
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("replay-nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.headers.get("link")).toBe(`<${directoryUrl(alias)}>;rel="index"`);
    }
    expect(head.headers.get("replay-nonce")).not.toBe(get.headers.get("replay-nonce"));
  });

  it("a plain GET on a POST-only resource → 405 with Allow", async () => {
    for (const url of [client.directory.newAccount, accountUrl, client.directory.keyChange]) {
      const res = await fetch(url as string);
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      expect((await res.json()).type).toBe(`${PROBLEM}malformed`);
    }
  });

  it("POST-as-GET on the directory and on newNonce is answered (RFC 8555 §6.3 MUST)", async () => {
    const directory = await client.signedPost(key, directoryUrl(alias), null, { kid: accountUrl });
    expect(directory.status).toBe(200);
    expect(directory.body.newOrder).toBe(client.directory.newOrder);
    const nonce = await client.signedPost(key, client.directory.newNonce as string, null, {
      kid: accountUrl,
    });
    expect(nonce.status).toBe(200);
    expect(nonce.headers.get("replay-nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Still POST-as-GET only: a payload is refused.
    expectProblem(
      await client.signedPost(key, directoryUrl(alias), {}, { kid: accountUrl }),
      "malformed",
      400,
      /POST-as-GET/,
    );
  });

  it("other methods on the directory → 405 with Allow: GET, HEAD, POST", async () => {
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const res = await fetch(directoryUrl(alias), { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("an unknown resource → 404 problem document", async () => {
    const res = await fetch(`${keyward().httpUrl}/acme/${alias}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("every path under /acme, however odd, answers a problem document", async () => {
    const paths = [
      `/acme/${alias}/NEWACCOUNT`,
      `/acme/${alias}/Directory`,
      "/acme/NEWACCOUNT",
      "/acme/DIRECTORY",
      `/acme/${alias}/acct`,
      `/acme/${alias}/acct/abc/orders/more`,
      `/acme/${alias}/directory/`,
      "/acme//directory",
      "/acme/",
      "/acme",
      "/acme/%E0%A4%A/directory",
      "/acme/%00/directory",
      `/acme/${alias}/..%2fdirectory`,
      `/acme/${alias}/chall/${"x".repeat(300)}`,
    ];
    for (const path of paths) {
      const res = await rawRequest("GET", path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers["content-type"], path).toBe("application/problem+json");
      expect(JSON.parse(res.body).type, path).toMatch(/^urn:ietf:params:acme:error:/);
    }
  });
});

/** A request with the path exactly as given (fetch would normalise it). */
function rawRequest(
  method: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const base = new URL(keyward().httpUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("refused requests (bad input)", () => {
  const newAccount = () => client.directory.newAccount as string;

  it("wrong Content-Type → 415 malformed", async () => {
    const jws = await signJws(key, {}, { url: newAccount(), nonce: await client.nonce() });
    expectProblem(
      await client.post(newAccount(), jws, "application/json"),
      "malformed",
      415,
      /application\/jose\+json/,
    );
  });

  it("body that is not JSON → malformed", async () => {
    expectProblem(await client.post(newAccount(), "{garbage"), "malformed", 400, /not JSON/);
  });

  it("body over 128 KiB → 413 malformed", async () => {
    const jws = await signJws(
      key,
      { pad: "x".repeat(200_000) },
      { url: newAccount(), nonce: await client.nonce() },
    );
    expectProblem(await client.post(newAccount(), jws), "malformed", 413, /exceeds/);
  });

  it("10 MB bodies get a 413 problem document, not a reset connection", async () => {
    const path = new URL(newAccount()).pathname;
    const tenMb = 10 * 1024 * 1024;
    const jws = await signJws(key, {}, { url: newAccount(), nonce: await client.nonce() });
    const bodies: [string, Buffer][] = [
      ["garbage", Buffer.alloc(tenMb, 0x41)],
      ["a junk JSON member", Buffer.from(JSON.stringify({ ...jws, junk: "j".repeat(tenMb) }))],
      ["a big payload", Buffer.from(JSON.stringify({ ...jws, payload: "p".repeat(tenMb) }))],
    ];
    for (const [what, body] of bodies) {
      const res = await rawRequest("POST", path, body, { "content-type": "application/jose+json" });
      expect(res.status, what).toBe(413);
      expect(res.headers["content-type"], what).toBe("application/problem+json");
      expect(JSON.parse(res.body).detail, what).toMatch(/exceeds 131072 bytes/);
    }
    // The same without a Content-Length (chunked): still 413, still an answer.
    const chunked = await new Promise<number>((resolve, reject) => {
      const base = new URL(keyward().httpUrl);
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          method: "POST",
          path,
          headers: { "content-type": "application/jose+json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(1024 * 1024, 0x42));
      req.end();
    });
    expect(chunked).toBe(413);
  });

  it("JWS with an unprotected header → malformed", async () => {
    const jws = await signJws(key, {}, { url: newAccount(), nonce: await client.nonce() });
    expectProblem(
      await client.post(newAccount(), { ...jws, header: { kid: "x" } }),
      "malformed",
      400,
      /header/,
    );
  });

  it("alg none / HS256 → badSignatureAlgorithm with the allowed list", async () => {
    for (const alg of ["none", "HS256"]) {
      const jws = await signJws(key, {}, { url: newAccount(), nonce: await client.nonce() });
      const header = { ...JSON.parse(Buffer.from(jws.protected, "base64url").toString()), alg };
      const res = await client.post(newAccount(), {
        ...jws,
        protected: Buffer.from(JSON.stringify(header)).toString("base64url"),
        // An unsecured JWS (RFC 7515 Appendix A.5) has an empty signature.
        signature: alg === "none" ? "" : jws.signature,
      });
      expectProblem(res, "badSignatureAlgorithm", 400, new RegExp(`"${alg}" is not supported`));
      expect(res.body.algorithms).toEqual(["RS256", "ES256", "ES384", "ES512", "EdDSA"]);
    }
  });

  it("an empty signature with a real algorithm → malformed", async () => {
    const jws = await signJws(key, {}, { url: newAccount(), nonce: await client.nonce() });
    expectProblem(await client.post(newAccount(), { ...jws, signature: "" }), "malformed", 400, /signature/);
  });

  it("jwk and kid together → malformed", async () => {
    const res = await client.signedPost(key, newAccount(), {}, { header: { kid: accountUrl } });
    expectProblem(res, "malformed", 400, /exactly one of jwk and kid/);
  });

  it("newAccount signed with kid → malformed; account update signed with jwk → malformed", async () => {
    expectProblem(
      await client.signedPost(key, newAccount(), {}, { kid: accountUrl }),
      "malformed",
      400,
      /jwk, not a kid/,
    );
    expectProblem(await client.signedPost(key, accountUrl, {}, {}), "malformed", 400, /kid .* not a jwk/);
  });

  it("bad signature → malformed", async () => {
    const jws = await signJws(
      key,
      { termsOfServiceAgreed: true },
      { url: newAccount(), nonce: await client.nonce() },
    );
    const tampered = { ...jws, payload: Buffer.from('{"termsOfServiceAgreed":false}').toString("base64url") };
    expectProblem(
      await client.post(newAccount(), tampered),
      "malformed",
      400,
      /signature verification failed/,
    );
  });

  it("missing nonce → badNonce", async () => {
    expectProblem(
      await client.signedPost(key, newAccount(), {}, { nonce: null }),
      "badNonce",
      400,
      /no nonce/,
    );
  });

  it("nonce this server never issued → badNonce", async () => {
    const forged = Buffer.alloc(32, 7).toString("base64url");
    expectProblem(
      await client.signedPost(key, newAccount(), {}, { nonce: forged }),
      "badNonce",
      400,
      /not issued/,
    );
  });

  it("nonce used twice → badNonce the second time", async () => {
    const nonce = await client.nonce();
    const first = await client.signedPost(key, newAccount(), {}, { nonce });
    expect(first.status).toBe(200);
    expectProblem(
      await client.signedPost(key, newAccount(), {}, { nonce }),
      "badNonce",
      400,
      /already been used/,
    );
  });

  it("url header that is not the request URL → unauthorized", async () => {
    const jws = await signJws(key, {}, { url: `${newAccount()}x`, nonce: await client.nonce() });
    expectProblem(
      await client.post(newAccount(), jws),
      "unauthorized",
      403,
      /does not match the request URL/,
    );
  });

  it("kid of an account that does not exist → accountDoesNotExist", async () => {
    const kid = accountUrl.replace(/acct\/.*/, "acct/AAAAAAAAAAAAAAAAAAAAAA");
    expectProblem(await client.signedPost(key, kid, null, { kid }), "accountDoesNotExist", 400);
  });

  it("kid of this alias's account used on another alias → accountDoesNotExist", async () => {
    const other = await createTestAlias();
    const otherClient = await new RawAcmeClient(directoryUrl(other)).init();
    const url = accountUrl.replace(`/acme/${alias}/`, `/acme/${other}/`);
    expectProblem(await otherClient.signedPost(key, url, null, { kid: url }), "accountDoesNotExist", 400);
  });

  it("a kid that is not exactly this alias's account URL, as the client addresses it → malformed", async () => {
    const id = accountUrl.split("/").pop() as string;
    const http = new URL(accountUrl);
    const variants: [string, string][] = [
      ["another host", accountUrl.replace(http.host, `ca.evil.example:${http.port}`)],
      ["another scheme", accountUrl.replace(/^http:/, "https:")],
      ["a query string", `${accountUrl}?x=1`],
      ["a fragment", `${accountUrl}#frag`],
      ["a NUL byte", `${accountUrl}\u0000`],
      ["a trailing slash", `${accountUrl}/`],
      ["another path before acct", `${http.origin}/elsewhere/acct/${id}`],
      ["the query form for a path-form request", `${http.origin}/acme/acct/${id}?configurationId=${alias}`],
      ["a relative URL", `/acme/${alias}/acct/${id}`],
      ["only the id", id],
    ];
    for (const [what, kid] of variants) {
      const res = await client.signedPost(key, accountUrl, null, { kid });
      expect(res.status, what).toBe(400);
      expect(res.body.type, what).toBe(`${PROBLEM}malformed`);
      expect(res.body.detail, what).toMatch(/is not an account URL of this ACME alias/);
    }
    // The exact URL still works.
    expect((await client.signedPost(key, accountUrl, null, { kid: accountUrl })).status).toBe(200);
  });

  it("a JWS whose alg does not fit the account key → badSignatureAlgorithm", async () => {
    // The account key is P-256; an ES384 signature cannot be the account's.
    const res = await client.signedPost(await generateTestKey("ES384"), accountUrl, null, {
      kid: accountUrl,
    });
    expectProblem(res, "badSignatureAlgorithm", 400, /needs an EC P-384 key/);
    expect(res.body.algorithms).toEqual(["RS256", "ES256", "ES384", "ES512", "EdDSA"]);
  });

  it("payload of the wrong shape → malformed naming the field", async () => {
    expectProblem(
      await client.signedPost(key, newAccount(), { contact: "mailto:a@b.test" }),
      "malformed",
      400,
      /contact/,
    );
    expectProblem(await client.signedPost(key, newAccount(), "[1,2]"), "malformed", 400, /JSON object/);
    expectProblem(await client.signedPost(key, newAccount(), "not json"), "malformed", 400, /not JSON/);
    expectProblem(await client.signedPost(key, newAccount(), null), "malformed", 400, /not empty/);
  });

  it("POST-as-GET with a payload on the orders list → malformed", async () => {
    const orders = `${accountUrl}/orders`;
    expectProblem(
      await client.signedPost(key, orders, {}, { kid: accountUrl }),
      "malformed",
      400,
      /POST-as-GET/,
    );
  });
});
