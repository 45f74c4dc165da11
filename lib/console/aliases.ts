// ACME aliases as the console shows and changes them (spec "Managing ACME Alias
// Configurations"): list and detail views, and create, store, clone, rename and delete, each
// checked against the actor's permission and handed to lib/ra/aliases.ts, which holds every alias
// rule and writes the change with its audit row.

import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { type Db, db, type Prisma } from "@/lib/db/client";
import { containsText } from "@/lib/db/text-filters";
import { notFoundProblem, zodProblem } from "@/lib/problem";
import {
  type AliasSettings,
  DEFAULT_ALIAS_SETTINGS,
  NOT_ENFORCED_ALIAS_FIELDS,
  type NotEnforcedAliasField,
  readAliasSettings,
} from "@/lib/ra/alias-settings";
import * as ra from "@/lib/ra/aliases";
import { eabRequirementWarning } from "@/lib/ra/eab-keys";
import { type AliasListQuery, aliasNameSchema, normalizeAliasSettingsInput } from "./schemas/aliases";
import type { Page, SortDirection } from "./schemas/common";

/** A protection the alias list flags: only ones the ACME side enforces today. */
export type AliasFlag = "eab" | "approvals" | "client-certificate";

export type AliasSummary = {
  id: string;
  name: string;
  configured: boolean;
  isDefault: boolean;
  /** Protections in force for this alias; a field that is not enforced yet never raises one. */
  flags: AliasFlag[];
  accountCount: number;
  updatedAt: string;
};

/** A stored setting that is allowed but has a consequence the operator should know of. */
export type AliasWarning = { field: keyof AliasSettings; message: string };

export type AliasDetail = AliasSummary & {
  settings: AliasSettings;
  /** Fields of `settings` that are stored but change nothing yet, each with the reason. */
  notEnforced: NotEnforcedAliasField[];
  /** e.g. "Require external account binding" with no usable EAB key: every registration is refused. */
  warnings: AliasWarning[];
  createdAt: string;
};

/**
 * The settings as the ACME side acts on them: every field that is not enforced yet at its
 * default (off), whatever is stored. Flags come from these, so a stored approval profile shows
 * no badge until something creates approval requests.
 */
function settingsInForce(settings: AliasSettings): AliasSettings {
  const inForce: Record<string, unknown> = { ...settings };
  for (const { field } of NOT_ENFORCED_ALIAS_FIELDS) inForce[field] = DEFAULT_ALIAS_SETTINGS[field];
  return inForce as AliasSettings;
}

function flagsOf(settings: AliasSettings): AliasFlag[] {
  const s = settingsInForce(settings);
  const flags: AliasFlag[] = [];
  if (s.requireExternalAccountBinding) flags.push("eab");
  if (s.registrationApprovalProfile !== null || s.keyChangeApprovalProfile !== null) flags.push("approvals");
  if (s.requireClientCertificate) flags.push("client-certificate");
  return flags;
}

function parseName(name: unknown, field: string): string {
  const parsed = aliasNameSchema.safeParse(name);
  if (!parsed.success) throw zodProblem(parsed.error, field);
  return parsed.data;
}

/** Form input (lists as text, "" for an empty optional field) in the shapes lib/ra checks. */
function formSettings(settings: Record<string, unknown>): Record<string, unknown> {
  return normalizeAliasSettingsInput(settings) as Record<string, unknown>;
}

async function defaultAliasId(tx: Pick<Db, "globalSettings">): Promise<string | null> {
  const row = await tx.globalSettings.findUnique({ where: { id: 1 }, select: { defaultAliasId: true } });
  return row?.defaultAliasId ?? null;
}

type AliasRow = {
  id: string;
  name: string;
  configured: boolean;
  settings: unknown;
  createdAt: Date;
  updatedAt: Date;
  _count?: { accounts: number };
};

