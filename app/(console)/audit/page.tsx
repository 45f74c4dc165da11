// Audit log: who did what, when, from where, before and after; filters (actor, action, object, date
// range) and the order live in the URL, and the filtered log downloads as CSV or JSON lines.
import { AuditDetails } from "@/components/audit/AuditDetails";
import { auditTypeLabel } from "@/components/audit/audit-labels";
import { Badge } from "@/components/ui/Badge";
import { buttonClasses } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { listHref, listState } from "@/components/ui/list-url";
import { PageHeader } from "@/components/ui/PageHeader";
import { ListEmptyState, Pagination } from "@/components/ui/Pagination";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { SortableTh } from "@/components/ui/SortableTh";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { UrlFilters } from "@/components/ui/UrlFilters";
import { requirePermission } from "@/lib/auth/guard";
import { listAuditActions, listAuditEvents, listAuditTargetTypes } from "@/lib/console/audit";
import { auditQuerySchema } from "@/lib/console/schemas/audit";
import { DEFAULT_PAGE_SIZE } from "@/lib/console/schemas/common";

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
  const [page, actions, targetTypes] = await Promise.all([
    listAuditEvents({ actor, filter }),
    listAuditActions({ actor }),
    listAuditTargetTypes({ actor }),
  ]);
  const filters = {
    actor: filter.actor,
    action: filter.action,
    targetType: filter.targetType,
    targetId: filter.targetId,
    from: filter.from,
    to: filter.to,
  };
  const { params, sorting } = listState("/audit", filter, filters, DEFAULT_PAGE_SIZE);
  const exportHref = (format: "csv" | "jsonl") =>
    listHref("/api/console/audit/export", { ...filters, format });
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change an operator makes, every sign-in, and every refused attempt, newest first."
        actions={
          <div className="flex gap-2">
            <a className={buttonClasses("secondary", "sm")} href={exportHref("csv")} download>
              Export CSV
            </a>
            <a className={buttonClasses("secondary", "sm")} href={exportHref("jsonl")} download>
              Export JSON lines
            </a>
          </div>
        }
      />
      <Card>
        {!parsed.success && (
          <p className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-800" role="status">
            Part of this filter was not understood ({parsed.error.issues[0]?.message}); showing every event.
          </p>
        )}
        <UrlFilters
          idPrefix="audit"
          initial={filters}
          keep={{ sort: filter.sort, dir: filter.dir }}
          fields={[
            {
              name: "actor",
              label: "Actor",
              type: "text",
              placeholder: "username, user:<id>, token:<id>, system",
            },
            {
              name: "action",
              label: "Action",
              type: "text",
              placeholder: "alias.updated, or alias. for all",
              suggestions: actions,
            },
            {
              name: "targetType",
              label: "Object type",
              type: "select",
              any: "Any object",
              options: targetTypes.map((t) => ({ value: t, label: auditTypeLabel(t) })),
            },
            { name: "targetId", label: "Object id", type: "text", placeholder: "id" },
            { name: "from", label: "From", type: "date" },
            { name: "to", label: "Until", type: "date" },
          ]}
        />
        {page.items.length === 0 ? (
          <ListEmptyState info={page} basePath="/audit" params={params}>
            <EmptyState title="No events match these filters" />
          </ListEmptyState>
        ) : (
          <Table label="Audit events">
            <thead>
              <tr>
                <SortableTh column="when" label="When" firstDir="desc" {...sorting} />
                <Th>Actor</Th>
                <SortableTh column="action" label="Action" {...sorting} />
                <SortableTh column="object" label="Object" {...sorting} />
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
          params={params}
        />
      </Card>
    </>
  );
}
