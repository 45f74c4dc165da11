// A small jose-based ACME signer for tests that need to send what no real client sends:
// wrong urls, reused nonces, foreign algorithms, two signatures, unprotected headers.
import { sign as cryptoSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import * as jose from "jose";

export type TestKey = {
  alg: "ES256" | "ES384" | "ES512" | "RS256" | "EdDSA";
  privateKey: CryptoKey;
  jwk: jose.JWK;
  /** Set for keys jose refuses to sign with (RSA < 2048 bits): signed with node:crypto instead. */
  weakRsaKey?: KeyObject;
};

export async function generateTestKey(alg: TestKey["alg"] = "ES256", rsaBits = 2048): Promise<TestKey> {
  if (alg === "RS256" && rsaBits < 2048) {
    // jose refuses to make weak keys; tests need one to show the server refuses it too.
    const pair = generateKeyPairSync("rsa", { modulusLength: rsaBits });
    const jwk = pair.publicKey.export({ format: "jwk" }) as jose.JWK;
    return { alg, privateKey: undefined as unknown as CryptoKey, jwk, weakRsaKey: pair.privateKey };
  }
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, {
    extractable: true,
    modulusLength: rsaBits,
    crv: alg === "EdDSA" ? "Ed25519" : undefined,
  });
  const jwk = await jose.exportJWK(publicKey);
  return { alg, privateKey: privateKey as CryptoKey, jwk };
}

export type SignOptions = {
  url: string;
  nonce?: string | null;
  kid?: string;
  /** Embed the jwk (default when no kid is given). */
  jwk?: boolean;
  /** Members merged into the protected header (override anything, including alg). */
  header?: Record<string, unknown>;
};

/** A flattened JWS; payload null means POST-as-GET (empty payload). */
export async function signJws(
  key: TestKey,
  payload: unknown,
  opts: SignOptions,
): Promise<{ protected: string; payload: string; signature: string }> {
  const header: Record<string, unknown> = { alg: key.alg, url: opts.url };
  if (opts.nonce !== null && opts.nonce !== undefined) header.nonce = opts.nonce;
  if (opts.kid) header.kid = opts.kid;
  else if (opts.jwk !== false) header.jwk = key.jwk;
  Object.assign(header, opts.header);
  const bytes =
    payload === null
      ? new Uint8Array()
      : new TextEncoder().encode(typeof payload === "string" ? payload : JSON.stringify(payload));
  if (key.weakRsaKey) {
    const protectedB64 = Buffer.from(JSON.stringify(header)).toString("base64url");
    const payloadB64 = Buffer.from(bytes).toString("base64url");
    const signature = cryptoSign(
      "sha256",
      Buffer.from(`${protectedB64}.${payloadB64}`),
      key.weakRsaKey,
    ).toString("base64url");
    return { protected: protectedB64, payload: payloadB64, signature };
  }
  const jws = await new jose.FlattenedSign(bytes)
    .setProtectedHeader(header as jose.JWSHeaderParameters)
    .sign(key.privateKey);
  return { protected: jws.protected as string, payload: jws.payload, signature: jws.signature };
}

/** How RawAcmeClient sends: global fetch, or one presenting a client certificate. */
export type Fetcher = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<Response>;

/** A bare-bones ACME client over fetch with exact control of every request. */
export class RawAcmeClient {
  directory: Record<string, string> = {};
  constructor(
    readonly directoryUrl: string,
    readonly fetcher: Fetcher = (url, init) => fetch(url, init),
  ) {}

  async init(): Promise<this> {
    const res = await this.fetcher(this.directoryUrl);
    if (!res.ok) throw new Error(`directory ${res.status}: ${await res.text()}`);
    this.directory = (await res.json()) as Record<string, string>;
    return this;
  }

  async nonce(): Promise<string> {
    const res = await this.fetcher(this.directory.newNonce as string, { method: "HEAD" });
    const nonce = res.headers.get("replay-nonce");
    if (!nonce) throw new Error("no Replay-Nonce");
    return nonce;
  }

  async post(url: string, body: unknown, contentType = "application/jose+json"): Promise<AcmeResult> {
    const res = await this.fetcher(url, {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return toResult(res);
  }

  /** Signs `payload` for `url` with a fresh nonce and posts it. */
  async signedPost(
    key: TestKey,
    url: string,
    payload: unknown,
    opts: Omit<SignOptions, "url"> = {},
  ): Promise<AcmeResult> {
    const nonce = opts.nonce === undefined ? await this.nonce() : opts.nonce;
    return this.post(url, await signJws(key, payload, { ...opts, url, nonce }));
  }
}

export type AcmeResult = {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read ACME objects and problem documents field by field
  body: any;
  text: string;
};

export async function toResult(res: Response): Promise<AcmeResult> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, body, text };
}
