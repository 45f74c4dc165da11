// API tokens (administrators only): tokens for automation, each acting with a role.
import { ApiTokenCreateButton } from "@/components/api-tokens/ApiTokenCreateButton";
import { ApiTokenRevokeButton } from "@/components/api-tokens/ApiTokenRevokeButton";
import { Badge } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { Pagination } from "@/components/ui/Pagination";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { ROLE_LABELS, rolesWithin } from "@/lib/auth/permissions";
import { listApiTokens } from "@/lib/console/api-tokens";
import { pagingSchema } from "@/lib/console/schemas/common";

export const metadata = { title: "API tokens · Keyward" };

const STATUS_TONE = { active: "green", expired: "slate", revoked: "red" } as const;

export default async function ApiTokensPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("tokens.read", "/api-tokens");
  const canManage = actorCan(actor, "tokens.manage");
  const parsed = pagingSchema.safeParse(await searchParams);
  const paging = parsed.success ? parsed.data : pagingSchema.parse({});
  const page = await listApiTokens({ actor, ...paging });
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
        {page.items.length === 0 ? (
          <EmptyState title="No API tokens yet">Create one for a script or a CI job.</EmptyState>
        ) : (
          <Table label="API tokens">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Token</Th>
                <Th>Role</Th>
                <Th>Status</Th>
                <Th>Created</Th>
                <Th>Expires</Th>
                <Th>Last used</Th>
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
          params={{}}
        />
      </Card>
    </>
  );
}
