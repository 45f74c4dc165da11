// GET: end entity profiles, each with the aliases that use it. POST: a new profile (administrator).
import { withConsole } from "@/lib/console/api/with-console";
import { createEndEntityProfile, listEndEntityProfiles } from "@/lib/console/profiles";
import { createEndEntityProfileBodySchema } from "@/lib/console/schemas/profiles";

export const GET = withConsole({ permission: "console.read" }, ({ actor }) =>
  listEndEntityProfiles({ actor }),
);

export const POST = withConsole(
  {
    permission: "profiles.manage",
    body: createEndEntityProfileBodySchema,
    audit: "endEntityProfile.created",
    successStatus: 201,
  },
  ({ actor, body }) => createEndEntityProfile({ actor, input: body }),
);
