// An alias's terms-of-service versions, newest first: when each took effect, who published it,
// and how many accounts agreed to it.
import { Badge } from "@/components/ui/Badge";
import { EmptyState } from "@/components/ui/EmptyState";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import type { AliasTermsView } from "@/lib/console/terms";

export function TermsHistoryTable({ terms }: { terms: AliasTermsView }) {
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
          <Th>Version</Th>
          <Th>URL</Th>
          <Th>In effect since</Th>
          <Th>Published by</Th>
          <Th>Accounts agreed</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {terms.versions.map((v, i) => (
          <Tr key={v.version}>
            <Td className="whitespace-nowrap font-medium text-slate-900">
              v{v.version} {i === 0 && terms.currentUrl === v.url && <Badge tone="green">current</Badge>}
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
