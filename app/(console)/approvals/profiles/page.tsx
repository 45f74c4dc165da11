// Approval profiles: how many approvals a request needs, who may give them, how long it stays
// open, and which aliases use each. Administrators change them; everyone else reads.
import Link from "next/link";
import { ApprovalProfileDeleteButton } from "@/components/approvals/ApprovalProfileDeleteButton";
import { ApprovalProfileDialog } from "@/components/approvals/ApprovalProfileDialog";
import { Badge } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { listApprovalProfiles } from "@/lib/console/approval-profiles";

export const metadata = { title: "Approval profiles · Keyward" };

export default async function ApprovalProfilesPage() {
  const actor = await requirePermission("console.read", "/approvals/profiles");
  const canManage = actorCan(actor, "approvalProfiles.manage");
  const profiles = await listApprovalProfiles({ actor });
  return (
    <>
      <PageHeader
        breadcrumb={
          <Link href="/approvals" className="hover:underline">
            Approvals
          </Link>
        }
        title="Approval profiles"
        description="An alias's “Require approval for account registration / key change” names one of these."
        actions={canManage && <ApprovalProfileDialog />}
      />
      <Card>
        {profiles.length === 0 ? (
          <EmptyState title="No approval profiles yet">
            {canManage ? "Create one, then choose it on an alias." : "An administrator creates them."}
          </EmptyState>
        ) : (
          <Table label="Approval profiles">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Approvals</Th>
                <Th>Who may approve</Th>
                <Th>Open for</Th>
                <Th>Used by</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {profiles.map((p) => (
                <Tr key={p.id}>
                  <Td className="font-medium text-slate-900">{p.name}</Td>
                  <Td className="tabular-nums">{p.approvalsRequired}</Td>
                  <Td>
                    <div className="flex flex-wrap gap-1">
                      <Badge>approvers</Badge>
                      {p.administratorsMayApprove && <Badge tone="indigo">administrators</Badge>}
                      {p.selfApprovalAllowed && <Badge tone="amber">self-approval allowed</Badge>}
                    </div>
                  </Td>
                  <Td>{p.requestValidity}</Td>
                  <Td className="text-xs">
                    {p.usedBy.length === 0
                      ? "—"
                      : p.usedBy.map((u) => (
                          <div key={u.alias}>
                            <Link
                              href={`/aliases/${encodeURIComponent(u.alias)}`}
                              className="hover:underline"
                            >
                              {u.alias}
                            </Link>{" "}
                            <span className="text-slate-500">
                              (
                              {[u.registration && "registration", u.keyChange && "key change"]
                                .filter(Boolean)
                                .join(", ")}
                              )
                            </span>
                          </div>
                        ))}
                  </Td>
                  <Td className="text-right">
                    {canManage && (
                      <div className="flex justify-end gap-1.5">
                        <ApprovalProfileDialog profile={p} />
                        <ApprovalProfileDeleteButton name={p.name} />
                      </div>
                    )}
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
