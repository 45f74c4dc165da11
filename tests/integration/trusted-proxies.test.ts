// Trusted-proxy mode (issue 11 item 2, issue 15 item 7): X-Forwarded-For/-Proto/-Host and
// X-SSL-Client-Cert are believed only from KEYWARD_TRUSTED_PROXIES. The server under test trusts
// 127.0.0.2 (TRUSTED_PROXY_ADDRESS); requests bound to that source address play the proxy, plain
// loopback requests (127.0.0.1) play anybody else sending the same headers.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { caAccessRule, FUNCTION_ACCESS_RULES } from "@/lib/ra/access-rights";
import { CLIENT_CERTIFICATE_REQUIRED_DETAIL } from "@/lib/ra/client-authentication";
import {
  type AcmeResult,
  type Fetcher,
  generateTestKey,
  RawAcmeClient,
  toResult,
} from "../support/acme-signer";
import {
  type ClientCredential,
  createTestCa,
  issueClientCertificate,
  keywardIssuingCa,
  requestWith,
} from "../support/client-certificates";
import { createTestToken } from "../support/console-tokens";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";
import { TRUSTED_PROXY_ADDRESS } from "../support/ports";

const PUBLIC_ORIGIN = "https://acme.example.test";
const FORGED_IP = "<svg/onload=alert(1)>";
const fromProxy = requestWith({ localAddress: TRUSTED_PROXY_ADDRESS });
const fromAnybody = requestWith({ localAddress: "127.0.0.1" });

let adminToken: string;
let certAlias: string;
let openAlias: string;
let credential: ClientCredential;

/**
 * A client behind a proxy at PUBLIC_ORIGIN: requests to that origin go to Keyward's HTTP port with
 * the headers a TLS-terminating proxy adds, from `send`'s source address.
 */
function behindProxy(send: Fetcher, extra: Record<string, string> = {}): Fetcher {
  return (url, init = {}) =>
    send(url.replace(PUBLIC_ORIGIN, keyward().httpUrl), {
      ...init,
      headers: {
        ...init.headers,
        "x-forwarded-proto": "https",
        "x-forwarded-host": new URL(PUBLIC_ORIGIN).host,
        ...extra,
      },
    });
}

const escapedCertificate = (c: ClientCredential) => encodeURIComponent(c.cert);

async function lastAudit(action: string) {
  return testDb().auditEvent.findFirstOrThrow({ where: { action }, orderBy: { id: "desc" } });
}

beforeAll(async () => {
  await enableAcme();
  adminToken = await createTestToken(testDb(), "administrator");
  certAlias = await createTestAlias({ requireClientCertificate: true });
  openAlias = await createTestAlias();
  const ca = await keywardIssuingCa(testDb(), keyward().dataDir);
  credential = await issueClientCertificate(ca, { commonName: "proxied.client.test" });
  const res = await fetch(`${keyward().httpUrl}/api/console/aliases/${certAlias}/access-rules`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({
      match: "certificate",
      certificatePem: credential.cert,
      rights: [...FUNCTION_ACCESS_RULES.map((r) => r.rule), caAccessRule(ca.name)],
    }),
  });
  expect(res.status).toBe(201);
});

