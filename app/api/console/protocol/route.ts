// GET: whether ACME is enabled and the global settings. PUT { acmeEnabled }: switch it.
import { withConsole } from "@/lib/console/api/with-console";
import { protocolBodySchema } from "@/lib/console/schemas/settings";
import { getProtocolState, setProtocolEnabled } from "@/lib/console/settings";

export const GET = withConsole({ permission: "console.read" }, ({ actor }) => getProtocolState({ actor }));

export const PUT = withConsole(
  { permission: "protocol.manage", body: protocolBodySchema, audit: "protocol.changed" },
  ({ actor, body }) => setProtocolEnabled({ actor, enabled: body.acmeEnabled }),
);
