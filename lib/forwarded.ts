// Who sent a request, over which scheme, to which host — and which headers may say so. A shared
// leaf (no imports above it), used by server.ts, which decides, and by the console's readers.
//
// Behind a reverse proxy the socket's peer is the proxy, and only the proxy knows the client's
// address, the scheme and host the client used, and (when it terminates TLS) the client's
// certificate; it says so in X-Forwarded-For/-Proto/-Host and X-SSL-Client-Cert. Anybody can send
// those headers, so they are believed only from the addresses in KEYWARD_TRUSTED_PROXIES
// (issue 15: the audit log stored `<svg/onload=…>` as an IP; the console's origin check accepted a
// forged X-Forwarded-Host). server.ts resolves every request once, before anything reads it:
// from a trusted proxy it replaces these headers with the single resolved values, from anyone
// else it removes them and writes the socket's own facts in their place.
import { BlockList, isIP } from "node:net";

/**
 * The header a trusted TLS-terminating proxy sets to the client certificate it verified: the PEM,
 * URL-encoded (nginx `$ssl_client_escaped_cert`, AWS ALB's X-Amzn-Mtls-Clientcert form).
 */
export const CLIENT_CERT_HEADER = "x-ssl-client-cert";

/** Headers only a trusted proxy may set; removed from every other request. */
export const PROXY_HEADERS = [
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-forwarded-port",
  // RFC 7239: nothing in Keyward reads it, but nothing downstream should believe a forged one either.
  "forwarded",
  CLIENT_CERT_HEADER,
] as const;

type ProxyAddress = { address: string; prefix: number; family: "ipv4" | "ipv6" };

/** An IP address or CIDR range as KEYWARD_TRUSTED_PROXIES lists them, or null. */
export function parseProxyAddress(entry: string): ProxyAddress | null {
  const [address = "", prefixText, ...rest] = entry.trim().split("/");
  if (rest.length > 0) return null;
  const version = isIP(address);
  if (version === 0) return null;
  const family = version === 4 ? "ipv4" : "ipv6";
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  return prefix <= max ? { address, prefix, family } : null;
}

/** An address as a socket reports it, IPv4-mapped IPv6 (::ffff:10.0.0.1) as plain IPv4. */
export function normalizeAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1] : address;
}

const MAX_REMEMBERED_PEERS = 10_000;

/** The configured proxies (node:net's BlockList does the CIDR matching). */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[]) {
    let size = 0;
    for (const entry of entries) {
      const parsed = parseProxyAddress(entry);
      if (!parsed) throw new Error(`not an IP address or CIDR range: ${entry}`);
      this.#list.addSubnet(parsed.address, parsed.prefix, parsed.family);
      size++;
    }
    this.size = size;
  }

  // Answers by peer address: a BlockList check builds a SocketAddress each time, a tenth of a
  // newNonce request's CPU (profiled with npm run bench), and the peers are few (proxies, clients).
  readonly #answers = new Map<string, boolean>();

  has(address: string | undefined): boolean {
    if (this.size === 0 || address === undefined) return false;
    let answer = this.#answers.get(address);
    if (answer === undefined) {
      answer = this.#check(address);
      if (this.#answers.size >= MAX_REMEMBERED_PEERS) this.#answers.clear();
      this.#answers.set(address, answer);
    }
    return answer;
  }

  #check(address: string): boolean {
    const normalized = normalizeAddress(address);
    if (!normalized) return false;
    const version = isIP(normalized);
    if (version === 0) return false;
    return this.#list.check(normalized, version === 4 ? "ipv4" : "ipv6");
  }
}

export type RequestFacts = {
  /** The client's address: the socket's peer, or what trusted proxies say it is. Always an IP. */
  clientIp: string | undefined;
  scheme: "http" | "https";
  /** host[:port] as the client addressed it. */
  host: string;
  /** Whether the peer is a trusted proxy (and the forwarded headers were believed). */
  viaTrustedProxy: boolean;
  /** The trusted proxy's client-certificate header, unparsed; never set for anyone else. */
  clientCertificateHeader?: string;
};

type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * The facts of a request. From a trusted proxy:
 * - the client address is found walking X-Forwarded-For from the right, past every trusted
 *   proxy: the first address no trusted proxy has is the client (entries to its left were sent
 *   by the client itself and prove nothing); anything that is not an IP address ends the walk;
 * - the scheme and host are the last X-Forwarded-Proto / X-Forwarded-Host values (the nearest
 *   proxy's), when they are well-formed.
 * From anyone else: the socket's peer, the listener's scheme and the Host header.
 */
export function resolveRequestFacts(o: {
  peer: string | undefined;
  scheme: "http" | "https";
  headers: HeaderBag;
  trusted: TrustedProxies;
}): RequestFacts {
  const peer = normalizeAddress(o.peer);
  const ownHost = headerValues(o.headers.host)[0] ?? "localhost";
  if (!o.trusted.has(peer)) {
    return { clientIp: peer, scheme: o.scheme, host: ownHost, viaTrustedProxy: false };
  }
  const hops = headerValues(o.headers["x-forwarded-for"]);
  let clientIp = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]);
    if (!hop || isIP(hop) === 0) break;
    clientIp = hop;
    if (!o.trusted.has(hop)) break;
  }
  const proto = headerValues(o.headers["x-forwarded-proto"]).at(-1)?.toLowerCase();
  const host = headerValues(o.headers["x-forwarded-host"]).at(-1);
  const certificate = o.headers[CLIENT_CERT_HEADER];
  return {
    clientIp,
    scheme: proto === "https" || proto === "http" ? proto : o.scheme,
    host: host && isHostHeader(host) ? host : ownHost,
    viaTrustedProxy: true,
    clientCertificateHeader: typeof certificate === "string" && certificate !== "" ? certificate : undefined,
  };
}

