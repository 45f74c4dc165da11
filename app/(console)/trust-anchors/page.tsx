// Client trust anchors: the CA certificates ACME client certificates may chain to (Keyward's own
// CAs by default), searched by subject and sorted in the URL; administrators import and remove them.
import { TrustAnchorImportButton } from "@/components/trust-anchors/TrustAnchorImportButton";
import { TrustAnchorRemoveButton } from "@/components/trust-anchors/TrustAnchorRemoveButton";
import { Badge } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
import { CopyButton } from "@/components/ui/CopyButton";
import { EmptyState } from "@/components/ui/EmptyState";
import { listState } from "@/components/ui/list-url";
import { PageHeader } from "@/components/ui/PageHeader";
import { ListEmptyState, Pagination } from "@/components/ui/Pagination";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { SearchBox } from "@/components/ui/SearchBox";
import { SortableTh } from "@/components/ui/SortableTh";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { DEFAULT_PAGE_SIZE } from "@/lib/console/schemas/common";
import { trustAnchorListQuerySchema } from "@/lib/console/schemas/trust-anchors";
import { listTrustAnchors } from "@/lib/console/trust-anchors";

export const metadata = { title: "Client trust anchors · Keyward" };

export default async function TrustAnchorsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("console.read", "/trust-anchors");
  const parsed = trustAnchorListQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : trustAnchorListQuerySchema.parse({});
  const page = await listTrustAnchors({ actor, ...query });
  const anchors = page.items;
  const { params, sorting } = listState("/trust-anchors", query, { q: query.q }, DEFAULT_PAGE_SIZE);
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
        <div className="border-b border-slate-200 px-4 py-3">
          <SearchBox placeholder="Search subjects" label="Search trust anchors by subject" />
        </div>
        {anchors.length === 0 ? (
          <ListEmptyState info={page} basePath="/trust-anchors" params={params}>
            {query.q ? (
              <EmptyState title={`No trust anchor's subject contains "${query.q}"`} />
            ) : (
              <EmptyState title="No trust anchors">
                No client certificate is trusted.{" "}
                {canManage ? "Import a CA certificate." : "An administrator can import one."}
              </EmptyState>
            )}
          </ListEmptyState>
        ) : (
          <Table label="Trust anchors">
            <thead>
              <tr>
                <SortableTh column="subject" label="Subject" {...sorting} />
                <SortableTh column="source" label="Source" {...sorting} />
                <SortableTh column="validUntil" label="Valid until" {...sorting} />
                <Th>SHA-256</Th>
                <SortableTh column="added" label="Added" firstDir="desc" {...sorting} />
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
        <Pagination
          page={page.page}
          pageSize={page.pageSize}
          total={page.total}
          basePath="/trust-anchors"
          params={params}
        />
      </Card>
    </>
  );
}