describe("ACME behind a trusted proxy", () => {
  it("builds URLs from the forwarded scheme and host, checks the JWS url against them, and takes the proxy's client certificate", async () => {
    const send = behindProxy(fromProxy, {
      "x-ssl-client-cert": escapedCertificate(credential),
      // The client wrote the first entry itself; the proxy appended the address it saw.
      "x-forwarded-for": `${FORGED_IP}, 203.0.113.9`,
    });
    const client = await new RawAcmeClient(`${PUBLIC_ORIGIN}/acme/${certAlias}/directory`, send).init();
    expect(client.directory.newAccount).toBe(`${PUBLIC_ORIGIN}/acme/${certAlias}/newAccount`);
    const key = await generateTestKey();
    const created = await client.signedPost(key, client.directory.newAccount as string, {
      termsOfServiceAgreed: true,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get("location")?.startsWith(`${PUBLIC_ORIGIN}/acme/${certAlias}/acct/`)).toBe(
      true,
    );
    const audit = await lastAudit("account.created");
    expect(audit.targetId).toBe(created.headers.get("location")?.split("/").pop());
    expect(audit.ip).toBe("203.0.113.9");
  });

  it("walks X-Forwarded-For past trusted hops only, and never records what is not an address", async () => {
    const cases: [string, string][] = [
      [`203.0.113.20, ${TRUSTED_PROXY_ADDRESS}`, "203.0.113.20"],
      [FORGED_IP, TRUSTED_PROXY_ADDRESS],
      ["::ffff:198.51.100.4", "198.51.100.4"],
    ];
    for (const [forwardedFor, recorded] of cases) {
      const client = await new RawAcmeClient(
        `${PUBLIC_ORIGIN}/acme/${openAlias}/directory`,
        behindProxy(fromProxy, { "x-forwarded-for": forwardedFor }),
      ).init();
      const res = await client.signedPost(await generateTestKey(), client.directory.newAccount as string, {
        termsOfServiceAgreed: true,
      });
      expect(res.status).toBe(201);
      expect((await lastAudit("account.created")).ip, forwardedFor).toBe(recorded);
    }
  });

  it("refuses a certificate the proxy passes that Keyward does not trust, with the spec's message", async () => {
    const foreign = await issueClientCertificate(await createTestCa(`Proxy foreign ${Date.now()}`), {
      commonName: "proxied.client.test",
    });
    for (const header of [escapedCertificate(foreign), "not%20a%20certificate"]) {
      const res = await toResult(
        await behindProxy(fromProxy, { "x-ssl-client-cert": header })(
          `${PUBLIC_ORIGIN}/acme/${certAlias}/newNonce`,
        ),
      );
      expect(res.status).toBe(403);
      expect(res.body.detail).toBe(CLIENT_CERTIFICATE_REQUIRED_DETAIL);
    }
  });
});

describe("the same headers from anybody else", () => {
  it("a forged client-certificate header is removed: the spec's refusal", async () => {
    const res = await toResult(
      await fromAnybody(`${keyward().httpUrl}/acme/${certAlias}/newNonce`, {
        headers: { "x-ssl-client-cert": escapedCertificate(credential) },
      }),
    );
    expect(res.status).toBe(403);
    expect(res.body.detail).toBe(CLIENT_CERTIFICATE_REQUIRED_DETAIL);
  });

  it("forged X-Forwarded-Proto/-Host change no URL, and a JWS signed for them fails the url check", async () => {
    const forged = behindProxy(fromAnybody);
    const directory = await toResult(await forged(`${PUBLIC_ORIGIN}/acme/${openAlias}/directory`));
    expect(directory.body.newAccount).toBe(`${keyward().httpUrl}/acme/${openAlias}/newAccount`);

    const client = await new RawAcmeClient(`${PUBLIC_ORIGIN}/acme/${openAlias}/directory`, forged);
    client.directory = { newNonce: `${PUBLIC_ORIGIN}/acme/${openAlias}/newNonce` };
    const res: AcmeResult = await client.signedPost(
      await generateTestKey(),
      `${PUBLIC_ORIGIN}/acme/${openAlias}/newAccount`,
      { termsOfServiceAgreed: true },
    );
    expect(res.status).toBe(403);
    expect(res.body.type).toBe("urn:ietf:params:acme:error:unauthorized");
    expect(res.body.detail).toContain("does not match the request URL");
  });

  it("a forged X-Forwarded-For is not the client's address: the socket's is recorded", async () => {
    const client = await new RawAcmeClient(
      `${keyward().httpUrl}/acme/${openAlias}/directory`,
      (url, init = {}) =>
        fromAnybody(url, { ...init, headers: { ...init.headers, "x-forwarded-for": FORGED_IP } }),
    ).init();
    const res = await client.signedPost(await generateTestKey(), client.directory.newAccount as string, {
      termsOfServiceAgreed: true,
    });
    expect(res.status).toBe(201);
    expect((await lastAudit("account.created")).ip).toBe("127.0.0.1");
  });
});

describe("the console", () => {
  async function createAlias(send: Fetcher, headers: Record<string, string>) {
    const name = `proxy-${randomBytes(4).toString("hex")}`;
    const res = await send(`${keyward().httpUrl}/api/console/aliases`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ name }),
    });
    return { res, name };
  }

  it("audits API calls with the socket's address, or the address a trusted proxy forwards", async () => {
    const auth = { authorization: `Bearer ${adminToken}` };
    const forged = await createAlias(fromAnybody, { ...auth, "x-forwarded-for": FORGED_IP });
    expect(forged.res.status).toBe(201);
    expect((await lastAudit("alias.created")).ip).toBe("127.0.0.1");
    const proxied = await createAlias(fromProxy, {
      ...auth,
      "x-forwarded-for": "198.51.100.7",
      "x-forwarded-proto": "https",
    });
    expect(proxied.res.status).toBe(201);
    expect((await lastAudit("alias.created")).ip).toBe("198.51.100.7");
  });

  /** next-auth's credentials flow (a CSRF token and its cookie, then the form post): the session cookie. */
  async function signIn(send: Fetcher, headers: Record<string, string>): Promise<string> {
    const username = `proxy-admin-${randomBytes(3).toString("hex")}`;
    const password = "a long enough password";
    await testDb().user.create({
      data: { username, role: "administrator", passwordHash: await hashPassword(password) },
    });
    const csrf = await send(`${keyward().httpUrl}/api/auth/csrf`, { headers });
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
    const res = await send(`${keyward().httpUrl}/api/auth/callback/credentials`, {
      method: "POST",
      headers: {
        ...headers,
        "content-type": "application/x-www-form-urlencoded",
        cookie: cookies.join("; "),
      },
      body: new URLSearchParams({ csrfToken, username, password, json: "true" }).toString(),
    });
    // "__Secure-" prefixed when the console is reached over HTTPS (here: as the proxy says).
    const session = res.headers.getSetCookie().find((c) => /^(__Secure-)?next-auth\.session-token=/.test(c));
    if (!session) throw new Error(`sign-in answered ${res.status} without a session cookie`);
    return session.split(";")[0] as string;
  }

  it("sign-in is audited with the socket's address; the origin check ignores a forged X-Forwarded-Host", async () => {
    const cookie = await signIn(fromAnybody, { "x-forwarded-for": FORGED_IP });
    expect((await lastAudit("user.signed_in")).ip).toBe("127.0.0.1");

    const crossSite = await createAlias(fromAnybody, {
      cookie,
      origin: "http://evil.example",
      "x-forwarded-host": "evil.example",
    });
    expect(crossSite.res.status).toBe(403);
    expect(((await crossSite.res.json()) as { detail: string }).detail).toBe(
      "Cross-origin requests are refused",
    );
    expect(await testDb().alias.findUnique({ where: { name: crossSite.name } })).toBeNull();

    const sameSite = await createAlias(fromAnybody, { cookie, origin: keyward().httpUrl });
    expect(sameSite.res.status).toBe(201);
  });

  it("behind the trusted proxy, sign-in records the forwarded address and the console's origin is the proxy's", async () => {
    const proxy = {
      "x-forwarded-host": new URL(PUBLIC_ORIGIN).host,
      "x-forwarded-proto": "https",
      "x-forwarded-for": "198.51.100.8",
    };
    const cookie = await signIn(fromProxy, proxy);
    expect((await lastAudit("user.signed_in")).ip).toBe("198.51.100.8");
    const proxied = await createAlias(fromProxy, { ...proxy, cookie, origin: PUBLIC_ORIGIN });
    expect(proxied.res.status).toBe(201);
    const direct = await createAlias(fromProxy, { ...proxy, cookie, origin: keyward().httpUrl });
    expect(direct.res.status).toBe(403);
  });

  it("answers plain HTTP on loopback only: a client elsewhere is sent to HTTPS; ACME and /ca/* stay on HTTP", async () => {
    const remote = { "x-forwarded-for": "198.51.100.9", "x-forwarded-host": "console.example.test" };
    const loginPage = await fromProxy(`${keyward().httpUrl}/login?callbackUrl=%2Faudit`, {
      headers: remote,
    });
    expect(loginPage.status).toBe(308);
    // Behind the proxy, its HTTPS is on the default port of the host the client named.
    expect(loginPage.headers.get("location")).toBe("https://console.example.test/login?callbackUrl=%2Faudit");
    // A password posted over plain HTTP is not taken: 308 keeps the method, so the client re-sends it over TLS.
    const failedBefore = await testDb().auditEvent.count({ where: { action: "user.sign_in_failed" } });
    const post = await fromProxy(`${keyward().httpUrl}/api/auth/callback/credentials`, {
      method: "POST",
      headers: { ...remote, "content-type": "application/x-www-form-urlencoded" },
      body: "username=admin&password=x",
    });
    expect(post.status).toBe(308);
    expect(await testDb().auditEvent.count({ where: { action: "user.sign_in_failed" } })).toBe(failedBefore);
    const api = await fromProxy(`${keyward().httpUrl}/api/console/aliases`, {
      headers: { ...remote, authorization: `Bearer ${adminToken}` },
    });
    expect(api.status).toBe(308);

    // The same client over the proxy's HTTPS, and anyone on this machine, get the console.
    const overTls = await fromProxy(`${keyward().httpUrl}/login`, {
      headers: { ...remote, "x-forwarded-proto": "https" },
    });
    expect(overTls.status).toBe(200);
    expect((await fromAnybody(`${keyward().httpUrl}/login`)).status).toBe(200);

    // ACME (the spec's http URLs) and the CA's certificates and CRLs are served to anyone.
    const directory = await fromProxy(`${keyward().httpUrl}/acme/directory`, { headers: remote });
    expect(directory.status).toBe(200);
    expect(((await directory.json()) as { newNonce: string }).newNonce).toBe(
      "http://console.example.test/acme/newNonce",
    );
    expect((await fromProxy(`${keyward().httpUrl}/ca/root.pem`, { headers: remote })).status).toBe(200);
  });
});
