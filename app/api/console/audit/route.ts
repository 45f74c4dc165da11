// GET: the audit log, newest first unless ?sort=when|action|object&dir=asc|desc says otherwise;
// filters actor, action (a trailing "." matches a prefix), targetType, targetId, from/to (dates);
// paging. The same filters export the log: ./export.
import { withConsole } from "@/lib/console/api/with-console";
import { listAuditEvents } from "@/lib/console/audit";
import { auditQuerySchema } from "@/lib/console/schemas/audit";

export const GET = withConsole({ permission: "audit.read", query: auditQuerySchema }, ({ actor, query }) =>
  listAuditEvents({ actor, filter: query }),
);
