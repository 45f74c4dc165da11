// One external account binding key. PATCH { disabled }: disable it (or enable it again).
// DELETE: remove it; the accounts it bound keep working.
import { withConsole } from "@/lib/console/api/with-console";
import { deleteEabKey, updateEabKey } from "@/lib/console/eab-keys";
import { eabKeyParamsSchema, updateEabKeyBodySchema } from "@/lib/console/schemas/eab-keys";

export const PATCH = withConsole(
  {
    permission: "eab.manage",
    params: eabKeyParamsSchema,
    body: updateEabKeyBodySchema,
    audit: "eab.updated",
  },
  ({ actor, params, body }) => updateEabKey({ actor, alias: params.alias, id: params.id, input: body }),
);

export const DELETE = withConsole(
  { permission: "eab.manage", params: eabKeyParamsSchema, audit: "eab.deleted" },
  async ({ actor, params }) => {
    await deleteEabKey({ actor, alias: params.alias, id: params.id });
  },
);
