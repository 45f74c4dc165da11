// Challenges (RFC 8555 §7.5.1, §8): the client's POST moves a pending challenge to processing
// and queues a durable validation job; the job's outcome moves the challenge, its authorization
// and the orders waiting on it.

import type { Db } from "@/lib/db/client";
import { retryWhileDatabaseUnavailable } from "@/lib/db/errors";
import type { Prisma } from "@/lib/db/generated/client";
import { queueChallengeValidation, recordChallengeOutcome } from "@/lib/db/sql/challenges";
import { type ClaimedJob, completeValidationJob } from "@/lib/db/sql/validation-jobs";
import { env } from "@/lib/env";
import { countValidation } from "@/lib/observability/metrics";
import { AcmeProblem } from "@/lib/problem";
import { MAX_JOB_ATTEMPTS, pokeLocalWorker } from "@/lib/va/jobs";
import { keyAuthorization } from "@/lib/va/key-authorization";
import { validateChallenge } from "@/lib/va/validate";
import type { AccountRecord } from "./accounts";
import { readAliasSettings } from "./alias-settings";
import { VALID_AUTHORIZATION_LIFETIME_MS } from "./authorizations";
import { effectiveAuthorizationStatus } from "./order-status";
import { refreshOrdersOfAuthorization } from "./orders";

const CHALLENGE_INCLUDE = {
  authorization: { include: { challenges: { select: { id: true, status: true } } } },
} satisfies Prisma.ChallengeInclude;
export type ChallengeWithAuthorization = Prisma.ChallengeGetPayload<{ include: typeof CHALLENGE_INCLUDE }>;

export async function getChallengeForAccount(
  db: Db,
  id: string,
  accountId: string,
): Promise<ChallengeWithAuthorization> {
  const row = await db.challenge.findUnique({ where: { id }, include: CHALLENGE_INCLUDE });
  if (!row || row.authorization.accountId !== accountId) throw AcmeProblem.notFound("Challenge");
  return row;
}

/** §7.5.1: the client says it is ready; validation runs later as a job (pebble: "only pending"). */
export async function respondToChallenge(
  db: Db,
  o: { account: AccountRecord; challengeId: string; now: Date },
): Promise<ChallengeWithAuthorization> {
  const challenge = await getChallengeForAccount(db, o.challengeId, o.account.id);
  const authz = challenge.authorization;
  const authzStatus = effectiveAuthorizationStatus(authz, o.now);
  if (authzStatus !== "pending") {
    throw AcmeProblem.malformed(
      `The authorization is ${authzStatus}; only challenges of pending authorizations can be answered`,
    );
  }
  if (challenge.status !== "pending") {
    throw AcmeProblem.malformed(
      `The challenge is ${challenge.status}; only a pending challenge can be answered, once`,
    );
  }
  if (authz.challenges.some((c) => c.status === "processing")) {
    throw AcmeProblem.malformed("Another challenge of this authorization is being validated");
  }
  if (
    !(await queueChallengeValidation(db, {
      challengeId: challenge.id,
      authorizationId: authz.id,
      now: o.now,
    }))
  ) {
    throw AcmeProblem.malformed(
      "The challenge, or another challenge of its authorization, was answered meanwhile; an authorization is validated once",
    );
  }
  pokeLocalWorker();
  return { ...challenge, status: "processing" };
}

/** Runs one claimed validation job and records its outcome. */
export async function runValidationJob(db: Db, job: ClaimedJob): Promise<void> {
  const challenge = await db.challenge.findUnique({
    where: { id: job.challengeId },
    include: {
      authorization: {
        include: { account: { include: { alias: { select: { name: true, settings: true } } } } },
      },
    },
  });
  if (challenge?.status !== "processing") {
    await completeValidationJob(db, job.id, new Date());
    return;
  }
  const authz = challenge.authorization;
  const settings = readAliasSettings(authz.account.alias.settings);
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
          identifier: { type: authz.identifierType as "dns" | "ip", value: authz.identifierValue },
          wildcard: authz.wildcard,
          token: challenge.token,
          keyAuthorization: keyAuthorization(challenge.token, authz.account.keyThumbprint),
          http01Port: config.KEYWARD_VA_HTTP01_PORT,
          tlsAlpn01Port: config.KEYWARD_VA_TLSALPN01_PORT,
          dns: {
            resolver: settings.dnsResolver,
            port: settings.dnsPort,
            requireDnssec: settings.requireDnssec,
          },
          authorizedRedirectPorts: settings.authorizedRedirectPorts,
        });
  const now = new Date();
  // §7.1.6: a failed challenge makes the authorization invalid; a valid one keeps it valid for
  // VALID_AUTHORIZATION_LIFETIME_MS. The outcome survives a database restart: it is retried
  // rather than left for the job's lease to run out and the validation to run again.
  await retryWhileDatabaseUnavailable(async () => {
    await recordChallengeOutcome(db, {
      jobId: job.id,
      challengeId: challenge.id,
      authorizationId: authz.id,
      valid: outcome.valid,
      error: outcome.valid ? null : outcome.problem.toJSON(),
      validationRecords: outcome.records,
      authorizationExpiresAt: outcome.valid
        ? new Date(now.getTime() + VALID_AUTHORIZATION_LIFETIME_MS)
        : authz.expiresAt,
      now,
    });
    await refreshOrdersOfAuthorization(db, authz.id, now);
  });
  countValidation({
    alias: authz.account.alias.name,
    type: challenge.type,
    valid: outcome.valid,
    seconds: (performance.now() - started) / 1000,
  });
}
