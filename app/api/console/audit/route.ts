// GET: the audit log, newest first; filters actor, action (a trailing "." matches a prefix),
// targetType, targetId; paging.
import { withConsole } from "@/lib/console/api/with-console";
import { listAuditEvents } from "@/lib/console/audit";
import { auditQuerySchema } from "@/lib/console/schemas/audit";

export const GET = withConsole({ permission: "audit.read", query: auditQuerySchema }, ({ actor, query }) =>
  listAuditEvents({ actor, filter: query }),
);
