// One alias: its URLs in the three forms, its rate limits with their usage and overrides, and
// every field of its configuration.
import Link from "next/link";
import { notFound } from "next/navigation";
import { AliasActions } from "@/components/aliases/AliasActions";
import { AliasRateLimitsCard } from "@/components/aliases/AliasRateLimitsCard";
import { AliasSettingsForm } from "@/components/aliases/AliasSettingsForm";
import { aliasDirectoryUrls } from "@/components/aliases/alias-urls";
import { Badge } from "@/components/ui/Badge";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { CopyField } from "@/components/ui/CopyButton";
import { PageHeader } from "@/components/ui/PageHeader";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { type AliasDetail, getAlias } from "@/lib/console/aliases";
import { getAliasRateLimits } from "@/lib/console/rate-limits";
import { requestOrigin } from "@/lib/console/request-origin";
import { isAcmeProblem } from "@/lib/problem";

export async function generateMetadata({ params }: { params: Promise<{ alias: string }> }) {
  const { alias } = await params;
  return { title: `${decodeURIComponent(alias)} · Aliases · Keyward` };
}

export default async function AliasPage({ params }: { params: Promise<{ alias: string }> }) {
  const name = decodeURIComponent((await params).alias);
  const actor = await requirePermission("console.read", `/aliases/${encodeURIComponent(name)}`);
  let alias: AliasDetail;
  try {
    alias = await getAlias({ actor, name });
  } catch (err) {
    if (isAcmeProblem(err) && err.status === 404) notFound();
    throw err;
  }
  const rateLimits = await getAliasRateLimits({ actor, name: alias.name });
  const origin = await requestOrigin();
  const urls = aliasDirectoryUrls(origin, alias.name, alias.isDefault);
  const canManage = actorCan(actor, "aliases.manage");
  return (
    <>
      <PageHeader
        breadcrumb={
          <Link href="/aliases" className="hover:underline">
            Aliases
          </Link>
        }
        title={
          <span className="flex items-center gap-3">
            <span data-testid="alias-title">{alias.name}</span>
            {alias.isDefault && <Badge tone="indigo">default</Badge>}
            {alias.configured ? (
              <Badge tone="green">stored</Badge>
            ) : (
              <Badge tone="amber">not stored yet</Badge>
            )}
          </span>
        }
        description={
          <>
            {alias.accountCount} ACME account{alias.accountCount === 1 ? "" : "s"} · last changed{" "}
            <RelativeTime iso={alias.updatedAt} />
          </>
        }
        actions={
          canManage && (
            <AliasActions name={alias.name} isDefault={alias.isDefault} accountCount={alias.accountCount} />
          )
        }
      />
      {!alias.configured && (
        <div
          className="mb-6 rounded-lg border border-amber-200 bg-amber-50 px-5 py-4 text-sm text-amber-900"
          data-testid="alias-not-stored"
        >
          This alias has not been stored yet: its URLs answer a problem document until it is. Review the
          settings below and store them{canManage ? "" : " (an administrator can do this)"}.
        </div>
      )}
      <Card className="mb-6">
        <CardHeader
          title="Directory URLs"
          description="Some clients drop the query string: prefer the path form."
        />
        <CardBody className="space-y-3 text-sm">
          <div>
            <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Path form</p>
            <CopyField value={urls.path} testId="url-path" />
          </div>
          <div>
            <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Query form</p>
            <CopyField value={urls.query} testId="url-query" />
          </div>
          {urls.default && (
            <div>
              <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Default alias</p>
              <CopyField value={urls.default} testId="url-default" />
            </div>
          )}
        </CardBody>
      </Card>
      <AliasRateLimitsCard name={alias.name} initial={rateLimits} canManage={canManage} />
      <AliasSettingsForm
        name={alias.name}
        settings={alias.settings}
        notEnforced={alias.notEnforced}
        configured={alias.configured}
        canManage={canManage}
      />
    </>
  );
}
