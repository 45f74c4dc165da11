// ACME aliases: several configurations served side by side (spec "Managing ACME Alias
// Configurations"). This file holds the rules about names and about which alias a request uses.
import { ACME_PATH_WORDS } from "@/lib/acme/paths";
import { recordAudit } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { type AliasSettings, DEFAULT_ALIAS_SETTINGS } from "./alias-settings";

// An alias of a resource's name would make /acme/<name> ambiguous; case-insensitively, so that
// no alias name differs from a resource name by case alone.
const RESERVED = new Set([...ACME_PATH_WORDS].map((n) => n.toLowerCase()));
// Spec: "1 to 250 alphanumeric non-blank characters case-sensitive including minus '-' and underscore '_'".
const ALIAS_NAME = /^[A-Za-z0-9_-]{1,250}$/;

/** Why `name` cannot be an alias name, or null when it can. */
export function aliasNameProblem(name: string): string | null {
  if (!ALIAS_NAME.test(name)) {
    return "An alias name is 1 to 250 letters, digits, '-' or '_'";
  }
  if (RESERVED.has(name.toLowerCase())) return `"${name}" is the name of an ACME resource`;
  return null;
}

export type ResolvedAlias = {
  id: string;
  name: string;
  configured: boolean;
  settings: AliasSettings;
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