function toSummary(row: AliasRow, defaultId: string | null): AliasSummary {
  const settings = readAliasSettings(row.settings);
  return {
    id: row.id,
    name: row.name,
    configured: row.configured,
    isDefault: row.id === defaultId,
    flags: flagsOf(settings),
    accountCount: row._count?.accounts ?? 0,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Each sortable column's order; ties go by name, so that paging is stable. */
function aliasOrder(
  sort: AliasListQuery["sort"],
  dir: SortDirection,
): Prisma.AliasOrderByWithRelationInput[] {
  switch (sort) {
    case "status":
      return [{ configured: dir }, { name: "asc" }];
    case "accounts":
      return [{ accounts: { _count: dir } }, { name: "asc" }];
    default:
      return [{ name: dir }];
  }
}

export async function listAliases(
  o: { actor: ConsoleActor } & Partial<AliasListQuery>,
): Promise<Page<AliasSummary>> {
  assertPermission(o.actor, "console.read");
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? 50;
  const where = o.q ? { name: containsText(o.q) } : {};
  const database = db();
  const [rows, total, defaultId] = await Promise.all([
    database.alias.findMany({
      where,
      orderBy: aliasOrder(o.sort ?? "name", o.dir ?? "asc"),
      skip: (page - 1) * pageSize,
      take: pageSize,
      include: { _count: { select: { accounts: true } } },
    }),
    database.alias.count({ where }),
    defaultAliasId(database),
  ]);
  return { items: rows.map((r) => toSummary(r, defaultId)), total, page, pageSize };
}

export async function getAlias(o: { actor: ConsoleActor; name: string }): Promise<AliasDetail> {
  assertPermission(o.actor, "console.read");
  const database = db();
  const row = await database.alias.findUnique({
    where: { name: o.name },
    include: { _count: { select: { accounts: true } } },
  });
  if (!row) throw notFoundProblem(`Alias "${o.name}"`);
  const defaultId = await defaultAliasId(database);
  const settings = readAliasSettings(row.settings);
  const eabWarning = await eabRequirementWarning(database, row.id, settings);
  return {
    ...toSummary(row, defaultId),
    settings,
    notEnforced: NOT_ENFORCED_ALIAS_FIELDS.map(({ field, reason }) => ({ field, reason })),
    warnings: eabWarning ? [{ field: "requireExternalAccountBinding", message: eabWarning }] : [],
    createdAt: row.createdAt.toISOString(),
  };
}

const changedBy = (actor: ConsoleActor) => ({ actor: auditActorOf(actor), ip: actor.ip });

/** A new alias with default settings; it serves ACME once its settings are stored. */
export async function createAlias(o: { actor: ConsoleActor; name: unknown }): Promise<AliasDetail> {
  assertPermission(o.actor, "aliases.manage");
  const name = parseName(o.name, "name");
  await ra.createAlias(db(), name, changedBy(o.actor));
  return getAlias({ actor: o.actor, name });
}

/** Stores an alias's settings: fields given replace the stored ones, the rest keep their value. */
export async function storeAliasSettings(o: {
  actor: ConsoleActor;
  name: string;
  settings: Record<string, unknown>;
}): Promise<AliasDetail> {
  assertPermission(o.actor, "aliases.manage");
  await ra.storeAliasSettings(db(), o.name, formSettings(o.settings), changedBy(o.actor));
  return getAlias({ actor: o.actor, name: o.name });
}

/** Create-or-store in one step (CLI `alias apply`, automation). */
export async function applyAlias(o: {
  actor: ConsoleActor;
  name: unknown;
  settings: Record<string, unknown>;
}): Promise<{ created: boolean; alias: AliasDetail }> {
  assertPermission(o.actor, "aliases.manage");
  const name = parseName(o.name, "name");
  const { created } = await ra.applyAlias(db(), name, formSettings(o.settings), changedBy(o.actor));
  return { created, alias: await getAlias({ actor: o.actor, name }) };
}

/** A copy of an alias's settings under a new name; stored if the original was. */
export async function cloneAlias(o: {
  actor: ConsoleActor;
  name: string;
  newName: unknown;
}): Promise<AliasDetail> {
  assertPermission(o.actor, "aliases.manage");
  const newName = parseName(o.newName, "newName");
  await ra.cloneAlias(db(), o.name, newName, changedBy(o.actor));
  return getAlias({ actor: o.actor, name: newName });
}

/** A new name; accounts and the default marker stay with the alias. */
export async function renameAlias(o: {
  actor: ConsoleActor;
  name: string;
  newName: unknown;
}): Promise<AliasDetail> {
  assertPermission(o.actor, "aliases.manage");
  const newName = parseName(o.newName, "newName");
  await ra.renameAlias(db(), o.name, newName, changedBy(o.actor));
  return getAlias({ actor: o.actor, name: newName });
}

/** Deletes an alias that no ACME account uses. */
export async function deleteAlias(o: { actor: ConsoleActor; name: string }): Promise<void> {
  assertPermission(o.actor, "aliases.manage");
  await ra.deleteAlias(db(), o.name, changedBy(o.actor));
}
