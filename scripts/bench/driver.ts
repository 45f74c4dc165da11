// The bench's load generator, in its own process (forked by scripts/bench.ts, commands over IPC),
// so that its CPU is its own and orchestration stays off the event loop that drives the load. It
// keeps, per server, one account per worker across phases (as real clients reuse their account)
// and a fresh P-256 CSR per order (made inside the window: its cost is the client's).
import { randomBytes } from "node:crypto";
import { startHttp01Responder } from "../../tests/support/challenge-responders";
import {
  AccountKey,
  AcmeError,
  AcmeSession,
  buildCsr,
  Connection,
  type Directory,
  issue,
  REQUEST_TYPES,
  type RequestType,
} from "./client";

export type DriverTarget = { label: string; directoryUrls: string[]; ca?: string };

export type DriverCommand =
  | { cmd: "setup"; targets: DriverTarget[]; http01Port: number }
  | { cmd: "orders"; target: string; concurrency: number; seconds: number; pollMs: number }
  | { cmd: "nonces"; target: string; concurrency: number; seconds: number; method: "HEAD" | "GET" }
  | { cmd: "exit" };

export type PhaseResult = {
  /** Orders (or nonces) completed inside the measured window: the rate is completed / seconds. */
  completed: number;
  /** Orders started inside the window that completed after it (their cost is in the CPU figures). */
  finishedLate: number;
  failed: number;
  seconds: number;
  /** From the window's start until the last order finished, ms. */
  wallMs: number;
  /** CPU the driver used over wallMs. */
  driverCpuMs: number;
  orderMs: number[];
  requestMs: Record<RequestType, number[]>;
  errors: string[];
};

export type DriverReply = { ok: true; result?: PhaseResult } | { ok: false; error: string };

const MAX_REPORTED_ERRORS = 5;
const ORDER_TIMEOUT_MS = 120_000;

type Worker = { session: AcmeSession };

class TargetState {
  readonly workers: (Worker | undefined)[] = [];
  constructor(
    readonly target: DriverTarget,
    readonly directories: Directory[],
  ) {}

  /** Client `i` on instance i mod n (spread as a load balancer would), on its own connection. */
  session(i: number, record: (type: RequestType, ms: number) => void): AcmeSession {
    const n = this.directories.length;
    const origin = new URL(this.target.directoryUrls[i % n] as string).origin;
    const directory = this.directories[i % n] as Directory;
    return new AcmeSession(new Connection(origin, this.target.ca), directory, new AccountKey(), record);
  }
}

const targets = new Map<string, TargetState>();
let tokens: Awaited<ReturnType<typeof startHttp01Responder>> | undefined;
const runId = randomBytes(4).toString("hex");
let orderSeq = 0;

/** Collects one phase's timings; requests of orders that started inside the window count. */
class Recorder {
  readonly requestMs = Object.fromEntries(REQUEST_TYPES.map((t) => [t, [] as number[]])) as Record<
    RequestType,
    number[]
  >;
  readonly orderMs: number[] = [];
  readonly errors = new Map<string, number>();
  completed = 0;
  finishedLate = 0;
  failed = 0;
  fail(error: unknown) {
    this.failed++;
    const message = error instanceof Error ? error.message : String(error);
    this.errors.set(message, (this.errors.get(message) ?? 0) + 1);
  }
}

async function setup(c: Extract<DriverCommand, { cmd: "setup" }>): Promise<void> {
  tokens = await startHttp01Responder(c.http01Port);
  for (const target of c.targets) {
    const directories: Directory[] = [];
    for (const url of target.directoryUrls) {
      const probe = new Connection(new URL(url).origin, target.ca);
      try {
        const reply = await probe.request("GET", url, {});
        if (reply.status !== 200)
          throw new Error(`directory ${url}: HTTP ${reply.status} ${reply.body.toString().slice(0, 300)}`);
        directories.push(JSON.parse(reply.body.toString()) as Directory);
      } finally {
        probe.close();
      }
    }
    targets.set(target.label, new TargetState(target, directories));
  }
}

