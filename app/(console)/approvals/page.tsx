// The approvals queue (an approver's home page): open requests first, oldest first, with what an
// approver needs to decide; then the history of decided and expired requests with who decided.
import Link from "next/link";
import { ApprovalQueueTable } from "@/components/approvals/ApprovalQueueTable";
import { buttonClasses } from "@/components/ui/Button";
import { Card, CardHeader } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { Pagination } from "@/components/ui/Pagination";
import { actorCanAny } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { DECIDING_PERMISSIONS } from "@/lib/auth/permissions";
import { listApprovals } from "@/lib/console/approvals";
import { approvalListQuerySchema } from "@/lib/console/schemas/approvals";

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
  const [pending, history] = await Promise.all([
    listApprovals({ actor, view: "pending", pageSize: 100, now }),
    listApprovals({ actor, view: "history", page: query.page, pageSize: query.pageSize, now }),
  ]);
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
        <CardHeader
          title={`Pending (${pending.total})`}
          description={
            viewerDecides
              ? "Oldest first: they expire first. Approve or reject with a comment."
              : "Oldest first. Approvers decide these; your role reads them."
          }
        />
        {pending.items.length === 0 ? (
          <EmptyState title="Nothing waiting for approval">
            Requests appear here when an alias with an approval profile receives a registration or key change.
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
          description="Decided and expired requests, newest first, with who decided."
        />
        {history.items.length === 0 ? (
          <EmptyState title="No decided or expired requests yet" />
        ) : (
          <ApprovalQueueTable
            requests={history.items}
            label="Approval history"
            history={true}
            viewerDecides={viewerDecides}
          />
        )}
        <Pagination
          page={history.page}
          pageSize={history.pageSize}
          total={history.total}
          basePath="/approvals"
          params={{}}
        />
      </Card>
    </>
  );
}
