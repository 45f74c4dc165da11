// The worker that runs durable validation jobs. lib/ra queues a job with the challenge move that
// asks for it; a worker in any instance claims queued jobs with FOR UPDATE SKIP LOCKED and a lease
// (lib/db/sql/validation-jobs.ts), so a job survives a restart (its lease expires and another
// worker claims it) and no job runs twice at once. The worker knows jobs, not challenges: its
// handler (lib/ra/challenges.ts) runs the validation and records the outcome.
import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Db } from "@/lib/db/client";
import { type ClaimedJob, claimValidationJobs } from "@/lib/db/sql/validation-jobs";

/** A validation takes at most ~30 s (connect + redirects + DNS); the lease covers it twice. */
export const JOB_LEASE_MS = 60_000;
/** Claims of one job before it is given up (a job that keeps killing its worker). */
export const MAX_JOB_ATTEMPTS = 3;

export type ValidationWorker = { poke: () => void; stop: () => Promise<void> };

let localWorker: ValidationWorker | undefined;

/** Tells this process's worker that a job was just queued, so it need not wait for its poll. */
export function pokeLocalWorker(): void {
  localWorker?.poke();
}

/**
 * Runs `handle` for claimed jobs, at most `concurrency` at a time, polling every `pollMs`
 * (other instances' jobs) and at once when poked (this instance's jobs).
 */
export function startValidationWorker(o: {
  db: Db;
  handle: (job: ClaimedJob) => Promise<void>;
  concurrency?: number;
  pollMs?: number;
  onError?: (err: unknown, job?: ClaimedJob) => void;
}): ValidationWorker {
  const workerId = `${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const concurrency = o.concurrency ?? 8;
  const pollMs = o.pollMs ?? 250;
  const running = new Set<Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let claiming = false;
  let again = false;

  const tick = async () => {
    if (stopped) return;
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    try {
      do {
        again = false;
        const free = concurrency - running.size;
        if (free <= 0) break;
        // One statement: the subquery's row locks and the update are atomic without a transaction.
        const now = new Date();
        const leaseUntil = new Date(now.getTime() + JOB_LEASE_MS);
        const jobs = await claimValidationJobs(o.db, { workerId, limit: free, now, leaseUntil });
        for (const job of jobs) {
          const run = o.handle(job).catch((err) => o.onError?.(err, job));
          running.add(run);
          void run.finally(() => {
            running.delete(run);
            schedule(0);
          });
        }
        if (jobs.length === free) again = true;
      } while (again && !stopped);
    } catch (err) {
      o.onError?.(err);
    } finally {
      claiming = false;
      schedule(pollMs);
    }
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
    timer.unref();
  };

  schedule(0);
  const worker: ValidationWorker = {
    poke: () => schedule(0),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (localWorker === worker) localWorker = undefined;
      await Promise.allSettled([...running]);
    },
  };
  localWorker = worker;
  return worker;
}
