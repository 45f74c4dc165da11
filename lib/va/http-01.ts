// http-01 (RFC 8555 §8.3): GET http://<identifier>/.well-known/acme-challenge/<token> and compare
// the body with the key authorization. Written on node:http rather than fetch so that we choose the
// address connected to, bound every phase by one deadline, stop reading at a size limit, and vet
// each redirect before following it.
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import net from "node:net";
import { AcmeProblem, isAcmeProblem } from "@/lib/problem";
import { attemptConnection, isTlsError, tlsFailureReason, withFirstReachableAddress } from "./connection";
import type { ValidationOutcome, ValidationRecord } from "./outcome";
import { addressesToConnect, type DnsResolverSettings, hostForUrl } from "./resolver";

/** RFC 8555 §8.3 step 1: the path every http-01 request starts at. */
export const HTTP01_PATH_PREFIX = "/.well-known/acme-challenge/";

/** The whole fetch, all hops included (Boulder: 10 s less a margin for the RPC). */
export const HTTP01_TIMEOUT_MS = 10_000;
/** A key authorization is ~87 octets; anything past 8 KiB is not one, so we stop reading. */
export const HTTP01_MAX_BODY_BYTES = 8 * 1024;
/** Boulder follows at most 10 redirects; so do we. */
export const HTTP01_MAX_REDIRECTS = 10;
/** Response header block limit (Node's default is 16 KiB; a challenge response needs little). */
const HTTP01_MAX_HEADER_BYTES = 8 * 1024;
const BODY_PREVIEW_CHARS = 128;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = "Keyward-VA (+RFC 8555 http-01)";

/**
 * RFC 8555 §8.3 step 4: "Verify that the body of the response is a well-formed key authorization.
 * The server SHOULD ignore whitespace characters at the end of the body." We strip the ASCII
 * whitespace characters space, tab, CR and LF from the end (as Boulder and Pebble do), nothing else.
 */
const TRAILING_WHITESPACE = new Set([0x20, 0x09, 0x0d, 0x0a]);

export type Http01Options = {
  identifier: { type: "dns" | "ip"; value: string };
  token: string;
  keyAuthorization: string;
  /** RFC 8555 §8.3 step 3: port 80; configurable (KEYWARD_VA_HTTP01_PORT) for unprivileged tests. */
  port: number;
  dns: DnsResolverSettings;
  /** Ports a redirect may lead to; empty = any. */
  authorizedRedirectPorts: number[];
  timeoutMs?: number;
  maxBodyBytes?: number;
  maxRedirects?: number;
};

type FetchedResponse = { status: number; location: string | null; body: Buffer; bodyTruncated: boolean };

export async function validateHttp01(options: Http01Options): Promise<ValidationOutcome> {
  const deadline = Date.now() + (options.timeoutMs ?? HTTP01_TIMEOUT_MS);
  const maxBodyBytes = options.maxBodyBytes ?? HTTP01_MAX_BODY_BYTES;
  const maxRedirects = options.maxRedirects ?? HTTP01_MAX_REDIRECTS;
  const records: ValidationRecord[] = [];

  // RFC 8555 §8.3 steps 1-2: the identifier is the URL's host. RFC 8738 §4-5: an IP identifier
  // skips resolution and is itself the Host header (IPv6 in brackets, RFC 3986 §3.2.2).
  let url = new URL(
    `http://${hostForUrl(options.identifier.value)}:${options.port}${HTTP01_PATH_PREFIX}${options.token}`,
  );
  // The Host header names the identifier as the client's server knows it, without the test port:
  // in production the port is 80 and a Host header would carry no port either (RFC 9110 §7.2).
  let hostHeader = hostForUrl(options.identifier.value);
  const visited = new Set<string>();

  try {
    for (let hop = 0; ; hop++) {
      visited.add(url.href);
      const host = url.hostname.replace(/^\[|\]$/g, "");
      const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
      const record: ValidationRecord = { challengeType: "http-01", url: url.href, hostname: host, port };
      records.push(record);

      const addresses = await addressesToConnect(host, options.dns, record, deadline);
      const response = await fetchFromFirstReachable(
        url,
        hostHeader,
        addresses,
        record,
        deadline,
        maxBodyBytes,
      );
      record.httpStatus = response.status;
      const where = record.addressUsed as string;

      if (REDIRECT_STATUSES.has(response.status) && response.location !== null) {
        record.redirectLocation = response.location;
        const next = checkRedirect(url, response.location, options.authorizedRedirectPorts, where);
        if (visited.has(next.href)) {
          throw new AcmeProblem(
            "connection",
            `${where}: Fetching ${url.href}: Redirect loop detected at ${next.href}`,
          );
        }
        if (hop + 1 > maxRedirects) {
          throw new AcmeProblem(
            "connection",
            `${where}: Fetching ${url.href}: Too many redirects (more than ${maxRedirects})`,
          );
        }
        url = next;
        hostHeader = next.host;
        continue;
      }

      if (response.status !== 200) {
        throw new AcmeProblem(
          "incorrectResponse",
          `${where}: Invalid response from ${url.href}: HTTP ${response.status}`,
        );
      }
      if (response.bodyTruncated) {
        throw new AcmeProblem(
          "incorrectResponse",
          `${where}: Invalid response from ${url.href}: the body is longer than ${maxBodyBytes} bytes, so it is not a key authorization`,
        );
      }
      const body = stripTrailingWhitespace(response.body);
      if (!body.equals(Buffer.from(options.keyAuthorization, "utf8"))) {
        const seen = body.toString("utf8").slice(0, BODY_PREVIEW_CHARS);
        record.responseBodyPreview = seen;
        throw new AcmeProblem(
          "incorrectResponse",
          `${where}: The key authorization file from ${url.href} did not match this challenge. Expected ${JSON.stringify(options.keyAuthorization)} (got ${JSON.stringify(seen)}${body.length > BODY_PREVIEW_CHARS ? "…" : ""})`,
        );
      }
      return { valid: true, records };
    }
  } catch (err) {
    if (isAcmeProblem(err)) return { valid: false, problem: err, records };
    throw err;
  }
}

