// Redeemed anti-replay nonces (RFC 8555 §6.5): a row per nonce accepted, kept until the nonce
// would have expired anyway. The primary key makes redemption single-use across instances.
import type { Db } from "../client";
import { execute, statement } from "../statements";

const INSERT_REDEEMED = statement(
  "nonce_redeem",
  `INSERT INTO "RedeemedNonce" ("value", "expiresAt") VALUES ($1, $2::timestamp(3))
   ON CONFLICT ("value") DO NOTHING`,
);

/** Records `nonce` as used; false when some request (in any instance) already used it. */
export async function insertRedeemedNonce(db: Db, nonce: string, expiresAt: Date): Promise<boolean> {
  return (await execute(db, INSERT_REDEEMED, [nonce, expiresAt])) === 1;
}

/** Deletes the records of nonces expired before `now`; returns how many. */
export async function deleteExpiredNonces(db: Db, now: Date): Promise<number> {
  const { count } = await db.redeemedNonce.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
