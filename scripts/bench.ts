// `npm run bench`: Keyward and Pebble under the same ACME load, interleaved in one run (issue 13).
//
//   npm run bench -- [--concurrency 1,8,32] [--seconds 10] [--reps 3] [--nonce-seconds 5]
//                    [--poll-ms 20] [--instances 1] [--database postgres|embedded]
//                    [--seed 100000] [--no-pebble] [--json FILE]
//
// An order is the whole flow of RFC 8555 §7.4 on an account the client already has (one per
// client, registered before the clock starts, as real clients reuse theirs): newOrder →
// authorization → http-01 (answered by the bench's responder) → polls → finalize → polls →
// certificate. Each phase runs `--concurrency` clients against one server for `--seconds`; the
// servers take turns, phase by phase, so both see the same machine; each figure is the median of
// `--reps` phases. Also measured: GET and HEAD newNonce at 8 clients.
//
// Printed per concurrency: orders/s, order p50/p99, the server's CPU per order (Keyward: its
// processes and the PostgreSQL processes serving its database; Pebble: its process), the bench
// client's CPU per order (it warns when the client, not the server, is the bottleneck),
// statements per order and Keyward's peak RSS; then p99 per request type at 8 clients. A JSON
// result is written (--json, default bench-result.json in the working directory).
//
// --instances N starts N Keyward processes on one database and spreads the clients across them.
// --seed N stores N accounts, orders and certificates after the first measurement and measures
// again at the highest concurrency, so that cost per order at 1k and at N rows can be compared.
// Everything runs on loopback and every process started is stopped by its PID.
//
// Exit codes: 0 every phase completed without failed orders, 1 otherwise, 2 wrong usage.
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startChallTestSrv } from "../tests/support/challtestsrv";
import { freePort } from "../tests/support/ports";
import { REQUEST_TYPES, type RequestType } from "./bench/client";
import { type DriverCommand, type DriverReply, type PhaseResult, runDriver } from "./bench/driver";
import { seedRows } from "./bench/seed";
import {
  cleanUp,
  type KeywardTarget,
  onCleanup,
  PEBBLE_BINARY,
  type PebbleTarget,
  startKeyward,
  startPebble,
} from "./bench/targets";
import { cpuBetween, cpuSnapshot, PostgresProcesses, processTree, rssBytes } from "./bench/usage";
import { ensureBuild } from "./ensure-build";

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const DRIVER_ENV = "KEYWARD_BENCH_DRIVER";
const WARMUP_SECONDS = 3;
const NONCE_CONCURRENCY = 8;
const BASE_SEED = 1_000;
const RSS_SAMPLE_MS = 250;
/** The client is the bottleneck when it uses more than this share of one core. */
const CLIENT_CORE_LIMIT = 0.8;

type Options = {
  concurrency: number[];
  seconds: number;
  reps: number;
  nonceSeconds: number;
  pollMs: number;
  instances: number;
  database: "postgres" | "embedded";
  seed: number;
  pebble: boolean;
  json: string;
};

const USAGE = `Usage: npm run bench -- [options]
  --concurrency LIST  clients at once, one measurement each (default 1,8,32)
  --seconds N         length of one phase (default 10)
  --reps N            phases per server and concurrency; figures are their median (default 3)
  --nonce-seconds N   length of one newNonce phase, 0 to skip (default 5)
  --poll-ms N         first wait before polling an authorization or order; doubles up to 8× (default 20)
  --instances N       Keyward processes on one database, clients spread across them (default 1)
  --database KIND     postgres (a fresh database on DATABASE_URL's server) or embedded
                      (default: postgres when DATABASE_URL is set)
  --seed N            after the first measurement, store N accounts, orders and certificates
                      and measure the highest concurrency again (default 0: no)
  --no-pebble         measure Keyward only
  --json FILE         where to write the result (default bench-result.json)`;

