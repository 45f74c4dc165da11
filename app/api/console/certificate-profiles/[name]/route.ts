// One certificate profile. GET; PATCH: change fields (the name stays); DELETE: refused while an end
// entity profile names it.
import { withConsole } from "@/lib/console/api/with-console";
import {
  deleteCertificateProfile,
  getCertificateProfile,
  updateCertificateProfile,
} from "@/lib/console/profiles";
import { profileParamsSchema, updateCertificateProfileBodySchema } from "@/lib/console/schemas/profiles";

export const GET = withConsole(
  { permission: "console.read", params: profileParamsSchema },
  ({ actor, params }) => getCertificateProfile({ actor, name: params.name }),
);

export const PATCH = withConsole(
  {
    permission: "profiles.manage",
    params: profileParamsSchema,
    body: updateCertificateProfileBodySchema,
    audit: "certificateProfile.updated",
  },
  ({ actor, params, body }) => updateCertificateProfile({ actor, name: params.name, changes: body }),
);

export const DELETE = withConsole(
  { permission: "profiles.manage", params: profileParamsSchema, audit: "certificateProfile.deleted" },
  async ({ actor, params }) => {
    await deleteCertificateProfile({ actor, name: params.name });
  },
);
