// Authorizations and their challenges (RFC 8555 §7.1.4, §7.5). A valid authorization of the
// same account and identifier is reused for new orders while it stays valid (§7.4: "the server
// MAY reuse"); KEYWARD_AUTHZ_REUSE_DAYS bounds how old a reused validation may be.

import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import { type AuthorizationRow, selectAuthorization } from "@/lib/db/sql/authorizations";
import type { NewAuthorization } from "@/lib/db/sql/orders";
import { env } from "@/lib/env";
import { AcmeProblem } from "@/lib/problem";
import type { AccountRecord } from "./accounts";
import type { AliasSettings } from "./alias-settings";
import { orderValiditySeconds } from "./alias-settings";
import type { ResolvedAlias } from "./aliases";
import {
  type AuthorizationIdentifier,
  challengeTypesFor,
  checkIdentifiers,
  type Identifier,
  toAuthorizationIdentifier,
} from "./identifiers";
import { randomId } from "./ids";
import { type AuthorizationStatus, effectiveAuthorizationStatus } from "./order-status";
import { assertNewAuthorizationAllowed } from "./rate-limits";

/** How long a validated authorization stays valid (Let's Encrypt: 30 days). */
export const VALID_AUTHORIZATION_LIFETIME_MS = 30 * 86_400_000;

function reuseWindowMs(): number {
  return env().KEYWARD_AUTHZ_REUSE_DAYS * 86_400_000;
}

type Tx = Prisma.TransactionClient;

/**
 * The authorizations a new order needs, one per identifier, each with an id and challenges (one
 * per type the alias offers) for when it is created; lib/db reuses a valid one instead where it
 * can (reuseSince). An identifier no offered challenge type can validate is refused.
 */
export function planAuthorizations(
  settings: AliasSettings,
  identifiers: Identifier[],
  now: Date,
): { authorizations: NewAuthorization[]; reuseSince: Date | null } {
  const window = reuseWindowMs();
  const authorizations = identifiers.map((identifier) => {
    const authzIdentifier = toAuthorizationIdentifier(identifier);
    return {
      identifierType: authzIdentifier.type,
      identifierValue: authzIdentifier.value,
      wildcard: authzIdentifier.wildcard,
      id: randomId(),
      challenges: challengesFor(authzIdentifier, settings),
    };
  });
  return { authorizations, reuseSince: window > 0 ? new Date(now.getTime() - window) : null };
}

function challengesFor(identifier: AuthorizationIdentifier, settings: AliasSettings) {
  const types = challengeTypesFor(identifier, settings);
  if (types.length === 0) {
    throw new AcmeProblem(
      "rejectedIdentifier",
      `No challenge type this CA offers can validate "${identifier.wildcard ? "*." : ""}${identifier.value}"`,
      {
        subproblems: [
          {
            type: "rejectedIdentifier",
            detail: "no challenge type available",
            identifier: { type: identifier.type, value: identifier.value },
          },
        ],
      },
    );
  }
  return types.map((type) => ({ id: randomId(), type, token: randomId() + randomId() }));
}

async function createPendingAuthorization(
  tx: Tx,
  accountId: string,
  identifier: AuthorizationIdentifier,
  settings: AliasSettings,
  expiresAt: Date,
) {
  const challenges = challengesFor(identifier, settings);
  const id = randomId();
  await tx.authorization.create({
    data: {
      id,
      accountId,
      identifierType: identifier.type,
      identifierValue: identifier.value,
      wildcard: identifier.wildcard,
      expiresAt,
      challenges: { create: challenges },
    },
  });
  return id;
}

export type AuthorizationWithChallenges = Omit<AuthorizationRow, "status"> & { status: AuthorizationStatus };

/** The authorization if it belongs to the account; 404 otherwise. Expiry is applied on read. */
export async function getAuthorizationForAccount(
  db: Db,
  id: string,
  accountId: string,
  now: Date,
): Promise<AuthorizationWithChallenges> {
  const row = await selectAuthorization(db, id);
  if (!row || row.accountId !== accountId) throw AcmeProblem.notFound("Authorization");
  const status = effectiveAuthorizationStatus(row, now);
  if (status !== row.status) {
    await db.authorization.updateMany({ where: { id, status: row.status }, data: { status } });
  }
  return { ...row, status };
}

/** §7.5.2: a client may deactivate a pending or valid authorization; nothing else. */
export async function deactivateAuthorization(
  db: Db,
  authz: AuthorizationWithChallenges,
): Promise<AuthorizationWithChallenges> {
  if (authz.status !== "pending" && authz.status !== "valid") {
    throw AcmeProblem.malformed(
      `Authorization is ${authz.status}; only pending or valid authorizations can be deactivated`,
    );
  }
  const { count } = await db.authorization.updateMany({
    where: { id: authz.id, status: authz.status },
    data: { status: "deactivated" },
  });
  if (count !== 1) throw AcmeProblem.malformed("The authorization changed meanwhile; fetch it again");
  return { ...authz, status: "deactivated" };
}

/** §7.4.1 pre-authorization: one identifier, no wildcard, for an alias that allows it. */
export async function createPreAuthorization(
  db: Db,
  o: {
    account: AccountRecord;
    alias: ResolvedAlias;
    identifier: { type: string; value: string };
    now: Date;
  },
) {
  const settings = o.alias.settings;
  const [identifier] = checkIdentifiers([o.identifier], settings, { allowWildcard: false });
  // §6.6: the alias's rate limits, checked just before the write they guard.
  await assertNewAuthorizationAllowed(db, {
    alias: o.alias,
    account: o.account,
    identifier: identifier as Identifier,
    now: o.now,
  });
  const expiresAt = new Date(o.now.getTime() + orderValiditySeconds(settings) * 1000);
  const id = await db.$transaction((tx) =>
    createPendingAuthorization(
      tx,
      o.account.id,
      toAuthorizationIdentifier(identifier as Identifier),
      settings,
      expiresAt,
    ),
  );
  return getAuthorizationForAccount(db, id, o.account.id, o.now);
}