/** Comma-separated values of a header, in order, across repeated header lines. */
function headerValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((line) => line.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** host, host:port, [v6] or [v6]:port — what may stand in a URL's authority. */
export function isHostHeader(value: string): boolean {
  return (
    /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::\d{1,5})?$/.test(value) ||
    /^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(value)
  );
}

// --- the console's readers -------------------------------------------------------------------------

// Set by server.ts at start, in this process's global object rather than a module variable: the
// Next app in the same process has its own copy of this module (its bundle), and must see it too.
const RESOLVED = Symbol.for("keyward.forwardedHeadersResolved");

/** server.ts: every request's forwarded headers are replaced by resolved values before Next sees them. */
export function markForwardedHeadersResolved(): void {
  (globalThis as Record<symbol, unknown>)[RESOLVED] = true;
}

function resolvedByServer(): boolean {
  return (globalThis as Record<symbol, unknown>)[RESOLVED] === true;
}

type HeaderReader = { get(name: string): string | null };

/** Headers as next-auth hands them to a credentials provider (a plain object). */
export function headerReader(headers: HeaderBag | undefined): HeaderReader {
  return {
    get: (name) => {
      const v = headers?.[name];
      return (Array.isArray(v) ? v[0] : v) ?? null;
    },
  };
}

/**
 * The client's address for the audit log. Only through Keyward's own server is it known: under
 * plain `next start` any client can write X-Forwarded-For, so there is no address to record.
 */
export function forwardedClientIp(headers: HeaderReader): string | undefined {
  if (!resolvedByServer()) return undefined;
  const value = normalizeAddress(headers.get("x-forwarded-for")?.trim());
  return value && isIP(value) !== 0 ? value : undefined;
}

/** The host the browser addressed: the resolved X-Forwarded-Host through our server, else Host. */
export function forwardedHost(headers: HeaderReader): string | null {
  if (resolvedByServer()) return headers.get("x-forwarded-host") ?? headers.get("host");
  return headers.get("host");
}

/** The scheme the browser used: the resolved X-Forwarded-Proto through our server, else http. */
export function forwardedProto(headers: HeaderReader): "http" | "https" {
  return resolvedByServer() && headers.get("x-forwarded-proto") === "https" ? "https" : "http";
}

/** Whether an address is the machine itself (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopbackAddress(address: string | undefined): boolean {
  const normalized = normalizeAddress(address);
  if (!normalized) return false;
  if (isIP(normalized) === 4) return normalized.startsWith("127.");
  return normalized === "::1" || normalized === "0:0:0:0:0:0:0:1";
}

/** Paths served on plain HTTP to anyone: ACME (as the spec's URLs) and the CA's certificates and CRLs. */
const PLAIN_HTTP_PATHS = /^\/(?:acme|ca)(?:[/?]|$)/;

/**
 * Issue 15 item 8: the console answers plain HTTP on loopback only, so a password never crosses
 * a network in clear. The HTTPS URL to send anyone else to (308 keeps the method and body), or
 * null to serve the request. ACME stays on both schemes, as EJBCA's URLs do, and /ca/* on plain
 * HTTP: relying parties fetch CRLs and issuer certificates over http (RFC 5280 §4.2.1.13, §4.2.2.1).
 * `httpsOrigin` is where the console's HTTPS listener is reached for `hostname`; `ownHostname`
 * stands in for a Host header that names no host.
 */
export function plainHttpConsoleRedirect(o: {
  facts: RequestFacts;
  path: string;
  allowAnyClient: boolean;
  ownHostname: string;
  httpsOrigin: (hostname: string) => string;
}): string | null {
  if (o.facts.scheme !== "http" || o.allowAnyClient || PLAIN_HTTP_PATHS.test(o.path)) return null;
  if (isLoopbackAddress(o.facts.clientIp)) return null;
  // A Host that names no host (it is the client's to send) gets the server's own name.
  const hostname = hostnameOf(o.facts.host) ?? o.ownHostname;
  return `${o.httpsOrigin(hostname)}${o.path.startsWith("/") ? o.path : "/"}`;
}

/** The host name of a Host header (an IPv6 literal bracketed), or null when it names no host. */
function hostnameOf(host: string): string | null {
  if (!isHostHeader(host)) return null;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}