function stripTrailingWhitespace(body: Buffer): Buffer {
  let end = body.length;
  while (end > 0 && TRAILING_WHITESPACE.has(body[end - 1] as number)) end--;
  return body.subarray(0, end);
}

/**
 * RFC 8555 §8.3 says nothing of redirects; like Boulder we follow them, but only to http or https,
 * only to the alias's authorized ports, and with the hop count bounded by the caller. Any path is
 * allowed (Boulder does not require the target to stay under /.well-known/acme-challenge/).
 */
function checkRedirect(from: URL, location: string, authorizedPorts: number[], where: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new AcmeProblem(
      "connection",
      `${where}: Fetching ${from.href}: Invalid redirect location ${JSON.stringify(location.slice(0, 256))}`,
    );
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    throw new AcmeProblem(
      "connection",
      `${where}: Fetching ${from.href}: Redirect to ${next.href} refused: only http and https redirects are followed`,
    );
  }
  const port = Number(next.port) || (next.protocol === "https:" ? 443 : 80);
  if (authorizedPorts.length > 0 && !authorizedPorts.includes(port)) {
    throw new AcmeProblem(
      "connection",
      `${where}: Fetching ${from.href}: Redirect to ${next.href} refused: port ${port} is not an authorized redirect port (${authorizedPorts.join(", ")})`,
    );
  }
  next.hash = "";
  return next;
}

function fetchFromFirstReachable(
  url: URL,
  hostHeader: string,
  addresses: string[],
  record: ValidationRecord,
  deadline: number,
  maxBodyBytes: number,
): Promise<FetchedResponse> {
  return withFirstReachableAddress({
    addresses,
    record,
    deadline,
    attempt: (address, connectDeadline) =>
      fetchOnce(url, hostHeader, address, deadline, connectDeadline, maxBodyBytes),
    toProblem: (err, address) =>
      new AcmeProblem(
        isTlsError(err) ? "tls" : "connection",
        `${address}: Fetching ${url.href}: ${(err as Error).message}`,
      ),
    noAddressDetail: `No addresses to connect to for ${url.hostname}`,
  });
}

function fetchOnce(
  url: URL,
  hostHeader: string,
  address: string,
  deadline: number,
  connectDeadline: number,
  maxBodyBytes: number,
): Promise<FetchedResponse> {
  return attemptConnection<FetchedResponse>({
    connectDeadline,
    deadline,
    afterConnectTimeout: "Timeout after connect (your server may be slow or overloaded)",
    // The code stays on the error: fetchFromFirstReachable tells a TLS failure by it.
    describeError: (err) => Object.assign(new Error(describeHttpError(err)), { code: err.code }),
    open: (events) => {
      const isHttps = url.protocol === "https:";
      const hostname = url.hostname.replace(/^\[|\]$/g, "");
      const common = {
        host: address,
        port: Number(url.port) || (isHttps ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: "GET",
        headers: { Host: hostHeader, "User-Agent": USER_AGENT, Accept: "*/*", Connection: "close" },
        agent: false as const,
        maxHeaderSize: HTTP01_MAX_HEADER_BYTES,
      };
      // https only happens after a redirect. Like Boulder we do not verify the certificate: the
      // client is proving control of the name in order to obtain a certificate, so it may not have
      // a valid one yet, and http-01's proof is the content, not the TLS peer.
      const request = isHttps
        ? https.request({
            ...common,
            rejectUnauthorized: false,
            servername: net.isIP(hostname) ? undefined : hostname,
          })
        : http.request(common);

      request.on("socket", (socket) => socket.once("connect", events.connected));
      request.on("error", events.socketError);
      request.on("response", (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const location = typeof response.headers.location === "string" ? response.headers.location : null;
        if (REDIRECT_STATUSES.has(status) && location !== null) {
          events.succeed({ status, location, body: Buffer.alloc(0), bodyTruncated: false });
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          received += chunk.length;
          // Stop at the limit: the rest is never read, whatever the server sends.
          if (received > maxBodyBytes) {
            events.succeed({
              status,
              location,
              body: Buffer.concat(chunks).subarray(0, maxBodyBytes),
              bodyTruncated: true,
            });
          }
        });
        response.on("end", () =>
          events.succeed({ status, location, body: Buffer.concat(chunks), bodyTruncated: false }),
        );
        response.on("error", events.socketError);
        response.on("aborted", () =>
          events.fail(new Error("Connection closed before the whole response arrived")),
        );
      });
      request.end();
      return request;
    },
  });
}

/** An error after the connection was made (connection.ts has already named a reset). */
function describeHttpError(err: NodeJS.ErrnoException): string {
  const code = err.code ?? "";
  if (code === "HPE_HEADER_OVERFLOW") return `Response headers larger than ${HTTP01_MAX_HEADER_BYTES} bytes`;
  if (code.startsWith("HPE_")) return `Malformed HTTP response (${code})`;
  if (isTlsError(err)) return `TLS error: ${tlsFailureReason(err)}`;
  return code || err.message;
}
