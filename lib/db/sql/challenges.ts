// Challenge status moves, each one statement guarded by the status it leaves (a data-modifying
// CTE is atomic), so two concurrent requests or workers cannot both move it. One validation per
// authorization is kept by the unique index on ValidationJob."authorizationId": of two
// challenges of one authorization answered at once, one job is inserted and one challenge moves.
import type { Db } from "../client";
import type { AuthorizationStatus, ChallengeStatus } from "../generated/client";
import { query, statement } from "../statements";

/** A challenge with what answering and validating it needs of its authorization and account. */
export type ChallengeRow = {
  id: string;
  authorizationId: string;
  type: string;
  token: string;
  status: ChallengeStatus;
  validatedAt: Date | null;
  error: unknown;
  accountId: string;
  authorizationStatus: AuthorizationStatus;
  authorizationExpiresAt: Date;
  identifierType: string;
  identifierValue: string;
  wildcard: boolean;
};

const CHALLENGE_COLUMNS = `
  c."id", c."authorizationId", c."type", c."token", c."status"::text AS "status", c."validatedAt",
  c."error", a."accountId", a."status"::text AS "authorizationStatus",
  a."expiresAt" AS "authorizationExpiresAt", a."identifierType", a."identifierValue", a."wildcard"`;

const SELECT_CHALLENGE = statement(
  "challenge_by_id",
  `SELECT ${CHALLENGE_COLUMNS}
     FROM "Challenge" c JOIN "Authorization" a ON a."id" = c."authorizationId"
    WHERE c."id" = $1`,
);

export async function selectChallenge(db: Db, id: string): Promise<ChallengeRow | null> {
  const [row] = await query<ChallengeRow>(db, SELECT_CHALLENGE, [id]);
  return row ?? null;
}

/**
 * §7.5.1 in one statement: if the challenge is pending, of the account, and its authorization
 * pending and unexpired with no validation yet, its job is inserted (already claimed by the
 * answering instance's worker when `lockedBy` is given) and the challenge moves to processing.
 * Returns the challenge as it was before the statement, and whether it moved.
 */
const ANSWER_CHALLENGE = statement(
  "challenge_answer",
  `WITH job AS (
     INSERT INTO "ValidationJob"
       ("id", "challengeId", "authorizationId", "status", "attempts", "runAfter", "lockedBy",
        "lockedUntil", "createdAt")
     SELECT $4::text, c."id", c."authorizationId", $5::text::"JobStatus", $6::int, $3::timestamp(3),
            $7::text, $8::timestamp(3), $3::timestamp(3)
       FROM "Challenge" c JOIN "Authorization" a ON a."id" = c."authorizationId"
      WHERE c."id" = $1 AND a."accountId" = $2 AND c."status" = 'pending'
        AND a."status" = 'pending' AND a."expiresAt" > $3::timestamp(3)
     ON CONFLICT DO NOTHING
     RETURNING "challengeId"),
   moved AS (
     UPDATE "Challenge" SET "status" = 'processing', "updatedAt" = $3::timestamp(3)
      WHERE "id" IN (SELECT "challengeId" FROM job)
     RETURNING "id")
   SELECT ${CHALLENGE_COLUMNS}, EXISTS (SELECT 1 FROM moved) AS "answered"
     FROM "Challenge" c JOIN "Authorization" a ON a."id" = c."authorizationId"
    WHERE c."id" = $1`,
);

export async function answerChallenge(
  db: Db,
  o: {
    challengeId: string;
    accountId: string;
    now: Date;
    jobId: string;
    /** The worker the job is handed to, and its lease; none: queued for any instance's worker. */
    claim: { lockedBy: string; lockedUntil: Date } | null;
  },
): Promise<(ChallengeRow & { answered: boolean }) | null> {
  const [row] = await query<ChallengeRow & { answered: boolean }>(db, ANSWER_CHALLENGE, [
    o.challengeId,
    o.accountId,
    o.now,
    o.jobId,
    o.claim ? "running" : "queued",
    o.claim ? 1 : 0,
    o.claim?.lockedBy ?? null,
    o.claim?.lockedUntil ?? null,
  ]);
  return row ?? null;
}

