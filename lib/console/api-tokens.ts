// API tokens: created by an administrator for a role, shown once, revocable. A token acts with
// the lower of its own role and its owner's current role (only what both allow, read on every
// request), cannot be created with a role that allows more than its owner's, and stops working
// when revoked, expired, or when the user who created it is disabled.
import { recordAudit } from "@/lib/audit/record";
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { generateApiToken } from "@/lib/auth/api-tokens";
import {
  type Permission,
  permissionsBeyond,
  ROLE_PERMISSIONS,
  type Role,
  rolesWithin,
} from "@/lib/auth/permissions";
import { db, type Prisma } from "@/lib/db/client";
import { containsText } from "@/lib/db/text-filters";
import { conflictProblem, invalidParamsProblem, notFoundProblem, zodProblem } from "@/lib/problem";
import { type ApiTokenListQuery, createApiTokenBodySchema } from "./schemas/api-tokens";
import type { Page, SortDirection } from "./schemas/common";

export type ApiTokenView = {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdBy: string;
  /** The owner's current role; the token acts only with what both roles allow. */
  ownerRole: Role;
  /** Whether the owner's current role takes away some of what the token's role allows. */
  limitedByOwner: boolean;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  status: "active" | "expired" | "revoked";
};

const TOKEN_INCLUDE = { createdBy: { select: { username: true, role: true } } } as const;
type TokenRow = Prisma.ApiTokenGetPayload<{ include: typeof TOKEN_INCLUDE }>;

function toView(t: TokenRow, now = new Date()): ApiTokenView {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    prefix: t.prefix,
    createdBy: t.createdBy.username,
    ownerRole: t.createdBy.role,
    limitedByOwner: permissionsBeyond(t.role, ROLE_PERMISSIONS[t.createdBy.role]).length > 0,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    status: t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt <= now ? "expired" : "active",
  };
}

/** Each sortable column's order; ties go by creation, newest first, then id (stable paging). */
function tokenOrder(
  sort: ApiTokenListQuery["sort"],
  dir: SortDirection,
): Prisma.ApiTokenOrderByWithRelationInput[] {
  const ties: Prisma.ApiTokenOrderByWithRelationInput[] = [{ createdAt: "desc" }, { id: "asc" }];
  switch (sort) {
    case "name":
      return [{ name: dir }, ...ties];
    case "role":
      return [{ role: dir }, ...ties];
    // Ascending: tokens in use first (not revoked), the most recently revoked next.
    case "status":
      return [
        { revokedAt: { sort: dir === "asc" ? "desc" : "asc", nulls: dir === "asc" ? "first" : "last" } },
        ...ties,
      ];
    case "expires":
      return [{ expiresAt: { sort: dir, nulls: "last" } }, ...ties];
    case "lastUsed":
      return [{ lastUsedAt: { sort: dir, nulls: "last" } }, ...ties];
    default:
      return [{ createdAt: dir }, { id: "asc" }];
  }
}

export async function listApiTokens(
  o: { actor: ConsoleActor } & Partial<ApiTokenListQuery>,
): Promise<Page<ApiTokenView>> {
  assertPermission(o.actor, "tokens.read");
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? 20;
  // A name or owner containing the search, as typed (% and _ are literal).
  const where: Prisma.ApiTokenWhereInput = o.q
    ? { OR: [{ name: containsText(o.q) }, { createdBy: { username: containsText(o.q) } }] }
    : {};
  const [rows, total] = await Promise.all([
    db().apiToken.findMany({
      where,
      orderBy: tokenOrder(o.sort ?? "status", o.dir ?? "asc"),
      skip: (page - 1) * pageSize,
      take: pageSize,
      include: TOKEN_INCLUDE,
    }),
    db().apiToken.count({ where }),
  ]);
  return { items: rows.map((r) => toView(r)), total, page, pageSize };
}

/**
 * Creates a token and returns it once. `ownerUsername` names the user it belongs to when the
 * actor is not a user (the command line); otherwise the token belongs to the acting user.
 */
export async function createApiToken(o: {
  actor: ConsoleActor;
  input: unknown;
  ownerUsername?: string;
}): Promise<{ token: string; apiToken: ApiTokenView }> {
  assertPermission(o.actor, "tokens.manage");
  const parsed = createApiTokenBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  const { name, role, expiresInDays } = parsed.data;
  const owner = o.ownerUsername
    ? await db().user.findUnique({ where: { username: o.ownerUsername } })
    : o.actor.userId
      ? await db().user.findUnique({ where: { id: o.actor.userId } })
      : null;
  if (!owner) {
    throw invalidParamsProblem([
      {
        name: "user",
        reason: o.ownerUsername
          ? `User "${o.ownerUsername}" does not exist`
          : "A token must belong to a user",
      },
    ]);
  }
  if (owner.disabled) throw conflictProblem(`User "${owner.username}" is disabled`, "user");
  assertTokenRoleWithin(role, owner, o.actor);
  const { token, tokenHash, prefix } = generateApiToken();
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
  const row = await db().$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: { name, role, tokenHash, prefix, createdById: owner.id, expiresAt },
      include: TOKEN_INCLUDE,
    });
    await recordAudit(tx, {
      actor: auditActorOf(o.actor),
      action: "token.created",
      targetType: "token",
      targetId: created.id,
      details: {
        before: null,
        after: { name, role, prefix, owner: owner.username, expiresAt: expiresAt?.toISOString() ?? null },
      },
      ip: o.actor.ip,
    });
    return created;
  });
  return { token, apiToken: toView(row) };
}

/**
 * A token may not be given a role that allows anything its owner's role does not (it would act
 * with the lower of the two anyway, but the console would show a role it cannot use); nor may a
 * token create one that could do more than itself.
 */
function assertTokenRoleWithin(
  role: Role,
  owner: { username: string; role: Role },
  actor: ConsoleActor,
): void {
  const ceilings: { allowed: readonly Permission[]; whose: string }[] = [
    { allowed: ROLE_PERMISSIONS[owner.role], whose: `its owner "${owner.username}" (${owner.role})` },
    ...(actor.kind === "token" ? [{ allowed: actor.permissions, whose: "the token creating it" }] : []),
  ];
  for (const { allowed, whose } of ceilings) {
    const beyond = permissionsBeyond(role, allowed);
    if (beyond.length === 0) continue;
    throw invalidParamsProblem([
      {
        name: "role",
        reason: `A token cannot allow more than ${whose}: the ${role} role would add ${beyond.join(", ")}. Allowed: ${rolesWithin(allowed).join(", ") || "none"}`,
      },
    ]);
  }
}

export async function revokeApiToken(o: { actor: ConsoleActor; id: string }): Promise<ApiTokenView> {
  assertPermission(o.actor, "tokens.manage");
  const row = await db().$transaction(async (tx) => {
    const before = await tx.apiToken.findUnique({ where: { id: o.id } });
    if (!before) throw notFoundProblem("API token");
    if (before.revokedAt) throw conflictProblem(`Token "${before.name}" is already revoked`);
    const updated = await tx.apiToken.update({
      where: { id: o.id },
      data: { revokedAt: new Date() },
      include: TOKEN_INCLUDE,
    });
    await recordAudit(tx, {
      actor: auditActorOf(o.actor),
      action: "token.revoked",
      targetType: "token",
      targetId: o.id,
      details: {
        before: { name: before.name, revokedAt: null },
        after: { name: before.name, revokedAt: updated.revokedAt?.toISOString() },
      },
      ip: o.actor.ip,
    });
    return updated;
  });
  return toView(row);
}
