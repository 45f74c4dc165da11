// An alias's external account binding keys. GET ?q=&sort=&dir=&page=: a page of the keys
// (identifiers, policy, bound accounts; never a secret). POST: a new key; a MAC key is returned once, in `secret`.
import { withConsole } from "@/lib/console/api/with-console";
import { createEabKey, listEabKeys } from "@/lib/console/eab-keys";
import {
  createEabKeyBodySchema,
  eabKeyListQuerySchema,
  eabKeysParamsSchema,
} from "@/lib/console/schemas/eab-keys";

export const GET = withConsole(
  { permission: "console.read", params: eabKeysParamsSchema, query: eabKeyListQuerySchema },
  ({ actor, params, query }) => listEabKeys({ actor, alias: params.alias, ...query }),
);

export const POST = withConsole(
  {
    permission: "eab.manage",
    params: eabKeysParamsSchema,
    body: createEabKeyBodySchema,
    audit: "eab.created",
    successStatus: 201,
  },
  ({ actor, params, body }) => createEabKey({ actor, alias: params.alias, input: body }),
);
