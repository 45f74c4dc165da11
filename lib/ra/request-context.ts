// What every ACME request needs before anything else, in one round trip: the global settings,
// the alias it names (or the default alias), and — when the request is signed with a kid — the
// account that kid names. The front end still runs its checks in RFC order; it only reads the
// data for them at once (each saved round trip is one fewer statement per request).
import type { Db } from "@/lib/db/client";
import type { AccountRecord } from "./accounts";
import { readAliasSettings } from "./alias-settings";
import type { ResolvedAlias } from "./aliases";
import type { GlobalSettings } from "./global-settings";

export type RequestContext = {
  globals: GlobalSettings;
  alias: ResolvedAlias | null;
  account: AccountRecord | null;
};

type Row = {
  acmeEnabled: boolean;
  defaultAliasId: string | null;
  replayNonceValidityMs: number;
  id: string | null;
  name: string | null;
  configured: boolean | null;
  settings: unknown;
  accountId: string | null;
  accountAliasId: string | null;
  accountStatus: AccountRecord["status"] | null;
  accountJwk: AccountRecord["jwk"] | null;
  accountKeyThumbprint: string | null;
  accountContact: string[] | null;
  accountTermsOfServiceAgreed: boolean | null;
  accountCreatedAt: Date | null;
};

export async function loadRequestContext(
  db: Db,
  aliasName: string | null,
  accountId: string | null,
): Promise<RequestContext> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT g."acmeEnabled", g."defaultAliasId", g."replayNonceValidityMs",
           a."id", a."name", a."configured", a."settings",
           acc."id" AS "accountId", acc."aliasId" AS "accountAliasId", acc."status"::text AS "accountStatus",
           acc."jwk" AS "accountJwk", acc."keyThumbprint" AS "accountKeyThumbprint", acc."contact" AS "accountContact",
           acc."termsOfServiceAgreed" AS "accountTermsOfServiceAgreed", acc."createdAt" AS "accountCreatedAt"
    FROM "GlobalSettings" g
    LEFT JOIN "Alias" a ON (${aliasName}::text IS NOT NULL AND a."name" = ${aliasName}::text)
                        OR (${aliasName}::text IS NULL AND a."id" = g."defaultAliasId")
    LEFT JOIN "Account" acc ON acc."id" = ${accountId}::text
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
    account:
      row.accountId !== null
        ? {
            id: row.accountId,
            aliasId: row.accountAliasId as string,
            status: row.accountStatus as AccountRecord["status"],
            jwk: row.accountJwk as AccountRecord["jwk"],
            keyThumbprint: row.accountKeyThumbprint as string,
            contact: row.accountContact ?? [],
            termsOfServiceAgreed: row.accountTermsOfServiceAgreed === true,
            createdAt: row.accountCreatedAt as Date,
          }
        : null,
  };
}
