// GET: aliases (search q, paging). POST { name }: a new alias, not served until stored once.
import { createAlias, listAliases } from "@/lib/console/aliases";
import { withConsole } from "@/lib/console/api/with-console";
import { aliasListQuerySchema, createAliasBodySchema } from "@/lib/console/schemas/aliases";

export const GET = withConsole(
  { permission: "console.read", query: aliasListQuerySchema },
  ({ actor, query }) => listAliases({ actor, ...query }),
);

export const POST = withConsole(
  { permission: "aliases.manage", body: createAliasBodySchema, audit: "alias.created", successStatus: 201 },
  ({ actor, body }) => createAlias({ actor, name: body.name }),
);
