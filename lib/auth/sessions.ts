// Console sign-in sessions kept in PostgreSQL (issue 15 item 5). The next-auth cookie is a signed
// JWT that names its session row; the guard accepts it only while that row is unrevoked and
// unexpired, so ending a session takes effect on the next request, in every instance.
import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db/client";

export type SessionUser = {
  id: string;
  username: string;
  role: "administrator" | "approver" | "auditor";
  disabled: boolean;
  mustChangePassword: boolean;
};

/** A new session for a user who has just signed in; its id goes into the cookie. */
export async function createSession(
  db: Db,
  o: { userId: string; maxAgeSeconds: number; ip?: string },
): Promise<string> {
  const id = randomBytes(24).toString("base64url");
  await db.userSession.create({
    data: { id, userId: o.userId, expiresAt: new Date(Date.now() + o.maxAgeSeconds * 1000), ip: o.ip },
  });
  return id;
}

/** The user of a live session (unrevoked, unexpired, user enabled), or null. */
export async function findSessionUser(
  db: Db,
  sessionId: string,
  now = new Date(),
): Promise<SessionUser | null> {
  const session = await db.userSession.findUnique({
    where: { id: sessionId },
    select: {
      revokedAt: true,
      expiresAt: true,
      user: { select: { id: true, username: true, role: true, disabled: true, mustChangePassword: true } },
    },
  });
  if (!session || session.revokedAt || session.expiresAt <= now || session.user.disabled) return null;
  return session.user;
}

/** Sign-out: this session ends. */
export async function revokeSession(db: Pick<Db, "userSession">, sessionId: string): Promise<void> {
  await db.userSession.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}

/**
 * A password change, a reset, disabling or a role change: every session of the user ends, but
 * `keep` (the session that changed its own password goes on).
 */
export async function revokeUserSessions(
  db: Pick<Db, "userSession">,
  userId: string,
  keep?: string,
): Promise<number> {
  const { count } = await db.userSession.updateMany({
    where: { userId, revokedAt: null, ...(keep ? { id: { not: keep } } : {}) },
    data: { revokedAt: new Date() },
  });
  return count;
}
