// GET ?format=csv|jsonl&<the audit log's filters>: every event the filters select, newest first,
// streamed as a file. Auditors and above (audit.read), like the log itself.
import { streamedFileResponse } from "@/lib/console/api/file-response";
import { withConsole } from "@/lib/console/api/with-console";
import { exportAuditEvents } from "@/lib/console/audit";
import { auditExportQuerySchema } from "@/lib/console/schemas/audit";

export const GET = withConsole(
  { permission: "audit.read", query: auditExportQuerySchema },
  async ({ actor, query: { format, ...filter } }) =>
    streamedFileResponse(await exportAuditEvents({ actor, filter, format })),
);