class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      concurrency: { type: "string", default: "1,8,32" },
      seconds: { type: "string", default: "10" },
      reps: { type: "string", default: "3" },
      "nonce-seconds": { type: "string", default: "5" },
      "poll-ms": { type: "string", default: "20" },
      instances: { type: "string", default: "1" },
      database: { type: "string" },
      seed: { type: "string", default: "0" },
      "no-pebble": { type: "boolean", default: false },
      json: { type: "string", default: "bench-result.json" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, text: string, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
  const database = values.database ?? (process.env.DATABASE_URL ? "postgres" : "embedded");
  if (database !== "postgres" && database !== "embedded")
    throw new UsageError("--database must be postgres or embedded");
  if (database === "postgres" && !process.env.DATABASE_URL)
    throw new UsageError("--database postgres needs DATABASE_URL (a loopback PostgreSQL server)");
  const seed = int("seed", values.seed, 0, 10_000_000);
  if (seed !== 0 && seed <= BASE_SEED) throw new UsageError(`--seed must be 0 or above ${BASE_SEED}`);
  return {
    concurrency: values.concurrency.split(",").map((c) => int("concurrency", c.trim(), 1, 256)),
    seconds: int("seconds", values.seconds, 1, 600),
    reps: int("reps", values.reps, 1, 20),
    nonceSeconds: int("nonce-seconds", values["nonce-seconds"], 0, 600),
    pollMs: int("poll-ms", values["poll-ms"], 1, 10_000),
    instances: int("instances", values.instances, 1, 8),
    database,
    seed,
    pebble: !values["no-pebble"],
    json: path.resolve(values.json),
  };
}

// ---------------------------------------------------------------------------------------------
// Phases

type Target = KeywardTarget | PebbleTarget;

/** One phase's figures: the driver's, and the server's cost while it ran. */
type Phase = PhaseResult & {
  kind: "orders" | "nonces HEAD" | "nonces GET";
  target: Target["label"];
  concurrency: number;
  rows?: number;
  /** Server CPU over the whole phase (stragglers included), ms. */
  serverCpuMs: number;
  statements: number | null;
  peakRssBytes: number;
  /** Busy backends of other databases seen at the end: another workload shared the machine. */
  othersActive: number;
};

