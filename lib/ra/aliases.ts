// ACME aliases: several configurations served side by side (spec "Managing ACME Alias
// Configurations"). Every rule about aliases lives here or in alias-settings.ts (the pure rules of
// names and fields) — the first store, settings validated as a whole, approval profiles that must
// exist, a changed terms URL as a new terms version, the single-alias-becomes-default rule,
// deletion only without accounts — and every change goes through these functions (the console,
// its API and the CLI call them), in one transaction with its audit row.
import { type AuditActor, recordAudit } from "@/lib/audit/record";
import { assertAliasCaSettingsExist } from "@/lib/ca/chains";
import type { Db, Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { lockAliasByName } from "@/lib/db/sql/aliases";
import {
  type AcmeProblem,
  conflictProblem,
  invalidParamsProblem,
  notFoundProblem,
  zodProblem,
} from "@/lib/problem";
import { findUnstorableText, UNSTORABLE_TEXT_REASON } from "@/lib/text";
import {
  type AliasSettings,
  aliasNameProblem,
  aliasSettingsSchema,
  DEFAULT_ALIAS_SETTINGS,
  readAliasSettings,
} from "./alias-settings";
import { assertApprovalProfilesExist } from "./approval-profiles";
import { assertEndEntityProfileExists } from "./profiles";
import { recordTermsOfServiceChange } from "./terms";

type Tx = Prisma.TransactionClient;

/** Who changes an alias, for its audit row. */
export type ChangedBy = { actor: AuditActor; ip?: string };

export type ResolvedAlias = {
  id: string;
  name: string;
  configured: boolean;
  settings: AliasSettings;
  /** The newest terms-of-service version the alias published (lib/ra/terms.ts); null: none. */
  termsOfServiceVersion: number | null;
};

export const BOOTSTRAP_ALIAS_NAME = "default";

/** First start: one stored alias that is the default, so enabling ACME is all that is left to do. */
export async function ensureBootstrapAlias(db: Db): Promise<void> {
  await db.$transaction(async (tx) => {
    const settings = await tx.globalSettings.findUniqueOrThrow({ where: { id: 1 } });
    if (settings.defaultAliasId || (await tx.alias.count()) > 0) return;
    const alias = await tx.alias.create({
      data: { name: BOOTSTRAP_ALIAS_NAME, configured: true, settings: DEFAULT_ALIAS_SETTINGS },
    });
    await tx.globalSettings.update({ where: { id: 1 }, data: { defaultAliasId: alias.id } });
    await recordAudit(tx, {
      actor: "system",
      action: "alias.created",
      targetType: "alias",
      targetId: alias.id,
      details: { name: alias.name },
    });
  });
}

function assertAliasName(name: string, field: string): void {
  const problem = aliasNameProblem(name);
  if (problem) throw invalidParamsProblem([{ name: field, reason: problem }]);
}

/** Settings are stored as JSON, which cannot hold a NUL character or an unpaired surrogate. */
function assertStorableSettings(settings: Record<string, unknown>): void {
  const field = findUnstorableText(settings, ["settings"]);
  if (field) throw invalidParamsProblem([{ name: field, reason: UNSTORABLE_TEXT_REASON }]);
}

function duplicate(name: string, field: string): AcmeProblem {
  return conflictProblem(`An alias named "${name}" already exists`, field);
}

/** Runs `change`; a unique violation on the alias name becomes the duplicate-name problem. */
async function withUniqueName<T>(name: string, field: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(name, field);
    throw err;
  }
}

async function assertNameFree(tx: Tx, name: string, field: string): Promise<void> {
  if (await tx.alias.findUnique({ where: { name }, select: { id: true } })) throw duplicate(name, field);
}

async function getAliasRowOrThrow(tx: Tx, name: string) {
  const row = await tx.alias.findUnique({ where: { name } });
  if (!row) throw notFoundProblem(`Alias "${name}"`);
  return row;
}

async function defaultAliasId(tx: Pick<Tx, "globalSettings">): Promise<string | null> {
  const row = await tx.globalSettings.findUnique({ where: { id: 1 }, select: { defaultAliasId: true } });
  return row?.defaultAliasId ?? null;
}

