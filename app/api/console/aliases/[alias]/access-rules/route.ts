// An alias's access rules. GET: the client certificates registered for it and their rights.
// POST { match: "certificate", certificatePem, rights } or { match: "subject", issuerDn,
// subjectPattern, rights }: register one (administrator).
import { addAccessRule, listAccessRules } from "@/lib/console/access-rules";
import { withConsole } from "@/lib/console/api/with-console";
import { accessRuleBodySchema } from "@/lib/console/schemas/access-rules";
import { aliasParamsSchema } from "@/lib/console/schemas/aliases";

export const GET = withConsole(
  { permission: "console.read", params: aliasParamsSchema },
  async ({ actor, params }) => ({ items: await listAccessRules({ actor, alias: params.alias }) }),
);

export const POST = withConsole(
  {
    permission: "aliases.manage",
    params: aliasParamsSchema,
    body: accessRuleBodySchema,
    audit: "accessRule.created",
    successStatus: 201,
  },
  ({ actor, params, body }) => addAccessRule({ actor, alias: params.alias, input: body }),
);
