// Global ACME settings (spec "Global Fields"): default alias, replay nonce validity.
import { withConsole } from "@/lib/console/api/with-console";
import { globalSettingsBodySchema } from "@/lib/console/schemas/settings";
import { getProtocolState, updateGlobalSettings } from "@/lib/console/settings";

export const GET = withConsole({ permission: "console.read" }, ({ actor }) => getProtocolState({ actor }));

export const PUT = withConsole(
  { permission: "protocol.manage", body: globalSettingsBodySchema, audit: "settings.updated" },
  ({ actor, body }) => updateGlobalSettings({ actor, input: body }),
);
