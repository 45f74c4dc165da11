// One alias: its URLs in the three forms, with and without client authentication, its rate
// limits with their usage and overrides, every field of its configuration, and the client
// certificates it accepts.
import Link from "next/link";
import { notFound } from "next/navigation";
import { AliasAccessRules } from "@/components/aliases/AliasAccessRules";
import { AliasActions } from "@/components/aliases/AliasActions";
import { AliasRateLimitsCard } from "@/components/aliases/AliasRateLimitsCard";
import { AliasSettingsForm } from "@/components/aliases/AliasSettingsForm";
import { type AliasDirectoryUrls, aliasUrlSets } from "@/components/aliases/alias-urls";
import { TermsHistoryTable } from "@/components/terms/TermsHistoryTable";
import { TermsPublishButton } from "@/components/terms/TermsPublishButton";
import { Badge } from "@/components/ui/Badge";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { CopyField } from "@/components/ui/CopyButton";
import { PageHeader } from "@/components/ui/PageHeader";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { getAccessRuleChoices, listAccessRules } from "@/lib/console/access-rules";
import { type AliasDetail, getAlias } from "@/lib/console/aliases";
import { listApprovalProfiles } from "@/lib/console/approval-profiles";
import { listCertificateAuthorities } from "@/lib/console/authorities";
import { listEndEntityProfiles } from "@/lib/console/profiles";
import { getAliasRateLimits } from "@/lib/console/rate-limits";
import { requestOrigins } from "@/lib/console/request-origin";
import { getAliasTerms } from "@/lib/console/terms";
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
  const [origins, accessRules, choices, terms, profiles, rateLimits, endEntityProfiles, cas] =
    await Promise.all([
      requestOrigins(),
      listAccessRules({ actor, alias: alias.name }),
      getAccessRuleChoices({ actor }),
      getAliasTerms({ actor, alias: alias.name }),
      listApprovalProfiles({ actor }),
      getAliasRateLimits({ actor, name: alias.name }),
      listEndEntityProfiles({ actor }),
      listCertificateAuthorities({ actor }),
    ]);
  const urls = aliasUrlSets(origins, alias.name, alias.isDefault);
  const requiresClientCertificate = alias.settings.requireClientCertificate;
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
        <CardBody className="grid gap-6 text-sm lg:grid-cols-2">
          <UrlForms
            title="Without client authentication"
            note={
              requiresClientCertificate
                ? "Only the directory answers here: this alias requires a client certificate."
                : "HTTPS and HTTP ports."
            }
            urls={urls.withoutClientAuth}
            testIdPrefix="url"
          />
          <UrlForms
            title="With client authentication"
            note="The mutual-TLS port: the client presents its certificate in the TLS handshake."
            urls={urls.withClientAuth}
            testIdPrefix="url-client-auth"
          />
        </CardBody>
      </Card>
      <Card className="mb-6">
        <CardHeader
          title="Terms of service"
          description={
            terms.currentUrl
              ? `The directory names ${terms.currentUrl}. ${terms.accountsAgreedToCurrent} of ${terms.accounts} account${terms.accounts === 1 ? "" : "s"} agreed to it.`
              : "The directory names no terms of service: accounts register without agreeing to any."
          }
          actions={
            canManage && (
              <TermsPublishButton
                alias={alias.name}
                currentChangeUrl={terms.currentChangeUrl}
                requireNewApproval={terms.requireNewApproval}
                agreeToNewAllowed={terms.agreeToNewAllowed}
              />
            )
          }
        />
        <TermsHistoryTable terms={terms} />
      </Card>
      <AliasAccessRules
        alias={alias.name}
        initial={accessRules}
        choices={choices}
        requiresClientCertificate={requiresClientCertificate}
        endEntityProfile={alias.settings.endEntityProfile}
        canManage={canManage}
      />
      <AliasRateLimitsCard name={alias.name} initial={rateLimits} canManage={canManage} />
      <AliasSettingsForm
        name={alias.name}
        settings={alias.settings}
        notEnforced={alias.notEnforced}
        warnings={alias.warnings}
        configured={alias.configured}
        canManage={canManage}
        approvalProfiles={profiles.map((p) => p.name)}
        endEntityProfiles={endEntityProfiles.map((p) => p.name)}
        rootCas={[
          ...cas
            .filter((ca) => ca.role === "root")
            .map((ca) => ({ id: ca.id, label: ca.name, subjectDn: ca.subjectDn })),
          // The external roots that imported CAs' uploaded chains lead to.
          ...cas.flatMap((ca) =>
            ca.externalChain?.length && ca.chains[0]
              ? [
                  {
                    id: `${ca.id}:external`,
                    label: ca.chains[0].rootName,
                    subjectDn: ca.chains[0].rootSubjectDn,
                  },
                ]
              : [],
          ),
        ].filter((root, i, all) => all.findIndex((r) => r.subjectDn === root.subjectDn) === i)}
      />
    </>
  );
}

function UrlForms({
  title,
  note,
  urls,
  testIdPrefix,
}: {
  title: string;
  note: string;
  urls: AliasDirectoryUrls;
  testIdPrefix: string;
}) {
  return (
    <div className="min-w-0 space-y-3" data-testid={`${testIdPrefix}-set`}>
      <div>
        <h3 className="font-medium text-slate-900">{title}</h3>
        <p className="text-xs text-slate-500">{note}</p>
      </div>
      <div>
        <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Path form</p>
        <CopyField value={urls.path} testId={`${testIdPrefix}-path`} />
      </div>
      <div>
        <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Query form</p>
        <CopyField value={urls.query} testId={`${testIdPrefix}-query`} />
      </div>
      {urls.default && (
        <div>
          <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Default alias</p>
          <CopyField value={urls.default} testId={`${testIdPrefix}-default`} />
        </div>
      )}
    </div>
  );
}