/** Client `i` of a target, registered before the window opens (account creation is not measured). */
async function workerFor(state: TargetState, i: number, rec: Recorder): Promise<Worker> {
  const existing = state.workers[i];
  if (existing) return existing;
  const session = state.session(i, (type, ms) => rec.requestMs[type].push(ms));
  await session.register();
  const worker = { session };
  state.workers[i] = worker;
  return worker;
}

async function runOrders(c: Extract<DriverCommand, { cmd: "orders" }>): Promise<PhaseResult> {
  const state = targets.get(c.target);
  if (!state || !tokens) throw new Error(`unknown target ${c.target}`);
  const responder = tokens;
  const warm = new Recorder();
  const workers = await Promise.all(
    Array.from({ length: c.concurrency }, (_, i) => workerFor(state, i, warm)),
  );

  const rec = new Recorder();
  for (const w of workers) w.session.record = (type, ms) => rec.requestMs[type].push(ms);
  const started = performance.now();
  const windowEnd = Date.now() + c.seconds * 1000;
  const cpuBefore = process.cpuUsage();

  await Promise.all(
    workers.map(async (w) => {
      while (Date.now() < windowEnd) {
        const name = `o${orderSeq++}-${runId}.bench.test`;
        const orderStarted = performance.now();
        try {
          await issue(w.session, name, buildCsr(name), responder, {
            pollMs: c.pollMs,
            deadline: Date.now() + ORDER_TIMEOUT_MS,
          });
          // An order counts when it completed inside the window.
          rec.orderMs.push(performance.now() - orderStarted);
          if (Date.now() <= windowEnd) rec.completed++;
          else rec.finishedLate++;
        } catch (error) {
          rec.fail(error);
          if (!(error instanceof AcmeError)) await new Promise((r) => setTimeout(r, 100));
        }
      }
    }),
  );
  return result(rec, c.seconds, performance.now() - started, process.cpuUsage(cpuBefore));
}

async function runNonces(c: Extract<DriverCommand, { cmd: "nonces" }>): Promise<PhaseResult> {
  const state = targets.get(c.target);
  if (!state) throw new Error(`unknown target ${c.target}`);
  const rec = new Recorder();
  const record = (type: RequestType, ms: number) => rec.requestMs[type].push(ms);
  const sessions = Array.from({ length: c.concurrency }, (_, i) => state.session(i, record));
  const started = performance.now();
  const windowEnd = Date.now() + c.seconds * 1000;
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    sessions.map(async (s) => {
      while (Date.now() < windowEnd) {
        try {
          await s.newNonce(c.method);
          if (Date.now() <= windowEnd) rec.completed++;
          else rec.finishedLate++;
        } catch (error) {
          rec.fail(error);
        }
      }
    }),
  );
  for (const s of sessions) s.connection.close();
  return result(rec, c.seconds, performance.now() - started, process.cpuUsage(cpuBefore));
}

function result(rec: Recorder, seconds: number, wallMs: number, cpu: NodeJS.CpuUsage): PhaseResult {
  return {
    completed: rec.completed,
    finishedLate: rec.finishedLate,
    failed: rec.failed,
    seconds,
    wallMs,
    driverCpuMs: (cpu.user + cpu.system) / 1000,
    orderMs: rec.orderMs,
    requestMs: rec.requestMs,
    errors: [...rec.errors].slice(0, MAX_REPORTED_ERRORS).map(([message, count]) => `${count}× ${message}`),
  };
}

async function handle(c: DriverCommand): Promise<PhaseResult | undefined> {
  switch (c.cmd) {
    case "setup":
      await setup(c);
      return undefined;
    case "orders":
      return runOrders(c);
    case "nonces":
      return runNonces(c);
    case "exit":
      await tokens?.close();
      for (const t of targets.values()) for (const w of t.workers) w?.session.connection.close();
      process.exit(0);
  }
}

export function runDriver(): void {
  process.on("message", (c: DriverCommand) => {
    handle(c).then(
      (result) => process.send?.({ ok: true, result } satisfies DriverReply),
      (error) =>
        process.send?.({
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        } satisfies DriverReply),
    );
  });
}
