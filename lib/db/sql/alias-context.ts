// The rows every ACME request reads first, in one round trip: the global settings and the alias
// the request names (by name), or the default alias (name null).
import type { Db } from "../client";

export type GlobalSettingsRow = {
  acmeEnabled: boolean;
  defaultAliasId: string | null;
  replayNonceValidityMs: number;
};
/**
 * `settings` is the stored JSON; lib/ra parses it (lib/ra/alias-settings.ts). `termsOfServiceVersion`
 * is the newest TermsOfServiceVersion of the alias (null when it has published none).
 */
export type AliasRow = {
  id: string;
  name: string;
  configured: boolean;
  settings: unknown;
  termsOfServiceVersion: number | null;
};

type Row = GlobalSettingsRow & {
  id: string | null;
  name: string | null;
  configured: boolean | null;
  settings: unknown;
  termsOfServiceVersion: number | null;
};

export async function selectAliasContext(
  db: Db,
  aliasName: string | null,
): Promise<{ globals: GlobalSettingsRow; alias: AliasRow | null }> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT g."acmeEnabled", g."defaultAliasId", g."replayNonceValidityMs",
           a."id", a."name", a."configured", a."settings",
           (SELECT max(v."version") FROM "TermsOfServiceVersion" v WHERE v."aliasId" = a."id")
             AS "termsOfServiceVersion"
    FROM "GlobalSettings" g
    LEFT JOIN "Alias" a ON (${aliasName}::text IS NOT NULL AND a."name" = ${aliasName}::text)
                        OR (${aliasName}::text IS NULL AND a."id" = g."defaultAliasId")
    WHERE g."id" = 1`;
  const row = rows[0];
  if (!row) throw new Error("global settings are missing: the server has not been bootstrapped");
  const { acmeEnabled, defaultAliasId, replayNonceValidityMs, id, name, configured, settings } = row;
  const termsOfServiceVersion = row.termsOfServiceVersion;
  return {
    globals: { acmeEnabled, defaultAliasId, replayNonceValidityMs },
    alias:
      id !== null && name !== null
        ? { id, name, configured: configured === true, settings, termsOfServiceVersion }
        : null,
  };
}
