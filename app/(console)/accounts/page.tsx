// ACME accounts: search by alias, status, contact and key thumbprint, sort by a column (all in the
// URL, shareable).
import Link from "next/link";
import { AccountStatusBadge, TermsAgreement } from "@/components/accounts/AccountBadges";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { listState } from "@/components/ui/list-url";
import { PageHeader } from "@/components/ui/PageHeader";
import { ListEmptyState, Pagination } from "@/components/ui/Pagination";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { SortableTh } from "@/components/ui/SortableTh";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { UrlFilters } from "@/components/ui/UrlFilters";
import { requirePermission } from "@/lib/auth/guard";
import { listAccounts } from "@/lib/console/accounts";
import { listAliases } from "@/lib/console/aliases";
import { ACCOUNT_STATUSES, accountListQuerySchema } from "@/lib/console/schemas/accounts";
import { DEFAULT_PAGE_SIZE } from "@/lib/console/schemas/common";

export const metadata = { title: "Accounts · Keyward" };

export default async function AccountsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("console.read", "/accounts");
  const parsed = accountListQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : accountListQuerySchema.parse({});
  const [page, aliases] = await Promise.all([
    listAccounts({ actor, ...query }),
    listAliases({ actor, pageSize: 100 }),
  ]);
  const filters = {
    alias: query.alias,
    status: query.status,
    contact: query.contact,
    thumbprint: query.thumbprint,
  };
  const filtered = Object.values(filters).some(Boolean);
  const { params, sorting } = listState("/accounts", query, filters, DEFAULT_PAGE_SIZE);
  return (
    <>
      <PageHeader
        title="Accounts"
        description="ACME accounts registered on every alias, newest first, with the terms they agreed to and what they ordered."
      />
      <Card>
        <UrlFilters
          idPrefix="accounts"
          initial={filters}
          keep={{ sort: query.sort, dir: query.dir }}
          fields={[
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
              options: ACCOUNT_STATUSES.map((s) => ({ value: s, label: s })),
            },
            {
              name: "contact",
              label: "Contact",
              type: "text",
              placeholder: "ops@example.com, or part of it",
            },
            {
              name: "thumbprint",
              label: "Key thumbprint",
              type: "text",
              placeholder: "prefix, e.g. uFJdG7Vm",
            },
          ]}
        />
        {page.items.length === 0 ? (
          <ListEmptyState info={page} basePath="/accounts" params={params}>
            <EmptyState title={filtered ? "No account matches this search" : "No accounts yet"}>
              {filtered
                ? "Clear the search to see every account."
                : "ACME clients create accounts with newAccount."}
            </EmptyState>
          </ListEmptyState>
        ) : (
          <Table label="Accounts">
            <thead>
              <tr>
                <Th>Account</Th>
                <SortableTh column="alias" label="Alias" {...sorting} />
                <SortableTh column="status" label="Status" {...sorting} />
                <Th>Contacts</Th>
                <SortableTh column="created" label="Created" firstDir="desc" {...sorting} />
                <Th>Terms agreed</Th>
                <SortableTh column="orders" label="Orders" firstDir="desc" {...sorting} />
                <SortableTh column="certificates" label="Certificates" firstDir="desc" {...sorting} />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.items.map((a) => (
                <Tr key={a.id}>
                  <Td>
                    <Link
                      href={`/accounts/${a.id}`}
                      className="font-mono text-xs font-medium text-indigo-700 hover:underline"
                    >
                      {a.id}
                    </Link>
                    <span
                      className="block max-w-40 truncate font-mono text-[11px] text-slate-500"
                      title={a.keyThumbprint}
                    >
                      key {a.keyThumbprint}
                    </span>
                  </Td>
                  <Td>{a.alias}</Td>
                  <Td>
                    <AccountStatusBadge status={a.status} />
                  </Td>
                  <Td className="text-xs">
                    {a.contact.length
                      ? a.contact.map((c) => <div key={c}>{c.replace(/^mailto:/, "")}</div>)
                      : "—"}
                  </Td>
                  <Td className="whitespace-nowrap">
                    <RelativeTime iso={a.createdAt} />
                  </Td>
                  <Td>
                    <TermsAgreement account={a} />
                  </Td>
                  <Td className="tabular-nums">
                    <Link href={`/accounts/${a.id}#orders`} className="hover:underline">
                      {a.orderCount}
                    </Link>
                  </Td>
                  <Td className="tabular-nums">
                    <Link href={`/accounts/${a.id}#certificates`} className="hover:underline">
                      {a.certificateCount}
                    </Link>
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
          basePath="/accounts"
          params={params}
        />
      </Card>
    </>
  );
}
