// GET: aliases (search q, paging). POST { name }: a new alias, not served until stored once.
import { createAlias, listAliases } from "@/lib/console/aliases";
import { withConsole } from "@/lib/console/api/with-console";
import { createAliasBodySchema } from "@/lib/console/schemas/aliases";
import { listQuerySchema } from "@/lib/console/schemas/common";

export const GET = withConsole({ permission: "console.read", query: listQuerySchema }, ({ actor, query }) =>
  listAliases({ actor, ...query }),
);

export const POST = withConsole(
  { permission: "aliases.manage", body: createAliasBodySchema, audit: "alias.created", successStatus: 201 },
  ({ actor, body }) => createAlias({ actor, name: body.name }),
);
