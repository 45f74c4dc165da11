// POST { newName }: a copy of the alias's settings under a new name.
import { cloneAlias } from "@/lib/console/aliases";
import { withConsole } from "@/lib/console/api/with-console";
import { aliasParamsSchema, cloneAliasBodySchema } from "@/lib/console/schemas/aliases";

export const POST = withConsole(
  {
    permission: "aliases.manage",
    params: aliasParamsSchema,
    body: cloneAliasBodySchema,
    audit: "alias.cloned",
    successStatus: 201,
  },
  ({ actor, params, body }) => cloneAlias({ actor, name: params.alias, newName: body.newName }),
);
