// Console users: create, change role, disable, reset and change passwords. Guards against
// locking everyone out: the last enabled administrator cannot be disabled or demoted.
import { recordAudit } from "@/lib/audit/record";
import { assertPermission, auditActorOf, type ConsoleActor, cliActorFor } from "@/lib/auth/actor";
import { passwordWeakness } from "@/lib/auth/password-strength";
import { generatePassword, hashPassword, verifyPassword } from "@/lib/auth/passwords";
import type { Role } from "@/lib/auth/permissions";
import { revokeUserSessions } from "@/lib/auth/sessions";
import { clearSignInFailures, userKey } from "@/lib/auth/throttle";
import { db, type Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { containsText } from "@/lib/db/text-filters";
import { conflictProblem, invalidParamsProblem, notFoundProblem, zodProblem } from "@/lib/problem";
import type { Page, SortDirection } from "./schemas/common";
import {
  changePasswordBodySchema,
  createUserBodySchema,
  type UserListQuery,
  updateUserBodySchema,
} from "./schemas/users";

export type UserView = {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  mustChangePassword: boolean;
  lastLoginAt: string | null;
  createdAt: string;
  /** Failed sign-ins counted against the user, and until when they are locked out (if they are). */
  signInLock: { failures: number; lockedUntil: string | null } | null;
};

type UserRow = Prisma.UserGetPayload<object>;
type ThrottleRow = { key: string; failures: number; lockedUntil: Date | null };

function toView(u: UserRow, throttle?: ThrottleRow, now = new Date()): UserView {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    mustChangePassword: u.mustChangePassword,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    signInLock: throttle
      ? {
          failures: throttle.failures,
          lockedUntil:
            throttle.lockedUntil && throttle.lockedUntil > now ? throttle.lockedUntil.toISOString() : null,
        }
      : null,
  };
}

async function throttlesOf(usernames: string[]): Promise<Map<string, ThrottleRow>> {
  const rows = await db().signInThrottle.findMany({ where: { key: { in: usernames.map(userKey) } } });
  return new Map(rows.map((r) => [r.key, r]));
}

/** What the audit log keeps of a user: never the hash. */
function auditView(u: UserRow) {
  return { username: u.username, role: u.role, disabled: u.disabled };
}

/** Each sortable column's order; ties go by username, so that paging is stable. */
function userOrder(sort: UserListQuery["sort"], dir: SortDirection): Prisma.UserOrderByWithRelationInput[] {
  switch (sort) {
    case "role":
      return [{ role: dir }, { username: "asc" }];
    case "status":
      return [{ disabled: dir }, { username: "asc" }];
    case "lastSignIn":
      // Never signed in sorts as the oldest.
      return [{ lastLoginAt: { sort: dir, nulls: dir === "asc" ? "first" : "last" } }, { username: "asc" }];
    default:
      return [{ username: dir }];
  }
}

