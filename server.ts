// Keyward's one server process: HTTP and HTTPS listeners in front of the Next app (console) and
// the ACME front end. /acme is answered by lib/acme/http directly, without the framework's
// per-request cost (STACK.md: a Next route handler costs ~25× a bare Node handler); everything
// else goes to Next. The HTTPS listener asks for (but does not require) a client certificate, for
// aliases that require one.
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import next from "next";
import { prepareAcme, pruneNonces, serveAcme } from "@/lib/acme/http";
import { MAX_REQUEST_BYTES } from "@/lib/acme/http/body";
import { firstAdministratorBanner } from "@/lib/auth/bootstrap-admin";
import { bootstrapKeyward } from "@/lib/bootstrap";
import { refreshCrlsIfDue } from "@/lib/ca/crl";
import { ensureServerTlsCertificate } from "@/lib/ca/server-tls";
import { db } from "@/lib/db/client";
import { adoptBoundHttpPort, env } from "@/lib/env";
import { AcmeProblem } from "@/lib/problem";
import { runValidationJob } from "@/lib/ra/challenges";
import { getGlobalSettings } from "@/lib/ra/global-settings";
import { finishInterruptedOrders } from "@/lib/ra/orders";
import { startValidationWorker } from "@/lib/va/jobs";

// Headers only this process may set; stripped from every incoming request first (STACK.md).
const INTERNAL_HEADERS = ["x-keyward-client-cert", "x-keyward-client-verified"];
const NONCE_PRUNE_INTERVAL_MS = 60_000;
const CRL_REFRESH_INTERVAL_MS = 10 * 60_000;
const ORDER_SWEEP_INTERVAL_MS = 15_000;

async function main() {
  const config = env();
  const started = performance.now();
  const boot = await bootstrapKeyward();
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

  const listener =
    (scheme: "http" | "https") => async (req: http.IncomingMessage, res: http.ServerResponse) => {
      for (const name of INTERNAL_HEADERS) delete req.headers[name];
      inFlight.set(req.socket, res);
      res.once("close", () => inFlight.get(req.socket) === res && inFlight.delete(req.socket));
      toOriginForm(req);
      // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
      // HTTP/1.1 request message that lacks a Host header field" (Node's own check answers
      // without a problem document, so it is off: requireHostHeader below).
      if (req.httpVersion === "1.1" && req.headers.host === undefined) {
        writeProblem(res, 400, "An HTTP/1.1 request must carry a Host header (RFC 9112 §3.2)");
        return;
      }
      try {
        if (req.url === "/acme" || req.url?.startsWith("/acme/") || req.url?.startsWith("/acme?")) {
          await answerAcme(scheme, req, res);
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
  const httpsServer = https.createServer(
    {
      cert: tls.cert,
      key: tls.key,
      ca: tls.caPem,
      requestCert: true,
      rejectUnauthorized: false,
      requireHostHeader: false,
    },
    listener("https"),
  );
  for (const server of [httpServer, httpsServer]) {
    server.on("clientError", answerClientError);
    server.on("connect", answerConnect);
  }
  const httpPort = await listen(httpServer, config.KEYWARD_HTTP_PORT, config.KEYWARD_LISTEN);
  const httpsPort = await listen(httpsServer, config.KEYWARD_HTTPS_PORT, config.KEYWARD_LISTEN);
  adoptBoundHttpPort(httpPort);

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
    boot,
    acmeEnabled: settings.acmeEnabled,
    ms: performance.now() - started,
  });
  // One machine-readable line for scripts and tests that start the server on port 0.
  console.log(`KEYWARD_READY ${JSON.stringify({ http: httpPort, https: httpsPort, pid: process.pid })}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[server] ${signal}: shutting down`);
    clearInterval(pruneTimer);
    clearInterval(crlTimer);
    clearInterval(orderTimer);
    const closed = Promise.all([close(httpServer), close(httpsServer)]);
    httpServer.closeIdleConnections();
    httpsServer.closeIdleConnections();
    // In-flight requests get a moment to finish, then connections are cut.
    const deadline = setTimeout(() => {
      httpServer.closeAllConnections();
      httpsServer.closeAllConnections();
    }, 5_000);
    await closed;
    clearTimeout(deadline);
    await worker.stop();
    await boot.shutdown();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

async function answerAcme(scheme: "http" | "https", req: http.IncomingMessage, res: http.ServerResponse) {
  const url = requestUrl(scheme, req.headers.host ?? "localhost", req.url ?? "/");
  if (!url) {
    writeProblem(res, 400, "The Host header does not name a host (RFC 9110 §7.2)");
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
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
  const response = await serveAcme(request, {
    clientIp: req.socket.remoteAddress,
    bodyTooLarge: read?.tooLarge,
    method,
  });
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.end(Buffer.from(await response.arrayBuffer()));
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

/**
 * The body, or `tooLarge` as soon as it (or its declared Content-Length) passes `limit`; no more
 * than `limit` bytes are kept in memory.
 */
function readAtMost(
  req: http.IncomingMessage,
  limit: number,
): Promise<{ body: Buffer; tooLarge: false } | { tooLarge: true }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    let settled = false;
    const overLimit = () => {
      settled = true;
      resolve({ tooLarge: true });
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
    `  Root CA:          ${o.boot.caFiles.rootPem}  (also at /ca/root.pem and /ca/root.der)`,
    ...firstAdministratorBanner(o.boot.firstAdministrator),
    o.acmeEnabled
      ? "  ACME is enabled."
      : "  ACME is disabled on a new installation: enable it in the console (Protocol) or with `npm run keyward -- acme enable`.",
    "",
  ];
  console.log(lines.join("\n"));
}

main().catch((err) => {
  console.error("[server] failed to start:", err);
  process.exit(1);
});
