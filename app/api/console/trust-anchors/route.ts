// Client trust anchors. GET: the CA certificates ACME client certificates may chain to.
// POST { certificatePem }: import one (administrator).
import { withConsole } from "@/lib/console/api/with-console";
import { trustAnchorBodySchema } from "@/lib/console/schemas/trust-anchors";
import { importTrustAnchor, listTrustAnchors } from "@/lib/console/trust-anchors";

export const GET = withConsole({ permission: "console.read" }, async ({ actor }) => ({
  items: await listTrustAnchors({ actor }),
}));

export const POST = withConsole(
  {
    permission: "protocol.manage",
    body: trustAnchorBodySchema,
    audit: "trustAnchor.imported",
    successStatus: 201,
  },
  ({ actor, body }) => importTrustAnchor({ actor, certificatePem: body.certificatePem }),
);
