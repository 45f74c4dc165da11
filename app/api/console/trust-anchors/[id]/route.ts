// One client trust anchor. DELETE: remove it (administrator); certificates that chain only to it
// are refused from the next request on.
import { withConsole } from "@/lib/console/api/with-console";
import { trustAnchorParamsSchema } from "@/lib/console/schemas/trust-anchors";
import { removeTrustAnchor } from "@/lib/console/trust-anchors";

export const DELETE = withConsole(
  { permission: "protocol.manage", params: trustAnchorParamsSchema, audit: "trustAnchor.removed" },
  async ({ actor, params }) => {
    await removeTrustAnchor({ actor, id: params.id });
  },
);
