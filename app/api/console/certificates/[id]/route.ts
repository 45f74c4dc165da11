// GET: one certificate, decoded, with its account, order and issuing chain.
import { withConsole } from "@/lib/console/api/with-console";
import { getCertificate } from "@/lib/console/certificates";
import { certificateParamsSchema } from "@/lib/console/schemas/certificates";

export const GET = withConsole(
  { permission: "console.read", params: certificateParamsSchema },
  ({ actor, params }) => getCertificate({ actor, id: params.id }),
);
