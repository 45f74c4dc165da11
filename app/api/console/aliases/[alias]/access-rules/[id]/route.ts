// One access rule of an alias. DELETE: remove it (administrator); its certificates are refused on
// the alias from the next request on.
import { removeAccessRule } from "@/lib/console/access-rules";
import { withConsole } from "@/lib/console/api/with-console";
import { accessRuleParamsSchema } from "@/lib/console/schemas/access-rules";

export const DELETE = withConsole(
  { permission: "aliases.manage", params: accessRuleParamsSchema, audit: "accessRule.deleted" },
  async ({ actor, params }) => {
    await removeAccessRule({ actor, alias: params.alias, id: params.id });
  },
);
