// `npm run bench`: full ACME issuance flows under load, against Keyward and, side by side, Pebble.
//
//   npm run bench -- [--directory URL] [--ca-bundle FILE] [--http01-port N]
//                    [--concurrency 32] [--orders 200] [--warmup 8] [--poll-ms 100]
//                    [--max-seconds 300] [--no-pebble]
//
// Each order is one whole flow with a fresh account: newNonce → newAccount → newOrder → authz →
// http-01 challenge (answered by the bench's own responder on --http01-port) → authz polls →
// finalize → order polls → certificate download. `--concurrency` flows run at once until
// `--orders` have been attempted. Printed: orders/s, p50/p99 latency per order and per request
// type, and the ratio Keyward/Pebble.
//
// Without --directory the bench starts what it measures, on loopback only: pebble-challtestsrv
// as DNS (every name → 127.0.0.1), a Keyward on a fresh database (a new database on DATABASE_URL's
// PostgreSQL, or the embedded PGlite) with ACME enabled and an alias resolving through
// challtestsrv; then, when Debian's pebble is installed, Pebble with PEBBLE_VA_NOSLEEP=1 and
// PEBBLE_WFE_NONCEREJECT=0 on the same DNS and responder port. The servers run one after the
// other, each alone on the machine while it is measured; every process is stopped by its PID.
// With --directory, the server at that URL must have ACME enabled, resolve *.bench.test to this
// machine and validate http-01 on --http01-port (default 80); --ca-bundle is its TLS root.
//
// The load runs in a child process of this script (the "driver"): Node 20's fetch trusts extra
// roots only through NODE_EXTRA_CA_CERTS, read at start, and the servers' roots exist only once
// they have started; it also keeps orchestration off the event loop being measured. Keys and CSRs
// are made before the clock starts; a request's time runs from fetch until its body is read, not
// signing. Polls wait --poll-ms whatever Retry-After says, so that both servers are polled alike.
//
// Exit codes: 0 every order completed, 1 some failed or a server did not start, 2 wrong usage.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as jose from "jose";
import { createDb } from "@/lib/db/client";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { applyAlias } from "@/lib/ra/aliases";
import { setAcmeEnabled } from "@/lib/ra/global-settings";
import { generateTestKey, signJws, type TestKey } from "../tests/support/acme-signer";
import { startHttp01Responder } from "../tests/support/challenge-responders";
import { startChallTestSrv } from "../tests/support/challtestsrv";
import { freePort } from "../tests/support/ports";
import { startServer } from "../tests/support/server-process";
import { createFreshDatabase } from "../tests/support/test-db";
import { ensureBuild } from "./ensure-build";

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const DRIVER_ENV = "KEYWARD_BENCH_DRIVER";
const PEBBLE_BINARY = "/usr/bin/pebble";
const OPENSSL_BINARY = "/usr/bin/openssl";

// Bounds: one request, one order (all its polls included), and how long the orchestrator waits
// for a driver beyond --max-seconds before killing it.
const REQUEST_TIMEOUT_MS = 30_000;
const ORDER_TIMEOUT_MS = 120_000;
const DRIVER_GRACE_MS = ORDER_TIMEOUT_MS + 30_000;
const PEBBLE_START_TIMEOUT_MS = 20_000;
const PROCESS_STOP_TIMEOUT_MS = 10_000;
// Each driver prints at most this many distinct failure messages.
const MAX_REPORTED_ERRORS = 5;

const REQUEST_TYPES = [
  "newNonce",
  "newAccount",
  "newOrder",
  "authz",
  "challenge",
  "finalize",
  "order poll",
  "cert",
] as const;
type RequestType = (typeof REQUEST_TYPES)[number];

type Options = {
  directory?: string;
  caBundle?: string;
  http01Port?: number;
  concurrency: number;
  orders: number;
  warmup: number;
  pollMs: number;
  maxSeconds: number;
  pebble: boolean;
};

type DriverConfig = {
  label: string;
  directoryUrl: string;
  http01Port: number;
  concurrency: number;
  orders: number;
  warmup: number;
  pollMs: number;
  maxSeconds: number;
  resultFile: string;
};

