// Challenge status moves, each guarded by the status it leaves (a data-modifying CTE is atomic), so
// two concurrent requests or workers cannot both move it. Answering a challenge also holds its
// authorization's lock, so two challenges of one authorization cannot both be answered.
import { randomUUID } from "node:crypto";
import type { Db } from "../client";
import { lockForTransaction } from "../locks";

/**
 * Moves a pending challenge to processing and queues its validation job; false when the
 * challenge was no longer pending, or another challenge of its authorization was answered.
 * Requests for two challenges of one authorization serialise on a lock of the authorization, so
 * the second sees the first's move: one validation per authorization.
 */
export async function queueChallengeValidation(
  db: Db,
  o: { challengeId: string; authorizationId: string; now: Date },
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await lockForTransaction(tx, `authorization:${o.authorizationId}`);
    const queued = await tx.$executeRaw`
      WITH moved AS (
        UPDATE "Challenge" SET "status" = 'processing', "updatedAt" = ${o.now}
        WHERE "id" = ${o.challengeId} AND "authorizationId" = ${o.authorizationId} AND "status" = 'pending'
          AND NOT EXISTS (
            SELECT 1 FROM "Challenge" AS other
            WHERE other."authorizationId" = ${o.authorizationId} AND other."status" <> 'pending')
        RETURNING "id")
      INSERT INTO "ValidationJob" ("id", "challengeId", "status", "attempts", "runAfter", "createdAt")
      SELECT ${randomUUID()}, "id", 'queued', 0, ${o.now}, ${o.now} FROM moved`;
    return queued === 1;
  });
}

export type ChallengeOutcomeRow = {
  jobId: string;
  challengeId: string;
  authorizationId: string;
  valid: boolean;
  /** The problem document of a failed validation (null when valid). */
  error: object | null;
  validationRecords: object[];
  /** The authorization's expiry from now on (extended when valid, kept when not). */
  authorizationExpiresAt: Date;
  now: Date;
};

/**
 * Records a validation outcome in one statement: the challenge leaves processing, its pending
 * authorization takes the same status, and the job is done. Neither move happens if the
 * challenge is no longer processing.
 */
export async function recordChallengeOutcome(db: Db, o: ChallengeOutcomeRow): Promise<void> {
  const status = o.valid ? "valid" : "invalid";
  const validatedAt = o.valid ? o.now : null;
  const error = o.error === null ? null : JSON.stringify(o.error);
  const records = JSON.stringify(o.validationRecords);
  await db.$executeRaw`
    WITH c AS (
      UPDATE "Challenge"
      SET "status" = ${status}::"ChallengeStatus", "validatedAt" = ${validatedAt}::timestamp(3),
          "error" = ${error}::jsonb, "validationRecord" = ${records}::jsonb, "updatedAt" = ${o.now}
      WHERE "id" = ${o.challengeId} AND "status" = 'processing'
      RETURNING "id"),
    a AS (
      UPDATE "Authorization"
      SET "status" = ${status}::"AuthorizationStatus", "expiresAt" = ${o.authorizationExpiresAt},
          "updatedAt" = ${o.now}
      WHERE "id" = ${o.authorizationId} AND "status" = 'pending' AND EXISTS (SELECT 1 FROM c)
      RETURNING "id")
    UPDATE "ValidationJob" SET "status" = 'done', "finishedAt" = ${o.now}, "lockedUntil" = NULL
    WHERE "id" = ${o.jobId}`;
}
