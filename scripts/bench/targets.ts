// The servers `npm run bench` measures, started on loopback only and stopped by PID: Keyward (one
// or more instances on one fresh database, PostgreSQL or the embedded one) and Debian's Pebble,
// both resolving names through one pebble-challtestsrv.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { createDb } from "@/lib/db/client";
import { runningEmbeddedDatabaseUrl } from "@/lib/db/embedded";
import { applyAlias } from "@/lib/ra/aliases";
import { setAcmeEnabled } from "@/lib/ra/global-settings";
import { freePort } from "../../tests/support/ports";
import { type RunningServer, startServer } from "../../tests/support/server-process";
import { createFreshDatabase } from "../../tests/support/test-db";

export const PEBBLE_BINARY = "/usr/bin/pebble";
const OPENSSL_BINARY = "/usr/bin/openssl";
const PEBBLE_START_TIMEOUT_MS = 20_000;
const PROCESS_STOP_TIMEOUT_MS = 10_000;
const STATS_TIMEOUT_MS = 5_000;
export const BENCH_ALIAS = "bench";

/** Everything started so far, stopped in reverse order (also on SIGINT/SIGTERM). */
const cleanups: (() => Promise<unknown>)[] = [];
export function onCleanup(stop: () => Promise<unknown>): void {
  cleanups.push(stop);
}
export async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    const stop = cleanups.pop() as () => Promise<unknown>;
    await stop().catch((error) =>
      console.error(`bench: cleanup failed: ${error instanceof Error ? error.message : error}`),
    );
  }
}

export type KeywardTarget = {
  label: "Keyward";
  directoryUrls: string[];
  caFile: string;
  /** The server processes; each one's tree holds its embedded database when it runs one. */
  pids: number[];
  databaseUrl: string;
  /** The PostgreSQL database name, or null for the embedded database. */
  postgresDatabase: string | null;
  /** Statements every instance has sent so far, summed (server.ts answers SIGUSR2). */
  statements: () => Promise<number>;
  output: () => string;
};

export type PebbleTarget = {
  label: "Pebble";
  directoryUrls: string[];
  caFile: string;
  pids: number[];
  output: () => string;
};

/**
 * Keyward on a fresh database: a new database on DATABASE_URL's PostgreSQL, or (`embedded`) the
 * embedded PGlite the first instance starts, as `npm start` does without DATABASE_URL. Further
 * instances share it.
 */
export async function startKeyward(o: {
  instances: number;
  postgresUrl: string | undefined;
  http01Port: number;
  dnsPort: number;
  tmp: string;
}): Promise<KeywardTarget> {
  let databaseUrl: string | undefined;
  let postgresDatabase: string | null = null;
  if (o.postgresUrl) {
    const fresh = await createFreshDatabase(o.postgresUrl, "bench");
    onCleanup(fresh.drop);
    databaseUrl = fresh.url;
    postgresDatabase = new URL(fresh.url).pathname.slice(1);
  }
  const servers: RunningServer[] = [];
  const dataDir = path.join(o.tmp, "keyward");
  fs.mkdirSync(dataDir);
  const caFile = path.join(dataDir, "ca", "root.pem");
  for (let i = 0; i < o.instances; i++) {
    const tlsAlpn01Port = await freePort();
    const server = await startServer({
      DATABASE_URL: databaseUrl,
      // One data directory: every instance must share the master key (it seals the CA keys).
      KEYWARD_DATA_DIR: dataDir,
      KEYWARD_VA_HTTP01_PORT: String(o.http01Port),
      KEYWARD_VA_TLSALPN01_PORT: String(tlsAlpn01Port),
    });
    onCleanup(async () => {
      const code = await server.stop();
      if (code !== 0)
        console.error(`Keyward exited with ${code}. Its output ends with:\n${server.output().slice(-4000)}`);
    });
    servers.push(server);
    databaseUrl ??= runningEmbeddedDatabaseUrl(dataDir) ?? undefined;
    if (!databaseUrl) throw new Error("Keyward started without a database URL to share");
  }
  const url = databaseUrl as string;
  const db = createDb(url, 2);
  try {
    await setAcmeEnabled(db, true, "system");
    await applyAlias(db, BENCH_ALIAS, { dnsResolver: "127.0.0.1", dnsPort: o.dnsPort }, { actor: "system" });
  } finally {
    await db.$disconnect();
  }
  return {
    label: "Keyward",
    // 127.0.0.1: the server listens on IPv4 loopback only (its certificate names it).
    directoryUrls: servers.map(
      (s) => `https://127.0.0.1:${new URL(s.httpsUrl).port}/acme/${BENCH_ALIAS}/directory`,
    ),
    caFile,
    pids: servers.map((s) => s.pid),
    databaseUrl: url,
    postgresDatabase,
    statements: async () => {
      let total = 0;
      for (const s of servers) total += await statementsOf(s);
      return total;
    },
    output: () => servers.map((s) => s.output().slice(-4000)).join("\n---\n"),
  };
}

async function statementsOf(server: RunningServer): Promise<number> {
  const marker = /KEYWARD_STATS (\{.*\})/g;
  const before = [...server.output().matchAll(marker)].length;
  process.kill(server.pid, "SIGUSR2");
  const deadline = Date.now() + STATS_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const lines = [...server.output().matchAll(marker)];
    if (lines.length > before)
      return (JSON.parse(lines.at(-1)?.[1] as string) as { statements: number }).statements;
    await sleep(20);
  }
  throw new Error(`Keyward (pid ${server.pid}) printed no KEYWARD_STATS line after SIGUSR2`);
}

function openssl(args: string[]) {
  const r = spawnSync(OPENSSL_BINARY, args, { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** Pebble's own TLS listener needs a certificate: a one-day root and a leaf for 127.0.0.1. */
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

/** Pebble with no artificial validation delay and no random nonce rejection. */
export async function startPebble(o: {
  http01Port: number;
  dnsPort: number;
  tmp: string;
}): Promise<PebbleTarget> {
  const dir = path.join(o.tmp, "pebble");
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
        httpPort: o.http01Port,
        tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const child = spawn(PEBBLE_BINARY, ["-config", config, "-dnsserver", `127.0.0.1:${o.dnsPort}`], {
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
  onCleanup(() => stopChild(child));
  await waitFor(
    async () => log.includes("Listening on:") && (await canConnect(port)),
    PEBBLE_START_TIMEOUT_MS,
    () => child.exitCode !== null,
    () => `Pebble did not start:\n${log}`,
  );
  return {
    label: "Pebble",
    directoryUrls: [`https://127.0.0.1:${port}/dir`],
    caFile: tls.root,
    pids: [child.pid as number],
    output: () => log,
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(
  ready: () => Promise<boolean>,
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
export async function stopChild(child: ChildProcess): Promise<void> {
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
