// Audit log: who did what, when, from where, before and after; filters live in the URL.
import { AuditDetails } from "@/components/audit/AuditDetails";
import { AuditFilters } from "@/components/audit/AuditFilters";
import { auditTypeLabel } from "@/components/audit/audit-labels";
import { Badge } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { ListEmptyState, Pagination } from "@/components/ui/Pagination";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { requirePermission } from "@/lib/auth/guard";
import { listAuditActions, listAuditEvents } from "@/lib/console/audit";
import { auditQuerySchema } from "@/lib/console/schemas/audit";

export const metadata = { title: "Audit log · Keyward" };

function actionTone(action: string) {
  if (action.endsWith("failed") || action === "access.denied") return "red" as const;
  if (action.endsWith("deleted") || action.endsWith("revoked") || action.endsWith("disabled"))
    return "amber" as const;
  if (action.endsWith("created") || action.endsWith("enabled")) return "green" as const;
  return "slate" as const;
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("audit.read", "/audit");
  const parsed = auditQuerySchema.safeParse(await searchParams);
  const filter = parsed.success ? parsed.data : auditQuerySchema.parse({});
  const [page, actions] = await Promise.all([
    listAuditEvents({ actor, filter }),
    listAuditActions({ actor }),
  ]);
  const filters = {
    actor: filter.actor,
    action: filter.action,
    targetType: filter.targetType,
    targetId: filter.targetId,
  };
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change an operator makes, every sign-in, and every refused attempt, newest first."
      />
      <Card>
        <AuditFilters initial={filters} actions={actions} />
        {page.items.length === 0 ? (
          <ListEmptyState info={page} basePath="/audit" params={filters}>
            <EmptyState title="No events match these filters" />
          </ListEmptyState>
        ) : (
          <Table label="Audit events">
            <thead>
              <tr>
                <Th>When</Th>
                <Th>Actor</Th>
                <Th>Action</Th>
                <Th>Object</Th>
                <Th>From</Th>
                <Th>Details</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.items.map((e) => (
                <Tr key={e.id}>
                  <Td className="whitespace-nowrap">
                    <RelativeTime iso={e.createdAt} />
                  </Td>
                  <Td>
                    <span className="font-medium text-slate-900" title={e.actor}>
                      {e.actorName}
                    </span>
                  </Td>
                  <Td>
                    <Badge tone={actionTone(e.action)}>{e.action}</Badge>
                  </Td>
                  <Td className="text-xs">
                    <span className="text-slate-500" title={e.targetType}>
                      {auditTypeLabel(e.targetType)}
                    </span>{" "}
                    <span className="font-medium text-slate-800" title={e.targetId ?? undefined}>
                      {e.targetName ?? e.targetId ?? ""}
                    </span>
                  </Td>
                  <Td className="text-xs text-slate-500">
                    {e.ip ?? "—"}
                    {e.requestId && (
                      <span
                        className="block font-mono text-[10px] text-slate-500"
                        title="X-Request-Id: the request's line in the server log"
                      >
                        {e.requestId}
                      </span>
                    )}
                  </Td>
                  <Td>
                    <AuditDetails details={e.details} />
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pagination
          page={page.page}
          pageSize={page.pageSize}
          total={page.total}
          basePath="/audit"
          params={filters}
        />
      </Card>
    </>
  );
}