/** Spec: when adding or removing an alias leaves exactly one, it becomes the default. */
async function makeSoleAliasDefault(tx: Tx, by: ChangedBy): Promise<void> {
  const remaining = await tx.alias.findMany({ select: { id: true }, take: 2 });
  if (remaining.length !== 1) return;
  const sole = (remaining[0] as { id: string }).id;
  const before = await defaultAliasId(tx);
  if (before === sole) return;
  await tx.globalSettings.update({ where: { id: 1 }, data: { defaultAliasId: sole } });
  await recordAudit(tx, {
    actor: by.actor,
    action: "settings.updated",
    targetType: "settings",
    targetId: "acme",
    details: {
      before: { defaultAliasId: before },
      after: { defaultAliasId: sole },
      reason: "the only alias left",
    },
    ip: by.ip,
  });
}

/**
 * A new alias with default settings. It does not serve ACME until its settings are stored once
 * (spec: "Before an ACME alias can be used it must be edited and stored").
 */
export async function createAlias(db: Db, name: string, by: ChangedBy): Promise<void> {
  assertAliasName(name, "name");
  await withUniqueName(name, "name", () =>
    db.$transaction(async (tx) => {
      await assertNameFree(tx, name, "name");
      const alias = await tx.alias.create({
        data: { name, configured: false, settings: DEFAULT_ALIAS_SETTINGS },
      });
      await recordAudit(tx, {
        actor: by.actor,
        action: "alias.created",
        targetType: "alias",
        targetId: alias.id,
        details: { before: null, after: { name, configured: false } },
        ip: by.ip,
      });
      await makeSoleAliasDefault(tx, by);
    }),
  );
}

/** The fields whose values differ, as before/after halves of an audit record. */
function changedFields(before: AliasSettings, after: AliasSettings) {
  const changed = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  for (const key of Object.keys(after) as (keyof AliasSettings)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      changed.before[key] = before[key];
      changed.after[key] = after[key];
    }
  }
  return changed;
}

/**
 * Stores an alias's settings and marks it stored. Fields given replace the stored ones, fields
 * left out keep their value; the result must pass every field's rule, or nothing is stored. The
 * alias row is locked from the read to the write, so concurrent stores of one alias cannot lose
 * each other's changes.
 */
export async function storeAliasSettings(
  db: Db,
  name: string,
  changes: Record<string, unknown>,
  by: ChangedBy,
): Promise<void> {
  assertStorableSettings(changes);
  await db.$transaction(async (tx) => {
    const row = await lockAliasByName(tx, name);
    if (!row) throw notFoundProblem(`Alias "${name}"`);
    await storeLockedAlias(tx, row, changes, by, { markStored: true });
  });
}

type LockedAliasRow = NonNullable<Awaited<ReturnType<typeof lockAliasByName>>>;

/** The store itself, under the caller's row lock; `markStored` makes the alias serve ACME. */
async function storeLockedAlias(
  tx: Tx,
  row: LockedAliasRow,
  changes: Record<string, unknown>,
  by: ChangedBy,
  o: { markStored: boolean },
): Promise<void> {
  const configured = o.markStored || row.configured;
  const before = readAliasSettings(row.settings);
  const parsed = aliasSettingsSchema.strict().safeParse({ ...before, ...changes });
  if (!parsed.success) throw zodProblem(parsed.error, "settings");
  const after = parsed.data;
  // Spec "Require approval for account registration/key change": an approval profile that exists.
  await assertApprovalProfilesExist(tx, after);
  // Spec "End Entity Profile": a profile that exists (issue 12 item 3).
  await assertEndEntityProfileExists(tx, after);
  // Spec "Preferred Root CA subject DN": a root that exists (issue 12 item 7).
  await assertAliasCaSettingsExist(tx, after);
  await tx.alias.update({ where: { id: row.id }, data: { settings: after, configured } });
  const changed = changedFields(before, after);
  await recordAudit(tx, {
    actor: by.actor,
    action: "alias.updated",
    targetType: "alias",
    targetId: row.id,
    details: {
      name: row.name,
      before: { ...changed.before, configured: row.configured },
      after: { ...changed.after, configured },
    } as Prisma.InputJsonValue,
    ip: by.ip,
  });
  // Spec "Terms of Service": a new terms URL is new terms, which accounts may have to agree to.
  await recordTermsOfServiceChange(tx, { aliasId: row.id, aliasName: row.name, before, after, by });
}

