// Who performs a console operation. Every lib/console service takes one, checks its permission
// (the edge has checked too: defence in depth, and the CLI goes through the same services) and
// writes it into the audit row of the change.

import type { AuditActor } from "@/lib/audit/record";
import { hasPermission, type Permission, type Role } from "@/lib/auth/permissions";
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
  role: Role;
  ip?: string;
};

/** The command line runs with the rights of whoever can read the database: an administrator. */
export const CLI_ACTOR: ConsoleActor = {
  kind: "cli",
  id: "cli",
  userId: null,
  name: "command line",
  role: "administrator",
};

export function auditActorOf(actor: ConsoleActor): AuditActor {
  if (actor.kind === "user") return `user:${actor.id}`;
  if (actor.kind === "token") return `token:${actor.id}`;
  return "system";
}

export function assertPermission(actor: ConsoleActor, permission: Permission): void {
  if (!hasPermission(actor.role, permission)) {
    throw AcmeProblem.unauthorized(`The ${actor.role} role does not allow this (${permission} is required)`, {
      extra: { requiredPermission: permission },
    });
  }
}
