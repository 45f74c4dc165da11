// API tokens (administrators only): tokens for automation, each acting with a role; searched by
// name or owner and sorted by a column in the URL.
import { ApiTokenCreateButton } from "@/components/api-tokens/ApiTokenCreateButton";
import { ApiTokenRevokeButton } from "@/components/api-tokens/ApiTokenRevokeButton";
import { Badge } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
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
import { ROLE_LABELS, rolesWithin } from "@/lib/auth/permissions";
import { listApiTokens } from "@/lib/console/api-tokens";
import { apiTokenListQuerySchema } from "@/lib/console/schemas/api-tokens";
import { DEFAULT_PAGE_SIZE } from "@/lib/console/schemas/common";

export const metadata = { title: "API tokens · Keyward" };

const STATUS_TONE = { active: "green", expired: "slate", revoked: "red" } as const;

export default async function ApiTokensPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("tokens.read", "/api-tokens");
  const canManage = actorCan(actor, "tokens.manage");
  const parsed = apiTokenListQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : apiTokenListQuerySchema.parse({});
  const page = await listApiTokens({ actor, ...query });
  const { params, sorting } = listState("/api-tokens", query, { q: query.q }, DEFAULT_PAGE_SIZE);
  return (
    <>
      <PageHeader
        title="API tokens"
        description={
          <>
            Tokens let scripts use the console&rsquo;s JSON API (
            <a className="text-indigo-700 underline" href="/api/console/openapi.json">
              OpenAPI document
            </a>
            ) with <code className="rounded bg-slate-100 px-1">Authorization: Bearer kw_…</code>. Each acts
            with the role it was given, but never with more than its owner&rsquo;s current role allows.
          </>
        }
        actions={canManage ? <ApiTokenCreateButton roles={rolesWithin(actor.permissions)} /> : undefined}
      />
      <Card>
        <div className="border-b border-slate-200 px-4 py-3">
          <SearchBox placeholder="Search tokens" label="Search API tokens by name or owner" />
        </div>
        {page.items.length === 0 ? (
          <ListEmptyState info={page} basePath="/api-tokens" params={params}>
            {query.q ? (
              <EmptyState title={`No token matches "${query.q}"`} />
            ) : (
              <EmptyState title="No API tokens yet">Create one for a script or a CI job.</EmptyState>
            )}
          </ListEmptyState>
        ) : (
          <Table label="API tokens">
            <thead>
              <tr>
                <SortableTh column="name" label="Name" {...sorting} />
                <Th>Token</Th>
                <SortableTh column="role" label="Role" {...sorting} />
                <SortableTh column="status" label="Status" {...sorting} />
                <SortableTh column="created" label="Created" firstDir="desc" {...sorting} />
                <SortableTh column="expires" label="Expires" {...sorting} />
                <SortableTh column="lastUsed" label="Last used" firstDir="desc" {...sorting} />
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.items.map((t) => (
                <Tr key={t.id}>
                  <Td className="font-medium text-slate-900">{t.name}</Td>
                  <Td>
                    <code className="font-mono text-xs text-slate-600">{t.prefix}…</code>
                  </Td>
                  <Td>
                    {ROLE_LABELS[t.role]}
                    {t.limitedByOwner && (
                      <Badge tone="amber" className="ml-2">
                        limited by {t.createdBy}&rsquo;s role ({ROLE_LABELS[t.ownerRole]})
                      </Badge>
                    )}
                  </Td>
                  <Td>
                    <Badge tone={STATUS_TONE[t.status]}>{t.status}</Badge>
                    {t.revokedAt && (
                      <span className="ml-2 text-xs text-slate-500">
                        <RelativeTime iso={t.revokedAt} />
                      </span>
                    )}
                  </Td>
                  <Td>
                    <RelativeTime iso={t.createdAt} />{" "}
                    <span className="text-xs text-slate-500">by {t.createdBy}</span>
                  </Td>
                  <Td>
                    <RelativeTime iso={t.expiresAt} empty="never" />
                  </Td>
                  <Td>
                    <RelativeTime iso={t.lastUsedAt} />
                  </Td>
                  <Td className="text-right">
                    {canManage && t.status === "active" && <ApiTokenRevokeButton id={t.id} name={t.name} />}
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
          basePath="/api-tokens"
          params={params}
        />
      </Card>
    </>
  );
}
