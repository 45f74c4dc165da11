// Sign-in throttling (issue 15 item 6), held in PostgreSQL so that it holds across instances.
// Failures are counted per username and per client address. Past its free failures, each
// failure makes the key's next attempt wait longer (doubling up to MAX_DELAY_MS); a username
// that reaches LOCK_AFTER_FAILURES is locked for LOCK_MS, which an administrator can lift. An
// address is only slowed, never locked: many people may share one (a NAT), and locking it would
// let anyone lock them all out. An attempt that comes too soon or while locked is refused like a
// wrong password, without looking at the password, and counts as another failure. A successful
// sign-in clears the user's and the address's count.
import type { Db } from "@/lib/db/client";

type Policy = { freeFailures: number; lockAfterFailures: number | null };
const USER_POLICY: Policy = { freeFailures: 3, lockAfterFailures: 10 };
const ADDRESS_POLICY: Policy = { freeFailures: 10, lockAfterFailures: null };
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
const LOCK_MS = 15 * 60_000;

export type ThrottleVerdict =
  | { allowed: true }
  | { allowed: false; reason: "locked" | "too soon"; until: Date };

export const userKey = (username: string) => `user:${username}`;
export const addressKey = (ip: string) => `ip:${ip}`;

const policyOf = (key: string) => (key.startsWith("user:") ? USER_POLICY : ADDRESS_POLICY);

function delayAfter(failures: number, policy: Policy): number {
  if (failures <= policy.freeFailures) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (failures - policy.freeFailures - 1), MAX_DELAY_MS);
}

/** Whether a sign-in may be tried now for every one of `keys`. */
export async function checkSignInAllowed(db: Db, keys: string[], now = new Date()): Promise<ThrottleVerdict> {
  const rows = await db.signInThrottle.findMany({ where: { key: { in: keys } } });
  for (const row of rows) {
    if (row.lockedUntil && row.lockedUntil > now)
      return { allowed: false, reason: "locked", until: row.lockedUntil };
    const notBefore = new Date(row.lastFailureAt.getTime() + delayAfter(row.failures, policyOf(row.key)));
    if (notBefore > now) return { allowed: false, reason: "too soon", until: notBefore };
  }
  return { allowed: true };
}

/** One more failure for each key; locks a username that reaches its policy's limit. */
export async function recordSignInFailure(db: Db, keys: string[], now = new Date()): Promise<void> {
  for (const key of keys) {
    const row = await db.signInThrottle.upsert({
      where: { key },
      create: { key, failures: 1, lastFailureAt: now },
      update: { failures: { increment: 1 }, lastFailureAt: now },
    });
    const limit = policyOf(key).lockAfterFailures;
    if (limit !== null && row.failures >= limit && !(row.lockedUntil && row.lockedUntil > now)) {
      await db.signInThrottle.update({
        where: { key },
        data: { lockedUntil: new Date(now.getTime() + LOCK_MS) },
      });
    }
  }
}

export async function clearSignInFailures(db: Pick<Db, "signInThrottle">, keys: string[]): Promise<void> {
  await db.signInThrottle.deleteMany({ where: { key: { in: keys } } });
}
