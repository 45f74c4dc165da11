// The one check every console entry point runs on the server: who is asking (a session cookie
// or an API token) and whether their role allows it. Pages call requirePermission(); API routes
// go through withConsole (lib/console/api/with-console.ts), which calls authenticateRequest().
// The user row is read on every request, so a disabled user or a changed role counts at once,
// for their session and for their API tokens alike (a token acts with the lower of its own role
// and its owner's current role: lib/auth/actor.ts).
import "server-only";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { actorCan, type ConsoleActor, userActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { forwardedClientIp } from "@/lib/forwarded";
import { authenticateApiToken } from "./api-tokens";
import { authOptions, SIGN_IN_PATH } from "./options";
import type { Permission } from "./permissions";
import { findSessionUser } from "./sessions";

export type SessionActor = ConsoleActor & {
  kind: "user";
  sessionId: string;
  username: string;
  mustChangePassword: boolean;
};

/**
 * The signed-in, enabled user of this request, or null: the next-auth cookie must name a live
 * session row (lib/auth/sessions.ts), so a signed-out, replaced or revoked session is no session.
 */
export async function getSessionActor(ip?: string): Promise<SessionActor | null> {
  const session = await getServerSession(authOptions());
  const sid = session?.sid;
  if (!sid) return null;
  const user = await findSessionUser(db(), sid);
  if (!user || user.id !== session.user?.id) return null;
  return {
    ...userActor(user, ip),
    kind: "user",
    sessionId: sid,
    username: user.username,
    mustChangePassword: user.mustChangePassword,
  };
}

/** Set by proxy.ts on every request: the path and query of the page asked for. */
const REQUESTED_PATH_HEADER = "x-keyward-requested-path";

/**
 * Pages: the signed-in user, or a redirect to the sign-in page that brings the user back to the
 * page asked for, query included (`/audit?action=alias.` stays that, issue 16 item 8); the sign-in
 * page checks that it is a path of this console (lib/auth/redirects.ts). Then, if need be, to the
 * password change.
 */
export async function requireSession(
  opts: { allowPasswordChange?: boolean; callbackUrl?: string } = {},
): Promise<SessionActor> {
  const actor = await getSessionActor();
  if (!actor) {
    const back = (await headers()).get(REQUESTED_PATH_HEADER) ?? opts.callbackUrl;
    redirect(back && back !== "/" ? `${SIGN_IN_PATH}?callbackUrl=${encodeURIComponent(back)}` : SIGN_IN_PATH);
  }
  if (actor.mustChangePassword && !opts.allowPasswordChange) redirect("/change-password");
  return actor;
}

/** Pages: the signed-in user if their role allows `permission`; otherwise 403 (forbidden.tsx). */
export async function requirePermission(permission: Permission, callbackUrl?: string): Promise<SessionActor> {
  const actor = await requireSession({ callbackUrl });
  if (!actorCan(actor, permission)) forbidden();
  return actor;
}

/** API: "Authorization: Bearer kw_…" when present (and then only that), else the session cookie. */
export async function authenticateRequest(req: Request): Promise<ConsoleActor | SessionActor | null> {
  // The address server.ts resolved (a trusted proxy's X-Forwarded-For, else the socket's): never
  // what the client wrote itself (lib/forwarded.ts).
  const ip = forwardedClientIp(req.headers);
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    return match ? authenticateApiToken(match[1] as string, ip) : null;
  }
  return getSessionActor(ip);
}
