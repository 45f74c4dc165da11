// GET: an alias's terms-of-service versions. POST { url, changeUrl? }: publish new terms
// (administrator), in effect from now.
import { withConsole } from "@/lib/console/api/with-console";
import { aliasParamsSchema } from "@/lib/console/schemas/aliases";
import { publishTermsBodySchema } from "@/lib/console/schemas/terms";
import { getAliasTerms, publishTerms } from "@/lib/console/terms";

export const GET = withConsole(
  { permission: "console.read", params: aliasParamsSchema },
  ({ actor, params }) => getAliasTerms({ actor, alias: params.alias }),
);

export const POST = withConsole(
  {
    permission: "aliases.manage",
    params: aliasParamsSchema,
    body: publishTermsBodySchema,
    audit: "terms.published",
    successStatus: 201,
  },
  ({ actor, params, body }) => publishTerms({ actor, alias: params.alias, input: body }),
);
