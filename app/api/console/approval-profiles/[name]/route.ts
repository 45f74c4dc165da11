// One approval profile. GET; PATCH: change fields (the name stays); DELETE: refused while an alias
// names it.
import { withConsole } from "@/lib/console/api/with-console";
import {
  deleteApprovalProfile,
  getApprovalProfile,
  updateApprovalProfile,
} from "@/lib/console/approval-profiles";
import {
  approvalProfileParamsSchema,
  updateApprovalProfileBodySchema,
} from "@/lib/console/schemas/approval-profiles";

export const GET = withConsole(
  { permission: "console.read", params: approvalProfileParamsSchema },
  ({ actor, params }) => getApprovalProfile({ actor, name: params.name }),
);

export const PATCH = withConsole(
  {
    permission: "approvalProfiles.manage",
    params: approvalProfileParamsSchema,
    body: updateApprovalProfileBodySchema,
    audit: "approvalProfile.updated",
  },
  ({ actor, params, body }) => updateApprovalProfile({ actor, name: params.name, changes: body }),
);

export const DELETE = withConsole(
  {
    permission: "approvalProfiles.manage",
    params: approvalProfileParamsSchema,
    audit: "approvalProfile.deleted",
  },
  async ({ actor, params }) => {
    await deleteApprovalProfile({ actor, name: params.name });
  },
);
