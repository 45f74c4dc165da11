// Debian's pebble-challtestsrv as a mock DNS server for tests: it answers A with 127.0.0.1 and
// AAAA with ::1 for every name unless told otherwise, and TXT records set through its management
// API. Started on loopback only, on free ports, with its http-01/https-01/tls-alpn-01 responders
// switched off (each flag set to ""), and stopped by PID.
import { type ChildProcess, spawn } from "node:child_process";
import dgram from "node:dgram";
import { existsSync } from "node:fs";
import { queryDns } from "@/lib/va/dns-client";
import { freePort } from "./ports";

export const CHALLTESTSRV_BINARY = "/usr/bin/pebble-challtestsrv";

export type ChallTestSrv = {
  pid: number;
  dnsPort: number;
  managementUrl: string;
  /** host without or with the trailing dot; challtestsrv keys its records by the FQDN. */
  setTxt: (host: string, value: string) => Promise<void>;
  clearTxt: (host: string) => Promise<void>;
  addA: (host: string, ip: string) => Promise<void>;
  /** CAA records for `host` (challtestsrv sends every one with flags 0: no issuer-critical bit). */
  addCaa: (host: string, policies: { tag: string; value: string }[]) => Promise<void>;
  clearCaa: (host: string) => Promise<void>;
  /** Everything the process printed, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
};

const START_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 50;
const STOP_TIMEOUT_MS = 5_000;

/** A port free for both TCP and UDP on 127.0.0.1: the DNS server listens on both. */
async function freeDnsPort(): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    const port = await freePort();
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = dgram.createSocket("udp4");
      socket.once("error", () => resolve(false));
      socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error("no port free for both TCP and UDP on 127.0.0.1");
}

const fqdn = (host: string) => (host.endsWith(".") ? host : `${host}.`);

const START_ATTEMPTS = 3;

export async function startChallTestSrv(): Promise<ChallTestSrv> {
  if (!existsSync(CHALLTESTSRV_BINARY)) {
    throw new Error(`${CHALLTESTSRV_BINARY} is missing: apt-get install pebble`);
  }
  // A port found free can be taken by another test file's process before challtestsrv binds it
  // (seen in CI: "bind: address already in use"), so a start that lost that race is retried on
  // fresh ports; any other failure is thrown at once.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts();
    } catch (err) {
      const lostRace = err instanceof Error && err.message.includes("address already in use");
      if (!lostRace || attempt >= START_ATTEMPTS) throw err;
    }
  }
}

async function startOnFreePorts(): Promise<ChallTestSrv> {
  const dnsPort = await freeDnsPort();
  // The kernel may hand the just-released DNS port out again: the two must differ.
  let managementPort = await freePort();
  for (let tries = 0; managementPort === dnsPort && tries < 20; tries++) managementPort = await freePort();
  const child: ChildProcess = spawn(
    CHALLTESTSRV_BINARY,
    [
      "-dns01",
      `127.0.0.1:${dnsPort}`,
      "-management",
      `127.0.0.1:${managementPort}`,
      "-http01",
      "",
      "-https01",
      "",
      "-tlsalpn01",
      "",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid as number;
  const managementUrl = `http://127.0.0.1:${managementPort}`;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, "SIGTERM");
    const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
    if (!stopped && child.exitCode === null && child.signalCode === null) {
      process.kill(pid, "SIGKILL");
      await exited;
    }
  };

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${managementUrl}${path}`, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok)
      throw new Error(`challtestsrv ${path}: HTTP ${response.status} ${await response.text()}`);
  };

  try {
    await waitUntilReady(
      managementUrl,
      dnsPort,
      () => child.exitCode !== null,
      () => log,
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    pid,
    dnsPort,
    managementUrl,
    setTxt: (host, value) => post("/set-txt", { host: fqdn(host), value }),
    clearTxt: (host) => post("/clear-txt", { host: fqdn(host) }),
    addA: (host, ip) => post("/add-a", { host: fqdn(host), addresses: [ip] }),
    addCaa: (host, policies) => post("/add-caa", { host: fqdn(host), policies }),
    clearCaa: (host) => post("/clear-caa", { host: fqdn(host) }),
    output: () => log,
    stop,
  };
}

async function waitUntilReady(
  managementUrl: string,
  dnsPort: number,
  hasExited: () => boolean,
  log: () => string,
) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let managementUp = false;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`pebble-challtestsrv exited during start:\n${log()}`);
    // challtestsrv logs a failed bind and stays up without that server: no use waiting for it.
    if (log().includes("address already in use"))
      throw new Error(`pebble-challtestsrv could not bind:\n${log()}`);
    try {
      if (!managementUp) {
        // Any HTTP answer (the root is a 404) means the management server listens.
        await fetch(`${managementUrl}/`, { signal: AbortSignal.timeout(500) });
        managementUp = true;
      }
      await queryDns("ready.challtestsrv.test", "A", {
        server: { address: "127.0.0.1", port: dnsPort },
        timeoutMs: 200,
        attempts: 1,
      });
      return;
    } catch {
      await sleep(POLL_INTERVAL_MS);
    }
  }
  throw new Error(`pebble-challtestsrv not ready within ${START_TIMEOUT_MS} ms:\n${log()}`);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
