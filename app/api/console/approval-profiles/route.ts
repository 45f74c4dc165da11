// GET: approval profiles, each with the aliases that use it. POST: a new profile (administrator).
import { withConsole } from "@/lib/console/api/with-console";
import { createApprovalProfile, listApprovalProfiles } from "@/lib/console/approval-profiles";
import { createApprovalProfileBodySchema } from "@/lib/console/schemas/approval-profiles";

export const GET = withConsole({ permission: "console.read" }, ({ actor }) =>
  listApprovalProfiles({ actor }),
);

export const POST = withConsole(
  {
    permission: "approvalProfiles.manage",
    body: createApprovalProfileBodySchema,
    audit: "approvalProfile.created",
    successStatus: 201,
  },
  ({ actor, body }) => createApprovalProfile({ actor, input: body }),
);
