// The approvals queue and its history as one table: each request with alias, kind, key
// thumbprint, contacts, client address, age and expiry, the approvals so far and who decided.
// Decision buttons only where the server says the viewer may decide (it checks again anyway).
import Link from "next/link";
import { Badge, type BadgeTone } from "@/components/ui/Badge";
import { CopyButton } from "@/components/ui/CopyButton";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { SortableTh } from "@/components/ui/SortableTh";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import type { ApprovalRequestView } from "@/lib/console/approvals";
import { ApprovalDecisionDialog } from "./ApprovalDecisionDialog";

const STATUS: Record<ApprovalRequestView["status"], { tone: BadgeTone; label: string }> = {
  pending: { tone: "amber", label: "pending" },
  approved: { tone: "green", label: "approved" },
  rejected: { tone: "red", label: "rejected" },
  expired: { tone: "slate", label: "expired" },
};

const KIND = { registration: "Registration", keyChange: "Key change" } as const;

export function ApprovalStatusBadge({
  request,
}: {
  request: Pick<ApprovalRequestView, "status" | "appliedAt">;
}) {
  const s = STATUS[request.status];
  return (
    <span className="inline-flex gap-1">
      <Badge tone={s.tone}>{s.label}</Badge>
      {request.appliedAt && <Badge tone="indigo">applied</Badge>}
    </span>
  );
}

function Thumbprint({ value }: { value: string }) {
  return (
    <span className="flex items-center gap-1.5">
      <code className="max-w-36 truncate font-mono text-xs text-slate-800" title={value}>
        {value}
      </code>
      <CopyButton value={value} />
    </span>
  );
}

export function ApprovalQueueTable({
  requests,
  label,
  history,
  viewerDecides,
  sorting,
}: {
  requests: ApprovalRequestView[];
  label: string;
  history: boolean;
  /** The history's order in the URL: its "asked" and "decided" headers sort (SortableTh). */
  sorting?: Omit<Parameters<typeof SortableTh>[0], "column" | "label">;
  /** The viewer decides some requests (approver, administrator): say why not where they cannot. */
  viewerDecides: boolean;
}) {
  return (
    <Table label={label}>
      <thead>
        <tr>
          <Th>Request</Th>
          <Th>Account key</Th>
          <Th>Contacts · client</Th>
          {sorting ? (
            <SortableTh column="asked" label={history ? "Asked · outcome" : "Asked · expires"} {...sorting} />
          ) : (
            <Th>{history ? "Asked · outcome" : "Asked · expires"}</Th>
          )}
          <Th>Approvals</Th>
          {sorting && history ? (
            <SortableTh column="decided" label="Decided by" {...sorting} />
          ) : (
            <Th>{history ? "Decided by" : <span className="sr-only">Decision</span>}</Th>
          )}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {requests.map((r) => (
          <Tr key={r.id}>
            <Td className="whitespace-nowrap">
              <span className="font-medium text-slate-900" data-testid={`approval-${r.id}`}>
                #{r.id} {KIND[r.kind]}
              </span>
              <span className="block text-xs text-slate-500">
                on{" "}
                <Link href={`/aliases/${encodeURIComponent(r.alias)}`} className="hover:underline">
                  {r.alias}
                </Link>
                {r.accountId && (
                  <>
                    {" · "}
                    <Link
                      href={`/accounts/${r.accountId}`}
                      className="text-indigo-700 hover:underline"
                      title={r.accountId}
                    >
                      account
                    </Link>
                  </>
                )}
              </span>
            </Td>
            <Td>
              <Thumbprint value={r.keyThumbprint} />
              {r.oldKeyThumbprint && (
                <span className="mt-0.5 block text-xs text-slate-500" title={r.oldKeyThumbprint}>
                  replaces {r.oldKeyThumbprint.slice(0, 12)}…
                </span>
              )}
            </Td>
            <Td className="text-xs">
              {r.contact.length
                ? r.contact.map((c) => <div key={c}>{c.replace(/^mailto:/, "")}</div>)
                : "no contact"}
              <span className="block text-slate-500">from {r.clientIp ?? "—"}</span>
            </Td>
            <Td className="whitespace-nowrap text-xs">
              <RelativeTime iso={r.createdAt} />
              <span className="mt-0.5 block">
                {history ? (
                  <ApprovalStatusBadge request={r} />
                ) : (
                  <span className="text-slate-500">
                    expires <RelativeTime iso={r.expiresAt} />
                  </span>
                )}
              </span>
            </Td>
            <Td className="whitespace-nowrap tabular-nums">
              <span data-testid={`approval-${r.id}-count`}>
                {r.approvals} / {r.approvalsRequired}
              </span>
              <span className="block text-xs text-slate-500">{r.profileName}</span>
            </Td>
            <Td className={history ? "text-xs" : "text-right"}>
              {history ? (
                r.decisions.length ? (
                  r.decisions.map((d) => (
                    <div key={`${d.username}-${d.at}`}>
                      <span className="font-medium text-slate-800">{d.username}</span>{" "}
                      {d.verdict === "approve" ? "approved" : "rejected"} <RelativeTime iso={d.at} />
                      {d.comment && <span className="block text-slate-500">“{d.comment}”</span>}
                    </div>
                  ))
                ) : (
                  <span className="text-slate-500">nobody (expired)</span>
                )
              ) : r.canDecide ? (
                <ApprovalDecisionDialog request={r} />
              ) : (
                <span
                  className="block max-w-56 text-left text-xs text-slate-500"
                  data-testid={`approval-${r.id}-why-not`}
                >
                  {viewerDecides && r.cannotDecideReason}
                  {r.decisions.length > 0 && (
                    <span className="block">
                      {r.decisions
                        .map((d) => `${d.username} ${d.verdict === "approve" ? "approved" : "rejected"}`)
                        .join(", ")}
                    </span>
                  )}
                </span>
              )}
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
