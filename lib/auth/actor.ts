// Who performs a console operation. Every lib/console service takes one, checks its permission
// (the edge has checked too: defence in depth, and the CLI goes through the same services) and
// writes it into the audit row of the change.

import type { AuditActor } from "@/lib/audit/record";
import {
  commonPermissions,
  hasPermission,
  type Permission,
  ROLE_PERMISSIONS,
  type Role,
} from "@/lib/auth/permissions";
import { AcmeProblem } from "@/lib/problem";

export type ConsoleActor = {
  /** A signed-in user, an API token, or the local command line (scripts/keyward.ts). */
  kind: "user" | "token" | "cli";
  /** The user's or the token's id; "cli" for the command line. */
  id: string;
  /** The user acting: the signed-in user, or the user who created the token. */
  userId: string | null;
  /** Username or token name, for messages. */
  name: string;
  /** The user's role; for a token, the role it was created with. */
  role: Role;
  /**
   * What the actor may do now. A user: their role's permissions. A token: only what both its own
   * role and its owner's current role allow, so demoting or disabling a user reaches their tokens
   * on the next request.
   */
  permissions: readonly Permission[];
  /** A token's owner as of this request. */
  owner?: { username: string; role: Role };
  /** A signed-in user's session row (lib/auth/sessions.ts). */
  sessionId?: string;
  ip?: string;
};

/** The command line runs with the rights of whoever can read the database: an administrator. */
export const CLI_ACTOR: ConsoleActor = {
  kind: "cli",
  id: "cli",
  userId: null,
  name: "command line",
  role: "administrator",
  permissions: ROLE_PERMISSIONS.administrator,
};

/**
 * The command line acting as a named user, where the person matters: an approval decision is a
 * person's (lib/ra/approvals.ts counts each person once), so `keyward approval approve` names one.
 */
export function cliActorFor(user: { id: string; username: string; role: Role }): ConsoleActor {
  return {
    kind: "cli",
    id: "cli",
    userId: user.id,
    name: user.username,
    role: user.role,
    permissions: ROLE_PERMISSIONS[user.role],
  };
}

/** A signed-in user, with their role as stored now. */
export function userActor(user: { id: string; username: string; role: Role }, ip?: string): ConsoleActor {
  return {
    kind: "user",
    id: user.id,
    userId: user.id,
    name: user.username,
    role: user.role,
    permissions: ROLE_PERMISSIONS[user.role],
    ip,
  };
}

/** An API token acting for its owner: the lower of the token's role and the owner's current role. */
export function tokenActor(
  token: { id: string; name: string; role: Role },
  owner: { id: string; username: string; role: Role },
  ip?: string,
): ConsoleActor {
  return {
    kind: "token",
    id: token.id,
    userId: owner.id,
    name: token.name,
    role: token.role,
    permissions: commonPermissions(token.role, owner.role),
    owner: { username: owner.username, role: owner.role },
    ip,
  };
}

export function auditActorOf(actor: ConsoleActor): AuditActor {
  if (actor.kind === "user") return `user:${actor.id}`;
  if (actor.kind === "token") return `token:${actor.id}`;
  return actor.userId ? `user:${actor.userId}` : "system";
}

export function actorCan(actor: ConsoleActor, permission: Permission): boolean {
  return actor.permissions.includes(permission);
}

/** Whether the actor has at least one of `permissions`. */
export function actorCanAny(actor: ConsoleActor, permissions: readonly Permission[]): boolean {
  return permissions.some((p) => actor.permissions.includes(p));
}

/** 403 naming whose role is missing `permission`: the actor's own, or a token owner's. */
export function permissionDeniedProblem(actor: ConsoleActor, permission: Permission): AcmeProblem {
  const owner = actor.owner;
  const detail =
    owner && hasPermission(actor.role, permission) && !hasPermission(owner.role, permission)
      ? `This token acts for "${owner.username}", whose ${owner.role} role does not allow this (${permission} is required)`
      : `The ${actor.role} role does not allow this (${permission} is required)`;
  return AcmeProblem.unauthorized(detail, { extra: { requiredPermission: permission } });
}

export function assertPermission(actor: ConsoleActor, permission: Permission): void {
  if (!actorCan(actor, permission)) throw permissionDeniedProblem(actor, permission);
}
