// Keyward's one server process: three listeners in front of the Next app (console) and the ACME
// front end — HTTP, HTTPS, and mutual-TLS HTTPS, which asks every client for a certificate (spec
// "URL Endpoints and Aliases": the URLs with and without client authentication, as EJBCA serves
// 8443 beside 8442). /acme is answered by lib/acme/http directly, without the framework's
// per-request cost (STACK.md: a Next route handler costs ~25× a bare Node handler); everything
// else goes to Next.
//
// Every request is resolved here first, before anything reads it (lib/forwarded.ts): who sent it,
// over which scheme, to which host — from X-Forwarded-* only when the peer is a trusted proxy —
// and which client certificate it carries: the mutual-TLS handshake's, or a trusted proxy's
// X-SSL-Client-Cert. The certificate is verified (lib/ca/client-certificates.ts) and handed to
// the ACME front end as a value, never as a header.
import { constants } from "node:crypto";
import { writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import next from "next";
import { prepareAcme, pruneNonces, serveAcme } from "@/lib/acme/http";
import { MAX_REQUEST_BYTES } from "@/lib/acme/http/body";
import { type FirstAdministrator, firstAdministratorBanner } from "@/lib/auth/bootstrap-admin";
import { bootstrapKeyward } from "@/lib/bootstrap";
import {
  type ClientCertificateCheck,
  certificatesFromProxyHeader,
  verifyClientCertificate,
} from "@/lib/ca/client-certificates";
import { refreshCrlsIfDue } from "@/lib/ca/crl";
import { ensureServerTlsCertificate } from "@/lib/ca/server-tls";
import { db, statementsExecuted } from "@/lib/db/client";
import { listMigrationNames } from "@/lib/db/migrate";
import { adoptBoundHttpPort, adoptBoundMtlsPort, consoleHttpsOrigin, env } from "@/lib/env";
import {
  markForwardedHeadersResolved,
  PROXY_HEADERS,
  plainHttpConsoleRedirect,
  type RequestFacts,
  resolveRequestFacts,
  TrustedProxies,
} from "@/lib/forwarded";
import { isLogForHumans, logger, routeConsoleToLogger, writeMachineLine } from "@/lib/observability/logger";
import {
  chooseRequestId,
  type RequestContext,
  runInRequestContext,
} from "@/lib/observability/request-context";
import { expectMigrations } from "@/lib/ops/health";
import { isOperationsPath, serveOperations } from "@/lib/ops/http";
import { AcmeProblem } from "@/lib/problem";
import { runValidationJob } from "@/lib/ra/challenges";
import { getGlobalSettings } from "@/lib/ra/global-settings";
import { finishInterruptedOrders } from "@/lib/ra/orders";
import { startValidationWorker } from "@/lib/va/jobs";

// Headers only this process may set (the x-keyward- prefix); stripped from every incoming request
// first (STACK.md). Keyward passes nothing this way today: certificates travel as values.
const INTERNAL_HEADER_PREFIX = "x-keyward-";
type Listener = "http" | "https" | "mtls";
const NONCE_PRUNE_INTERVAL_MS = 60_000;
const CRL_REFRESH_INTERVAL_MS = 10 * 60_000;
const ORDER_SWEEP_INTERVAL_MS = 15_000;

async function main() {
  // From here on, everything printed is a JSON log line (or readable, at a terminal).
  routeConsoleToLogger();
  const config = env();
  const started = performance.now();
  const boot = await bootstrapKeyward();
  // /readyz reports a database that lacks one of these (another instance's older schema).
  expectMigrations(await listMigrationNames());
  const tls = await ensureServerTlsCertificate({
    db: db(),
    dataDir: config.dataDir,
    hostnames: config.KEYWARD_HOSTNAMES,
    certFile: config.KEYWARD_TLS_CERT_FILE,
    keyFile: config.KEYWARD_TLS_KEY_FILE,
  });

  await prepareAcme();
  const dev = config.KEYWARD_DEV;
  const app = next({ dev, dir: import.meta.dirname, hostname: "localhost", port: config.KEYWARD_HTTP_PORT });
  await app.prepare();
  const nextHandler = app.getRequestHandler();

  const trustedProxies = new TrustedProxies(config.KEYWARD_TRUSTED_PROXIES);
  // The console's readers believe X-Forwarded-* from now on: this process rewrites them (below).
  markForwardedHeadersResolved();
  // Bound below; requests arrive only once every listener is bound.
  let httpsPort = 0;
  const firstHostname = config.KEYWARD_HOSTNAMES[0] ?? "localhost";
  const ownHostname = firstHostname.includes(":") ? `[${firstHostname}]` : firstHostname;

  // Every request gets an id (a trusted proxy's X-Request-Id, else a new one), returned as
  // X-Request-Id, carried to the audit records it causes, and one log line when it is answered.
  const listener = (kind: Listener) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const proxied = req.headers["x-request-id"];
    const context: RequestContext = {
      requestId: chooseRequestId(
        trustedProxies.has(req.socket.remoteAddress) && typeof proxied === "string" ? proxied : undefined,
      ),
    };
    res.setHeader("x-request-id", context.requestId);
    const started = performance.now();
    res.once("close", () => logRequest(kind, req, res, context, started));
    return runInRequestContext(context, () => handleRequest(kind, req, res));
  };

  const handleRequest = async (kind: Listener, req: http.IncomingMessage, res: http.ServerResponse) => {
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith(INTERNAL_HEADER_PREFIX)) delete req.headers[name];
    }
    inFlight.set(req.socket, res);
    res.once("close", () => inFlight.get(req.socket) === res && inFlight.delete(req.socket));
    toOriginForm(req);
    // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1
    // request message that lacks a Host header field" (Node's own check answers without a
    // problem document, so it is off: requireHostHeader below).
    if (req.httpVersion === "1.1" && req.headers.host === undefined) {
      writeProblem(res, 400, "An HTTP/1.1 request must carry a Host header (RFC 9112 §3.2)");
      return;
    }
    const facts = resolveRequestFacts({
      peer: req.socket.remoteAddress,
      scheme: kind === "http" ? "http" : "https",
      headers: req.headers,
      trusted: trustedProxies,
    });
    rewriteForwardedHeaders(req, facts);
    // Probes and scrapes come over plain HTTP from load balancers and Prometheus: answered before
    // the console's redirect to HTTPS (lib/ops/http.ts decides who may read /metrics).
    const path = (req.url ?? "/").split("?")[0] as string;
    if (isOperationsPath(path)) {
      await answerOperations(facts, req, res, path).catch((err) => {
        console.error(`[server] ${req.method} ${path} failed:`, err);
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    const https = plainHttpConsoleRedirect({
      facts,
      path: req.url ?? "/",
      allowAnyClient: config.KEYWARD_CONSOLE_PLAIN_HTTP === "any",
      ownHostname,
      // Behind a proxy, its HTTPS is on the default port of the host the client named.
      httpsOrigin: (hostname) => consoleHttpsOrigin(hostname, facts.viaTrustedProxy ? 443 : httpsPort),
    });
    if (https) {
      res.writeHead(308, { location: https, "cache-control": "no-store", "content-type": "text/plain" });
      res.end(`The console is served over HTTPS: ${https}\n`);
      return;
    }
    try {
      if (req.url === "/acme" || req.url?.startsWith("/acme/") || req.url?.startsWith("/acme?")) {
        await answerAcme(kind, facts, req, res);
      } else if (!hasDecodablePath(req.url ?? "/")) {
        // Next answers a path it cannot decode with a 500; it is the client's mistake.
        res.writeHead(400, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
        res.end("Bad request: the path is not valid percent-encoded UTF-8\n");
      } else {
        await nextHandler(req, res);
      }
    } catch (err) {
      // The client went away in the middle of its body: there is no one to answer.
      if ((err as NodeJS.ErrnoException).code === "ECONNRESET") return;
      console.error(`[server] ${req.method} ${req.url} failed:`, err);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    }
  };

  const httpServer = http.createServer({ requireHostHeader: false }, listener("http"));
  // No client certificate is asked for here: browsers would prompt for one on the console.
  const httpsServer = https.createServer(
    { cert: tls.cert, key: tls.key, ca: tls.caPem, requireHostHeader: false },
    listener("https"),
  );
  // Asks every client for a certificate but completes the handshake without one (rejectUnauthorized
  // false), so that a client without one gets a problem document instead of a TLS alert, and an
  // alias that needs none works here too. OpenSSL still checks that a client holds the key of the
  // certificate it sends; whether Keyward trusts it is decided per request against the trust
  // anchors in the database (lib/ca/client-certificates.ts), which change without a restart — so
  // the request names no acceptable CAs (no `ca`): clients offer whichever certificate they hold.
  // No session tickets: a resumed session keeps the client's certificate but not the CA
  // certificates it sent, which a path through an intermediate needs.
  const mtlsServer = https.createServer(
    {
      cert: tls.cert,
      key: tls.key,
      requestCert: true,
      rejectUnauthorized: false,
      secureOptions: constants.SSL_OP_NO_TICKET,
      requireHostHeader: false,
    },
    listener("mtls"),
  );
  const servers = [httpServer, httpsServer, mtlsServer];
  for (const server of servers) {
    server.on("clientError", answerClientError);
    server.on("connect", answerConnect);
  }
  const httpPort = await listen(httpServer, config.KEYWARD_HTTP_PORT, config.KEYWARD_LISTEN);
  httpsPort = await listen(httpsServer, config.KEYWARD_HTTPS_PORT, config.KEYWARD_LISTEN);
  const mtlsPort = await listen(mtlsServer, config.KEYWARD_MTLS_PORT, config.KEYWARD_LISTEN);
  adoptBoundHttpPort(httpPort);
  adoptBoundMtlsPort(mtlsPort);

  const pruneTimer = setInterval(() => {
    pruneNonces().catch((err) => console.error("[server] nonce pruning failed:", err));
  }, NONCE_PRUNE_INTERVAL_MS);
  pruneTimer.unref();

  // Challenge validations queued by any instance (DESIGN: jobs live in PostgreSQL).
  const worker = startValidationWorker({
    db: db(),
    handle: (job) => runValidationJob(db(), job),
    onError: (err, job) => console.error(`[va] validation job ${job?.id ?? "(claim)"} failed:`, err),
  });
  // CRLs are regenerated on every revocation and, to keep nextUpdate ahead, on a schedule.
  const refreshCrls = () =>
    refreshCrlsIfDue(db()).catch((err) => console.error("[ca] CRL refresh failed:", err));
  await refreshCrls();
  const crlTimer = setInterval(refreshCrls, CRL_REFRESH_INTERVAL_MS);
  crlTimer.unref();
  // Orders a crashed instance left processing are finished (or failed) once their lease runs out.
  const sweepOrders = () =>
    finishInterruptedOrders(db()).catch((err) =>
      console.error("[ra] finishing interrupted orders failed:", err),
    );
  await sweepOrders();
  const orderTimer = setInterval(
    sweepOrders,
    Math.min(ORDER_SWEEP_INTERVAL_MS, config.KEYWARD_ISSUANCE_LEASE_SECONDS * 500),
  );
  orderTimer.unref();

  const settings = await getGlobalSettings(db());
  printBanner({
    httpPort,
    httpsPort,
    mtlsPort,
    trustedProxies: trustedProxies.size,
    boot,
    acmeEnabled: settings.acmeEnabled,
    ms: performance.now() - started,
  });
  // One machine-readable line for scripts and tests that start the server on port 0.
  writeMachineLine(
    `KEYWARD_READY ${JSON.stringify({ http: httpPort, https: httpsPort, mtls: mtlsPort, pid: process.pid })}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[server] ${signal}: shutting down`);
    clearInterval(pruneTimer);
    clearInterval(crlTimer);
    clearInterval(orderTimer);
    const closed = Promise.all(servers.map(close));
    for (const server of servers) server.closeIdleConnections();
    // In-flight requests get a moment to finish, then connections are cut.
    const deadline = setTimeout(() => {
      for (const server of servers) server.closeAllConnections();
    }, 5_000);
    await closed;
    clearTimeout(deadline);
    await worker.stop();
    await boot.shutdown();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  // Diagnostics: `kill -USR2 <pid>` prints one line of counters (npm run bench reads them).
  process.on("SIGUSR2", () => {
    const stats = { statements: statementsExecuted(), rssBytes: process.memoryUsage.rss() };
    writeMachineLine(`KEYWARD_STATS ${JSON.stringify(stats)}`);
  });
  process.once("SIGINT", () => void stop("SIGINT"));
}

/** One log line per answered request: never the query string, a header or a body. */
function logRequest(
  kind: Listener,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  context: RequestContext,
  started: number,
): void {
  logger().info(
    {
      requestId: context.requestId,
      listener: kind,
      alias: context.alias,
      method: req.method,
      path: (req.url ?? "/").split("?")[0]?.slice(0, 512),
      status: res.statusCode,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...(res.writableFinished ? {} : { aborted: true }),
    },
    "request",
  );
}

/**
 * The forwarded headers as everything after this point reads them (Next, next-auth, the console's
 * guard): from a trusted proxy, replaced by the resolved single values; from anyone else, forged
 * ones removed and the socket's own facts written in their place. The client-certificate header
 * never goes further: the ACME front end gets the certificate as a value.
 */
function rewriteForwardedHeaders(req: http.IncomingMessage, facts: RequestFacts): void {
  for (const name of PROXY_HEADERS) delete req.headers[name];
  if (facts.clientIp) req.headers["x-forwarded-for"] = facts.clientIp;
  req.headers["x-forwarded-proto"] = facts.scheme;
  req.headers["x-forwarded-host"] = facts.host;
}

/**
 * The request's client certificate, verified: a trusted proxy's header (the TLS peer is then the
 * proxy), else the mutual-TLS handshake's. Undefined when there is none to check.
 */
async function clientCertificateOf(
  kind: Listener,
  facts: RequestFacts,
  req: http.IncomingMessage,
): Promise<ClientCertificateCheck | undefined> {
  if (facts.clientCertificateHeader !== undefined) {
    const chain = certificatesFromProxyHeader(facts.clientCertificateHeader);
    return verifyClientCertificate(db(), chain ?? [], { via: "proxy" });
  }
  if (kind !== "mtls") return undefined;
  const chain = peerCertificateChain(req.socket as TLSSocket);
  return chain.length > 0 ? verifyClientCertificate(db(), chain, { via: "tls" }) : undefined;
}

/** The certificates the TLS client sent, its own first (empty when it sent none). */
function peerCertificateChain(socket: TLSSocket): Uint8Array[] {
  const chain: Uint8Array[] = [];
  let certificate = socket.getPeerCertificate(true);
  while (certificate?.raw && chain.length < 10) {
    chain.push(new Uint8Array(certificate.raw));
    const next = certificate.issuerCertificate;
    if (!next || next === certificate || next.fingerprint256 === certificate.fingerprint256) break;
    certificate = next;
  }
  return chain;
}

async function answerAcme(
  kind: Listener,
  facts: RequestFacts,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  // The URL the client used (through a trusted proxy: its scheme and host), which the JWS "url"
  // must name (RFC 8555 §6.4) and every URL Keyward returns keeps.
  const url = requestUrl(facts.scheme, facts.host, req.url ?? "/");
  if (!url) {
    writeProblem(res, 400, "The Host header does not name a host (RFC 9110 §7.2)");
    return;
  }
  const method = req.method ?? "GET";
  const read = method === "GET" || method === "HEAD" ? undefined : await readAtMost(req, MAX_REQUEST_BYTES);
  // The Fetch standard forbids TRACE (and CONNECT, which never reaches here) in a Request: such a
  // request travels as a bodiless GET, and serveAcme is told its real method (405 with Allow).
  const forbidden = FETCH_FORBIDDEN_METHODS.has(method);
  const request = new Request(url, {
    method: forbidden ? "GET" : method,
    headers,
    body:
      !forbidden && read && !read.tooLarge && read.body.length > 0 ? new Uint8Array(read.body) : undefined,
  });
  let clientCertificate: ClientCertificateCheck | undefined;
  try {
    clientCertificate = await clientCertificateOf(kind, facts, req);
  } catch (err) {
    // The trust anchors or revocation records could not be read: not the client's fault, and
    // no reason to let it in. A problem document, as every failure on an ACME path (DESIGN).
    console.error("[server] client certificate check failed:", err);
    const problem = AcmeProblem.serverInternal();
    res.writeHead(problem.status, {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
    });
    res.end(JSON.stringify(problem.toJSON()));
    return;
  }
  const response = await serveAcme(request, {
    method,
    clientIp: facts.clientIp,
    clientCertificate,
    bodyTooLarge: read?.tooLarge,
  });
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  const answer = Buffer.from(await response.arrayBuffer());
  // Node closes a connection that will not be kept alive as soon as the answer is written; with
  // body bytes still arriving, that close is a reset the client sees instead of the 413. So the
  // answer waits until the rest of the body has been read and thrown away (or a bound passed).
  if (read?.tooLarge) await read.drained;
  res.end(answer);
}

async function answerOperations(
  facts: RequestFacts,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
): Promise<void> {
  const url = requestUrl(facts.scheme, facts.host, req.url ?? "/") ?? new URL(`http://localhost${path}`);
  const headers = new Headers();
  const authorization = req.headers.authorization;
  if (authorization) headers.set("authorization", authorization);
  const method = req.method ?? "GET";
  // The request carries only what lib/ops reads; its real method travels beside it (a Request
  // cannot carry TRACE).
  const request = new Request(url, { method: method === "HEAD" ? "HEAD" : "GET", headers });
  const response = await serveOperations(request, {
    path,
    method,
    clientIp: facts.clientIp,
    scheme: facts.scheme,
  });
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.end(req.method === "HEAD" ? undefined : Buffer.from(await response.arrayBuffer()));
}

const FETCH_FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

// The response each connection is writing, so that a parser error on a pipelined request does
// not interleave a second answer with one already under way.
const inFlight = new WeakMap<Duplex, http.ServerResponse>();

/**
 * RFC 9112 §3.2.2: a server MUST accept a request target in absolute form, and then takes the
 * authority from it instead of Host. Keyward serves it as the origin form (path and query).
 */
function toOriginForm(req: http.IncomingMessage): void {
  if (!/^https?:\/\//i.test(req.url ?? "")) return;
  try {
    const target = new URL(req.url as string);
    req.url = target.pathname + target.search;
    req.headers.host = target.host;
  } catch {
    // Not a URL: the path as sent answers 404 wherever it goes.
  }
}

/** The request's URL from Host and the path, or null when Host is not a host[:port]. */
function requestUrl(scheme: string, host: string, path: string): URL | null {
  try {
    const origin = new URL(`${scheme}://${host}`);
    const onlyAuthority =
      origin.username === "" && origin.password === "" && origin.href === `${origin.origin}/`;
    return onlyAuthority ? new URL(`${origin.origin}${path}`) : null;
  } catch {
    return null;
  }
}

/**
 * DESIGN: every failure is a problem document, also for requests the HTTP parser refuses before
 * any handler runs (bad framing, oversized headers, no Host). The statuses are Node's own; the
 * connection is closed after the answer, as the parser's state is lost.
 */
function answerClientError(err: NodeJS.ErrnoException & { reason?: string }, socket: Duplex): void {
  if (err.code === "ECONNRESET" || !socket.writable || inFlight.get(socket)?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, detail] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "The request's header fields are too large"]
      : err.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW"
        ? [413, "The request's chunk extensions are too large"]
        : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "The request was not received in time"]
          : [400, `The request is not valid HTTP/1.1: ${err.reason ?? err.code ?? "parse error"}`];
  socket.end(rawProblem(status, detail));
}

/** CONNECT asks for a tunnel; Keyward is no proxy (RFC 9110 §9.3.6). */
function answerConnect(_req: http.IncomingMessage, socket: Duplex): void {
  socket.end(rawProblem(405, "CONNECT is not allowed: Keyward is not a proxy", { Allow: "GET, HEAD, POST" }));
}

function problemBody(status: number, detail: string): string {
  return JSON.stringify(AcmeProblem.malformed(detail, { status }).toJSON());
}

function rawProblem(status: number, detail: string, extraHeaders: Record<string, string> = {}): string {
  const body = problemBody(status, detail);
  const headers = {
    "Content-Type": "application/problem+json",
    "Content-Length": String(Buffer.byteLength(body)),
    "Cache-Control": "no-store",
    Connection: "close",
    ...extraHeaders,
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${lines.join("")}\r\n${body}`;
}

function writeProblem(res: http.ServerResponse, status: number, detail: string): void {
  res.writeHead(status, { "Content-Type": "application/problem+json", "Cache-Control": "no-store" });
  res.end(problemBody(status, detail));
}

// A body over the limit is answered with 413 at once; the rest is read and thrown away, so the
// client gets the answer instead of a reset connection (closing a socket with unread data makes
// the kernel send RST). Past this much, the sender is cut off.
const MAX_DRAINED_BYTES = 256 * 1024 * 1024;
/** How long the 413 waits for the rest of the body before it is sent all the same. */
const MAX_DRAIN_MS = 10_000;

/**
 * The body, or `tooLarge` as soon as it (or its declared Content-Length) passes `limit`; no more
 * than `limit` bytes are kept in memory.
 */
function readAtMost(
  req: http.IncomingMessage,
  limit: number,
): Promise<{ body: Buffer; tooLarge: false } | { tooLarge: true; drained: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    let settled = false;
    const overLimit = () => {
      settled = true;
      const drained = new Promise<void>((done) => {
        const timer = setTimeout(done, MAX_DRAIN_MS);
        const finish = () => {
          clearTimeout(timer);
          done();
        };
        if (req.complete || req.destroyed) finish();
        req.once("end", finish);
        req.once("close", finish);
      });
      resolve({ tooLarge: true, drained });
    };
    if (Number(req.headers["content-length"] ?? 0) > limit) overLimit();
    req.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > MAX_DRAINED_BYTES) req.destroy();
      if (settled) return;
      if (seen > limit) overLimit();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (!settled) resolve({ body: Buffer.concat(chunks), tooLarge: false });
    });
    req.on("error", (err) => {
      if (!settled) reject(err);
    });
  });
}

/** The path decodes to UTF-8 without a NUL (issue 15 item 9: "/aliases/%E0%A4%A" gave a 500). */
function hasDecodablePath(url: string): boolean {
  const path = url.split("?")[0] as string;
  try {
    return !decodeURIComponent(path).includes("\u0000");
  } catch {
    return false;
  }
}

function listen(server: http.Server | https.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function printBanner(o: {
  httpPort: number;
  httpsPort: number;
  mtlsPort: number;
  trustedProxies: number;
  boot: Awaited<ReturnType<typeof bootstrapKeyward>>;
  acmeEnabled: boolean;
  ms: number;
}) {
  const host = env().KEYWARD_HOSTNAMES[0] ?? "localhost";
  const lines = [
    "",
    `Keyward is running (${Math.round(o.ms)} ms, ${o.boot.embedded ? "embedded database in the data directory" : "PostgreSQL from DATABASE_URL"})`,
    `  Console:          http://${host}:${o.httpPort}/   https://${host}:${o.httpsPort}/`,
    `  ACME directory:   https://${host}:${o.httpsPort}/acme/directory`,
    `                    http://${host}:${o.httpPort}/acme/directory`,
    `  Per alias:        https://${host}:${o.httpsPort}/acme/<alias>/directory`,
    `  Client cert auth: https://${host}:${o.mtlsPort}/acme/<alias>/directory  (mutual TLS)`,
    ...(o.trustedProxies > 0
      ? [`  X-Forwarded-* and X-SSL-Client-Cert are believed from ${o.trustedProxies} trusted proxy entries.`]
      : []),
    `  Root CA:          ${o.boot.caFiles.rootPem}  (also at /ca/root.pem and /ca/root.der)`,
    ...firstAdministratorBanner(firstAdministratorOutsideTheLog(o.boot.firstAdministrator)),
    o.acmeEnabled
      ? "  ACME is enabled."
      : "  ACME is disabled on a new installation: enable it in the console (Protocol) or with `npm run keyward -- acme enable`.",
    "",
  ];
  if (isLogForHumans()) console.log(lines.join("\n"));
  else
    logger().info(
      { banner: lines.filter(Boolean).map((l) => l.trim()) },
      lines[1]?.trim() ?? "Keyward is running",
    );
}

/**
 * A generated first-administrator password is shown at a terminal, but never written into a log
 * system: without a terminal it goes to a file only its owner can read, which the banner names.
 */
function firstAdministratorOutsideTheLog(admin: FirstAdministrator | null): FirstAdministrator | null {
  if (!admin?.oneTime || !admin.password || isLogForHumans()) return admin;
  const file = path.join(env().dataDir, "first-administrator-password");
  writeFileSync(file, `${admin.password}\n`, { mode: 0o600 });
  return { ...admin, password: `(not logged: in ${file}; delete the file after the first sign-in)` };
}

main().catch((err) => {
  console.error("[server] failed to start:", err);
  process.exit(1);
});
