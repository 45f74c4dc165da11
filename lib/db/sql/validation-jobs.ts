// Durable validation jobs (DESIGN "Scale": jobs live in PostgreSQL). A job row is queued with the
// challenge move that asks for it (challenges.ts), claimed by a worker in any instance with FOR
// UPDATE SKIP LOCKED and a lease, and closed with the outcome it produced.
import type { Db } from "../client";

export type ClaimedJob = { id: string; challengeId: string; attempts: number };

/**
 * Claims up to `limit` jobs that are queued and due, or whose lease ran out (their worker died):
 * one statement, so the subquery's row locks and the update are atomic without a transaction.
 */
export async function claimValidationJobs(
  db: Db,
  o: { workerId: string; limit: number; now: Date; leaseUntil: Date },
): Promise<ClaimedJob[]> {
  // Times come from this process, as Prisma writes them (UTC), never from the session's now().
  return db.$queryRaw<ClaimedJob[]>`
    UPDATE "ValidationJob" SET "status" = 'running', "lockedBy" = ${o.workerId},
           "lockedUntil" = ${o.leaseUntil}, "attempts" = "attempts" + 1
    WHERE "id" IN (
      SELECT "id" FROM "ValidationJob"
      WHERE ("status" = 'queued' AND "runAfter" <= ${o.now})
         OR ("status" = 'running' AND "lockedUntil" < ${o.now})
      ORDER BY "runAfter"
      LIMIT ${o.limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING "id", "challengeId", "attempts"`;
}

/** Closes a job without an outcome to record (its challenge moved on meanwhile). */
export async function completeValidationJob(db: Db, jobId: string, now: Date): Promise<void> {
  await db.validationJob.update({
    where: { id: jobId },
    data: { status: "done", finishedAt: now, lockedUntil: null },
  });
}
