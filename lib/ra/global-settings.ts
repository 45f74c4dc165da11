// Settings that hold for every alias (spec "Global Fields"), protocol enablement, and the
// deployment's nonce key. One row, id = 1, created at first start.
import { randomBytes } from "node:crypto";
import { type AuditActor, recordAudit } from "@/lib/audit/record";
import type { SecretBox } from "@/lib/crypto/secret-box";
import type { Db } from "@/lib/db/client";
import { invalidParamsProblem } from "@/lib/problem";

const NONCE_KEY_CONTEXT = "nonce-hmac-key";

export type GlobalSettings = {
  acmeEnabled: boolean;
  defaultAliasId: string | null;
  replayNonceValidityMs: number;
};

export async function getGlobalSettings(db: Db): Promise<GlobalSettings> {
  const row = await db.globalSettings.findUnique({
    where: { id: 1 },
    select: { acmeEnabled: true, defaultAliasId: true, replayNonceValidityMs: true },
  });
  if (!row) throw new Error("global settings are missing: the server has not been bootstrapped");
  return row;
}

/** Creates the settings row with a fresh nonce key, unless another process already did. */
export async function ensureGlobalSettings(db: Db, box: SecretBox): Promise<void> {
  await db.globalSettings.upsert({
    where: { id: 1 },
    update: {},
    create: { id: 1, nonceKeySealed: box.seal(randomBytes(32), NONCE_KEY_CONTEXT) },
  });
}

export async function loadNonceKey(db: Db, box: SecretBox): Promise<Buffer> {
  const row = await db.globalSettings.findUniqueOrThrow({
    where: { id: 1 },
    select: { nonceKeySealed: true },
  });
  return box.open(row.nonceKeySealed, NONCE_KEY_CONTEXT);
}

export async function setAcmeEnabled(db: Db, enabled: boolean, actor: AuditActor): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await tx.globalSettings.findUniqueOrThrow({
      where: { id: 1 },
      select: { acmeEnabled: true },
    });
    await tx.globalSettings.update({ where: { id: 1 }, data: { acmeEnabled: enabled } });
    await recordAudit(tx, {
      actor,
      action: enabled ? "protocol.enabled" : "protocol.disabled",
      targetType: "protocol",
      targetId: "acme",
      details: { before: { acmeEnabled: before.acmeEnabled }, after: { acmeEnabled: enabled } },
    });
  });
}

export type GlobalSettingsChanges = { defaultAlias?: string | null; replayNonceValidityMs?: number };

/**
 * Spec "Global Fields": the default alias (by name; null for none, which leaves /acme/directory
 * without an alias) and the replay nonce validity. Audited with before and after.
 */
export async function updateGlobalSettings(
  db: Db,
  changes: GlobalSettingsChanges,
  by: { actor: AuditActor; ip?: string },
): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.globalSettings.findUniqueOrThrow({ where: { id: 1 } });
    const data: { defaultAliasId?: string | null; replayNonceValidityMs?: number } = {};
    if (changes.defaultAlias !== undefined) {
      if (changes.defaultAlias === null) data.defaultAliasId = null;
      else {
        const alias = await tx.alias.findUnique({
          where: { name: changes.defaultAlias },
          select: { id: true },
        });
        if (!alias) {
          throw invalidParamsProblem([
            { name: "defaultAlias", reason: `Alias "${changes.defaultAlias}" does not exist` },
          ]);
        }
        data.defaultAliasId = alias.id;
      }
    }
    if (changes.replayNonceValidityMs !== undefined)
      data.replayNonceValidityMs = changes.replayNonceValidityMs;
    await tx.globalSettings.update({ where: { id: 1 }, data });
    await recordAudit(tx, {
      actor: by.actor,
      action: "settings.updated",
      targetType: "settings",
      targetId: "acme",
      details: {
        before: { defaultAliasId: row.defaultAliasId, replayNonceValidityMs: row.replayNonceValidityMs },
        after: {
          defaultAliasId: data.defaultAliasId === undefined ? row.defaultAliasId : data.defaultAliasId,
          replayNonceValidityMs: data.replayNonceValidityMs ?? row.replayNonceValidityMs,
        },
      },
      ip: by.ip,
    });
  });
}