/**
 * Publishes new terms of service (spec "Terms of Service URL", "Changes of Terms of Service URL"):
 * the directory names the new URL from now on, and the new version is recorded with the time it
 * took effect. The URL must differ from the one in force: clients recognise new terms by their
 * URL (RFC 8555 §7.3.3 sends it as Link rel="terms-of-service").
 */
export async function publishTermsOfService(
  db: Db,
  name: string,
  terms: { url: string; changeUrl: string | null },
  by: ChangedBy,
): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await lockAliasByName(tx, name);
    if (!row) throw notFoundProblem(`Alias "${name}"`);
    if (readAliasSettings(row.settings).termsOfServiceUrl === terms.url) {
      throw invalidParamsProblem([
        {
          name: "url",
          reason:
            "These terms are already in force: publish new terms at a new URL (clients recognise new terms by their URL)",
        },
      ]);
    }
    // Publishing changes the terms only: an alias not stored yet does not start serving ACME.
    await storeLockedAlias(
      tx,
      row,
      { termsOfServiceUrl: terms.url, termsOfServiceChangeUrl: terms.changeUrl },
      by,
      { markStored: false },
    );
  });
}

/**
 * Create-or-store in one step (CLI `alias apply`, automation). The settings are checked before
 * anything is created, so a refused file leaves no half-made alias behind.
 */
export async function applyAlias(
  db: Db,
  name: string,
  settings: Record<string, unknown>,
  by: ChangedBy,
): Promise<{ created: boolean }> {
  assertAliasName(name, "name");
  assertStorableSettings(settings);
  const parsed = aliasSettingsSchema.strict().safeParse({ ...DEFAULT_ALIAS_SETTINGS, ...settings });
  if (!parsed.success) throw zodProblem(parsed.error, "settings");
  await db.$transaction(async (tx) => {
    await assertApprovalProfilesExist(tx, parsed.data);
    await assertEndEntityProfileExists(tx, parsed.data);
    await assertAliasCaSettingsExist(tx, parsed.data);
  });
  const exists = await db.alias.findUnique({ where: { name }, select: { id: true } });
  if (!exists) await createAlias(db, name, by);
  await storeAliasSettings(db, name, settings, by);
  return { created: !exists };
}

/** A copy of an alias's settings under a new name; stored if the original was. */
export async function cloneAlias(db: Db, name: string, newName: string, by: ChangedBy): Promise<void> {
  assertAliasName(newName, "newName");
  await withUniqueName(newName, "newName", () =>
    db.$transaction(async (tx) => {
      const source = await getAliasRowOrThrow(tx, name);
      await assertNameFree(tx, newName, "newName");
      const copy = await tx.alias.create({
        data: { name: newName, configured: source.configured, settings: readAliasSettings(source.settings) },
      });
      await recordAudit(tx, {
        actor: by.actor,
        action: "alias.cloned",
        targetType: "alias",
        targetId: copy.id,
        details: {
          from: { id: source.id, name: source.name },
          before: null,
          after: { name: newName, configured: source.configured },
        },
        ip: by.ip,
      });
      await makeSoleAliasDefault(tx, by);
    }),
  );
}

/** A new name; accounts and the default marker stay with the alias (they refer to its id). */
export async function renameAlias(db: Db, name: string, newName: string, by: ChangedBy): Promise<void> {
  assertAliasName(newName, "newName");
  if (newName === name) return;
  await withUniqueName(newName, "newName", () =>
    db.$transaction(async (tx) => {
      const row = await getAliasRowOrThrow(tx, name);
      await assertNameFree(tx, newName, "newName");
      await tx.alias.update({ where: { id: row.id }, data: { name: newName } });
      await recordAudit(tx, {
        actor: by.actor,
        action: "alias.renamed",
        targetType: "alias",
        targetId: row.id,
        details: { before: { name: row.name }, after: { name: newName } },
        ip: by.ip,
      });
    }),
  );
}

/**
 * Deletes an alias. Refused while ACME accounts belong to it (they would lose their alias). If
 * it was the default, the default is cleared, unless exactly one alias is left, which becomes it.
 */
export async function deleteAlias(db: Db, name: string, by: ChangedBy): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await getAliasRowOrThrow(tx, name);
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
      actor: by.actor,
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
      ip: by.ip,
    });
    await makeSoleAliasDefault(tx, by);
  });
}
