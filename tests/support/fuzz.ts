// The machinery of tests/integration/fuzz.test.ts: seeded randomness, hostile values, a JWS signer
// that signs any bytes (jose refuses most of what we want to send), an HTTP sender that reports a
// reset or a silence instead of throwing, and the oracle every fuzz case is judged by:
//
//   a 4xx problem document (RFC 7807, Content-Type application/problem+json, an RFC 8555 §6.7 type
//   whose `status` is the HTTP status), or an acceptance of the shape the case expects;
//   never a 5xx, a reset connection or no answer within ANSWER_BOUND_MS.
import { KeyObject, sign } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { ACME_ERROR_PREFIX, ACME_ERRORS, type AcmeErrorType } from "@/lib/problem";
import type { TestKey } from "./acme-signer";

/** The longest a case may wait for its answer: longer is a hang. */
export const ANSWER_BOUND_MS = 10_000;

// --- seeded randomness ---------------------------------------------------------------------------

/** sfc32 (PractRand-tested, 32-bit state words): fast, and the same numbers on every machine. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d = 1;

  constructor(readonly seed: number) {
    this.#a = seed >>> 0;
    this.#b = 0x9e3779b9;
    this.#c = 0x243f6a88;
    for (let i = 0; i < 16; i++) this.u32();
  }

  /** An independent stream for `label`: a case draws the same values however many cases precede it. */
  fork(label: string): Rng {
    let h = 0x811c9dc5 ^ this.seed;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    return new Rng(h >>> 0);
  }

  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.u32() % (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
  /** `n` characters of `alphabet`. */
  text(n: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
}

/** KEYWARD_FUZZ_SEED (decimal or 0x hex), else a fixed seed so that a failure reproduces. */
export function fuzzSeed(value: string | undefined): number {
  const DEFAULT_SEED = 0x4b57465a; // "KWFZ"
  if (value === undefined || value === "") return DEFAULT_SEED;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`KEYWARD_FUZZ_SEED "${value}" is not an integer`);
  return seed >>> 0;
}

// --- hostile values ------------------------------------------------------------------------------

/** Strings that break parsers, comparisons and logs. */
export const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "x\ud83dy",
  "\ufeff",
  "\u202eevil",
  "e\u0301",
  "😀",
  "ｅｘａｍｐｌｅ",
  "\r\nX-Injected: 1",
  "\\",
  '"',
  "%00",
  "%",
  "../../etc/passwd",
  "null",
  "true",
  "0",
  "-1",
  "1e999",
  "{}",
  "[]",
  "<script>",
  "' OR 1=1 --",
  "\u0024{jndi:ldap://x}",
  "__proto__",
  "constructor",
  "A".repeat(300),
  "é".repeat(1000),
];

/** Any JSON value, hostile strings and odd numbers included; objects and arrays `depth` deep at most. */
export function hostileValue(rng: Rng, depth = 2): unknown {
  switch (rng.int(0, 9)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1, 1.5, -0.0, 2 ** 53 + 2, -(2 ** 63), 1e308, 4294967296, 255]);
    case 3:
    case 4:
      return rng.pick(HOSTILE_STRINGS);
    case 5:
      return rng.text(rng.int(1, 40), "abcXYZ019-_=+/.:@ ");
    case 6:
      return depth > 0 ? Array.from({ length: rng.int(0, 4) }, () => hostileValue(rng, depth - 1)) : [];
    case 7: {
      if (depth === 0) return {};
      const o: Record<string, unknown> = {};
      for (let i = rng.int(0, 3); i > 0; i--)
        o[rng.pick(["a", "type", "value", "__proto__", ""])] = hostileValue(rng, depth - 1);
      return o;
    }
    case 8:
      return "x".repeat(rng.pick([1_000, 20_000, 60_000]));
    default:
      return rng.pick(["deactivated", "valid", "pending", "dns", "ip", "mailto:a@example.test"]);
  }
}

