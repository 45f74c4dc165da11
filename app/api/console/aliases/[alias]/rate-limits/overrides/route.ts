// POST { accountId, limit, value, note }: sets one limit for one account of the alias (replacing
// an earlier override of it); answers the alias's rate limits as they now are.
import { withConsole } from "@/lib/console/api/with-console";
import { setRateLimitOverride } from "@/lib/console/rate-limits";
import { aliasParamsSchema } from "@/lib/console/schemas/aliases";
import { setRateLimitOverrideBodySchema } from "@/lib/console/schemas/rate-limits";

export const POST = withConsole(
  {
    permission: "aliases.manage",
    params: aliasParamsSchema,
    body: setRateLimitOverrideBodySchema,
    audit: "rateLimitOverride.set",
  },
  ({ actor, params, body }) => setRateLimitOverride({ actor, name: params.alias, input: body }),
);
