// Terms of service per alias: the versions with the date each took effect, and how many accounts
// have agreed to the current one (CONSOLE.md "Terms of service").
import Link from "next/link";
import { TermsHistoryTable } from "@/components/terms/TermsHistoryTable";
import { TermsPublishButton } from "@/components/terms/TermsPublishButton";
import { Badge } from "@/components/ui/Badge";
import { Card, CardHeader } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { listTerms } from "@/lib/console/terms";

export const metadata = { title: "Terms of service · Keyward" };

export default async function TermsPage() {
  const actor = await requirePermission("console.read", "/terms");
  const canPublish = actorCan(actor, "aliases.manage");
  const aliases = await listTerms({ actor });
  return (
    <>
      <PageHeader
        title="Terms of service"
        description="The terms each alias's directory names, every version with the time it took effect, and how many accounts agreed."
      />
      {aliases.length === 0 && (
        <Card>
          <EmptyState title="No aliases yet" />
        </Card>
      )}
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
            <TermsHistoryTable terms={t} />
          </Card>
        ))}
      </div>
    </>
  );
}