class Driver {
  readonly #child = fork(import.meta.filename, [], {
    env: { ...process.env, [DRIVER_ENV]: "1" },
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  constructor() {
    onCleanup(async () => {
      if (this.#child.exitCode === null) this.#child.kill("SIGTERM");
    });
  }
  send(command: DriverCommand): Promise<PhaseResult | undefined> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the bench driver exited (${code})`));
      this.#child.once("exit", onExit);
      this.#child.once("message", (reply: DriverReply) => {
        this.#child.off("exit", onExit);
        if (reply.ok) resolve(reply.result);
        else reject(new Error(reply.error));
      });
      this.#child.send(command);
    });
  }
}

async function measure(
  driver: Driver,
  target: Target,
  postgres: PostgresProcesses | null,
  command: Extract<DriverCommand, { cmd: "orders" | "nonces" }>,
  kind: Phase["kind"],
): Promise<Phase> {
  const keyward = target.label === "Keyward" ? target : null;
  const pids = async () => [
    ...target.pids.flatMap((pid) => processTree(pid)),
    ...(keyward && postgres ? await postgres.pids() : []),
  ];
  const statementsBefore = keyward ? await keyward.statements() : null;
  const before = cpuSnapshot(await pids());
  let peakRssBytes = 0;
  const sampler = setInterval(() => {
    const rss = target.pids.reduce((sum, pid) => sum + rssBytes(pid), 0);
    peakRssBytes = Math.max(peakRssBytes, rss);
  }, RSS_SAMPLE_MS);
  let result: PhaseResult;
  try {
    result = (await driver.send(command)) as PhaseResult;
  } finally {
    clearInterval(sampler);
  }
  const after = cpuSnapshot(await pids());
  const statementsAfter = keyward ? await keyward.statements() : null;
  return {
    ...result,
    kind,
    target: target.label,
    concurrency: command.concurrency,
    serverCpuMs: cpuBetween(before, after),
    statements:
      statementsBefore === null || statementsAfter === null ? null : statementsAfter - statementsBefore,
    peakRssBytes,
    othersActive: postgres ? await postgres.othersActive() : 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
const median = (values: number[]) => percentile(values, 50);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? fmt(a / b, 2) : "–";

/** Per-phase derived figures: a unit is an order or a nonce. */
function perPhase(p: Phase) {
  const units = p.completed + p.finishedLate;
  return {
    rate: p.completed / p.seconds,
    serverCpuPerUnit: units > 0 ? p.serverCpuMs / units : Number.NaN,
    clientCpuPerUnit: units > 0 ? p.driverCpuMs / units : Number.NaN,
    clientCoreShare: p.driverCpuMs / p.wallMs,
    statementsPerUnit: p.statements === null || units === 0 ? Number.NaN : p.statements / units,
  };
}

type Summary = {
  rate: number;
  p50: number;
  p99: number;
  serverCpuPerUnit: number;
  clientCpuPerUnit: number;
  clientCoreShare: number;
  statementsPerUnit: number;
  peakRssMb: number;
  failed: number;
  errors: string[];
  requestP99: Record<RequestType, number>;
};

function summarize(phases: Phase[]): Summary {
  const derived = phases.map(perPhase);
  const all = (pick: (p: Phase) => number[]) => phases.flatMap(pick);
  return {
    rate: median(derived.map((d) => d.rate)),
    p50: percentile(
      all((p) => p.orderMs),
      50,
    ),
    p99: percentile(
      all((p) => p.orderMs),
      99,
    ),
    serverCpuPerUnit: median(derived.map((d) => d.serverCpuPerUnit)),
    clientCpuPerUnit: median(derived.map((d) => d.clientCpuPerUnit)),
    clientCoreShare: Math.max(...derived.map((d) => d.clientCoreShare)),
    statementsPerUnit: median(derived.map((d) => d.statementsPerUnit)),
    peakRssMb: Math.max(...phases.map((p) => p.peakRssBytes)) / 2 ** 20,
    failed: phases.reduce((n, p) => n + p.failed, 0),
    errors: [...new Set(phases.flatMap((p) => p.errors))].slice(0, 5),
    requestP99: Object.fromEntries(
      REQUEST_TYPES.map((t) => [
        t,
        percentile(
          all((p) => p.requestMs[t]),
          99,
        ),
      ]),
    ) as Record<RequestType, number>,
  };
}

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

// ---------------------------------------------------------------------------------------------

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
    console.log(`${PEBBLE_BINARY} is missing (apt-get install pebble): Keyward only`);
  ensureBuild();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-bench-"));
  onCleanup(async () => fs.rmSync(tmp, { recursive: true, force: true }));
  const http01Port = await freePort();
  // challtestsrv answers every name with 127.0.0.1, for Keyward and Pebble alike.
  const dns = await startChallTestSrv();
  onCleanup(dns.stop);
  // No AAAA answers: the responder listens on 127.0.0.1, and Pebble's VA would dial ::1 first.
  const res = await fetch(`${dns.managementUrl}/set-default-ipv6`, {
    method: "POST",
    body: JSON.stringify({ ip: "" }),
  });
  if (!res.ok) throw new Error(`challtestsrv /set-default-ipv6: HTTP ${res.status}`);

  const postgresUrl = options.database === "postgres" ? process.env.DATABASE_URL : undefined;
  const keyward = await startKeyward({
    instances: options.instances,
    postgresUrl,
    http01Port,
    dnsPort: dns.dnsPort,
    tmp,
  });
  console.log(
    `Keyward: ${options.instances} instance(s) on ${postgresUrl ? `PostgreSQL (${keyward.postgresDatabase})` : "the embedded database"}`,
  );
  const pebble = runPebble ? await startPebble({ http01Port, dnsPort: dns.dnsPort, tmp }) : null;
  const targets: Target[] = pebble ? [keyward, pebble] : [keyward];

  let postgres: PostgresProcesses | null = null;
  if (keyward.postgresDatabase && postgresUrl) {
    const server = new URL(postgresUrl);
    server.pathname = "/postgres";
    postgres = new PostgresProcesses(server.toString(), keyward.postgresDatabase);
    await postgres.connect();
    onCleanup(() => (postgres as PostgresProcesses).close());
  }

  const driver = new Driver();
  const maxConcurrency = Math.max(...options.concurrency, NONCE_CONCURRENCY);
  await driver.send({
    cmd: "setup",
    http01Port,
    targets: targets.map((t) => ({
      label: t.label,
      directoryUrls: t.directoryUrls,
      ca: fs.readFileSync(t.caFile, "utf8"),
    })),
  });

  // Rows the database holds while measuring: BASE_SEED first (cost per order at 1k rows).
  await seedRows(keyward.databaseUrl, BASE_SEED);

  const phases: Phase[] = [];
  const orders = (target: Target, concurrency: number, seconds: number) =>
    measure(
      driver,
      target,
      postgres,
      { cmd: "orders", target: target.label, concurrency, seconds, pollMs: options.pollMs },
      "orders",
    );

  for (const t of targets) {
    console.log(
      `${t.label}: warming up (${WARMUP_SECONDS} s at ${maxConcurrency} clients; accounts registered)`,
    );
    const warm = await orders(t, maxConcurrency, WARMUP_SECONDS);
    if (warm.failed > 0) throw new Error(`${t.label} warm-up failed: ${warm.errors[0]}`);
  }

  for (const concurrency of options.concurrency) {
    for (let rep = 0; rep < options.reps; rep++) {
      // Alternate who goes first, so neither always follows the other's leftovers.
      const order = rep % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const phase = await orders(t, concurrency, options.seconds);
        phase.rows = BASE_SEED;
        phases.push(phase);
        const d = perPhase(phase);
        console.log(
          `  ${t.label.padEnd(7)} ${String(concurrency).padStart(3)} clients  rep ${rep + 1}: ${fmt(d.rate)} orders/s, server ${fmt(d.serverCpuPerUnit)} ms CPU/order, client ${fmt(d.clientCpuPerUnit)} ms/order${phase.failed ? `, ${phase.failed} failed` : ""}`,
        );
      }
    }
  }

  if (options.nonceSeconds > 0) {
    for (const method of ["HEAD", "GET"] as const) {
      for (let rep = 0; rep < options.reps; rep++) {
        const order = rep % 2 === 0 ? targets : [...targets].reverse();
        for (const t of order) {
          const phase = await measure(
            driver,
            t,
            postgres,
            {
              cmd: "nonces",
              target: t.label,
              concurrency: NONCE_CONCURRENCY,
              seconds: options.nonceSeconds,
              method,
            },
            `nonces ${method}`,
          );
          phases.push(phase);
          console.log(
            `  ${t.label.padEnd(7)} ${method} newNonce rep ${rep + 1}: ${fmt(perPhase(phase).rate, 0)}/s`,
          );
        }
      }
    }
  }

  if (options.seed > 0) {
    const top = Math.max(...options.concurrency);
    console.log(`Keyward: storing ${options.seed} accounts, orders and certificates…`);
    await seedRows(keyward.databaseUrl, options.seed);
    for (let rep = 0; rep < options.reps; rep++) {
      const phase = await orders(keyward, top, options.seconds);
      phase.rows = options.seed;
      phases.push(phase);
      console.log(
        `  Keyward ${top} clients at ${options.seed} rows rep ${rep + 1}: ${fmt(perPhase(phase).rate)} orders/s`,
      );
    }
  }

  await driver.send({ cmd: "exit" }).catch(() => undefined);
  return report(options, phases);
}

function report(options: Options, phases: Phase[]): number {
  const pick = (target: Target["label"], kind: Phase["kind"], concurrency?: number, rows = BASE_SEED) =>
    phases.filter(
      (p) =>
        p.target === target &&
        p.kind === kind &&
        (concurrency === undefined || p.concurrency === concurrency) &&
        (kind !== "orders" || p.rows === rows),
    );
  const result: Record<string, unknown> = {
    options,
    machine: { cpus: os.cpus().length, node: process.version },
    orders: [],
    nonces: [],
  };

  console.log(
    `\nOrders (median of ${options.reps}, ${options.seconds} s each; CPU and statements per order)`,
  );
  const rows = [["", "Keyward", "Pebble", "ratio"]];
  for (const c of options.concurrency) {
    const k = summarize(pick("Keyward", "orders", c));
    const pPhases = pick("Pebble", "orders", c);
    const p = pPhases.length > 0 ? summarize(pPhases) : null;
    (result.orders as unknown[]).push({ concurrency: c, keyward: k, pebble: p });
    rows.push([
      `${c} clients: orders/s`,
      fmt(k.rate),
      fmt(p?.rate ?? Number.NaN),
      ratio(k.rate, p?.rate ?? Number.NaN),
    ]);
    rows.push([
      `  order p50 / p99 ms`,
      `${fmt(k.p50, 0)} / ${fmt(k.p99, 0)}`,
      p ? `${fmt(p.p50, 0)} / ${fmt(p.p99, 0)}` : "–",
      ratio(k.p99, p?.p99 ?? Number.NaN),
    ]);
    rows.push([
      `  server CPU ms/order`,
      fmt(k.serverCpuPerUnit, 2),
      fmt(p?.serverCpuPerUnit ?? Number.NaN, 2),
      ratio(k.serverCpuPerUnit, p?.serverCpuPerUnit ?? Number.NaN),
    ]);
    rows.push([
      `  bench client CPU ms/order`,
      fmt(k.clientCpuPerUnit, 2),
      fmt(p?.clientCpuPerUnit ?? Number.NaN, 2),
      "",
    ]);
    rows.push([`  statements/order`, fmt(k.statementsPerUnit, 1), "", ""]);
    rows.push([`  Keyward peak RSS MB`, fmt(k.peakRssMb, 0), "", ""]);
    for (const [label, s] of [
      ["Keyward", k],
      ["Pebble", p],
    ] as const) {
      if (!s) continue;
      if (s.failed > 0)
        console.log(`  ${label} at ${c} clients: ${s.failed} orders failed: ${s.errors.join("; ")}`);
      if (s.clientCoreShare > CLIENT_CORE_LIMIT || s.clientCpuPerUnit > s.serverCpuPerUnit)
        console.log(
          `  WARNING: against ${label} at ${c} clients the bench client used ${fmt(s.clientCoreShare * 100, 0)}% of a core (${fmt(s.clientCpuPerUnit, 2)} ms/order): it may be the bottleneck`,
        );
    }
  }
  console.log(table(rows));

  const mid = options.concurrency.includes(8) ? 8 : (options.concurrency[0] as number);
  const k8 = summarize(pick("Keyward", "orders", mid));
  const p8Phases = pick("Pebble", "orders", mid);
  const p8 = p8Phases.length > 0 ? summarize(p8Phases) : null;
  console.log(`\np99 per request type at ${mid} clients, ms`);
  console.log(
    table([
      ["", "Keyward", "Pebble"],
      ...REQUEST_TYPES.map((t) => [t, fmt(k8.requestP99[t]), fmt(p8?.requestP99[t] ?? Number.NaN)]),
    ]),
  );

  if (options.nonceSeconds > 0) {
    const nonceRows = [
      ["newNonce, 8 clients", "Keyward /s", "Pebble /s", "ratio", "Keyward CPU µs", "statements"],
    ];
    for (const kind of ["nonces HEAD", "nonces GET"] as const) {
      const k = summarize(pick("Keyward", kind));
      const pp = pick("Pebble", kind);
      const p = pp.length > 0 ? summarize(pp) : null;
      (result.nonces as unknown[]).push({ method: kind.slice(7), keyward: k, pebble: p });
      nonceRows.push([
        kind.slice(7),
        fmt(k.rate, 0),
        fmt(p?.rate ?? Number.NaN, 0),
        ratio(k.rate, p?.rate ?? Number.NaN),
        fmt(k.serverCpuPerUnit * 1000, 0),
        fmt(k.statementsPerUnit, 2),
      ]);
    }
    console.log(`\n${table(nonceRows)}`);
  }

  if (options.seed > 0) {
    const top = Math.max(...options.concurrency);
    const small = summarize(pick("Keyward", "orders", top, BASE_SEED));
    const large = summarize(pick("Keyward", "orders", top, options.seed));
    result.seed = { rows: options.seed, concurrency: top, small, large };
    console.log(
      `\nKeyward at ${top} clients with ${BASE_SEED} and ${options.seed} stored accounts, orders and certificates`,
    );
    console.log(
      table([
        ["", `${BASE_SEED} rows`, `${options.seed} rows`, "ratio"],
        ["orders/s", fmt(small.rate), fmt(large.rate), ratio(large.rate, small.rate)],
        [
          "server CPU ms/order",
          fmt(small.serverCpuPerUnit, 2),
          fmt(large.serverCpuPerUnit, 2),
          ratio(large.serverCpuPerUnit, small.serverCpuPerUnit),
        ],
        ["statements/order", fmt(small.statementsPerUnit), fmt(large.statementsPerUnit), ""],
      ]),
    );
  }
  const busy = Math.max(...phases.map((p) => p.othersActive));
  if (busy > 0)
    console.log(
      `\nNOTE: other databases on the PostgreSQL server were busy during the run (${busy} active backends seen): figures are noisy.`,
    );
  fs.writeFileSync(
    options.json,
    `${JSON.stringify({ ...result, phases: phases.map(({ orderMs: _o, requestMs: _r, ...p }) => p) }, null, 2)}\n`,
  );
  console.log(`\nResult written to ${options.json}`);
  return phases.every((p) => p.failed === 0) ? 0 : EXIT_FAILED;
}

if (process.env[DRIVER_ENV]) {
  runDriver();
} else {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`bench: ${signal}: stopping everything it started`);
      void cleanUp().then(() => process.exit(130));
    });
  }
  main()
    .catch((error) => {
      console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
      return EXIT_FAILED;
    })
    .then(async (code) => {
      await cleanUp();
      process.exit(code);
    });
}
