// Keyward's certificate authorities, read-only: subject, role, issuer, validity, key and
// fingerprint, with downloads of each certificate and its chain, and the CRL each one publishes.
import { StatusBadge } from "@/components/orders/OrderStatusBadge";
import { Badge } from "@/components/ui/Badge";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { CopyField } from "@/components/ui/CopyButton";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { requirePermission } from "@/lib/auth/guard";
import { listCertificateAuthorities } from "@/lib/console/authorities";

export const metadata = { title: "Certificate authorities · Keyward" };

export default async function CertificateAuthoritiesPage() {
  const actor = await requirePermission("console.read", "/certificate-authorities");
  const cas = await listCertificateAuthorities({ actor });
  const now = Date.now();
  return (
    <>
      <PageHeader
        title="Certificate authorities"
        description="The CAs that exist in this Keyward, created at first start. Creating, importing and renewing CAs from the console is not available yet: this page is read-only."
      />
      {cas.length === 0 ? (
        <Card>
          <EmptyState title="No certificate authority yet">
            Keyward creates its root and issuing CA when the server first starts.
          </EmptyState>
        </Card>
      ) : (
        <div className="space-y-6">
          {cas.map((ca) => {
            const download = (format: string) =>
              `/api/console/certificate-authorities/${ca.id}/download?format=${format}`;
            const expired = new Date(ca.notAfter).getTime() < now;
            return (
              <Card key={ca.id}>
                <CardHeader
                  title={
                    <span className="flex items-center gap-2" data-testid="ca-name">
                      {ca.name}
                      <Badge tone="indigo">{ca.role}</Badge>
                      <StatusBadge status={expired ? "expired" : "valid"} />
                    </span>
                  }
                  description={
                    ca.issuedBy.length ? `Issued by ${ca.issuedBy.join(" → ")}` : "Self-signed root"
                  }
                  actions={
                    <>
                      {(
                        [
                          ["PEM", download("pem")],
                          ["Chain", download("chain")],
                          ["DER", download("der")],
                        ] as const
                      ).map(([label, href]) => (
                        <a
                          key={label}
                          className="text-sm text-indigo-700 hover:underline"
                          href={href}
                          download
                          aria-label={`${label} of ${ca.name}`}
                        >
                          {label}
                        </a>
                      ))}
                      <a
                        className="text-sm text-indigo-700 hover:underline"
                        href={ca.crlPath}
                        aria-label={`CRL of ${ca.name}`}
                      >
                        CRL
                      </a>
                    </>
                  }
                />
                <CardBody>
                  <dl className="grid grid-cols-1 gap-4 text-sm md:grid-cols-2">
                    <div>
                      <dt className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
                        Subject
                      </dt>
                      <dd className="break-all font-mono text-xs">{ca.subjectDn}</dd>
                    </div>
                    <div>
                      <dt className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
                        Issuer
                      </dt>
                      <dd className="break-all font-mono text-xs">{ca.issuerDn}</dd>
                    </div>
                    <div>
                      <dt className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
                        Validity
                      </dt>
                      <dd>
                        <RelativeTime iso={ca.notBefore} /> → <RelativeTime iso={ca.notAfter} />
                      </dd>
                    </div>
                    <div>
                      <dt className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Key</dt>
                      <dd>{ca.publicKey}</dd>
                    </div>
                    <div className="md:col-span-2">
                      <dt className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
                        SHA-256 fingerprint
                      </dt>
                      <dd>
                        <CopyField value={ca.sha256Fingerprint} />
                      </dd>
                    </div>
                  </dl>
                </CardBody>
              </Card>
            );
          })}
        </div>
      )}
    </>
  );
}
