// An alias's terms-of-service versions (newest first, or as the list sorts them): when each took
// effect, who published it, and how many accounts agreed to it.
import { Badge } from "@/components/ui/Badge";
import { EmptyState } from "@/components/ui/EmptyState";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { SortableTh } from "@/components/ui/SortableTh";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import type { AliasTermsView } from "@/lib/console/terms";

export function TermsHistoryTable({
  terms,
  sorting,
}: {
  terms: AliasTermsView;
  /** The terms page's order in the URL: the Version and Accounts agreed headers sort (SortableTh). */
  sorting?: Omit<Parameters<typeof SortableTh>[0], "column" | "label">;
}) {
  if (terms.versions.length === 0) {
    return (
      <EmptyState title="No terms of service published">
        Without terms, accounts register without agreeing to any.
      </EmptyState>
    );
  }
  return (
    <Table label={`Terms of service of ${terms.alias}`}>
      <thead>
        <tr>
          {sorting ? <SortableTh column="version" label="Version" {...sorting} /> : <Th>Version</Th>}
          <Th>URL</Th>
          <Th>In effect since</Th>
          <Th>Published by</Th>
          {sorting ? (
            <SortableTh column="accounts" label="Accounts agreed" firstDir="desc" {...sorting} />
          ) : (
            <Th>Accounts agreed</Th>
          )}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {terms.versions.map((v) => (
          <Tr key={v.version}>
            <Td className="whitespace-nowrap font-medium text-slate-900">
              v{v.version}{" "}
              {v.version === terms.latestVersion && terms.currentUrl === v.url && (
                <Badge tone="green">current</Badge>
              )}
            </Td>
            <Td className="text-xs">
              <a
                href={v.url}
                className="break-all text-indigo-700 hover:underline"
                rel="noreferrer"
                target="_blank"
              >
                {v.url}
              </a>
              {v.changeUrl && <span className="block break-all text-slate-500">changes: {v.changeUrl}</span>}
            </Td>
            <Td className="whitespace-nowrap">
              <RelativeTime iso={v.effectiveAt} />
            </Td>
            <Td>{v.publishedBy}</Td>
            <Td className="tabular-nums">{v.accountsAgreed}</Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
