// What every ACME request needs first: the global settings and the alias it names (or the
// default alias), with the alias's settings parsed.
import { ChangeCache } from "@/lib/db/changes";
import type { Db } from "@/lib/db/client";
import { selectAliasContext } from "@/lib/db/sql/alias-context";
import { aliasNameProblem, readAliasSettings } from "./alias-settings";
import type { ResolvedAlias } from "./aliases";
import type { GlobalSettings } from "./global-settings";

export type AliasContext = { globals: GlobalSettings; alias: ResolvedAlias | null };

/**
 * Kept in memory while change notifications flow (lib/db/changes.ts): any change to the global
 * settings, an alias or its terms of service clears it all, in every process. Issue 13: this read
 * was one statement of every ACME request, newNonce and directory included.
 */
const contexts = new ChangeCache<string | null, AliasContext>({
  size: 1_000,
  maxAgeMs: 60_000,
  keysOf: (change) => (change === "settings" ? null : []),
});

export function loadAliasContext(db: Db, aliasName: string | null): Promise<AliasContext> {
  return contexts.get(aliasName, () => readAliasContext(db, aliasName));
}

async function readAliasContext(db: Db, aliasName: string | null): Promise<AliasContext> {
  // A name no alias can have (a NUL byte, a slash…) names nothing: it is not looked up.
  if (aliasName !== null && aliasNameProblem(aliasName) !== null) {
    const { globals } = await selectAliasContext(db, null);
    return { globals, alias: null };
  }
  const { globals, alias } = await selectAliasContext(db, aliasName);
  return { globals, alias: alias && { ...alias, settings: readAliasSettings(alias.settings) } };
}
