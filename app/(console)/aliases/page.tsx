// Aliases: every ACME configuration, its URLs and flags; create, edit, clone, rename, delete.
import Link from "next/link";
import { AliasActions } from "@/components/aliases/AliasActions";
import { AliasCreateButton } from "@/components/aliases/AliasCreateButton";
import { aliasUrlSets } from "@/components/aliases/alias-urls";
import { Badge } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
import { CopyField } from "@/components/ui/CopyButton";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { ListEmptyState, Pagination } from "@/components/ui/Pagination";
import { SearchBox } from "@/components/ui/SearchBox";
import { SortableTh } from "@/components/ui/SortableTh";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { type AliasFlag, listAliases } from "@/lib/console/aliases";
import { requestOrigins } from "@/lib/console/request-origin";
import { aliasListQuerySchema } from "@/lib/console/schemas/aliases";
import { DEFAULT_PAGE_SIZE } from "@/lib/console/schemas/common";

export const metadata = { title: "Aliases · Keyward" };

// Only protections the ACME side enforces are flagged (lib/console/aliases.ts flagsOf); a field
// that is stored but not enforced yet is marked on the alias page instead.
const FLAG_LABELS: Record<AliasFlag, string> = {
  eab: "EAB",
  approvals: "approvals",
  "client-certificate": "client cert",
};

export default async function AliasesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("console.read", "/aliases");
  const parsed = aliasListQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : aliasListQuerySchema.parse({});
  // What every link of the list keeps: the search, the order, a page size other than the default.
  const params = {
    q: query.q,
    sort: query.sort,
    dir: query.dir,
    pageSize: query.pageSize === DEFAULT_PAGE_SIZE ? undefined : query.pageSize,
  };
  const sorting = { sort: query.sort, dir: query.dir, basePath: "/aliases", params };
  const [page, origins] = await Promise.all([listAliases({ actor, ...query }), requestOrigins()]);
  const canManage = actorCan(actor, "aliases.manage");
  return (
    <>
      <PageHeader
        title="Aliases"
        description="Each alias is an ACME configuration with its own directory URL. A new alias serves ACME once it has been edited and stored."
        actions={canManage && <AliasCreateButton />}
      />
      <Card>
        <div className="flex items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
          <SearchBox placeholder="Search aliases" label="Search aliases by name" />
          <p className="text-xs text-slate-500">
            Flags show protections in force. Fields marked &ldquo;Not enforced yet&rdquo; on an alias&rsquo;s
            page (approvals, …) are stored but raise no flag.
          </p>
        </div>
        {page.items.length === 0 ? (
          <ListEmptyState info={page} basePath="/aliases" params={sorting.params}>
            <EmptyState title={query.q ? `No alias matches "${query.q}"` : "No aliases yet"}>
              {canManage ? "Create one to serve ACME." : "An administrator can create one."}
            </EmptyState>
          </ListEmptyState>
        ) : (
          <Table label="Aliases">
            <thead>
              <tr>
                <SortableTh column="name" label="Name" {...sorting} />
                <SortableTh column="status" label="Status" {...sorting} />
                <Th>Directory URL</Th>
                <Th>Flags</Th>
                <SortableTh
                  column="accounts"
                  label="Accounts"
                  firstDir="desc"
                  className="text-right"
                  {...sorting}
                />
                {canManage && (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.items.map((a) => (
                <Tr key={a.id}>
                  <Td>
                    <div className="flex items-center gap-2">
                      <Link
                        href={`/aliases/${encodeURIComponent(a.name)}`}
                        className="font-medium text-indigo-700 hover:underline"
                        data-testid={`alias-link-${a.name}`}
                      >
                        {a.name}
                      </Link>
                      {a.isDefault && <Badge tone="indigo">default</Badge>}
                    </div>
                  </Td>
                  <Td>
                    {a.configured ? (
                      <Badge tone="green">stored</Badge>
                    ) : (
                      <Badge tone="amber">not stored yet</Badge>
                    )}
                  </Td>
                  <Td className="max-w-sm">
                    {a.flags.includes("client-certificate") ? (
                      // The URL that works for such an alias: the one with client authentication.
                      <div>
                        <CopyField value={aliasUrlSets(origins, a.name, a.isDefault).withClientAuth.path} />
                        <p className="mt-0.5 text-xs text-slate-500">with client authentication</p>
                      </div>
                    ) : (
                      <CopyField value={aliasUrlSets(origins, a.name, a.isDefault).withoutClientAuth.path} />
                    )}
                  </Td>
                  <Td>
                    <div className="flex flex-wrap gap-1" data-testid={`alias-flags-${a.name}`}>
                      {a.flags.map((flag) => (
                        <Badge key={flag} tone="blue">
                          {FLAG_LABELS[flag]}
                        </Badge>
                      ))}
                      {a.flags.length === 0 && <span className="text-xs text-slate-500">—</span>}
                    </div>
                  </Td>
                  <Td className="text-right tabular-nums">{a.accountCount}</Td>
                  {canManage && (
                    <Td className="text-right">
                      <AliasActions
                        name={a.name}
                        isDefault={a.isDefault}
                        accountCount={a.accountCount}
                        stayOnList
                      />
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
          basePath="/aliases"
          params={sorting.params}
        />
      </Card>
    </>
  );
}
