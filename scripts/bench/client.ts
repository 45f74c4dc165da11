// The bench's ACME client: as cheap per request as a client can be, so that the server, not the
// bench, is what is measured (issue 13). One persistent HTTP/1.1 connection per client, JWS signed
// with node:crypto (ES256, one KeyObject per account), one account per client reused for every
// order as real clients do.
//
// The HTTP client is a minimal one of our own, on purpose. Measured against Pebble on this
// machine, CPU per keep-alive GET: node:https 460 µs, undici 405 µs, this one 134 µs; and both
// library clients open a new TLS connection after every HEAD response that has no Content-Length
// (Pebble's), which made HEAD newNonce measure handshakes. It speaks only what the two servers
// answer: a status line, headers, and a body by Content-Length or chunked (RFC 9112 §6–§7).
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import tls from "node:tls";

export const REQUEST_TYPES = [
  "newNonce",
  "newAccount",
  "newOrder",
  "authz",
  "challenge",
  "authz poll",
  "finalize",
  "order poll",
  "cert",
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export type Reply = { status: number; headers: Map<string, string>; body: Buffer };

const REQUEST_TIMEOUT_MS = 30_000;
const HEADER_END = Buffer.from("\r\n\r\n");
const CRLF = Buffer.from("\r\n");

/** One persistent HTTP/1.1 connection over TLS to one origin, one request at a time. */
export class Connection {
  readonly #url: URL;
  #socket: tls.TLSSocket | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { method: string; resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;

  constructor(
    origin: string,
    readonly ca: string | undefined,
  ) {
    this.#url = new URL(origin);
    if (this.#url.protocol !== "https:") throw new Error(`the bench speaks HTTPS only: ${origin}`);
  }

  async #connect(): Promise<tls.TLSSocket> {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const socket = tls.connect({
      host: this.#url.hostname,
      port: Number(this.#url.port || 443),
      ca: this.ca,
      ALPNProtocols: ["http/1.1"],
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", resolve);
      socket.once("error", reject);
    });
    socket.setNoDelay(true);
    this.#buffer = Buffer.alloc(0);
    // Events of a socket this client has already replaced (closed after "Connection: close", say)
    // must not touch the current one's buffer or request: a late "close" of the old socket once
    // failed the next request or left its answer to be taken by the one after.
    socket.on("data", (chunk: Buffer) => {
      if (this.#socket !== socket) return;
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    const fail = (error: Error) => {
      if (this.#socket !== socket) return;
      const pending = this.#pending;
      this.#pending = null;
      this.#socket = null;
      pending?.reject(error);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("the server closed the connection")));
    this.#socket = socket;
    return socket;
  }

  /** A whole response in the buffer, if there is one (RFC 9112 §6.3: how its length is known). */
  #parse(): void {
    const pending = this.#pending;
    if (!pending) return;
    const headEnd = this.#buffer.indexOf(HEADER_END);
    if (headEnd < 0) return;
    const lines = this.#buffer.subarray(0, headEnd).toString("latin1").split("\r\n");
    const status = Number(lines[0]?.split(" ")[1]);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    let offset = headEnd + 4;
    let body = Buffer.alloc(0);
    if (pending.method !== "HEAD" && status !== 204 && status !== 304) {
      if (headers.get("transfer-encoding")?.toLowerCase() === "chunked") {
        const chunks: Buffer[] = [];
        for (;;) {
          const lineEnd = this.#buffer.indexOf(CRLF, offset);
          if (lineEnd < 0) return;
          const size = Number.parseInt(this.#buffer.subarray(offset, lineEnd).toString("latin1"), 16);
          if (this.#buffer.length < lineEnd + 2 + size + 2) return;
          if (size === 0) {
            offset = lineEnd + 4;
            break;
          }
          chunks.push(this.#buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
          offset = lineEnd + 2 + size + 2;
        }
        body = Buffer.concat(chunks);
      } else {
        const length = Number(headers.get("content-length") ?? 0);
        if (this.#buffer.length < offset + length) return;
        body = Buffer.from(this.#buffer.subarray(offset, offset + length));
        offset += length;
      }
    }
    this.#buffer = this.#buffer.subarray(offset);
    this.#pending = null;
    if (headers.get("connection")?.toLowerCase() === "close") {
      this.#socket?.destroy();
      this.#socket = null;
    }
    pending.resolve({ status, headers, body });
  }

  async request(method: string, url: string, headers: Record<string, string>, body?: string): Promise<Reply> {
    const socket = await this.#connect();
    const target = new URL(url);
    let head = `${method} ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#socket?.destroy(new Error(`${method} ${url}: no answer in ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending = {
        method,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      socket.write(body === undefined ? `${head}\r\n` : `${head}\r\n${body}`);
    });
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = null;
  }
}

/** An ES256 account key: the signer and its public JWK. */
export class AccountKey {
  readonly #privateKey: KeyObject;
  readonly jwk: { kty: "EC"; crv: "P-256"; x: string; y: string };
  readonly thumbprint: string;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    this.#privateKey = privateKey;
    const { x, y } = publicKey.export({ format: "jwk" }) as { x: string; y: string };
    this.jwk = { kty: "EC", crv: "P-256", x, y };
    // RFC 7638 §3: the required members in lexicographic order, no whitespace.
    const canonical = `{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`;
    this.thumbprint = createHash("sha256").update(canonical).digest("base64url");
  }

  /** A flattened JWS (RFC 7515 §7.2.2) over `payload` (undefined: POST-as-GET's empty payload). */
  sign(payload: unknown, header: { url: string; nonce: string; kid?: string }): string {
    const protectedHeader = header.kid
      ? { alg: "ES256", kid: header.kid, nonce: header.nonce, url: header.url }
      : { alg: "ES256", jwk: this.jwk, nonce: header.nonce, url: header.url };
    const p = Buffer.from(JSON.stringify(protectedHeader)).toString("base64url");
    const body = payload === undefined ? "" : Buffer.from(JSON.stringify(payload)).toString("base64url");
    const signature = sign("sha256", Buffer.from(`${p}.${body}`), {
      key: this.#privateKey,
      dsaEncoding: "ieee-p1363",
    }).toString("base64url");
    return `{"protected":"${p}","payload":"${body}","signature":"${signature}"}`;
  }
}

/**
 * A PKCS#10 request (RFC 2986) for one DNS name on a fresh P-256 key, DER, base64url: subject
 * CN=name, extensionRequest with subjectAltName dNSName=name, signed ecdsa-with-SHA256.
 */
export function buildCsr(name: string): string {
  const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
    const body = Buffer.concat(parts);
    const n = body.length;
    const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
    return Buffer.concat([Buffer.from([tag, ...length]), body]);
  };
  const hex = (h: string) => Buffer.from(h, "hex");
  const OID_COMMON_NAME = hex("0603550403"); // 2.5.4.3
  const OID_EXTENSION_REQUEST = hex("06092a864886f70d01090e"); // 1.2.840.113549.1.9.14
  const OID_SUBJECT_ALT_NAME = hex("0603551d11"); // 2.5.29.17
  const OID_ECDSA_WITH_SHA256 = hex("06082a8648ce3d040302"); // 1.2.840.10045.4.3.2

  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const subject = tlv(0x30, tlv(0x31, tlv(0x30, OID_COMMON_NAME, tlv(0x0c, Buffer.from(name)))));
  const san = tlv(0x30, tlv(0x82, Buffer.from(name))); // GeneralNames { [2] dNSName }
  const extensions = tlv(0x30, tlv(0x30, OID_SUBJECT_ALT_NAME, tlv(0x04, san)));
  const attributes = tlv(0xa0, tlv(0x30, OID_EXTENSION_REQUEST, tlv(0x31, extensions)));
  const info = tlv(0x30, Buffer.from([0x02, 0x01, 0x00]), subject, spki, attributes);
  const signature = sign("sha256", info, privateKey);
  return tlv(
    0x30,
    info,
    tlv(0x30, OID_ECDSA_WITH_SHA256),
    tlv(0x03, Buffer.from([0x00]), signature),
  ).toString("base64url");
}

/** The members of RFC 8555 objects and problem documents the flow reads. */
export type AcmeObject = {
  status?: string;
  type?: string;
  detail?: string;
  error?: unknown;
  authorizations?: string[];
  finalize?: string;
  certificate?: string;
  challenges?: { type: string; url: string; token: string; error?: unknown }[];
};

export class AcmeError extends Error {}

export type Directory = { newNonce: string; newAccount: string; newOrder: string };

/** Where the flow reports each request's time (from sending until the body is read). */
export type Timings = (type: RequestType, ms: number) => void;

const BAD_NONCE = "urn:ietf:params:acme:error:badNonce";

/**
 * One ACME account on one server, with the nonce of the last answer kept for the next request
 * (RFC 8555 §7.2: every response carries one).
 */
export class AcmeSession {
  #nonce: string | null = null;
  kid: string | undefined;

  constructor(
    readonly connection: Connection,
    readonly directory: Directory,
    readonly key: AccountKey,
    public record: Timings,
  ) {}

  async timed(
    type: RequestType,
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: string,
  ) {
    const started = performance.now();
    const reply = await this.connection.request(method, url, headers, body);
    this.record(type, performance.now() - started);
    return reply;
  }

  async newNonce(method: "HEAD" | "GET" = "HEAD"): Promise<string> {
    const reply = await this.timed("newNonce", method, this.directory.newNonce, {});
    const nonce = reply.headers.get("replay-nonce");
    if (!nonce) throw new AcmeError(`newNonce ${reply.status}: no Replay-Nonce`);
    return nonce;
  }

  /** A signed POST; a badNonce answer is retried once with the nonce it carries (§6.5). */
  async post(
    type: RequestType,
    url: string,
    payload: unknown,
    accept?: string,
  ): Promise<Reply & { json: AcmeObject | null }> {
    for (let attempt = 0; ; attempt++) {
      const nonce = this.#nonce ?? (await this.newNonce());
      this.#nonce = null;
      const body = this.key.sign(payload, { url, nonce, kid: this.kid });
      const headers: Record<string, string> = { "Content-Type": "application/jose+json" };
      if (accept) headers.Accept = accept;
      const reply = await this.timed(type, "POST", url, headers, body);
      this.#nonce = reply.headers.get("replay-nonce") ?? null;
      const json = reply.headers.get("content-type")?.includes("json")
        ? (JSON.parse(reply.body.toString("utf8")) as AcmeObject)
        : null;
      if (reply.status < 400) return { ...reply, json };
      if (json?.type === BAD_NONCE && attempt === 0) continue;
      throw new AcmeError(
        `${type} ${reply.status}: ${json?.type ?? ""} ${json?.detail ?? reply.body.toString("utf8").slice(0, 200)}`.trim(),
      );
    }
  }

  async register(): Promise<void> {
    const reply = await this.post("newAccount", this.directory.newAccount, { termsOfServiceAgreed: true });
    const location = reply.headers.get("location");
    if (!location) throw new AcmeError(`newAccount ${reply.status}: no Location`);
    this.kid = location;
  }
}

/** Why an order or authorization is invalid: its error, or its failed challenge's (RFC 8555 §7.1.5). */
const problemOf = (o: AcmeObject | null) => o?.error ?? o?.challenges?.find((c) => c.error)?.error ?? o;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type Http01Tokens = {
  set: (token: string, keyAuthorization: string) => void;
  delete: (token: string) => void;
};

/**
 * One whole issuance (§7.4): newOrder → authorization → http-01 → polls → finalize → polls →
 * certificate. Polls start at once and back off (pollMs, doubled up to 8×), as clients that
 * honour a short Retry-After do. Resolves when the certificate is downloaded, throws otherwise.
 */
export async function issue(
  session: AcmeSession,
  name: string,
  csr: string,
  tokens: Http01Tokens,
  o: { pollMs: number; deadline: number },
): Promise<void> {
  const pollUntil = async (type: RequestType, url: string, done: (status: string) => boolean) => {
    for (let wait = o.pollMs; ; wait = Math.min(wait * 2, o.pollMs * 8)) {
      if (Date.now() > o.deadline) throw new AcmeError(`${type}: not done in time`);
      await sleep(wait);
      const reply = await session.post(type, url, undefined);
      const status = String(reply.json?.status);
      if (done(status)) return reply;
      if (status === "invalid")
        throw new AcmeError(`${type}: invalid: ${JSON.stringify(problemOf(reply.json)).slice(0, 600)}`);
    }
  };

  const order = await session.post("newOrder", session.directory.newOrder, {
    identifiers: [{ type: "dns", value: name }],
  });
  const orderUrl = order.headers.get("location");
  const authzUrl = order.json?.authorizations?.[0];
  const finalizeUrl = order.json?.finalize;
  if (!orderUrl || !authzUrl || !finalizeUrl)
    throw new AcmeError(`newOrder ${order.status}: no Location, authorization or finalize URL`);

  const authz = await session.post("authz", authzUrl, undefined);
  const challenge = authz.json?.challenges?.find((c) => c.type === "http-01");
  if (!challenge) throw new AcmeError("authz: no http-01 challenge");
  tokens.set(challenge.token, `${challenge.token}.${session.key.thumbprint}`);
  try {
    const answered = await session.post("challenge", challenge.url, {});
    if (answered.json?.status !== "valid") await pollUntil("authz poll", authzUrl, (s) => s === "valid");
  } finally {
    tokens.delete(challenge.token);
  }

  let final = await session.post("finalize", finalizeUrl, { csr });
  if (final.json?.status !== "valid") final = await pollUntil("order poll", orderUrl, (s) => s === "valid");
  const certificateUrl = final.json?.certificate;
  if (!certificateUrl) throw new AcmeError("order: valid without a certificate URL");
  const cert = await session.post("cert", certificateUrl, undefined, "application/pem-certificate-chain");
  if (!cert.body.includes("-----BEGIN CERTIFICATE-----"))
    throw new AcmeError(`cert ${cert.status}: not a PEM chain`);
}
