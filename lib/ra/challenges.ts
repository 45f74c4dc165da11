// Challenges (RFC 8555 §7.5.1, §8): the client's POST moves a pending challenge to processing
// and queues a durable validation job; the job's outcome moves the challenge, its authorization
// and the orders waiting on it.

import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/client";
import { retryWhileDatabaseUnavailable } from "@/lib/db/errors";
import {
  answerChallenge,
  type ChallengeRow,
  recordChallengeOutcome,
  selectChallenge,
  selectValidationTask,
} from "@/lib/db/sql/challenges";
import { completeValidationJob } from "@/lib/db/sql/validation-jobs";
import { env } from "@/lib/env";
import { countValidation } from "@/lib/observability/metrics";
import { AcmeProblem } from "@/lib/problem";
import { type HandedOffJob, handOffToLocalWorker, localWorkerClaim, MAX_JOB_ATTEMPTS } from "@/lib/va/jobs";
import { keyAuthorization } from "@/lib/va/key-authorization";
import { validateChallenge } from "@/lib/va/validate";
import type { AccountRecord } from "./accounts";
import { type AliasSettings, readAliasSettings } from "./alias-settings";
import { VALID_AUTHORIZATION_LIFETIME_MS } from "./authorizations";
import { caaCheckFor } from "./caa";
import { effectiveAuthorizationStatus } from "./order-status";
import { FAILED_AUTHORIZATION_ORDER_ERROR } from "./orders";

export type { ChallengeRow };

export async function getChallengeForAccount(db: Db, id: string, accountId: string): Promise<ChallengeRow> {
  const row = await selectChallenge(db, id);
  if (!row || row.accountId !== accountId) throw AcmeProblem.notFound("Challenge");
  return row;
}

/** What a validation needs, read once: by the request that queued it, or by the job's claimer. */
type ValidationTask = {
  challenge: ChallengeRow;
  keyThumbprint: string;
  aliasName: string;
  settings: AliasSettings;
};

/**
 * §7.5.1: the client says it is ready. In one statement the challenge moves to processing and
 * its validation job is inserted, claimed by this instance's worker, which runs it at once
 * (pebble: "only pending"; Keyward validates an authorization once).
 */
export async function respondToChallenge(
  db: Db,
  o: {
    account: AccountRecord;
    alias: { name: string; settings: AliasSettings };
    challengeId: string;
    now: Date;
  },
): Promise<ChallengeRow> {
  const jobId = randomUUID();
  const claim = localWorkerClaim(o.now);
  const row = await answerChallenge(db, {
    challengeId: o.challengeId,
    accountId: o.account.id,
    now: o.now,
    jobId,
    claim,
  });
  if (!row || row.accountId !== o.account.id) throw AcmeProblem.notFound("Challenge");
  if (!row.answered) throw whyNotAnswered(row, o.now);
  const challenge: ChallengeRow = { ...row, status: "processing" };
  if (claim) {
    const context: ValidationTask = {
      challenge,
      keyThumbprint: o.account.keyThumbprint,
      aliasName: o.alias.name,
      settings: o.alias.settings,
    };
    handOffToLocalWorker({ id: jobId, challengeId: challenge.id, attempts: 1, context });
  }
  return challenge;
}

/** The problem for a challenge that did not move, from its state before the statement. */
function whyNotAnswered(row: ChallengeRow, now: Date): AcmeProblem {
  const authzStatus = effectiveAuthorizationStatus(
    { status: row.authorizationStatus, expiresAt: row.authorizationExpiresAt },
    now,
  );
  if (authzStatus !== "pending") {
    return AcmeProblem.malformed(
      `The authorization is ${authzStatus}; only challenges of pending authorizations can be answered`,
    );
  }
  if (row.status !== "pending") {
    return AcmeProblem.malformed(
      `The challenge is ${row.status}; only a pending challenge can be answered, once`,
    );
  }
  return AcmeProblem.malformed(
    "Another challenge of this authorization was answered; an authorization is validated once",
  );
}

/** The task a handed-off job carries, or read for a job claimed from the database. */
async function validationTaskOf(db: Db, job: HandedOffJob): Promise<ValidationTask | null> {
  if (job.context) return job.context as ValidationTask;
  const row = await selectValidationTask(db, job.challengeId);
  if (!row) return null;
  return {
    challenge: row,
    keyThumbprint: row.keyThumbprint,
    aliasName: row.aliasName,
    settings: readAliasSettings(row.aliasSettings),
  };
}

/** Runs one claimed validation job and records its outcome. */
export async function runValidationJob(db: Db, job: HandedOffJob): Promise<void> {
  const task = await validationTaskOf(db, job);
  if (task?.challenge.status !== "processing") {
    await completeValidationJob(db, job.id, new Date());
    return;
  }
  const { challenge, settings } = task;
  const config = env();
  const started = performance.now();
  const outcome =
    job.attempts > MAX_JOB_ATTEMPTS
      ? {
          valid: false as const,
          problem: AcmeProblem.serverInternal("Validation was interrupted too often"),
          records: [],
        }
      : await validateChallenge({
          type: challenge.type as "http-01" | "dns-01" | "tls-alpn-01",
          identifier: { type: challenge.identifierType as "dns" | "ip", value: challenge.identifierValue },
          wildcard: challenge.wildcard,
          token: challenge.token,
          keyAuthorization: keyAuthorization(challenge.token, task.keyThumbprint),
          http01Port: config.KEYWARD_VA_HTTP01_PORT,
          tlsAlpn01Port: config.KEYWARD_VA_TLSALPN01_PORT,
          dns: {
            resolver: settings.dnsResolver,
            port: settings.dnsPort,
            requireDnssec: settings.requireDnssec,
          },
          authorizedRedirectPorts: settings.authorizedRedirectPorts,
          caa: caaCheckFor(settings, { id: challenge.accountId, aliasName: task.aliasName }),
        });
  const now = new Date();
  // §7.1.6: a failed challenge makes the authorization invalid, and its pending orders with it; a
  // valid one keeps it valid for VALID_AUTHORIZATION_LIFETIME_MS, and makes ready the orders
  // whose authorizations are now all valid. The outcome survives a database restart: it is
  // retried rather than left for the job's lease to run out and the validation to run again.
  await retryWhileDatabaseUnavailable(() =>
    recordChallengeOutcome(db, {
      jobId: job.id,
      challengeId: challenge.id,
      authorizationId: challenge.authorizationId,
      valid: outcome.valid,
      error: outcome.valid ? null : outcome.problem.toJSON(),
      validationRecords: outcome.records,
      authorizationExpiresAt: outcome.valid
        ? new Date(now.getTime() + VALID_AUTHORIZATION_LIFETIME_MS)
        : challenge.authorizationExpiresAt,
      orderError: FAILED_AUTHORIZATION_ORDER_ERROR,
      now,
    }),
  );
  countValidation({
    alias: task.aliasName,
    type: challenge.type,
    valid: outcome.valid,
    seconds: (performance.now() - started) / 1000,
  });
}
