// Checks a username and password against the users table, throttled per username and client
// address (lib/auth/throttle.ts). Used by the next-auth credentials provider; audited either way,
// so that the audit log shows failed, throttled and locked sign-ins too.
import { recordAudit } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { dummyPasswordHash, verifyPassword } from "./passwords";
import { type Role, USERNAME_PATTERN } from "./permissions";
import {
  addressKey,
  checkSignInAllowed,
  clearSignInFailures,
  recordSignInFailure,
  userKey,
} from "./throttle";

export type SignedInUser = { id: string; username: string; role: Role; mustChangePassword: boolean };

export async function verifyCredentials(
  database: Db,
  input: { username: string; password: string; ip?: string },
): Promise<SignedInUser | null> {
  // A name no user can have (a NUL byte, 500 characters…) is an unknown user: it is never looked
  // up, nor stored as a throttle key.
  const trimmed = input.username.trim();
  const username = USERNAME_PATTERN.test(trimmed) ? trimmed : "";
  const keys = [...(username ? [userKey(username)] : []), ...(input.ip ? [addressKey(input.ip)] : [])];
  const failed = async (userId: string | undefined, reason: string, extra: Record<string, string> = {}) => {
    await recordSignInFailure(database, keys);
    await recordAudit(database, {
      actor: userId ? `user:${userId}` : "system",
      action: "user.sign_in_failed",
      targetType: "user",
      targetId: userId,
      details: { username: username || "(not a username)", reason, ...extra },
      ip: input.ip,
    });
    return null;
  };

  // Throttled or locked: refused like a wrong password, without looking at the password.
  const verdict = await checkSignInAllowed(database, keys);
  if (!verdict.allowed) {
    const user = username
      ? await database.user.findUnique({ where: { username }, select: { id: true } })
      : null;
    return failed(user?.id, verdict.reason === "locked" ? "locked" : "throttled", {
      until: verdict.until.toISOString(),
    });
  }

  const user = username ? await database.user.findUnique({ where: { username } }) : null;
  // Same work whether or not the user exists: no username enumeration by timing.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok || user.disabled) {
    return failed(user?.id, !user ? "unknown user" : !ok ? "wrong password" : "user disabled");
  }
  await database.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    await clearSignInFailures(tx, keys);
    await recordAudit(tx, {
      actor: `user:${user.id}`,
      action: "user.signed_in",
      targetType: "user",
      targetId: user.id,
      ip: input.ip,
    });
  });
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    mustChangePassword: user.mustChangePassword,
  };
}
