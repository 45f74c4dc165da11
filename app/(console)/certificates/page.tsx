// Issued certificates: search by serial, name, account, alias, status and expiry window; sort by
// issue date, expiry or serial. Everything lives in the URL (shareable); paging is server-side.
import Link from "next/link";
import { CertificateStatusBadge } from "@/components/certificates/CertificateStatusBadge";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { ListEmptyState, Pagination } from "@/components/ui/Pagination";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { SortableTh } from "@/components/ui/SortableTh";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { UrlFilters } from "@/components/ui/UrlFilters";
import { requirePermission } from "@/lib/auth/guard";
import { listAliases } from "@/lib/console/aliases";
import { listCertificates } from "@/lib/console/certificates";
import { CERTIFICATE_STATUSES, certificateListQuerySchema } from "@/lib/console/schemas/certificates";

export const metadata = { title: "Certificates · Keyward" };

export default async function CertificatesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("console.read", "/certificates");
  const raw = await searchParams;
  const parsed = certificateListQuerySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : certificateListQuerySchema.parse({});
  const [page, aliases] = await Promise.all([
    listCertificates({ actor, ...query }),
    listAliases({ actor, pageSize: 100 }),
  ]);
  const filters = {
    name: query.name,
    serial: query.serial,
    account: query.account,
    alias: query.alias,
    status: query.status,
    expiresFrom: query.expiresFrom,
    expiresTo: query.expiresTo,
  };
  const sorting = { sort: query.sort, dir: query.dir };
  const filtered = Object.values(filters).some(Boolean);
  const sortProps = {
    sort: query.sort,
    dir: query.dir,
    basePath: "/certificates",
    params: filters,
    firstDir: "desc" as const,
  };
  return (
    <>
      <PageHeader
        title="Certificates"
        description="Every certificate Keyward issued, newest first. Open one to see it decoded, download it with its chain, or revoke it."
      />
      <Card>
        {!parsed.success && (
          <p className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-800" role="status">
            Part of this search was not understood ({parsed.error.issues[0]?.message}); showing every
            certificate.
          </p>
        )}
        <UrlFilters
          idPrefix="certificates"
          initial={filters}
          keep={sorting}
          fields={[
            { name: "name", label: "Name", type: "text", placeholder: "www.example.com, part of a name" },
            { name: "serial", label: "Serial", type: "text", placeholder: "hex, or its beginning" },
            { name: "account", label: "Account", type: "text", placeholder: "account id" },
            {
              name: "alias",
              label: "Alias",
              type: "select",
              any: "All aliases",
              options: aliases.items.map((a) => ({ value: a.name, label: a.name })),
            },
            {
              name: "status",
              label: "Status",
              type: "select",
              any: "Any status",
              options: CERTIFICATE_STATUSES.map((s) => ({ value: s, label: s })),
            },
            { name: "expiresFrom", label: "Expires from", type: "date" },
            { name: "expiresTo", label: "Expires until", type: "date" },
          ]}
        />
        {page.items.length === 0 ? (
          <ListEmptyState info={page} basePath="/certificates" params={{ ...filters, ...sorting }}>
            <EmptyState title={filtered ? "No certificate matches this search" : "No certificates yet"}>
              {filtered
                ? "Clear the search to see every certificate."
                : "ACME clients get certificates by finalizing an order; they appear here as soon as they are issued."}
            </EmptyState>
          </ListEmptyState>
        ) : (
          <Table label="Certificates">
            <thead>
              <tr>
                <Th>Names</Th>
                <SortableTh label="Serial" column="serial" {...sortProps} />
                <Th>Status</Th>
                <Th>Alias</Th>
                <Th>Account</Th>
                <SortableTh label="Issued" column="issued" {...sortProps} />
                <SortableTh label="Expires" column="expires" {...sortProps} />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.items.map((c) => (
                <Tr key={c.id}>
                  <Td>
                    <Link
                      href={`/certificates/${c.id}`}
                      className="font-medium text-indigo-700 hover:underline"
                      data-testid="certificate-link"
                    >
                      {c.names[0] ?? c.subjectDn}
                    </Link>
                    {c.names.length > 1 && (
                      <span className="block text-xs text-slate-500" title={c.names.join(", ")}>
                        +{c.names.length - 1} more: {c.names.slice(1, 3).join(", ")}
                        {c.names.length > 3 ? "…" : ""}
                      </span>
                    )}
                  </Td>
                  <Td className="max-w-40 truncate font-mono text-xs" title={c.serialHex}>
                    {c.serialHex}
                  </Td>
                  <Td>
                    <CertificateStatusBadge certificate={c} />
                  </Td>
                  <Td>{c.alias}</Td>
                  <Td>
                    <Link
                      href={`/accounts/${c.accountId}`}
                      className="block max-w-32 truncate font-mono text-xs hover:underline"
                      title={c.accountId}
                    >
                      {c.accountId}
                    </Link>
                  </Td>
                  <Td className="whitespace-nowrap">
                    <RelativeTime iso={c.issuedAt} />
                  </Td>
                  <Td className="whitespace-nowrap">
                    <RelativeTime iso={c.notAfter} />
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
          basePath="/certificates"
          params={{ ...filters, ...sorting }}
        />
      </Card>
    </>
  );
}