type DriverResult = {
  label: string;
  directoryUrl: string;
  attempted: number;
  completed: number;
  failed: number;
  wallMs: number;
  /** CPU the driver itself used during the measured run, in ms: near wallMs means the client was the bottleneck. */
  driverCpuMs: number;
  orderMs: number[];
  requestMs: Record<RequestType, number[]>;
  errors: string[];
};

// ---------------------------------------------------------------------------------------------
// Options

const USAGE = `Usage: npm run bench -- [options]
  --directory URL     ACME directory to measure (default: start a Keyward on a fresh database)
  --ca-bundle FILE    PEM roots to trust for --directory
  --http01-port N     port the server's VA connects to for http-01 (default: free port; 80 with --directory)
  --concurrency N     flows at once (default 32)
  --orders N          orders measured per server (default 200)
  --warmup N          orders run first and not measured (default 8)
  --poll-ms N         wait between two polls of an authorization or order (default 100)
  --max-seconds N     stop starting new orders after N seconds (default 300)
  --no-pebble         do not run the same load against Pebble`;

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      directory: { type: "string" },
      "ca-bundle": { type: "string" },
      "http01-port": { type: "string" },
      concurrency: { type: "string", default: "32" },
      orders: { type: "string", default: "200" },
      warmup: { type: "string", default: "8" },
      "poll-ms": { type: "string", default: "100" },
      "max-seconds": { type: "string", default: "300" },
      "no-pebble": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, text: string | undefined, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
  if (values.directory !== undefined) {
    const url = URL.canParse(values.directory) ? new URL(values.directory) : null;
    if (!url || !/^https?:$/.test(url.protocol)) throw new UsageError("--directory must be an http(s) URL");
  }
  if (values["ca-bundle"] !== undefined && !fs.existsSync(values["ca-bundle"])) {
    throw new UsageError(`--ca-bundle ${values["ca-bundle"]} does not exist`);
  }
  return {
    directory: values.directory,
    caBundle: values["ca-bundle"] === undefined ? undefined : path.resolve(values["ca-bundle"]),
    http01Port:
      values["http01-port"] === undefined ? undefined : int("http01-port", values["http01-port"], 1, 65535),
    concurrency: int("concurrency", values.concurrency, 1, 1000),
    orders: int("orders", values.orders, 1, 100_000),
    warmup: int("warmup", values.warmup, 0, 1000),
    pollMs: int("poll-ms", values["poll-ms"], 10, 10_000),
    maxSeconds: int("max-seconds", values["max-seconds"], 1, 3600),
    pebble: !values["no-pebble"],
  };
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Driver: the load, in its own process

/** What one order needs that is made before the clock starts. */
type OrderMaterial = { name: string; accountKey: TestKey; thumbprint: string; csr: string };

async function makeMaterial(count: number, runId: string, offset: number): Promise<OrderMaterial[]> {
  const material: OrderMaterial[] = [];
  for (let i = 0; i < count; i++) {
    // A fresh name per order: no authorization reuse on either server (Pebble reuses 50% by default).
    const name = `o${offset + i}-${runId}.bench.test`;
    const accountKey = await generateTestKey("ES256");
    material.push({
      name,
      accountKey,
      thumbprint: await jose.calculateJwkThumbprint(accountKey.jwk),
      csr: buildCsr(name),
    });
  }
  return material;
}

/**
 * A PKCS#10 request (RFC 2986) for one DNS name on a fresh P-256 key, DER, base64url: subject
 * CN=name, extensionRequest with subjectAltName dNSName=name, signed ecdsa-with-SHA256. Written
 * out because the one x509 library we have is reachable only through lib/crypto/x509.ts, which does
 * not export its CSR generator, and openssl per order would cost a process each.
 */