/** JSON text nested `depth` levels deep: `[[[…]]]` or `{"a":{"a":…}}`. */
export function deeplyNested(depth: number, kind: "array" | "object" = "array"): string {
  return kind === "array"
    ? "[".repeat(depth) + "]".repeat(depth)
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

export const b64 = (data: string | Buffer | Uint8Array): string => Buffer.from(data).toString("base64url");

// --- signing any bytes ---------------------------------------------------------------------------

export type JwsParts = { protected: string; payload: string; signature: string };

/**
 * A flattened JWS over exactly these bytes: the protected header may be any text (duplicate
 * members, no alg, a non-object), and the payload any bytes. The signature is the key's own
 * algorithm over them, whatever the header claims (RFC 7515 §5.1).
 */
export function signBytes(key: TestKey, protectedText: string | Buffer, payload: string | Buffer): JwsParts {
  const protectedB64 = b64(protectedText);
  const payloadB64 = b64(payload);
  const input = Buffer.from(`${protectedB64}.${payloadB64}`);
  const privateKey = key.weakRsaKey ?? KeyObject.from(key.privateKey);
  const signature =
    key.alg === "EdDSA"
      ? sign(null, input, privateKey)
      : key.alg === "RS256"
        ? sign("sha256", input, privateKey)
        : sign({ ES256: "sha256", ES384: "sha384", ES512: "sha512" }[key.alg], input, {
            key: privateKey,
            dsaEncoding: "ieee-p1363",
          });
  return { protected: protectedB64, payload: payloadB64, signature: b64(signature) };
}

// --- the wire ------------------------------------------------------------------------------------

export type WireRequest = {
  method: string;
  /** Sent exactly as given (no normalisation). */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Sent with Transfer-Encoding: chunked, one chunk each, after `delayMs`. */
  chunks?: { data: Buffer; delayMs?: number }[];
};

export type Answer =
  | {
      kind: "response";
      status: number;
      headers: http.IncomingHttpHeaders;
      body: Buffer;
      method: string;
    }
  | { kind: "reset"; code: string }
  | { kind: "timeout" };

/** One request on its own connection; a reset or silence is an answer too, never an exception. */
/** How many requests this process has sent, for the suite's summary line. */
export const requestCount = { value: 0 };

export function send(base: string, req: WireRequest): Promise<Answer> {
  requestCount.value++;
  const url = new URL(base);
  // node:http frames a body of some methods (OPTIONS, DELETE) by neither length nor chunks.
  const framed =
    req.body === undefined ||
    req.chunks ||
    Object.keys(req.headers ?? {}).some((h) => /^content-length$/i.test(h))
      ? req.headers
      : { ...req.headers, "content-length": String(Buffer.byteLength(req.body)) };
  return new Promise((resolve) => {
    let done = false;
    const finish = (answer: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: framed,
        agent: false,
        insecureHTTPParser: true,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("end", () =>
          finish({
            kind: "response",
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts),
            method: req.method,
          }),
        );
        res.on("error", (err: NodeJS.ErrnoException) =>
          finish({ kind: "reset", code: err.code ?? err.message }),
        );
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: "timeout" });
      request.destroy();
    }, ANSWER_BOUND_MS);
    request.on("error", (err: NodeJS.ErrnoException) =>
      finish({ kind: "reset", code: err.code ?? err.message }),
    );
    if (req.chunks) {
      void (async () => {
        for (const chunk of req.chunks ?? []) {
          if (chunk.delayMs) await new Promise((r) => setTimeout(r, chunk.delayMs));
          if (done) return;
          request.write(chunk.data);
        }
        request.end();
      })();
    } else {
      request.end(req.body);
    }
  });
}

/**
 * Raw bytes on a socket, for what node:http will not send (bad request lines, conflicting
 * framing, unescaped paths). The answer is read until the server closes the connection.
 */
export function sendRaw(
  base: string,
  pieces: { data: Buffer | string; delayMs?: number }[],
  opts: { halfClose?: boolean } = {},
): Promise<Answer> {
  requestCount.value++;
  const url = new URL(base);
  return new Promise((resolve) => {
    let done = false;
    const received: Buffer[] = [];
    const socket = net.connect(Number(url.port), url.hostname);
    const finish = (answer: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(
      () => finish(parseRawResponse(Buffer.concat(received)) ?? { kind: "timeout" }),
      ANSWER_BOUND_MS,
    );
    socket.on("data", (d) => received.push(d));
    socket.on("end", () => {
      const parsed = parseRawResponse(Buffer.concat(received));
      finish(parsed ?? { kind: "reset", code: "closed without an answer" });
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      // An answer that arrived before the reset still counts (the server may close hard after it).
      const parsed = parseRawResponse(Buffer.concat(received));
      finish(parsed ?? { kind: "reset", code: err.code ?? err.message });
    });
    socket.on("connect", async () => {
      for (const piece of pieces) {
        if (piece.delayMs) await new Promise((r) => setTimeout(r, piece.delayMs));
        if (done) return;
        socket.write(piece.data);
      }
      // The client is done sending (FIN) but still listens for the answer.
      if (opts.halfClose) socket.end();
    });
  });
}

/** The first HTTP/1.1 response in `raw` (Content-Length or chunked), or null if there is none yet. */
function parseRawResponse(raw: Buffer): Answer | null {
  // Interim answers (100 Continue) come first: the final one follows.
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw.subarray(0, 13).toString("latin1"))) {
    const interimEnd = raw.indexOf("\r\n\r\n");
    if (interimEnd < 0) return null;
    raw = raw.subarray(interimEnd + 4);
  }
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const lines = raw.subarray(0, end).toString("latin1").split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
  if (!status) return null;
  const headers: http.IncomingHttpHeaders = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers["transfer-encoding"] === "chunked") {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = body.indexOf("\r\n", at);
      if (lineEnd < 0) break;
      const size = Number.parseInt(body.subarray(at, lineEnd).toString("latin1"), 16);
      if (!size) break;
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (headers["content-length"] !== undefined) {
    body = body.subarray(0, Number(headers["content-length"]));
  }
  return { kind: "response", status: Number(status[1]), headers, body, method: "" };
}

