// POST { verdict: "approve" | "reject", comment }: one person's decision on a request (approvers;
// administrators where the request's approval profile lets them).
import { DECIDING_PERMISSIONS } from "@/lib/auth/permissions";
import { withConsole } from "@/lib/console/api/with-console";
import { decideApproval } from "@/lib/console/approvals";
import { approvalDecisionBodySchema, approvalParamsSchema } from "@/lib/console/schemas/approvals";

export const POST = withConsole(
  {
    permission: DECIDING_PERMISSIONS,
    params: approvalParamsSchema,
    body: approvalDecisionBodySchema,
    audit: "approval.decided",
  },
  ({ actor, params, body }) => decideApproval({ actor, id: params.id, input: body }),
);
