// DELETE: revoke an API token (it stays listed as revoked).

import { withConsole } from "@/lib/console/api/with-console";
import { revokeApiToken } from "@/lib/console/api-tokens";
import { apiTokenParamsSchema } from "@/lib/console/schemas/api-tokens";

export const DELETE = withConsole(
  { permission: "tokens.manage", params: apiTokenParamsSchema, audit: "token.revoked" },
  ({ actor, params }) => revokeApiToken({ actor, id: params.id }),
);
