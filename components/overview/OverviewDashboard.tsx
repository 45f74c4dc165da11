"use client";
import Link from "next/link";
import { aliasUrlSets } from "@/components/aliases/alias-urls";
import { Badge } from "@/components/ui/Badge";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { CopyField } from "@/components/ui/CopyButton";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { useOverviewQuery } from "@/lib/console/client/queries";
import type { Overview } from "@/lib/console/overview";
import { DayChart } from "./DayChart";
import { OperationsCard } from "./OperationsCard";

function Stat({
  label,
  value,
  hint,
  testId,
  href,
}: {
  label: string;
  value: number;
  hint?: string;
  testId: string;
  /** Where the number's details are (the whole tile links there). */
  href?: string;
}) {
  const body = (
    <>
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {value.toLocaleString("en")}
      </p>
      {hint && <p className="text-xs text-slate-500">{hint}</p>}
    </>
  );
  const box = "block rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-xs";
  return href ? (
    <Link
      href={href}
      className={`${box} hover:border-indigo-300 hover:bg-indigo-50/40`}
      data-testid={`${testId}-link`}
    >
      {body}
    </Link>
  ) : (
    <div className={box}>{body}</div>
  );
}

export function OverviewDashboard({
  initial,
  origins,
  canManageProtocol,
}: {
  initial: Overview;
  origins: { origin: string; clientAuthOrigin: string };
  canManageProtocol: boolean;
}) {
  const { data } = useOverviewQuery(initial);
  const { protocol, counts } = data;
  return (
    <>
      <PageHeader
        title="Overview"
        description="The state of this certificate authority's ACME service at a glance."
      />
      <div
        className={`mb-6 flex flex-wrap items-center justify-between gap-3 rounded-lg border px-5 py-4 ${
          protocol.acmeEnabled ? "border-emerald-200 bg-emerald-50" : "border-amber-200 bg-amber-50"
        }`}
        data-testid="protocol-banner"
      >
        <div>
          <p className="text-sm font-semibold text-slate-900">
            ACME is {protocol.acmeEnabled ? "enabled" : "disabled"}
          </p>
          <p className="text-sm text-slate-600">
            {protocol.acmeEnabled
              ? "ACME clients can register accounts and order certificates."
              : "Every ACME request is answered with a problem document saying so."}
          </p>
        </div>
        <Link href="/protocol" className="text-sm font-medium text-indigo-700 hover:underline">
          {canManageProtocol ? "Protocol settings →" : "View protocol →"}
        </Link>
      </div>

      <OperationsCard operations={data.operations} />

      <div className="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-3 xl:grid-cols-6">
        <Stat label="Accounts" value={counts.accounts} testId="count-accounts" href="/accounts" />
        <Stat
          label="Orders pending"
          value={counts.pendingOrders}
          testId="count-pending-orders"
          href="/orders?status=pending"
        />
        <Stat
          label="Issued 24 h"
          value={counts.issuedLast24h}
          testId="count-issued-24h"
          href="/certificates"
        />
        <Stat
          label="Issued 30 d"
          value={counts.issuedLast30d}
          testId="count-issued-30d"
          href="/certificates"
        />
        <Stat
          label="Expiring 30 d"
          value={counts.expiringNext30d}
          testId="count-expiring"
          href="/certificates?status=valid&sort=expires&order=asc"
        />
        <Stat
          label="Pending approvals"
          value={counts.pendingApprovals}
          testId="count-approvals"
          href="/approvals"
          hint={counts.pendingApprovals > 0 ? "waiting for approvers" : undefined}
        />
      </div>

      <div className="mb-6 grid gap-6 lg:grid-cols-2">
        <Card className="min-w-0">
          <CardHeader title="Issuance" description="Certificates issued per day (UTC), last 30 days" />
          <CardBody>
            <DayChart data={data.issuancePerDay} label="Certificates issued" />
          </CardBody>
        </Card>
        <Card className="min-w-0">
          <CardHeader
            title="Expiries ahead"
            description="Valid certificates expiring per day, next 30 days"
          />
          <CardBody>
            <DayChart data={data.expiriesPerDay} label="Certificates expiring" color="#f59e0b" />
          </CardBody>
        </Card>
      </div>

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <CardHeader
            title="Directory URLs"
            description={
              <>
                Give ACME clients the directory URL of the alias they should use. With client certificate
                authentication (mutual TLS):{" "}
                <code className="break-all font-mono text-xs text-slate-700" data-testid="client-auth-origin">
                  {origins.clientAuthOrigin}
                </code>
              </>
            }
            actions={
              <Link
                className="text-sm font-medium whitespace-nowrap text-indigo-700 hover:underline"
                href="/aliases"
              >
                All aliases →
              </Link>
            }
          />
          {data.aliases.length === 0 ? (
            <EmptyState title="No aliases yet">
              <Link href="/aliases" className="text-indigo-700 hover:underline">
                Create one
              </Link>{" "}
              to serve ACME.
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {data.aliases.map((a) => {
                const sets = aliasUrlSets(origins, a.name, a.isDefault);
                // An alias that requires a client certificate works only on the mutual-TLS URLs.
                const urls = a.requiresClientCertificate ? sets.withClientAuth : sets.withoutClientAuth;
                return (
                  <li key={a.name} className="min-w-0 px-5 py-3">
                    <div className="mb-1.5 flex items-center gap-2">
                      <Link
                        href={`/aliases/${encodeURIComponent(a.name)}`}
                        className="text-sm font-medium text-slate-900 hover:underline"
                      >
                        {a.name}
                      </Link>
                      {a.isDefault && <Badge tone="indigo">default</Badge>}
                      {!a.configured && <Badge tone="amber">not stored yet</Badge>}
                      {a.requiresClientCertificate && <Badge tone="blue">client cert</Badge>}
                    </div>
                    <CopyField value={urls.path} testId={`overview-url-${a.name}`} />
                    {urls.default && (
                      <div className="mt-1.5">
                        <CopyField value={urls.default} />
                      </div>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          {data.aliasCount > data.aliases.length && (
            <p
              className="border-t border-slate-100 px-5 py-3 text-sm text-slate-600"
              data-testid="overview-more-aliases"
            >
              Showing {data.aliases.length} of {data.aliasCount} aliases.{" "}
              <Link href="/aliases" className="font-medium text-indigo-700 underline">
                See all {data.aliasCount}
              </Link>
            </p>
          )}
        </Card>
        <Card className="min-w-0">
          <CardHeader title="Failed validations" description="The latest challenges that failed" />
          {data.failedValidations.length === 0 ? (
            <EmptyState title="None so far" />
          ) : (
            <ul className="divide-y divide-slate-100">
              {data.failedValidations.map((f) => (
                <li key={f.id} className="px-5 py-3 text-sm">
                  <div className="flex items-center justify-between gap-2">
                    <span className="font-medium text-slate-900">{f.identifier}</span>
                    <Badge tone="red">{f.type}</Badge>
                  </div>
                  <p className="mt-0.5 line-clamp-2 text-xs text-slate-600">{f.error}</p>
                  <p className="mt-0.5 text-xs text-slate-500">
                    <RelativeTime iso={f.at} />
                  </p>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
