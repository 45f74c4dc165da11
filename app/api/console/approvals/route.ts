// GET: the approvals queue (view=pending, oldest first) or its history (view=history).
import { withConsole } from "@/lib/console/api/with-console";
import { listApprovals } from "@/lib/console/approvals";
import { approvalListQuerySchema } from "@/lib/console/schemas/approvals";

export const GET = withConsole(
  { permission: "console.read", query: approvalListQuerySchema },
  ({ actor, query }) => listApprovals({ actor, ...query }),
);
