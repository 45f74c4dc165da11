// Client trust anchors. GET ?q=&sort=&dir=&page=: a page of the CA certificates ACME client
// certificates may chain to.
// POST { certificatePem }: import one (administrator).
import { withConsole } from "@/lib/console/api/with-console";
import { trustAnchorBodySchema, trustAnchorListQuerySchema } from "@/lib/console/schemas/trust-anchors";
import { importTrustAnchor, listTrustAnchors } from "@/lib/console/trust-anchors";

export const GET = withConsole(
  { permission: "console.read", query: trustAnchorListQuerySchema },
  ({ actor, query }) => listTrustAnchors({ actor, ...query }),
);

export const POST = withConsole(
  {
    permission: "protocol.manage",
    body: trustAnchorBodySchema,
    audit: "trustAnchor.imported",
    successStatus: 201,
  },
  ({ actor, body }) => importTrustAnchor({ actor, certificatePem: body.certificatePem }),
);
