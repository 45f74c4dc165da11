// Console users: create, change role, disable, reset and change passwords. Guards against
// locking everyone out: the last enabled administrator cannot be disabled or demoted.
import { recordAudit } from "@/lib/audit/record";
import { assertPermission, auditActorOf, type ConsoleActor, cliActorFor } from "@/lib/auth/actor";
import { generatePassword, hashPassword, verifyPassword } from "@/lib/auth/passwords";
import type { Role } from "@/lib/auth/permissions";
import { db, type Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { conflictProblem, invalidParamsProblem, notFoundProblem, zodProblem } from "@/lib/problem";
import type { ListQuery, Page } from "./schemas/common";
import { changePasswordBodySchema, createUserBodySchema, updateUserBodySchema } from "./schemas/users";

export type UserView = {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  mustChangePassword: boolean;
  lastLoginAt: string | null;
  createdAt: string;
};

type UserRow = Prisma.UserGetPayload<object>;

function toView(u: UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    mustChangePassword: u.mustChangePassword,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}

/** What the audit log keeps of a user: never the hash. */
function auditView(u: UserRow) {
  return { username: u.username, role: u.role, disabled: u.disabled };
}

export async function listUsers(o: { actor: ConsoleActor } & Partial<ListQuery>): Promise<Page<UserView>> {
  assertPermission(o.actor, "users.read");
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? 20;
  const where = o.q ? { username: { contains: o.q, mode: "insensitive" as const } } : {};
  const [rows, total] = await Promise.all([
    db().user.findMany({ where, orderBy: { username: "asc" }, skip: (page - 1) * pageSize, take: pageSize }),
    db().user.count({ where }),
  ]);
  return { items: rows.map(toView), total, page, pageSize };
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
    await recordAudit(tx, {
      actor: auditActorOf(o.actor),
      action:
        passwordHash && input.role === undefined && input.disabled === undefined
          ? "user.password_reset"
          : "user.updated",
      targetType: "user",
      targetId: row.id,
      details: {
        before: auditView(row),
        after: { ...auditView(updated), ...(passwordHash ? { passwordReset: true } : {}) },
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
  const passwordHash = await hashPassword(parsed.data.newPassword);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: row.id }, data: { passwordHash, mustChangePassword: false } });
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
