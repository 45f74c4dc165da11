// Client trust anchors: the CA certificates ACME client certificates may chain to (Keyward's own
// CAs by default); administrators import and remove them.
import { TrustAnchorImportButton } from "@/components/trust-anchors/TrustAnchorImportButton";
import { TrustAnchorRemoveButton } from "@/components/trust-anchors/TrustAnchorRemoveButton";
import { Badge } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
import { CopyButton } from "@/components/ui/CopyButton";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { listTrustAnchors } from "@/lib/console/trust-anchors";

export const metadata = { title: "Client trust anchors · Keyward" };

export default async function TrustAnchorsPage() {
  const actor = await requirePermission("console.read", "/trust-anchors");
  const anchors = await listTrustAnchors({ actor });
  const canManage = actorCan(actor, "protocol.manage");
  const now = new Date();
  return (
    <>
      <PageHeader
        title="Client trust anchors"
        description="ACME clients on aliases that require a client certificate must present one that chains to one of these CAs, is valid, and (when Keyward issued it) not revoked. An alias's access rules then decide what it may do."
        actions={canManage && <TrustAnchorImportButton />}
      />
      <Card>
        {anchors.length === 0 ? (
          <EmptyState title="No trust anchors">
            No client certificate is trusted.{" "}
            {canManage ? "Import a CA certificate." : "An administrator can import one."}
          </EmptyState>
        ) : (
          <Table label="Trust anchors">
            <thead>
              <tr>
                <Th>Subject</Th>
                <Th>Source</Th>
                <Th>Valid until</Th>
                <Th>SHA-256</Th>
                <Th>Added</Th>
                {canManage && (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {anchors.map((a) => (
                <Tr key={a.id}>
                  <Td className="font-medium text-slate-900">{a.subjectDn}</Td>
                  <Td>
                    <Badge tone={a.source === "keyward" ? "indigo" : "slate"}>
                      {a.source === "keyward" ? "Keyward CA" : "imported"}
                    </Badge>
                  </Td>
                  <Td>
                    {new Date(a.notAfter) < now ? (
                      <Badge tone="red">expired</Badge>
                    ) : (
                      <RelativeTime iso={a.notAfter} />
                    )}
                  </Td>
                  <Td>
                    <div className="flex items-center gap-2">
                      <code className="font-mono text-xs text-slate-600" title={a.sha256}>
                        {a.sha256.slice(0, 16)}…
                      </code>
                      <CopyButton value={a.sha256} />
                    </div>
                  </Td>
                  <Td>
                    <RelativeTime iso={a.createdAt} />
                  </Td>
                  {canManage && (
                    <Td className="text-right">
                      <TrustAnchorRemoveButton id={a.id} subjectDn={a.subjectDn} />
                    </Td>
                  )}
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