function buildCsr(name: string): string {
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
type AcmeObject = {
  status?: string;
  type?: string;
  detail?: string;
  error?: unknown;
  authorizations?: string[];
  finalize?: string;
  certificate?: string;
  challenges?: { type: string; url: string; token: string; error?: unknown }[];
};

/** Why an order or authorization is invalid: its error, or its failed challenge's (RFC 8555 §7.1.5). */
const problemOf = (o: AcmeObject | null) => o?.error ?? o?.challenges?.find((c) => c.error)?.error ?? o;
type Reply = { status: number; headers: Headers; text: string; json: AcmeObject | null };

class Recorder {
  readonly requestMs = Object.fromEntries(REQUEST_TYPES.map((t) => [t, [] as number[]])) as Record<
    RequestType,
    number[]
  >;
  readonly orderMs: number[] = [];
  readonly errors = new Map<string, number>();
  completed = 0;
  failed = 0;

  async fetch(type: RequestType, url: string, init: RequestInit): Promise<Reply> {
    const started = performance.now();
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    this.requestMs[type].push(performance.now() - started);
    let json: AcmeObject | null = null;
    try {
      json = text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  fail(error: unknown) {
    this.failed++;
    const message = error instanceof Error ? error.message : String(error);
    this.errors.set(message, (this.errors.get(message) ?? 0) + 1);
  }
}

class AcmeError extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One whole issuance flow; resolves when the certificate is downloaded, throws otherwise. */
async function runOrder(
  directory: Record<string, string>,
  material: OrderMaterial,
  responder: { set: (token: string, keyAuthorization: string) => void; delete: (token: string) => void },
  pollMs: number,
  rec: Recorder,
): Promise<void> {
  const deadline = Date.now() + ORDER_TIMEOUT_MS;
  const key = material.accountKey;
  let nonce: string | null = null;
  let kid: string | undefined;

  const freshNonce = async () => {
    const r = await rec.fetch("newNonce", directory.newNonce as string, { method: "HEAD" });
    const value = r.headers.get("replay-nonce");
    if (!value) throw new AcmeError(`newNonce ${r.status}: no Replay-Nonce`);
    return value;
  };

  // RFC 8555 §6.5: every response carries the next nonce; a badNonce answer is retried once.
  const post = async (type: RequestType, url: string, payload: unknown, accept?: string): Promise<Reply> => {
    for (let attempt = 0; ; attempt++) {
      nonce ??= await freshNonce();
      const jws = await signJws(key, payload, { url, nonce, kid });
      nonce = null;
      const headers: Record<string, string> = { "content-type": "application/jose+json" };
      if (accept) headers.accept = accept;
      const r = await rec.fetch(type, url, { method: "POST", headers, body: JSON.stringify(jws) });
      nonce = r.headers.get("replay-nonce");
      if (r.status < 400) return r;
      if (r.json?.type === "urn:ietf:params:acme:error:badNonce" && attempt === 0) continue;
      throw new AcmeError(
        `${type} ${r.status}: ${r.json?.type ?? ""} ${r.json?.detail ?? r.text.slice(0, 200)}`.trim(),
      );
    }
  };

  const pollUntil = async (
    type: RequestType,
    url: string,
    done: (status: string) => boolean,
  ): Promise<Reply> => {
    for (;;) {
      if (Date.now() > deadline) throw new AcmeError(`${type}: not done within ${ORDER_TIMEOUT_MS} ms`);
      await sleep(pollMs);
      const r = await post(type, url, null);
      const status = String(r.json?.status);
      if (done(status)) return r;
      if (status === "invalid")
        throw new AcmeError(`${type}: invalid: ${JSON.stringify(problemOf(r.json)).slice(0, 600)}`);
    }
  };

  const started = performance.now();
  const account = await post("newAccount", directory.newAccount as string, { termsOfServiceAgreed: true });
  kid = account.headers.get("location") ?? undefined;
  if (!kid) throw new AcmeError(`newAccount ${account.status}: no Location`);

  const order = await post("newOrder", directory.newOrder as string, {
    identifiers: [{ type: "dns", value: material.name }],
  });
  const orderUrl = order.headers.get("location");
  const authzUrl = order.json?.authorizations?.[0];
  const finalizeUrl = order.json?.finalize;
  if (!orderUrl || !authzUrl || !finalizeUrl)
    throw new AcmeError(`newOrder ${order.status}: no Location, authorization or finalize URL`);

  const authz = await post("authz", authzUrl, null);
  const challenge = authz.json?.challenges?.find((c) => c.type === "http-01");
  if (!challenge) throw new AcmeError("authz: no http-01 challenge");
  responder.set(challenge.token, `${challenge.token}.${material.thumbprint}`);
  try {
    await post("challenge", challenge.url, {});
    await pollUntil("authz", authzUrl, (status) => status === "valid");
  } finally {
    responder.delete(challenge.token);
  }

  let final = await post("finalize", finalizeUrl, { csr: material.csr });
  if (final.json?.status !== "valid")
    final = await pollUntil("order poll", orderUrl, (status) => status === "valid");
  const certificateUrl = final.json?.certificate;
  if (!certificateUrl) throw new AcmeError("order: valid without a certificate URL");

  const cert = await post("cert", certificateUrl, null, "application/pem-certificate-chain");
  if (!cert.text.includes("-----BEGIN CERTIFICATE-----"))
    throw new AcmeError(`cert ${cert.status}: not a PEM chain`);
  rec.orderMs.push(performance.now() - started);
  rec.completed++;
}

/** Runs `material.length` flows, `concurrency` at a time, starting none after `deadline`. */
async function runFlows(
  directory: Record<string, string>,
  material: OrderMaterial[],
  concurrency: number,
  deadline: number,
  responder: Parameters<typeof runOrder>[2],
  pollMs: number,
  rec: Recorder,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const item = material[next];
      if (!item || Date.now() > deadline) return;
      next++;
      await runOrder(directory, item, responder, pollMs, rec).catch((error) => rec.fail(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, material.length) }, worker));
  return next;
}

async function driverMain(config: DriverConfig): Promise<void> {
  const runId = randomBytes(4).toString("hex");
  const res = await fetch(config.directoryUrl, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok)
    throw new Error(
      `directory ${config.directoryUrl}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`,
    );
  const directory = (await res.json()) as Record<string, string>;

  const warmup = await makeMaterial(config.warmup, runId, 0);
  const material = await makeMaterial(config.orders, runId, config.warmup);
  const responder = await startHttp01Responder(config.http01Port);
  try {
    if (warmup.length > 0) {
      const rec = new Recorder();
      await runFlows(
        directory,
        warmup,
        config.concurrency,
        Date.now() + config.maxSeconds * 1000,
        responder,
        config.pollMs,
        rec,
      );
      if (rec.failed > 0) throw new Error(`warm-up failed: ${[...rec.errors.keys()][0]}`);
    }
    const rec = new Recorder();
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const attempted = await runFlows(
      directory,
      material,
      config.concurrency,
      Date.now() + config.maxSeconds * 1000,
      responder,
      config.pollMs,
      rec,
    );
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const errors = [...rec.errors]
      .slice(0, MAX_REPORTED_ERRORS)
      .map(([message, count]) => `${count}× ${message}`);
    const result: DriverResult = {
      label: config.label,
      directoryUrl: config.directoryUrl,
      attempted,
      completed: rec.completed,
      failed: rec.failed,
      wallMs,
      driverCpuMs: (cpu.user + cpu.system) / 1000,
      orderMs: rec.orderMs,
      requestMs: rec.requestMs,
      errors,
    };
    fs.writeFileSync(config.resultFile, JSON.stringify(result));
  } finally {
    await responder.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Orchestrator: servers under test, drivers, report

type Target = {
  label: string;
  directoryUrl: string;
  caFile?: string;
  output?: () => string;
  stop: () => Promise<void>;
};

/** Stops, in reverse order, everything started so far; also run on SIGINT/SIGTERM. */
const cleanups: (() => Promise<unknown>)[] = [];
/** Takes a cleanup off the list once it has run on the normal path. */
function forget(stop: () => Promise<unknown>) {
  const index = cleanups.indexOf(stop);
  if (index >= 0) cleanups.splice(index, 1);
}
async function cleanUp() {
  while (cleanups.length > 0) {
    const stop = cleanups.pop() as () => Promise<unknown>;
    await stop().catch((error) =>
      console.error(`bench: cleanup failed: ${error instanceof Error ? error.message : error}`),
    );
  }
}

async function startKeywardTarget(http01Port: number, dnsPort: number, tmp: string): Promise<Target> {
  const dataDir = path.join(tmp, "keyward");
  fs.mkdirSync(dataDir);
  let databaseUrl: string;
  let dropDatabase: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    const fresh = await createFreshDatabase(process.env.DATABASE_URL, "bench");
    databaseUrl = fresh.url;
    dropDatabase = fresh.drop;
    console.log(`Keyward: fresh database on ${new URL(process.env.DATABASE_URL).host} (DATABASE_URL)`);
  } else {
    const embedded = await startEmbeddedDatabase({ dataDir: path.join(dataDir, "db") });
    databaseUrl = embedded.url;
    dropDatabase = embedded.stop;
    console.log("Keyward: embedded database (PGlite), DATABASE_URL is not set");
  }
  cleanups.push(dropDatabase);

  const [httpPort, httpsPort, tlsAlpn01Port] = [await freePort(), await freePort(), await freePort()];
  const server = await startServer({
    DATABASE_URL: databaseUrl,
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_HTTP_PORT: String(httpPort),
    KEYWARD_HTTPS_PORT: String(httpsPort),
    KEYWARD_VA_HTTP01_PORT: String(http01Port),
    KEYWARD_VA_TLSALPN01_PORT: String(tlsAlpn01Port),
  });
  const stopServer = async () => {
    const code = await server.stop();
    if (code !== 0)
      console.error(`Keyward exited with ${code}. Its output:\n${server.output().slice(-4000)}`);
  };
  cleanups.push(stopServer);

  const db = createDb(databaseUrl, 2);
  try {
    await setAcmeEnabled(db, true, "system");
    await applyAlias(db, "bench", { dnsResolver: "127.0.0.1", dnsPort }, { actor: "system" });
  } finally {
    await db.$disconnect();
  }
  return {
    label: "Keyward",
    // 127.0.0.1, not localhost: the server listens on IPv4 loopback only (its certificate names both).
    directoryUrl: `https://127.0.0.1:${httpsPort}/acme/bench/directory`,
    caFile: path.join(dataDir, "ca", "root.pem"),
    output: server.output,
    stop: async () => {
      forget(stopServer);
      await stopServer();
      forget(dropDatabase);
      await dropDatabase();
    },
  };
}

function openssl(args: string[]) {
  const r = spawnSync(OPENSSL_BINARY, args, { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** Pebble's own TLS listener needs a certificate: a one-day root and a leaf for 127.0.0.1/localhost. */
function makePebbleTlsFiles(dir: string) {
  const file = (name: string) => path.join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl([
    "req",
    "-x509",
    ...ec,
    "-keyout",
    file("root.key"),
    "-out",
    file("root.pem"),
    "-days",
    "1",
    "-subj",
    "/CN=Keyward bench Pebble TLS root",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ]);
  openssl(["req", ...ec, "-keyout", file("key.pem"), "-out", file("leaf.csr"), "-subj", "/CN=localhost"]);
  fs.writeFileSync(
    file("leaf.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
  );
  openssl([
    "x509",
    "-req",
    "-in",
    file("leaf.csr"),
    "-CA",
    file("root.pem"),
    "-CAkey",
    file("root.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-out",
    file("cert.pem"),
    "-extfile",
    file("leaf.ext"),
  ]);
  return { root: file("root.pem"), cert: file("cert.pem"), key: file("key.pem") };
}

async function startPebbleTarget(http01Port: number, dnsPort: number, tmp: string): Promise<Target> {
  const dir = path.join(tmp, "pebble");
  fs.mkdirSync(dir);
  const tls = makePebbleTlsFiles(dir);
  const [port, managementPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
  const config = path.join(dir, "pebble-config.json");
  fs.writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: tls.cert,
        privateKey: tls.key,
        httpPort: http01Port,
        tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const child = spawn(PEBBLE_BINARY, ["-config", config, "-dnsserver", `127.0.0.1:${dnsPort}`], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Pebble logs every request: keep only the tail, for failure messages.
  let log = "";
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const stop = () => stopChild(child);
  cleanups.push(stop);
  await waitFor(
    () => log.includes("Listening on:") && canConnect(port),
    PEBBLE_START_TIMEOUT_MS,
    () => child.exitCode !== null,
    () => `Pebble did not start:\n${log}`,
  );
  return {
    label: "Pebble",
    directoryUrl: `https://127.0.0.1:${port}/dir`,
    caFile: tls.root,
    output: () => log,
    stop: async () => {
      forget(stop);
      await stop();
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function waitFor(
  ready: () => boolean | Promise<boolean>,
  timeoutMs: number,
  failed: () => boolean,
  describe: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (failed()) throw new Error(describe());
    if (await ready()) return;
    await sleep(100);
  }
  throw new Error(describe());
}

/** SIGTERM by PID, SIGKILL after a grace period. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(
    () => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, "SIGKILL"),
    PROCESS_STOP_TIMEOUT_MS,
  );
  await exited;
  clearTimeout(timer);
}

/** Runs the load against one target in a driver process that trusts `caFile`. */
async function runDriver(
  options: Options,
  target: Target,
  http01Port: number,
  tmp: string,
): Promise<DriverResult> {
  const config: DriverConfig = {
    label: target.label,
    directoryUrl: target.directoryUrl,
    http01Port,
    concurrency: options.concurrency,
    orders: options.orders,
    warmup: options.warmup,
    pollMs: options.pollMs,
    maxSeconds: options.maxSeconds,
    resultFile: path.join(tmp, `result-${target.label.toLowerCase()}.json`),
  };
  const env: NodeJS.ProcessEnv = { ...process.env, [DRIVER_ENV]: JSON.stringify(config) };
  if (target.caFile) env.NODE_EXTRA_CA_CERTS = target.caFile;
  else delete env.NODE_EXTRA_CA_CERTS;
  console.log(
    `${target.label}: ${options.warmup} warm-up orders, then ${options.orders} at concurrency ${options.concurrency} against ${target.directoryUrl}`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", import.meta.filename], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const stop = () => stopChild(child);
  cleanups.push(stop);
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(
      () => {
        console.error(
          `${target.label}: the driver ran past ${options.maxSeconds} s + ${DRIVER_GRACE_MS} ms: stopping it`,
        );
        void stop();
      },
      options.maxSeconds * 1000 + DRIVER_GRACE_MS,
    );
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  forget(stop);
  if (code !== 0 || !fs.existsSync(config.resultFile))
    throw new Error(`${target.label}: the driver failed (exit ${code})`);
  return JSON.parse(fs.readFileSync(config.resultFile, "utf8")) as DriverResult;
}

// Report

/** Nearest-rank percentile of `values` (need not be sorted). */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

const ordersPerSecond = (r: DriverResult) => (r.completed / r.wallMs) * 1000;
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join("   "),
    )
    .join("\n");
}

function printResult(r: DriverResult) {
  console.log(`\n${r.label}  ${r.directoryUrl}`);
  console.log(
    `  ${r.completed} of ${r.attempted} orders completed (${r.failed} failed) in ${fmt(r.wallMs / 1000, 2)} s: ${fmt(ordersPerSecond(r), 1)} orders/s`,
  );
  console.log(
    `  the bench's own client used ${fmt((r.driverCpuMs / r.wallMs) * 100, 0)}% of one core meanwhile`,
  );
  const rows = [
    ["", "count", "p50 ms", "p99 ms"],
    [
      "order (whole flow)",
      String(r.orderMs.length),
      fmt(percentile(r.orderMs, 50)),
      fmt(percentile(r.orderMs, 99)),
    ],
  ];
  for (const type of REQUEST_TYPES) {
    const ms = r.requestMs[type];
    rows.push([type, String(ms.length), fmt(percentile(ms, 50)), fmt(percentile(ms, 99))]);
  }
  console.log(table(rows).replace(/^/gm, "  "));
  for (const error of r.errors) console.log(`  failure: ${error}`);
}

function printComparison(k: DriverResult, p: DriverResult) {
  const ratio = (a: number, b: number) => (b > 0 ? fmt(a / b, 2) : "–");
  const rows = [
    ["Keyward / Pebble", "Keyward", "Pebble", "ratio"],
    [
      "orders/s",
      fmt(ordersPerSecond(k)),
      fmt(ordersPerSecond(p)),
      ratio(ordersPerSecond(k), ordersPerSecond(p)),
    ],
  ];
  for (const [label, a, b] of [
    ["order", k.orderMs, p.orderMs],
    ...REQUEST_TYPES.map((t) => [t, k.requestMs[t], p.requestMs[t]] as const),
  ] as const) {
    for (const q of [50, 99]) {
      const x = percentile(a as number[], q);
      const y = percentile(b as number[], q);
      rows.push([`${label} p${q} ms`, fmt(x), fmt(y), ratio(x, y)]);
    }
  }
  console.log(`\n${table(rows)}`);
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const runPebble = options.pebble && fs.existsSync(PEBBLE_BINARY);
  if (options.pebble && !runPebble)
    console.log(`${PEBBLE_BINARY} is not installed (apt-get install pebble): measuring Keyward only`);

  // server.ts serves the console from the Next build, as `npm start` does (prestart). First, as it
  // exits the process when the build fails: nothing is started yet.
  if (!options.directory) ensureBuild();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-bench-"));
  cleanups.push(async () => fs.rmSync(tmp, { recursive: true, force: true }));
  const http01Port = options.http01Port ?? (options.directory ? 80 : await freePort());

  const results: DriverResult[] = [];
  // challtestsrv answers every name with 127.0.0.1 for the Keyward we start and for Pebble.
  const dns = !options.directory || runPebble ? await startChallTestSrv() : undefined;
  if (dns) {
    cleanups.push(dns.stop);
    // No AAAA answers: the responder listens on 127.0.0.1, and Pebble's VA would dial ::1 first.
    const res = await fetch(`${dns.managementUrl}/set-default-ipv6`, {
      method: "POST",
      body: JSON.stringify({ ip: "" }),
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`challtestsrv /set-default-ipv6: HTTP ${res.status}`);
  }

  // A server that fails is reported and the next one still measured.
  let failedTargets = 0;
  const measure = async (label: string, start: () => Promise<Target>) => {
    let target: Target | undefined;
    try {
      target = await start();
      results.push(await runDriver(options, target, http01Port, tmp));
    } catch (error) {
      failedTargets++;
      console.error(`bench: ${label}: ${error instanceof Error ? error.message : error}`);
      if (target?.output) console.error(`${label}'s output ends with:\n${target.output().slice(-4000)}`);
    } finally {
      await target?.stop();
    }
  };

  if (options.directory) {
    await measure("Keyward", async () => ({
      label: "Keyward",
      directoryUrl: options.directory as string,
      caFile: options.caBundle,
      stop: async () => {},
    }));
  } else {
    await measure("Keyward", () => startKeywardTarget(http01Port, dns?.dnsPort as number, tmp));
  }
  if (runPebble) await measure("Pebble", () => startPebbleTarget(http01Port, dns?.dnsPort as number, tmp));

  for (const r of results) printResult(r);
  const [keyward, pebble] = results;
  if (keyward && pebble) printComparison(keyward, pebble);
  return failedTargets === 0 && results.every((r) => r.failed === 0) ? 0 : EXIT_FAILED;
}

if (process.env[DRIVER_ENV]) {
  driverMain(JSON.parse(process.env[DRIVER_ENV]) as DriverConfig).then(
    () => process.exit(0),
    (error) => {
      console.error(`bench driver: ${error instanceof Error ? error.message : error}`);
      process.exit(EXIT_FAILED);
    },
  );
} else {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`bench: ${signal}: stopping everything it started`);
      void cleanUp().then(() => process.exit(130));
    });
  }
  main()
    .catch((error) => {
      console.error(`bench: ${error instanceof Error ? error.message : error}`);
      return EXIT_FAILED;
    })
    .then(async (code) => {
      await cleanUp();
      // The embedded database's and Prisma's handles would keep the loop alive for a while.
      process.exit(code);
    });
}