export async function listUsers(
  o: { actor: ConsoleActor } & Partial<UserListQuery>,
): Promise<Page<UserView>> {
  assertPermission(o.actor, "users.read");
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? 20;
  const where = o.q ? { username: containsText(o.q) } : {};
  const [rows, total] = await Promise.all([
    db().user.findMany({
      where,
      orderBy: userOrder(o.sort ?? "username", o.dir ?? "asc"),
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    db().user.count({ where }),
  ]);
  const throttles = await throttlesOf(rows.map((r) => r.username));
  return { items: rows.map((r) => toView(r, throttles.get(userKey(r.username)))), total, page, pageSize };
}

/** Creates a user; without a password, a one-time one is generated and returned (shown once). */
export async function createUser(o: {
  actor: ConsoleActor;
  input: unknown;
}): Promise<{ user: UserView; oneTimePassword: string | null }> {
  assertPermission(o.actor, "users.manage");
  const parsed = createUserBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  const { username, role } = parsed.data;
  const oneTimePassword = parsed.data.password ? null : generatePassword();
  if (parsed.data.password !== undefined)
    await assertStrongPassword(parsed.data.password, "password", username);
  const passwordHash = await hashPassword(parsed.data.password ?? (oneTimePassword as string));
  try {
    const user = await db().$transaction(async (tx) => {
      if (await tx.user.findUnique({ where: { username }, select: { id: true } })) {
        throw conflictProblem(`A user named "${username}" already exists`, "username");
      }
      const created = await tx.user.create({
        data: { username, role, passwordHash, mustChangePassword: oneTimePassword !== null },
      });
      await recordAudit(tx, {
        actor: auditActorOf(o.actor),
        action: "user.created",
        targetType: "user",
        targetId: created.id,
        details: { before: null, after: auditView(created) },
        ip: o.actor.ip,
      });
      return created;
    });
    return { user: toView(user), oneTimePassword };
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflictProblem(`A user named "${username}" already exists`, "username");
    throw err;
  }
}

/** Refuses a password that is easy to guess (lib/auth/password-strength.ts), naming the field. */
async function assertStrongPassword(password: string, field: string, username: string): Promise<void> {
  const weakness = await passwordWeakness(password, [username]);
  if (weakness) throw invalidParamsProblem([{ name: field, reason: weakness }]);
}

async function enabledAdministratorsOtherThan(tx: Prisma.TransactionClient, id: string): Promise<number> {
  return tx.user.count({ where: { role: "administrator", disabled: false, id: { not: id } } });
}

/** Role change, disable/enable, password reset (returns the new one-time password once). */
export async function updateUser(o: {
  actor: ConsoleActor;
  username: string;
  input: unknown;
}): Promise<{ user: UserView; oneTimePassword: string | null }> {
  assertPermission(o.actor, "users.manage");
  const parsed = updateUserBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  const input = parsed.data;
  const oneTimePassword = input.resetPassword ? generatePassword() : null;
  const passwordHash = oneTimePassword ? await hashPassword(oneTimePassword) : undefined;
  const user = await db().$transaction(async (tx) => {
    const row = await tx.user.findUnique({ where: { username: o.username } });
    if (!row) throw notFoundProblem(`User "${o.username}"`);
    const demoted =
      input.role !== undefined && input.role !== "administrator" && row.role === "administrator";
    const disabling = input.disabled === true && !row.disabled && row.role === "administrator";
    if ((demoted || disabling) && (await enabledAdministratorsOtherThan(tx, row.id)) === 0) {
      throw conflictProblem(
        `"${row.username}" is the last enabled administrator; make another user an administrator first`,
        demoted ? "role" : "disabled",
      );
    }
    if (input.disabled === true && o.actor.kind === "user" && o.actor.id === row.id) {
      throw invalidParamsProblem([{ name: "disabled", reason: "You cannot disable yourself" }]);
    }
    const updated = await tx.user.update({
      where: { id: row.id },
      data: {
        role: input.role,
        disabled: input.disabled,
        ...(passwordHash ? { passwordHash, mustChangePassword: true } : {}),
      },
    });
    // Issue 15 item 5: a new role, a disabled account or a reset password ends the user's
    // sessions; they sign in again with what now holds.
    const roleChanged = input.role !== undefined && input.role !== row.role;
    const disabled = input.disabled === true && !row.disabled;
    if (roleChanged || disabled || passwordHash) await revokeUserSessions(tx, row.id);
    if (input.unlockSignIn) await clearSignInFailures(tx, [userKey(row.username)]);
    await recordAudit(tx, {
      actor: auditActorOf(o.actor),
      action:
        input.role === undefined && input.disabled === undefined
          ? passwordHash
            ? "user.password_reset"
            : input.unlockSignIn
              ? "user.sign_in_unlocked"
              : "user.updated"
          : "user.updated",
      targetType: "user",
      targetId: row.id,
      details: {
        before: auditView(row),
        after: {
          ...auditView(updated),
          ...(passwordHash ? { passwordReset: true } : {}),
          ...(input.unlockSignIn ? { signInUnlocked: true } : {}),
        },
      },
      ip: o.actor.ip,
    });
    return updated;
  });
  return { user: toView(user), oneTimePassword };
}

/** A signed-in user changes their own password (required after a one-time password). */
export async function changeOwnPassword(o: { actor: ConsoleActor; input: unknown }): Promise<void> {
  if (o.actor.kind !== "user")
    throw invalidParamsProblem([{ name: "body", reason: "Only a signed-in user can change their password" }]);
  const parsed = changePasswordBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  const row = await db().user.findUnique({ where: { id: o.actor.id } });
  if (!row) throw notFoundProblem("Your user");
  if (!(await verifyPassword(parsed.data.currentPassword, row.passwordHash))) {
    throw invalidParamsProblem([{ name: "currentPassword", reason: "This is not your current password" }]);
  }
  await assertStrongPassword(parsed.data.newPassword, "newPassword", row.username);
  const passwordHash = await hashPassword(parsed.data.newPassword);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: row.id }, data: { passwordHash, mustChangePassword: false } });
    // Every other session of the user ends; the one that changed the password goes on.
    await revokeUserSessions(tx, row.id, o.actor.sessionId);
    await recordAudit(tx, {
      actor: auditActorOf(o.actor),
      action: "user.password_changed",
      targetType: "user",
      targetId: row.id,
      ip: o.actor.ip,
    });
  });
}

/**
 * The command line acting as the enabled user `username` (`keyward approval approve --user`): a
 * decision belongs to a person, with that person's role.
 */
export async function cliActorForUser(username: string): Promise<ConsoleActor> {
  const user = await db().user.findUnique({ where: { username } });
  if (!user) throw notFoundProblem(`User "${username}"`);
  if (user.disabled) throw invalidParamsProblem([{ name: "user", reason: `User "${username}" is disabled` }]);
  return cliActorFor(user);
}
