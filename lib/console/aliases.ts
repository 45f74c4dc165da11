// ACME aliases as the console manages them (spec "Managing ACME Alias Configurations"): list,
// create, store settings, clone, rename, delete; the default-alias rule; every change audited
// with before/after in the same transaction. The ACME side reads the same rows (lib/ra/aliases.ts).
import { recordAudit } from "@/lib/audit/record";
import { db, type Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { conflictProblem, notFoundProblem, zodProblem } from "@/lib/problem";
import {
  type AliasSettings,
  DEFAULT_ALIAS_SETTINGS,
  NOT_ENFORCED_ALIAS_FIELDS,
  type NotEnforcedAliasField,
  readAliasSettings,
} from "@/lib/ra/alias-settings";
import { assertPermission, auditActorOf, type ConsoleActor } from "./actor";
import { aliasNameSchema, aliasSettingsInputSchema } from "./schemas/aliases";
import type { ListQuery, Page } from "./schemas/common";

type Tx = Prisma.TransactionClient;

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

export type AliasDetail = AliasSummary & {
  settings: AliasSettings;
  /** Fields of `settings` that are stored but change nothing yet, each with the reason. */
  notEnforced: NotEnforcedAliasField[];
  createdAt: string;
};

/**
 * The settings as the ACME side acts on them: every field that is not enforced yet at its
 * default (off), whatever is stored. Flags come from these, so a stored "require client
 * certificate" shows no badge until something checks certificates.
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

async function defaultAliasId(tx: Pick<Tx, "globalSettings">): Promise<string | null> {
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

export async function listAliases(
  o: { actor: ConsoleActor } & Partial<ListQuery>,
): Promise<Page<AliasSummary>> {
  assertPermission(o.actor, "console.read");
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? 50;
  const where = o.q ? { name: { contains: o.q, mode: "insensitive" as const } } : {};
  const database = db();
  const [rows, total, defaultId] = await Promise.all([
    database.alias.findMany({
      where,
      orderBy: { name: "asc" },
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
  return {
    ...toSummary(row, defaultId),
    settings: readAliasSettings(row.settings),
    notEnforced: NOT_ENFORCED_ALIAS_FIELDS.map(({ field, reason }) => ({ field, reason })),
    createdAt: row.createdAt.toISOString(),
  };
}

/** Spec: when adding or removing an alias leaves exactly one, it becomes the default. */
async function makeSoleAliasDefault(tx: Tx, actor: ConsoleActor): Promise<void> {
  const remaining = await tx.alias.findMany({ select: { id: true, name: true }, take: 2 });
  if (remaining.length !== 1) return;
  const sole = remaining[0] as { id: string; name: string };
  const before = await defaultAliasId(tx);
  if (before === sole.id) return;
  await tx.globalSettings.update({ where: { id: 1 }, data: { defaultAliasId: sole.id } });
  await recordAudit(tx, {
    actor: auditActorOf(actor),
    action: "settings.updated",
    targetType: "settings",
    targetId: "acme",
    details: {
      before: { defaultAliasId: before },
      after: { defaultAliasId: sole.id },
      reason: "the only alias left",
    },
    ip: actor.ip,
  });
}

async function getRowOrThrow(tx: Tx, name: string) {
  const row = await tx.alias.findUnique({ where: { name } });
  if (!row) throw notFoundProblem(`Alias "${name}"`);
  return row;
}

function duplicate(name: string, field: string) {
  return conflictProblem(`An alias named "${name}" already exists`, field);
}

/**
 * A new alias with default settings. It does not serve ACME until its settings are stored once
 * (spec: "Before an ACME alias can be used it must be edited and stored").
 */
export async function createAlias(o: { actor: ConsoleActor; name: unknown }): Promise<AliasDetail> {
  assertPermission(o.actor, "aliases.manage");
  const name = parseName(o.name, "name");
  try {
    await db().$transaction(async (tx) => {
      if (await tx.alias.findUnique({ where: { name }, select: { id: true } })) throw duplicate(name, "name");
      const alias = await tx.alias.create({
        data: { name, configured: false, settings: DEFAULT_ALIAS_SETTINGS },
      });
      await recordAudit(tx, {
        actor: auditActorOf(o.actor),
        action: "alias.created",
        targetType: "alias",
        targetId: alias.id,
        details: { before: null, after: { name, configured: false } },
        ip: o.actor.ip,
      });
      await makeSoleAliasDefault(tx, o.actor);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(name, "name");
    throw err;
  }
  return getAlias({ actor: o.actor, name });
}

/**
 * Stores an alias's settings and marks it stored. Fields given replace the stored ones, fields
 * left out keep their value; the result must pass every field's rule, or nothing is stored.
 */
export async function storeAliasSettings(o: {
  actor: ConsoleActor;
  name: string;
  settings: Record<string, unknown>;
}): Promise<AliasDetail> {
  assertPermission(o.actor, "aliases.manage");
  await db().$transaction(async (tx) => {
    const row = await getRowOrThrow(tx, o.name);
    const before = readAliasSettings(row.settings);
    const parsed = aliasSettingsInputSchema.safeParse({ ...before, ...o.settings });
    if (!parsed.success) throw zodProblem(parsed.error, "settings");
    const after = parsed.data;
    await tx.alias.update({ where: { id: row.id }, data: { settings: after, configured: true } });
    const changedBefore: Record<string, unknown> = {};
    const changedAfter: Record<string, unknown> = {};
    for (const key of Object.keys(after) as (keyof AliasSettings)[]) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
        changedBefore[key] = before[key];
        changedAfter[key] = after[key];
      }
    }
    await recordAudit(tx, {
      actor: auditActorOf(o.actor),
      action: "alias.updated",
      targetType: "alias",
      targetId: row.id,
      details: {
        name: row.name,
        before: { ...changedBefore, configured: row.configured },
        after: { ...changedAfter, configured: true },
      } as Prisma.InputJsonValue,
      ip: o.actor.ip,
    });
  });
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
  // Validate before creating anything, so a refused file leaves no half-made alias behind.
  const parsed = aliasSettingsInputSchema.safeParse({ ...DEFAULT_ALIAS_SETTINGS, ...o.settings });
  if (!parsed.success) throw zodProblem(parsed.error, "settings");
  const exists = await db().alias.findUnique({ where: { name }, select: { id: true } });
  if (!exists) await createAlias({ actor: o.actor, name });
  const alias = await storeAliasSettings({ actor: o.actor, name, settings: o.settings });
  return { created: !exists, alias };
}

/** A copy of an alias's settings under a new name; stored if the original was. */
export async function cloneAlias(o: {
  actor: ConsoleActor;
  name: string;
  newName: unknown;
}): Promise<AliasDetail> {
  assertPermission(o.actor, "aliases.manage");
  const newName = parseName(o.newName, "newName");
  try {
    await db().$transaction(async (tx) => {
      const source = await getRowOrThrow(tx, o.name);
      if (await tx.alias.findUnique({ where: { name: newName }, select: { id: true } }))
        throw duplicate(newName, "newName");
      const settings = readAliasSettings(source.settings);
      const copy = await tx.alias.create({
        data: { name: newName, configured: source.configured, settings },
      });
      await recordAudit(tx, {
        actor: auditActorOf(o.actor),
        action: "alias.cloned",
        targetType: "alias",
        targetId: copy.id,
        details: {
          from: { id: source.id, name: source.name },
          before: null,
          after: { name: newName, configured: source.configured },
        },
        ip: o.actor.ip,
      });
      await makeSoleAliasDefault(tx, o.actor);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(newName, "newName");
    throw err;
  }
  return getAlias({ actor: o.actor, name: newName });
}

/** A new name; accounts and the default marker stay with the alias (they refer to its id). */
export async function renameAlias(o: {
  actor: ConsoleActor;
  name: string;
  newName: unknown;
}): Promise<AliasDetail> {
  assertPermission(o.actor, "aliases.manage");
  const newName = parseName(o.newName, "newName");
  if (newName === o.name) return getAlias({ actor: o.actor, name: o.name });
  try {
    await db().$transaction(async (tx) => {
      const row = await getRowOrThrow(tx, o.name);
      if (await tx.alias.findUnique({ where: { name: newName }, select: { id: true } }))
        throw duplicate(newName, "newName");
      await tx.alias.update({ where: { id: row.id }, data: { name: newName } });
      await recordAudit(tx, {
        actor: auditActorOf(o.actor),
        action: "alias.renamed",
        targetType: "alias",
        targetId: row.id,
        details: { before: { name: row.name }, after: { name: newName } },
        ip: o.actor.ip,
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(newName, "newName");
    throw err;
  }
  return getAlias({ actor: o.actor, name: newName });
}

/**
 * Deletes an alias. Refused while ACME accounts belong to it (they would lose their alias). If
 * it was the default, the default is cleared, unless exactly one alias is left, which becomes it.
 */
export async function deleteAlias(o: { actor: ConsoleActor; name: string }): Promise<void> {
  assertPermission(o.actor, "aliases.manage");
  await db().$transaction(async (tx) => {
    const row = await getRowOrThrow(tx, o.name);
    const accounts = await tx.account.count({ where: { aliasId: row.id } });
    if (accounts > 0) {
      throw conflictProblem(
        `Alias "${row.name}" has ${accounts} ACME account${accounts === 1 ? "" : "s"}; it cannot be deleted while accounts use it`,
      );
    }
    const wasDefault = (await defaultAliasId(tx)) === row.id;
    if (wasDefault) await tx.globalSettings.update({ where: { id: 1 }, data: { defaultAliasId: null } });
    await tx.alias.delete({ where: { id: row.id } });
    await recordAudit(tx, {
      actor: auditActorOf(o.actor),
      action: "alias.deleted",
      targetType: "alias",
      targetId: row.id,
      details: {
        before: {
          name: row.name,
          configured: row.configured,
          isDefault: wasDefault,
          settings: readAliasSettings(row.settings),
        },
        after: null,
      } as Prisma.InputJsonValue,
      ip: o.actor.ip,
    });
    await makeSoleAliasDefault(tx, o.actor);
  });
}
