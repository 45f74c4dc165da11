// POST { newName }: rename an alias (its ACME URLs change; accounts stay with it).
import { renameAlias } from "@/lib/console/aliases";
import { withConsole } from "@/lib/console/api/with-console";
import { aliasParamsSchema, renameAliasBodySchema } from "@/lib/console/schemas/aliases";

export const POST = withConsole(
  {
    permission: "aliases.manage",
    params: aliasParamsSchema,
    body: renameAliasBodySchema,
    audit: "alias.renamed",
  },
  ({ actor, params, body }) => renameAlias({ actor, name: params.alias, newName: body.newName }),
);
