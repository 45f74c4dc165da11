// DELETE: removes one account's override of one limit; the alias's value applies to it again.
import { withConsole } from "@/lib/console/api/with-console";
import { clearRateLimitOverride } from "@/lib/console/rate-limits";
import { rateLimitOverrideParamsSchema } from "@/lib/console/schemas/rate-limits";

export const DELETE = withConsole(
  { permission: "aliases.manage", params: rateLimitOverrideParamsSchema, audit: "rateLimitOverride.cleared" },
  ({ actor, params }) =>
    clearRateLimitOverride({ actor, name: params.alias, accountId: params.accountId, limit: params.limit }),
);
