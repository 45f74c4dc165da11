// The approvals queue (an approver's home page): open requests first, oldest first, with what an
// approver needs to decide; then the history of decided and expired requests with who decided.
import Link from "next/link";
import { ApprovalQueueTable } from "@/components/approvals/ApprovalQueueTable";
import { buttonClasses } from "@/components/ui/Button";
import { Card, CardHeader } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { listState } from "@/components/ui/list-url";
import { PageHeader } from "@/components/ui/PageHeader";
import { ListEmptyState, Pagination } from "@/components/ui/Pagination";
import { UrlFilters } from "@/components/ui/UrlFilters";
import { actorCanAny } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { DECIDING_PERMISSIONS } from "@/lib/auth/permissions";
import { listAliases } from "@/lib/console/aliases";
import { listApprovals } from "@/lib/console/approvals";
import { APPROVAL_KINDS, approvalListQuerySchema } from "@/lib/console/schemas/approvals";
import { DEFAULT_PAGE_SIZE } from "@/lib/console/schemas/common";

const KIND_LABELS = { registration: "Registration", keyChange: "Key change" } as const;

export const metadata = { title: "Approvals · Keyward" };

export default async function ApprovalsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("console.read", "/approvals");
  const parsed = approvalListQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : approvalListQuerySchema.parse({});
  const now = new Date();
  // The filters narrow both tables; the order and the page are the history's.
  const filters = { q: query.q, alias: query.alias, kind: query.kind };
  const { params, sorting } = listState("/approvals", query, filters, DEFAULT_PAGE_SIZE);
  const [pending, history, aliases] = await Promise.all([
    listApprovals({ actor, ...filters, view: "pending", pageSize: 100, now }),
    listApprovals({ actor, ...query, view: "history", now }),
    listAliases({ actor, pageSize: 100 }),
  ]);
  const filtered = Object.values(filters).some(Boolean);
  const viewerDecides = actorCanAny(actor, DECIDING_PERMISSIONS);
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Account registrations and key changes waiting for approval on aliases that require it. A client learns the outcome when it sends its request again."
        actions={
          <Link href="/approvals/profiles" className={buttonClasses("secondary")}>
            Approval profiles
          </Link>
        }
      />
      <Card className="mb-6">
        <UrlFilters
          idPrefix="approvals"
          initial={filters}
          keep={{ sort: query.sort, dir: query.dir }}
          fields={[
            {
              name: "q",
              label: "Key, account or contact",
              type: "text",
              placeholder: "thumbprint or account id (its beginning), or a contact",
            },
            {
              name: "alias",
              label: "Alias",
              type: "select",
              any: "All aliases",
              options: aliases.items.map((a) => ({ value: a.name, label: a.name })),
            },
            {
              name: "kind",
              label: "Kind",
              type: "select",
              any: "Both kinds",
              options: APPROVAL_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })),
            },
          ]}
        />
        <CardHeader
          title={`Pending (${pending.total})`}
          description={
            viewerDecides
              ? "Oldest first: they expire first. Approve or reject with a comment."
              : "Oldest first. Approvers decide these; your role reads them."
          }
        />
        {pending.items.length === 0 ? (
          <EmptyState
            title={filtered ? "No pending request matches this search" : "Nothing waiting for approval"}
          >
            {filtered
              ? "Clear the search to see every request."
              : "Requests appear here when an alias with an approval profile receives a registration or key change."}
          </EmptyState>
        ) : (
          <ApprovalQueueTable
            requests={pending.items}
            label="Pending approvals"
            history={false}
            viewerDecides={viewerDecides}
          />
        )}
      </Card>
      <Card>
        <CardHeader
          title="History"
          description="Decided and expired requests, newest first unless sorted otherwise, with who decided."
        />
        {history.items.length === 0 ? (
          <ListEmptyState info={history} basePath="/approvals" params={params}>
            <EmptyState
              title={
                filtered
                  ? "No decided or expired request matches this search"
                  : "No decided or expired requests yet"
              }
            />
          </ListEmptyState>
        ) : (
          <ApprovalQueueTable
            requests={history.items}
            label="Approval history"
            history={true}
            viewerDecides={viewerDecides}
            sorting={{ ...sorting, firstDir: "desc" }}
          />
        )}
        <Pagination
          page={history.page}
          pageSize={history.pageSize}
          total={history.total}
          basePath="/approvals"
          params={params}
        />
      </Card>
    </>
  );
}
