// GET: one approval request with its decisions.
import { withConsole } from "@/lib/console/api/with-console";
import { getApproval } from "@/lib/console/approvals";
import { approvalParamsSchema } from "@/lib/console/schemas/approvals";

export const GET = withConsole(
  { permission: "console.read", params: approvalParamsSchema },
  ({ actor, params }) => getApproval({ actor, id: params.id }),
);
