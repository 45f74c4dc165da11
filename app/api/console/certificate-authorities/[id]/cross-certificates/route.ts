// POST { issuerId, validityDays? }: cross-certify the issuing CA's key under another root, giving
// its certificates a second chain (served as an RFC 8555 §7.4.2 alternate).
import { withConsole } from "@/lib/console/api/with-console";
import { crossCertifyCa } from "@/lib/console/authorities";
import { caParamsSchema, crossCertifyCaBodySchema } from "@/lib/console/schemas/authorities";

export const POST = withConsole(
  {
    permission: "authorities.manage",
    params: caParamsSchema,
    body: crossCertifyCaBodySchema,
    audit: "ca.crossCertified",
    successStatus: 201,
  },
  ({ actor, params, body }) =>
    crossCertifyCa({ actor, id: params.id, issuerId: body.issuerId, validityDays: body.validityDays }),
);
