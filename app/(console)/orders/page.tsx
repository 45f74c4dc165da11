// ACME orders: search by identifier, account, alias and status, sort by status, alias, creation or
// expiry (all in the URL, shareable), each with its outcome: the certificate, or the error that made it invalid.
import Link from "next/link";
import { StatusBadge } from "@/components/orders/OrderStatusBadge";
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
import { listAliases } from "@/lib/console/aliases";
import { listOrders } from "@/lib/console/orders";
import { DEFAULT_PAGE_SIZE } from "@/lib/console/schemas/common";
import { ORDER_STATUSES, orderListQuerySchema } from "@/lib/console/schemas/orders";

export const metadata = { title: "Orders · Keyward" };

export default async function OrdersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("console.read", "/orders");
  const parsed = orderListQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : orderListQuerySchema.parse({});
  const [page, aliases] = await Promise.all([
    listOrders({ actor, ...query }),
    listAliases({ actor, pageSize: 100 }),
  ]);
  const filters = {
    identifier: query.identifier,
    account: query.account,
    alias: query.alias,
    status: query.status,
  };
  const filtered = Object.values(filters).some(Boolean);
  const { params, sorting } = listState("/orders", query, filters, DEFAULT_PAGE_SIZE);
  return (
    <>
      <PageHeader
        title="Orders"
        description="ACME orders on every alias, newest first. Open one to see its authorizations and what each validation tried."
      />
      <Card>
        <UrlFilters
          idPrefix="orders"
          initial={filters}
          keep={{ sort: query.sort, dir: query.dir }}
          fields={[
            {
              name: "identifier",
              label: "Identifier",
              type: "text",
              placeholder: "www.example.com, part of it",
            },
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
              options: ORDER_STATUSES.map((s) => ({ value: s, label: s })),
            },
          ]}
        />
        {page.items.length === 0 ? (
          <ListEmptyState info={page} basePath="/orders" params={params}>
            <EmptyState title={filtered ? "No order matches this search" : "No orders yet"}>
              {filtered
                ? "Clear the search to see every order."
                : "ACME clients create orders with newOrder."}
            </EmptyState>
          </ListEmptyState>
        ) : (
          <Table label="Orders">
            <thead>
              <tr>
                <Th>Identifiers</Th>
                <SortableTh column="status" label="Status" {...sorting} />
                <Th>Outcome</Th>
                <SortableTh column="alias" label="Alias" {...sorting} />
                <Th>Account</Th>
                <SortableTh column="created" label="Created" firstDir="desc" {...sorting} />
                <SortableTh column="expires" label="Expires" firstDir="desc" {...sorting} />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.items.map((o) => (
                <Tr key={o.id}>
                  <Td>
                    <Link
                      href={`/orders/${o.id}`}
                      className="font-medium text-indigo-700 hover:underline"
                      data-testid="order-link"
                    >
                      {o.identifiers.map((i) => i.value).join(", ") || o.id}
                    </Link>
                  </Td>
                  <Td>
                    <StatusBadge status={o.status} />
                  </Td>
                  <Td className="max-w-md text-xs">
                    {o.certificateId ? (
                      <Link
                        href={`/certificates/${o.certificateId}`}
                        className="text-indigo-700 hover:underline"
                      >
                        certificate
                      </Link>
                    ) : o.error ? (
                      <span className="text-red-700" title={o.error.detail}>
                        {o.error.type.replace("urn:ietf:params:acme:error:", "")}: {o.error.detail}
                      </span>
                    ) : (
                      "—"
                    )}
                  </Td>
                  <Td>{o.alias}</Td>
                  <Td>
                    <Link
                      href={`/accounts/${o.accountId}`}
                      className="block max-w-32 truncate font-mono text-xs hover:underline"
                      title={o.accountId}
                    >
                      {o.accountId}
                    </Link>
                  </Td>
                  <Td className="whitespace-nowrap">
                    <RelativeTime iso={o.createdAt} />
                  </Td>
                  <Td className="whitespace-nowrap">
                    <RelativeTime iso={o.expiresAt} />
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
          basePath="/orders"
          params={params}
        />
      </Card>
    </>
  );
}
