// One end entity profile. GET; PATCH: change fields (the name stays); DELETE: refused while an
// alias names it.
import { withConsole } from "@/lib/console/api/with-console";
import { deleteEndEntityProfile, getEndEntityProfile, updateEndEntityProfile } from "@/lib/console/profiles";
import { profileParamsSchema, updateEndEntityProfileBodySchema } from "@/lib/console/schemas/profiles";

export const GET = withConsole(
  { permission: "console.read", params: profileParamsSchema },
  ({ actor, params }) => getEndEntityProfile({ actor, name: params.name }),
);

export const PATCH = withConsole(
  {
    permission: "profiles.manage",
    params: profileParamsSchema,
    body: updateEndEntityProfileBodySchema,
    audit: "endEntityProfile.updated",
  },
  ({ actor, params, body }) => updateEndEntityProfile({ actor, name: params.name, changes: body }),
);

export const DELETE = withConsole(
  { permission: "profiles.manage", params: profileParamsSchema, audit: "endEntityProfile.deleted" },
  async ({ actor, params }) => {
    await deleteEndEntityProfile({ actor, name: params.name });
  },
);
