// What every ACME request needs first: the global settings and the alias it names (or the
// default alias), with the alias's settings parsed.
import type { Db } from "@/lib/db/client";
import { selectAliasContext } from "@/lib/db/sql/alias-context";
import { aliasNameProblem, readAliasSettings } from "./alias-settings";
import type { ResolvedAlias } from "./aliases";
import type { GlobalSettings } from "./global-settings";

export type AliasContext = { globals: GlobalSettings; alias: ResolvedAlias | null };

export async function loadAliasContext(db: Db, aliasName: string | null): Promise<AliasContext> {
  // A name no alias can have (a NUL byte, a slash…) names nothing: it is not looked up.
  if (aliasName !== null && aliasNameProblem(aliasName) !== null) {
    const { globals } = await selectAliasContext(db, null);
    return { globals, alias: null };
  }
  const { globals, alias } = await selectAliasContext(db, aliasName);
  return { globals, alias: alias && { ...alias, settings: readAliasSettings(alias.settings) } };
}
