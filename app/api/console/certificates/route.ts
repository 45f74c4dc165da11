// GET: issued certificates, searched by serial, name, account, alias, status and expiry window.
import { withConsole } from "@/lib/console/api/with-console";
import { listCertificates } from "@/lib/console/certificates";
import { certificateListQuerySchema } from "@/lib/console/schemas/certificates";

export const GET = withConsole(
  { permission: "console.read", query: certificateListQuerySchema },
  ({ actor, query }) => listCertificates({ actor, ...query }),
);
