// POST { newKey, validityDays? }: renew a CA with its own key (same CA, new certificate) or a new
// key (a successor CA that issues in its place). Answers the CA that issues afterwards.
import { withConsole } from "@/lib/console/api/with-console";
import { renewCa } from "@/lib/console/authorities";
import { caParamsSchema, renewCaBodySchema } from "@/lib/console/schemas/authorities";

export const POST = withConsole(
  { permission: "authorities.manage", params: caParamsSchema, body: renewCaBodySchema, audit: "ca.renewed" },
  ({ actor, params, body }) =>
    renewCa({ actor, id: params.id, newKey: body.newKey, validityDays: body.validityDays }),
);
