// The worker that runs durable validation jobs. lib/ra inserts a job with the challenge move that
// asks for it, claimed under a lease by this process's worker and handed to it at once; a worker
// in any instance claims queued jobs, and jobs whose lease ran out, with FOR UPDATE SKIP LOCKED
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

export type ValidationWorker = { stop: () => Promise<void> };

/** A job this process's worker runs without claiming it: it was inserted claimed by it. */
export type HandedOffJob = ClaimedJob & {
  /** What the inserting request already read for the job, so that its handler need not. */
  context?: unknown;
};

type LocalWorker = {
  claim: (now: Date) => { lockedBy: string; lockedUntil: Date };
  run: (job: HandedOffJob) => void;
};

let localWorker: LocalWorker | undefined;

/**
 * The lease under which a job may be inserted already claimed by this process's worker (then
 * handed to it with handOffToLocalWorker, so validation never waits on a poll), or null when
 * this process runs no worker (the job is queued for any instance's worker).
 */
export function localWorkerClaim(now: Date): { lockedBy: string; lockedUntil: Date } | null {
  return localWorker?.claim(now) ?? null;
}

/** Runs a job inserted under localWorkerClaim's lease. */
export function handOffToLocalWorker(job: HandedOffJob): void {
  localWorker?.run(job);
}

/**
 * Runs `handle` for jobs handed over by this process (at once) and for jobs claimed from the
 * database (queued without a worker, or whose lease ran out because their worker died), polled
 * every `pollMs`. At most `concurrency` run at a time; handed-over jobs beyond that wait in turn.
 */
export function startValidationWorker(o: {
  db: Db;
  handle: (job: HandedOffJob) => Promise<void>;
  concurrency?: number;
  pollMs?: number;
  onError?: (err: unknown, job?: ClaimedJob) => void;
}): ValidationWorker {
  const workerId = `${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const concurrency = o.concurrency ?? 8;
  const pollMs = o.pollMs ?? 1000;
  const running = new Set<Promise<void>>();
  const waiting: HandedOffJob[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let claiming = false;
  /** The last claim took as many jobs as it could: more may be queued. */
  let backlogged = false;

  const start = (job: HandedOffJob) => {
    const run = o.handle(job).catch((err) => o.onError?.(err, job));
    running.add(run);
    void run.finally(() => {
      running.delete(run);
      const next = waiting.shift();
      if (next && !stopped) start(next);
      else if (backlogged) schedule(0);
    });
  };

  const tick = async () => {
    if (stopped || claiming) return;
    claiming = true;
    try {
      const free = concurrency - running.size;
      backlogged = false;
      if (free > 0) {
        // One statement: the subquery's row locks and the update are atomic without a transaction.
        const now = new Date();
        const leaseUntil = new Date(now.getTime() + JOB_LEASE_MS);
        const jobs = await claimValidationJobs(o.db, { workerId, limit: free, now, leaseUntil });
        backlogged = jobs.length === free;
        for (const job of jobs) start(job);
      }
    } catch (err) {
      o.onError?.(err);
    } finally {
      claiming = false;
      schedule(backlogged ? 0 : pollMs);
    }
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
    timer.unref();
  };

  schedule(0);
  const local: LocalWorker = {
    claim: (now) => ({ lockedBy: workerId, lockedUntil: new Date(now.getTime() + JOB_LEASE_MS) }),
    run: (job) => {
      if (stopped) return; // its lease runs out and another instance's worker claims it
      if (running.size < concurrency) start(job);
      else waiting.push(job);
    },
  };
  localWorker = local;
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (localWorker === local) localWorker = undefined;
      await Promise.allSettled([...running]);
    },
  };
}
