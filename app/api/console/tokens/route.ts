// GET ?q=&sort=&dir=&page=: API tokens (never the tokens themselves). POST { name, role, expiresInDays? }: a new
// token, returned once in `token`.

import { withConsole } from "@/lib/console/api/with-console";
import { createApiToken, listApiTokens } from "@/lib/console/api-tokens";
import { apiTokenListQuerySchema, createApiTokenBodySchema } from "@/lib/console/schemas/api-tokens";

export const GET = withConsole(
  { permission: "tokens.read", query: apiTokenListQuerySchema },
  ({ actor, query }) => listApiTokens({ actor, ...query }),
);

export const POST = withConsole(
  { permission: "tokens.manage", body: createApiTokenBodySchema, audit: "token.created", successStatus: 201 },
  ({ actor, body }) => createApiToken({ actor, input: body }),
);
