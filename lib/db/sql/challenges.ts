// Challenge status moves that must be single statements (a data-modifying CTE is atomic): each is
// guarded by the status it leaves, so two concurrent requests or workers cannot both move it.
import { randomUUID } from "node:crypto";
import type { Db } from "../client";

/**
 * Moves a pending challenge to processing and queues its validation job; false when the
 * challenge was no longer pending.
 */
export async function queueChallengeValidation(db: Db, challengeId: string, now: Date): Promise<boolean> {
  const queued = await db.$executeRaw`
    WITH moved AS (
      UPDATE "Challenge" SET "status" = 'processing', "updatedAt" = ${now}
      WHERE "id" = ${challengeId} AND "status" = 'pending'
      RETURNING "id")
    INSERT INTO "ValidationJob" ("id", "challengeId", "status", "attempts", "runAfter", "createdAt")
    SELECT ${randomUUID()}, "id", 'queued', 0, ${now}, ${now} FROM moved`;
  return queued === 1;
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
