// Checks a username and password against the users table. Used by the next-auth credentials
// provider; audited either way, so that the audit log shows failed sign-ins too.
import { recordAudit } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { dummyPasswordHash, verifyPassword } from "./passwords";
import type { Role } from "./permissions";

export type SignedInUser = { id: string; username: string; role: Role; mustChangePassword: boolean };

export async function verifyCredentials(
  database: Db,
  input: { username: string; password: string; ip?: string },
): Promise<SignedInUser | null> {
  const username = input.username.trim();
  const user = username ? await database.user.findUnique({ where: { username } }) : null;
  // Same work whether or not the user exists: no username enumeration by timing.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok || user.disabled) {
    await recordAudit(database, {
      actor: user ? `user:${user.id}` : "system",
      action: "user.sign_in_failed",
      targetType: "user",
      targetId: user?.id,
      details: {
        username: username.slice(0, 64),
        reason: !user ? "unknown user" : !ok ? "wrong password" : "user disabled",
      },
      ip: input.ip,
    });
    return null;
  }
  await database.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
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
