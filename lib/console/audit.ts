// Reading the audit log: filters by actor, action, target and date range, sorted (newest first by
// default); exported as CSV or JSON lines with the same filters. Actors are shown by name
// (username, token name) next to their stored "user:<id>" form.

import { assertPermission, type ConsoleActor } from "@/lib/auth/actor";
import { db, type Prisma } from "@/lib/db/client";
import { startsWithText } from "@/lib/db/text-filters";
import type { AuditExportFormat, AuditFilter, AuditQuery } from "./schemas/audit";
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

const DAY_MS = 86_400_000;

/** The start of the day after `day` when it is a bare date: "to 2027-01-31" includes that day. */
function endOfWindow(day: string): Date {
  const at = new Date(day);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(at.getTime() + DAY_MS) : at;
}

async function auditWhere(filter: Partial<AuditFilter>): Promise<Prisma.AuditEventWhereInput> {
  const where: Prisma.AuditEventWhereInput = {};
  if (filter.actor) where.actor = await actorFilter(filter.actor);
  if (filter.action)
    where.action = filter.action.endsWith(".") ? startsWithText(filter.action) : filter.action;
  if (filter.targetType) where.targetType = filter.targetType;
  if (filter.targetId) where.targetId = filter.targetId;
  if (filter.from || filter.to)
    where.createdAt = {
      ...(filter.from ? { gte: new Date(filter.from) } : {}),
      ...(filter.to ? { lt: endOfWindow(filter.to) } : {}),
    };
  return where;
}

/** Each sortable column's order; ties go by id (the order events were recorded in). */
function auditOrder(
  sort: AuditFilter["sort"],
  dir: "asc" | "desc",
): Prisma.AuditEventOrderByWithRelationInput[] {
  switch (sort) {
    case "action":
      return [{ action: dir }, { id: "desc" }];
    case "object":
      return [{ targetType: dir }, { targetId: { sort: dir, nulls: "last" } }, { id: "desc" }];
    default:
      return [{ id: dir }];
  }
}

type AuditRow = Awaited<ReturnType<ReturnType<typeof db>["auditEvent"]["findMany"]>>[number];

function toView(r: AuditRow, names: Map<string, string>): AuditEventView {
  return {
    id: r.id.toString(),
    createdAt: r.createdAt.toISOString(),
    actor: r.actor,
    actorName: names.get(r.actor) ?? r.actor,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    targetName: r.targetId ? (names.get(`${r.targetType}:${r.targetId}`) ?? nameInDetails(r.details)) : null,
    details: r.details,
    ip: r.ip,
    requestId: r.requestId,
  };
}

export async function listAuditEvents(o: {
  actor: ConsoleActor;
  filter?: Partial<AuditQuery>;
}): Promise<Page<AuditEventView>> {
  assertPermission(o.actor, "audit.read");
  const filter = o.filter ?? {};
  const page = filter.page ?? 1;
  const pageSize = filter.pageSize ?? 50;
  const where = await auditWhere(filter);
  const [rows, total] = await Promise.all([
    db().auditEvent.findMany({
      where,
      orderBy: auditOrder(filter.sort ?? "when", filter.dir ?? "desc"),
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    db().auditEvent.count({ where }),
  ]);
  const names = await resolveNames(rows);
  return { items: rows.map((r) => toView(r, names)), total, page, pageSize };
}

// Rows read per query while exporting: the export never holds more than this in memory.
const EXPORT_BATCH_SIZE = 500;

const CSV_COLUMNS = [
  "id",
  "createdAt",
  "actor",
  "actorName",
  "action",
  "targetType",
  "targetId",
  "targetName",
  "ip",
  "requestId",
  "details",
] as const;

/**
 * One CSV field (RFC 4180 §2: quoted when it holds a comma, quote or line break, quotes doubled).
 * A field a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading "'"
 * (OWASP "CSV injection"): the log holds text that clients and operators typed.
 */
function csvField(value: string | null): string {
  if (value === null) return "";
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(e: AuditEventView): string {
  const details = e.details === null || e.details === undefined ? null : JSON.stringify(e.details);
  const record: Record<(typeof CSV_COLUMNS)[number], string | null> = { ...e, details };
  return `${CSV_COLUMNS.map((c) => csvField(record[c])).join(",")}\r\n`;
}

export type AuditExport = { filename: string; contentType: string; lines: AsyncIterable<string> };

/**
 * The audit log as the filters select it — every page, newest first — as CSV (a header line, then
 * one event a line) or JSON lines (one event object a line). Read in batches by id, so an export
 * of the whole log streams without loading it, and events recorded meanwhile do not shift it.
 */
export async function exportAuditEvents(o: {
  actor: ConsoleActor;
  filter: Partial<AuditFilter>;
  format: AuditExportFormat;
  now?: Date;
}): Promise<AuditExport> {
  assertPermission(o.actor, "audit.read");
  const where = await auditWhere(o.filter);
  const stamp = (o.now ?? new Date()).toISOString().replace(/[:.]/g, "-");
  async function* lines(): AsyncGenerator<string> {
    if (o.format === "csv") yield `${CSV_COLUMNS.join(",")}\r\n`;
    let before: bigint | undefined;
    for (;;) {
      const rows = await db().auditEvent.findMany({
        where: before === undefined ? where : { AND: [where, { id: { lt: before } }] },
        orderBy: { id: "desc" },
        take: EXPORT_BATCH_SIZE,
      });
      if (rows.length === 0) return;
      const names = await resolveNames(rows);
      for (const row of rows) {
        const view = toView(row, names);
        yield o.format === "csv" ? csvLine(view) : `${JSON.stringify(view)}\n`;
      }
      before = rows[rows.length - 1]?.id;
      if (rows.length < EXPORT_BATCH_SIZE) return;
    }
  }
  return o.format === "csv"
    ? { filename: `audit-${stamp}.csv`, contentType: "text/csv; charset=utf-8", lines: lines() }
    : { filename: `audit-${stamp}.jsonl`, contentType: "application/jsonl; charset=utf-8", lines: lines() };
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

/** Every object type the log holds, for the object filter's choices (one GROUP BY). */
export async function listAuditTargetTypes(o: { actor: ConsoleActor }): Promise<string[]> {
  assertPermission(o.actor, "audit.read");
  const rows = await db().auditEvent.groupBy({ by: ["targetType"], orderBy: { targetType: "asc" } });
  return rows.map((r) => r.targetType);
}