// --- the oracle ----------------------------------------------------------------------------------

/** What an acceptance must look like; returns why it does not, or null. */
export type Acceptance = (answer: Extract<Answer, { kind: "response" }>, json: unknown) => string | null;

/** `accept` when `acceptable()` says so at judging time (a mutation that changed nothing), else a refusal. */
export function acceptIf(acceptable: () => boolean, accept: Acceptance): Acceptance {
  return (answer, json) =>
    acceptable() ? accept(answer, json) : `accepted with ${answer.status} where only a refusal is correct`;
}

export type Expectation = {
  /** An acceptance is correct when this says so; without it, only a refusal is. */
  accept?: Acceptance;
  /** The problem types RFC 8555 allows for this refusal (short names); any ACME type otherwise. */
  types?: readonly AcmeErrorType[];
  statuses?: readonly number[];
  /** Refused by the HTTP layer before a request exists: no ACME headers to expect. */
  transport?: boolean;
  /** A further requirement of a refusal (a header RFC 8555 asks for), or why it is not met. */
  refusal?: (
    answer: Extract<Answer, { kind: "response" }>,
    problem: Record<string, unknown>,
  ) => string | null;
};

const KNOWN_TYPES = new Set(Object.keys(ACME_ERRORS));

/** Why `answer` breaks the oracle, or null when it keeps it. */
export function judge(answer: Answer, expectation: Expectation): string | null {
  if (answer.kind === "timeout") return `no answer within ${ANSWER_BOUND_MS} ms`;
  if (answer.kind === "reset") return `connection reset (${answer.code})`;
  const { status, headers } = answer;
  if (status >= 500) return `server error ${status}`;
  const text = answer.body.toString("utf8");
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (status >= 200 && status < 300) {
    if (!expectation.accept) return `accepted with ${status} where only a refusal is correct`;
    return expectation.accept(answer, json);
  }
  if (status < 400) return `unexpected status ${status}`;

  // 4xx: a problem document.
  if (headers["content-type"] !== "application/problem+json") {
    return `${status} with Content-Type ${headers["content-type"] ?? "(none)"}, not application/problem+json`;
  }
  if (expectation.statuses && !expectation.statuses.includes(status)) {
    return `status ${status}, expected ${expectation.statuses.join(" or ")}`;
  }
  if (!expectation.transport) {
    // RFC 8555 §6.5: every response carries a fresh nonce, errors included.
    if (!/^[A-Za-z0-9_-]{43}$/.test(String(headers["replay-nonce"])))
      return `${status} without a Replay-Nonce`;
    if (status === 405 && !headers.allow) return "405 without an Allow header";
  }
  if (answer.method === "HEAD") return null;
  if (typeof json !== "object" || json === null) return `${status} whose body is not a JSON object`;
  const problem = json as Record<string, unknown>;
  if (typeof problem.type !== "string" || !problem.type.startsWith(ACME_ERROR_PREFIX)) {
    return `problem type ${JSON.stringify(problem.type)} is not an ${ACME_ERROR_PREFIX} type`;
  }
  const type = problem.type.slice(ACME_ERROR_PREFIX.length);
  if (!KNOWN_TYPES.has(type)) return `unknown problem type ${type}`;
  // RFC 7807 §3.1: "status", when present, is the HTTP status.
  if (problem.status !== status) return `problem status ${problem.status} differs from HTTP ${status}`;
  if (typeof problem.detail !== "string" || problem.detail === "") return "problem without a detail";
  // RFC 8555 §6.2: badSignatureAlgorithm MUST list the algorithms the server accepts.
  if (
    type === "badSignatureAlgorithm" &&
    !(Array.isArray(problem.algorithms) && problem.algorithms.length > 0)
  ) {
    return "badSignatureAlgorithm without an algorithms list";
  }
  if (expectation.types && !expectation.types.includes(type as AcmeErrorType)) {
    return `problem type ${type} (${problem.detail}), expected ${expectation.types.join(" or ")}`;
  }
  return expectation.refusal?.(answer, problem) ?? null;
}

/** A short account of an answer for failure messages. */
export function describeAnswer(answer: Answer): string {
  if (answer.kind !== "response") return answer.kind === "reset" ? `reset ${answer.code}` : "timeout";
  const text = answer.body.toString("utf8").replace(/\s+/g, " ");
  return `${answer.status} ${answer.headers["content-type"] ?? ""} ${text.slice(0, 300)}`;
}

// --- running cases -------------------------------------------------------------------------------

/** Runs `work` over `items`, `concurrency` at a time, in order of start. */
export async function inPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(workers);
}
