// POST: revoke a certificate with an RFC 5280 reason (administrator; audited; the CRL lists it).
import { withConsole } from "@/lib/console/api/with-console";
import { revokeCertificate } from "@/lib/console/certificates";
import { certificateParamsSchema, revokeCertificateBodySchema } from "@/lib/console/schemas/certificates";

export const POST = withConsole(
  {
    permission: "certificates.revoke",
    params: certificateParamsSchema,
    body: revokeCertificateBodySchema,
    audit: "certificate.revoked",
  },
  ({ actor, params, body }) => revokeCertificate({ actor, id: params.id, reason: body.reason }),
);
