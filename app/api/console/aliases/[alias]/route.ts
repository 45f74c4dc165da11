// One alias. GET: its settings. PATCH { settings }: store (fields given replace the stored ones;
// the alias then serves ACME). DELETE: remove it.
import { deleteAlias, getAlias, storeAliasSettings } from "@/lib/console/aliases";
import { withConsole } from "@/lib/console/api/with-console";
import { aliasParamsSchema, storeAliasBodySchema } from "@/lib/console/schemas/aliases";

export const GET = withConsole(
  { permission: "console.read", params: aliasParamsSchema },
  ({ actor, params }) => getAlias({ actor, name: params.alias }),
);

export const PATCH = withConsole(
  {
    permission: "aliases.manage",
    params: aliasParamsSchema,
    body: storeAliasBodySchema,
    audit: "alias.updated",
  },
  ({ actor, params, body }) => storeAliasSettings({ actor, name: params.alias, settings: body.settings }),
);

export const DELETE = withConsole(
  { permission: "aliases.manage", params: aliasParamsSchema, audit: "alias.deleted" },
  async ({ actor, params }) => {
    await deleteAlias({ actor, name: params.alias });
  },
);