/** What running a validation needs that the challenge does not hold. */
export type ValidationTaskRow = ChallengeRow & {
  keyThumbprint: string;
  aliasName: string;
  aliasSettings: unknown;
};

const SELECT_VALIDATION_TASK = statement(
  "challenge_validation_task",
  `SELECT ${CHALLENGE_COLUMNS}, ac."keyThumbprint", al."name" AS "aliasName",
          al."settings" AS "aliasSettings"
     FROM "Challenge" c JOIN "Authorization" a ON a."id" = c."authorizationId"
     JOIN "Account" ac ON ac."id" = a."accountId" JOIN "Alias" al ON al."id" = ac."aliasId"
    WHERE c."id" = $1`,
);

export async function selectValidationTask(db: Db, challengeId: string): Promise<ValidationTaskRow | null> {
  const [row] = await query<ValidationTaskRow>(db, SELECT_VALIDATION_TASK, [challengeId]);
  return row ?? null;
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
  /** The problem a pending order of the authorization takes when the validation failed. */
  orderError: object;
  now: Date;
};

/**
 * Records a validation outcome in one statement: the challenge leaves processing, its pending
 * authorization takes the same status, the job is done, and the pending, unexpired orders of the
 * authorization move on: to invalid with `orderError` when it failed, to ready when it was
 * valid and every other authorization of the order is valid and unexpired (RFC 8555 §7.1.6).
 * Nothing moves if the challenge is no longer processing. An order whose other authorization
 * became valid in a concurrent statement stays pending here: reading it derives and stores its
 * status (lib/ra/orders.ts), so it is never reported wrongly.
 */
const RECORD_OUTCOME = statement(
  "challenge_outcome",
  `WITH c AS (
     UPDATE "Challenge"
        SET "status" = $3::text::"ChallengeStatus", "validatedAt" = $4::timestamp(3), "error" = $5::jsonb,
            "validationRecord" = $6::jsonb, "updatedAt" = $8::timestamp(3)
      WHERE "id" = $1 AND "status" = 'processing'
     RETURNING "id"),
   a AS (
     UPDATE "Authorization"
        SET "status" = $3::text::"AuthorizationStatus", "expiresAt" = $7::timestamp(3),
            "updatedAt" = $8::timestamp(3)
      WHERE "id" = $2 AND "status" = 'pending' AND EXISTS (SELECT 1 FROM c)
     RETURNING "id", "status"),
   o AS (
     UPDATE "Order" AS o
        SET "status" = CASE WHEN $3 = 'valid' THEN 'ready' ELSE 'invalid' END::"OrderStatus",
            "error" = CASE WHEN $3 = 'valid' THEN NULL ELSE $9::jsonb END,
            "updatedAt" = $8::timestamp(3)
      WHERE o."status" = 'pending' AND o."expiresAt" > $8::timestamp(3) AND EXISTS (SELECT 1 FROM a)
        AND o."id" IN (SELECT "orderId" FROM "OrderAuthorization" WHERE "authorizationId" = $2)
        AND ($3 <> 'valid' OR NOT EXISTS (
              SELECT 1 FROM "OrderAuthorization" oa JOIN "Authorization" x ON x."id" = oa."authorizationId"
               WHERE oa."orderId" = o."id" AND x."id" <> $2
                 AND NOT (x."status" = 'valid' AND x."expiresAt" > $8::timestamp(3))))
     RETURNING o."id")
   UPDATE "ValidationJob" SET "status" = 'done', "finishedAt" = $8::timestamp(3), "lockedUntil" = NULL
    WHERE "id" = $10`,
);

export async function recordChallengeOutcome(db: Db, o: ChallengeOutcomeRow): Promise<void> {
  const status = o.valid ? "valid" : "invalid";
  await query(db, RECORD_OUTCOME, [
    o.challengeId,
    o.authorizationId,
    status,
    o.valid ? o.now : null,
    o.error,
    // An array would go as a PostgreSQL array: the records are one JSON document.
    JSON.stringify(o.validationRecords),
    o.authorizationExpiresAt,
    o.now,
    o.orderError,
    o.jobId,
  ]);
}
