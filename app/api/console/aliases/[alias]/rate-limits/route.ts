// GET: the alias's rate limits, each with its value, window and busiest keys now, and the
// per-account overrides.
import { withConsole } from "@/lib/console/api/with-console";
import { getAliasRateLimits } from "@/lib/console/rate-limits";
import { aliasParamsSchema } from "@/lib/console/schemas/aliases";

export const GET = withConsole(
  { permission: "console.read", params: aliasParamsSchema },
  ({ actor, params }) => getAliasRateLimits({ actor, name: params.alias }),
);
