// What every ACME request needs first, in one round trip: the global settings and the alias it
// names (or the default alias).
import type { Db } from "@/lib/db/client";
import { readAliasSettings } from "./alias-settings";
import { aliasNameProblem, type ResolvedAlias } from "./aliases";

// Never an alias name (aliasNameProblem refuses "/"), so the query finds no alias for it.
const NO_ALIAS = "/";

import type { GlobalSettings } from "./global-settings";

export type AliasContext = { globals: GlobalSettings; alias: ResolvedAlias | null };

type Row = {
  acmeEnabled: boolean;
  defaultAliasId: string | null;
  replayNonceValidityMs: number;
  id: string | null;
  name: string | null;
  configured: boolean | null;
  settings: unknown;
};

export async function loadAliasContext(db: Db, aliasName: string | null): Promise<AliasContext> {
  // A name no alias can have (a NUL byte, a slash…) is not looked up: it names nothing.
  if (aliasName !== null && aliasNameProblem(aliasName) !== null) aliasName = NO_ALIAS;
  const rows = await db.$queryRaw<Row[]>`
    SELECT g."acmeEnabled", g."defaultAliasId", g."replayNonceValidityMs",
           a."id", a."name", a."configured", a."settings"
    FROM "GlobalSettings" g
    LEFT JOIN "Alias" a ON (${aliasName}::text IS NOT NULL AND a."name" = ${aliasName}::text)
                        OR (${aliasName}::text IS NULL AND a."id" = g."defaultAliasId")
    WHERE g."id" = 1`;
  const row = rows[0];
  if (!row) throw new Error("global settings are missing: the server has not been bootstrapped");
  return {
    globals: {
      acmeEnabled: row.acmeEnabled,
      defaultAliasId: row.defaultAliasId,
      replayNonceValidityMs: row.replayNonceValidityMs,
    },
    alias:
      row.id !== null && row.name !== null
        ? {
            id: row.id,
            name: row.name,
            configured: row.configured === true,
            settings: readAliasSettings(row.settings),
          }
        : null,
  };
}
