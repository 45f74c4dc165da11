// Terms of service per alias: the versions with the date each took effect, and how many accounts
// have agreed to the current one (CONSOLE.md "Terms of service"); aliases searched by name and
// paged, versions sorted, all in the URL.
import Link from "next/link";
import { TermsHistoryTable } from "@/components/terms/TermsHistoryTable";
import { TermsPublishButton } from "@/components/terms/TermsPublishButton";
import { Badge } from "@/components/ui/Badge";
import { Card, CardHeader } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { listState } from "@/components/ui/list-url";
import { PageHeader } from "@/components/ui/PageHeader";
import { ListEmptyState, Pagination } from "@/components/ui/Pagination";
import { SearchBox } from "@/components/ui/SearchBox";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { DEFAULT_PAGE_SIZE } from "@/lib/console/schemas/common";
import { termsListQuerySchema } from "@/lib/console/schemas/terms";
import { listTerms } from "@/lib/console/terms";

export const metadata = { title: "Terms of service · Keyward" };

export default async function TermsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("console.read", "/terms");
  const canPublish = actorCan(actor, "aliases.manage");
  const parsed = termsListQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : termsListQuerySchema.parse({});
  const page = await listTerms({ actor, ...query });
  const aliases = page.items;
  const { params, sorting } = listState("/terms", query, { q: query.q }, DEFAULT_PAGE_SIZE);
  return (
    <>
      <PageHeader
        title="Terms of service"
        description="The terms each alias's directory names, every version with the time it took effect, and how many accounts agreed."
      />
      <Card className="mb-6">
        <div className="px-4 py-3">
          <SearchBox placeholder="Search aliases" label="Search terms of service by alias name" />
        </div>
        {aliases.length === 0 && (
          <ListEmptyState info={page} basePath="/terms" params={params}>
            <EmptyState title={query.q ? `No alias matches "${query.q}"` : "No aliases yet"} />
          </ListEmptyState>
        )}
      </Card>
      <div className="space-y-6">
        {aliases.map((t) => (
          <Card key={t.alias}>
            <CardHeader
              title={
                <Link href={`/aliases/${encodeURIComponent(t.alias)}`} className="hover:underline">
                  {t.alias}
                </Link>
              }
              description={
                <span className="flex flex-wrap items-center gap-2">
                  {t.currentUrl
                    ? `${t.accountsAgreedToCurrent} of ${t.accounts} account${t.accounts === 1 ? "" : "s"} agreed to the current terms`
                    : "No terms of service"}
                  {t.requireNewApproval ? (
                    <Badge tone="indigo">
                      changes need agreement{t.agreeToNewAllowed ? "" : " by a new account"}
                    </Badge>
                  ) : (
                    <Badge>changes need no agreement</Badge>
                  )}
                </span>
              }
              actions={
                canPublish && (
                  <TermsPublishButton
                    alias={t.alias}
                    currentChangeUrl={t.currentChangeUrl}
                    requireNewApproval={t.requireNewApproval}
                    agreeToNewAllowed={t.agreeToNewAllowed}
                  />
                )
              }
            />
            <TermsHistoryTable terms={t} sorting={sorting} />
          </Card>
        ))}
      </div>
      {page.total > page.pageSize && (
        <Card className="mt-6">
          <Pagination
            page={page.page}
            pageSize={page.pageSize}
            total={page.total}
            basePath="/terms"
            params={params}
          />
        </Card>
      )}
    </>
  );
}
