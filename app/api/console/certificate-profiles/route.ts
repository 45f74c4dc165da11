// GET: certificate profiles, each with the end entity profiles that use it. POST: a new profile
// (administrator).
import { withConsole } from "@/lib/console/api/with-console";
import { createCertificateProfile, listCertificateProfiles } from "@/lib/console/profiles";
import { createCertificateProfileBodySchema } from "@/lib/console/schemas/profiles";

export const GET = withConsole({ permission: "console.read" }, ({ actor }) =>
  listCertificateProfiles({ actor }),
);

export const POST = withConsole(
  {
    permission: "profiles.manage",
    body: createCertificateProfileBodySchema,
    audit: "certificateProfile.created",
    successStatus: 201,
  },
  ({ actor, body }) => createCertificateProfile({ actor, input: body }),
);
