"use client";
// The instance's health on the overview (issue 17 item 5): readiness as /readyz reports it, and
// when each CA certificate and each CA's newest CRL runs out, with a warning ahead of time.
import { Badge } from "@/components/ui/Badge";
import { Card, CardHeader } from "@/components/ui/Card";
import { RelativeTime } from "@/components/ui/RelativeTime";
import type { Overview } from "@/lib/console/overview";

const CHECK_LABELS: Record<string, string> = {
  database: "Database",
  migrations: "Migrations",
  certificateAuthorities: "Issuing CA key and certificates",
};

function utc(iso: string): string {
  return `${iso.replace("T", " ").slice(0, 16)} UTC`;
}

export function OperationsCard({ operations }: { operations: Overview["operations"] }) {
  const { readiness } = operations;
  return (
    <Card className="mb-6">
      <CardHeader
        title="Operations"
        description="Readiness as load balancers see it (/readyz), and when the CA certificates and CRLs run out"
        actions={
          <span data-testid="readiness-state">
            {readiness.ready ? <Badge tone="green">ready</Badge> : <Badge tone="red">not ready</Badge>}
          </span>
        }
      />
      <div className="grid gap-6 px-5 py-4 lg:grid-cols-3">
        <div>
          <h3 className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-500">Readiness</h3>
          <ul className="space-y-1.5 text-sm" data-testid="readiness-checks">
            {Object.entries(readiness.checks).map(([name, state]) => (
              <li key={name} className="flex items-start justify-between gap-2">
                <span className="text-slate-700">{CHECK_LABELS[name] ?? name}</span>
                {state === "ok" ? (
                  <Badge tone="green">ok</Badge>
                ) : (
                  <Badge tone="red" title={state}>
                    {state.length > 60 ? `${state.slice(0, 57)}…` : state}
                  </Badge>
                )}
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3 className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-500">
            CA certificates expire
          </h3>
          <ul className="space-y-1.5 text-sm" data-testid="ca-expiry">
            {operations.certificateAuthorities.map((ca) => (
              <li key={ca.name} className="flex flex-wrap items-center justify-between gap-2">
                <span className="text-slate-700">
                  {ca.name} <span className="text-xs text-slate-500">({ca.role})</span>
                </span>
                <span className="flex items-center gap-2 text-slate-600">
                  <span title={utc(ca.notAfter)}>
                    <RelativeTime iso={ca.notAfter} />
                  </span>
                  {ca.warning && (
                    <Badge tone={ca.warning === "expired" ? "red" : "amber"}>{ca.warning}</Badge>
                  )}
                </span>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3 className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-500">
            CRLs next update
          </h3>
          {operations.crls.length === 0 ? (
            <p className="text-sm text-slate-500">No CRL generated yet.</p>
          ) : (
            <ul className="space-y-1.5 text-sm" data-testid="crl-next-update">
              {operations.crls.map((crl) => (
                <li key={crl.caName} className="flex flex-wrap items-center justify-between gap-2">
                  <span className="text-slate-700">
                    {crl.caName} <span className="text-xs text-slate-500">#{crl.number}</span>
                  </span>
                  <span className="flex items-center gap-2 text-slate-600">
                    <RelativeTime iso={crl.nextUpdate} />
                    {crl.warning && <Badge tone="amber">{crl.warning}</Badge>}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </Card>
  );
}
