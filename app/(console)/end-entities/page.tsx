// End entities (RA mode, issue 12 item 4): search by username or subject, status and alias; sort by
// last change or username. Everything lives in the URL (shareable); paging is server-side.
import Link from "next/link";
import { EndEntityStatusBadge } from "@/components/end-entities/EndEntityStatusBadge";
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
import { listEndEntities } from "@/lib/console/end-entities";
import { END_ENTITY_STATUSES, endEntityListQuerySchema } from "@/lib/console/schemas/end-entities";

export const metadata = { title: "End entities · Keyward" };

export default async function EndEntitiesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("console.read", "/end-entities");
  const parsed = endEntityListQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : endEntityListQuerySchema.parse({});
  const [page, aliases] = await Promise.all([
    listEndEntities({ actor, ...query }),
    listAliases({ actor, pageSize: 100 }),
  ]);
  const filters = { q: query.q, status: query.status, alias: query.alias };
  const sorting = { sort: query.sort, dir: query.dir };
  const filtered = Object.values(filters).some(Boolean);
  const sortProps = {
    sort: query.sort,
    dir: query.dir,
    basePath: "/end-entities",
    params: filters,
    firstDir: "desc" as const,
  };
  return (
    <>
      <PageHeader
        title="End entities"
        description="What certificates are enrolled for (RA mode): each finalize creates its end entity, or resets it to NEW, and the issued certificate makes it GENERATED. The alias's RA name generation scheme names it."
      />
      <Card>
        {!parsed.success && (
          <p className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-800" role="status">
            Part of this search was not understood ({parsed.error.issues[0]?.message}); showing every end
            entity.
          </p>
        )}
        <UrlFilters
          idPrefix="end-entities"
          initial={filters}
          keep={sorting}
          fields={[
            {
              name: "q",
              label: "Username or subject",
              type: "text",
              placeholder: "part of a username or DN",
            },
            {
              name: "status",
              label: "Status",
              type: "select",
              any: "Any status",
              options: END_ENTITY_STATUSES.map((s) => ({ value: s, label: s })),
            },
            {
              name: "alias",
              label: "Alias",
              type: "select",
              any: "All aliases",
              options: aliases.items.map((a) => ({ value: a.name, label: a.name })),
            },
          ]}
        />
        {page.items.length === 0 ? (
          <ListEmptyState info={page} basePath="/end-entities" params={{ ...filters, ...sorting }}>
            <EmptyState title={filtered ? "No end entity matches this search" : "No end entities yet"}>
              {filtered
                ? "Clear the search to see every end entity."
                : "Each finalized ACME order enrols its end entity; they appear here with their first certificate."}
            </EmptyState>
          </ListEmptyState>
        ) : (
          <Table label="End entities">
            <thead>
              <tr>
                <SortableTh label="Username" column="username" {...sortProps} />
                <Th>Status</Th>
                <Th>Subject</Th>
                <Th>Alias</Th>
                <Th>End entity profile</Th>
                <Th>Certificates</Th>
                <SortableTh label="Updated" column="updated" {...sortProps} />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.items.map((e) => (
                <Tr key={e.id}>
                  <Td className="max-w-64">
                    <Link
                      href={`/end-entities/${e.id}`}
                      className="block truncate font-medium text-indigo-700 hover:underline"
                      title={e.username}
                      data-testid="end-entity-link"
                    >
                      {e.username}
                    </Link>
                  </Td>
                  <Td>
                    <EndEntityStatusBadge status={e.status} />
                  </Td>
                  <Td className="max-w-64 truncate font-mono text-xs" title={e.subjectDn}>
                    {e.subjectDn || "(empty)"}
                  </Td>
                  <Td>{e.alias ?? "—"}</Td>
                  <Td>{e.endEntityProfile ?? "built-in"}</Td>
                  <Td>{e.certificates}</Td>
                  <Td className="whitespace-nowrap">
                    <RelativeTime iso={e.updatedAt} />
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
          basePath="/end-entities"
          params={{ ...filters, ...sorting }}
        />
      </Card>
    </>
  );
}
