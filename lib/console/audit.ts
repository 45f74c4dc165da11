// Reading the audit log: filters by actor, action and target, newest first. Actors are shown by
// name (username, token name) next to their stored "user:<id>" form.

import { assertPermission, type ConsoleActor } from "@/lib/auth/actor";
import { db, type Prisma } from "@/lib/db/client";
import { startsWithText } from "@/lib/db/text-filters";
import type { AuditQuery } from "./schemas/audit";
import type { Page } from "./schemas/common";

export type AuditEventView = {
  id: string;
  createdAt: string;
  actor: string;
  actorName: string;
  action: string;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  details: unknown;
  ip: string | null;
  /** The X-Request-Id of the request that caused it: its line in the server's log. */
  requestId: string | null;
};

async function actorFilter(actor: string): Promise<string> {
  if (/^(user|token|account):/.test(actor) || actor === "system") return actor;
  const user = await db().user.findUnique({ where: { username: actor }, select: { id: true } });
  return user ? `user:${user.id}` : actor;
}

export async function listAuditEvents(o: {
  actor: ConsoleActor;
  filter?: Partial<AuditQuery>;
}): Promise<Page<AuditEventView>> {
  assertPermission(o.actor, "audit.read");
  const filter = o.filter ?? {};
  const page = filter.page ?? 1;
  const pageSize = filter.pageSize ?? 50;
  const where: Prisma.AuditEventWhereInput = {};
  if (filter.actor) where.actor = await actorFilter(filter.actor);
  if (filter.action)
    where.action = filter.action.endsWith(".") ? startsWithText(filter.action) : filter.action;
  if (filter.targetType) where.targetType = filter.targetType;
  if (filter.targetId) where.targetId = filter.targetId;
  const [rows, total] = await Promise.all([
    db().auditEvent.findMany({ where, orderBy: { id: "desc" }, skip: (page - 1) * pageSize, take: pageSize }),
    db().auditEvent.count({ where }),
  ]);
  const names = await resolveNames(rows);
  return {
    items: rows.map((r) => ({
      id: r.id.toString(),
      createdAt: r.createdAt.toISOString(),
      actor: r.actor,
      actorName: names.get(r.actor) ?? r.actor,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      targetName: r.targetId
        ? (names.get(`${r.targetType}:${r.targetId}`) ?? nameInDetails(r.details))
        : null,
      details: r.details,
      ip: r.ip,
      requestId: r.requestId,
    })),
    total,
    page,
    pageSize,
  };
}

/**
 * The name an event recorded of its object (`name`, `username` before or after the change): what
 * is left to show of an object that has been deleted since, whose id no longer resolves.
 */
function nameInDetails(details: unknown): string | null {
  if (typeof details !== "object" || details === null) return null;
  const d = details as Record<string, unknown>;
  for (const part of [d.before, d.after, d]) {
    if (typeof part !== "object" || part === null) continue;
    const p = part as Record<string, unknown>;
    for (const key of ["name", "username"]) if (typeof p[key] === "string") return p[key] as string;
  }
  return null;
}

/** Audit actors ("user:<id>", "token:<id>") by name: usernames and "token <name>". */
export async function actorNames(actors: string[]): Promise<Map<string, string>> {
  return resolveNames(actors.map((actor) => ({ actor, targetType: "", targetId: null })));
}

/** Display names of actors (and of user, token and alias targets), keyed as stored. */
export async function resolveNames(
  rows: { actor: string; targetType: string; targetId: string | null }[],
): Promise<Map<string, string>> {
  const userIds = new Set<string>();
  const tokenIds = new Set<string>();
  const aliasIds = new Set<string>();
  for (const r of rows) {
    const [kind, id] = r.actor.split(":");
    if (kind === "user" && id) userIds.add(id);
    if (kind === "token" && id) tokenIds.add(id);
    if (r.targetType === "user" && r.targetId) userIds.add(r.targetId);
    if (r.targetType === "token" && r.targetId) tokenIds.add(r.targetId);
    if (r.targetType === "alias" && r.targetId) aliasIds.add(r.targetId);
  }
  const [users, tokens, aliases] = await Promise.all([
    db().user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true, username: true } }),
    db().apiToken.findMany({ where: { id: { in: [...tokenIds] } }, select: { id: true, name: true } }),
    db().alias.findMany({ where: { id: { in: [...aliasIds] } }, select: { id: true, name: true } }),
  ]);
  const names = new Map<string, string>();
  for (const u of users) {
    names.set(`user:${u.id}`, u.username);
  }
  for (const t of tokens) names.set(`token:${t.id}`, `token ${t.name}`);
  for (const a of aliases) names.set(`alias:${a.id}`, a.name);
  return names;
}

/**
 * Every action the log holds, for the action filter's suggestions (one GROUP BY, not a scan of
 * rows into memory).
 */
export async function listAuditActions(o: { actor: ConsoleActor }): Promise<string[]> {
  assertPermission(o.actor, "audit.read");
  const rows = await db().auditEvent.groupBy({ by: ["action"], orderBy: { action: "asc" } });
  return rows.map((r) => r.action);
}
