// ACME accounts: search by alias, status, contact and key thumbprint (in the URL, shareable).
import Link from "next/link";
import { AccountStatusBadge, TermsAgreement } from "@/components/accounts/AccountBadges";
import { AccountFilters } from "@/components/accounts/AccountFilters";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { Pagination } from "@/components/ui/Pagination";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { requirePermission } from "@/lib/auth/guard";
import { listAccounts } from "@/lib/console/accounts";
import { listAliases } from "@/lib/console/aliases";
import { accountListQuerySchema } from "@/lib/console/schemas/accounts";

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
  return (
    <>
      <PageHeader
        title="Accounts"
        description="ACME accounts registered on every alias, newest first, with the terms they agreed to and what they ordered."
      />
      <Card>
        <AccountFilters initial={filters} aliases={aliases.items.map((a) => a.name)} />
        {page.items.length === 0 ? (
          <EmptyState title={filtered ? "No account matches this search" : "No accounts yet"}>
            {filtered
              ? "Clear the search to see every account."
              : "ACME clients create accounts with newAccount."}
          </EmptyState>
        ) : (
          <Table label="Accounts">
            <thead>
              <tr>
                <Th>Account</Th>
                <Th>Alias</Th>
                <Th>Status</Th>
                <Th>Contacts</Th>
                <Th>Created</Th>
                <Th>Terms agreed</Th>
                <Th>Orders</Th>
                <Th>Certificates</Th>
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
          params={filters}
        />
      </Card>
    </>
  );
}
