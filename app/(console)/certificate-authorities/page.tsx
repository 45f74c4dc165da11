// Keyward's certificate authorities: subject, role, issuer, validity, key and fingerprint, with
// downloads of each certificate and each of its chains (its own and one per cross-certificate),
// and the CRL each one publishes. Administrators create, import (with the external chain above a
// CA signed outside Keyward), renew, cross-certify and delete unused CAs (issue 12).

import {
  CaCreateButton,
  CaCrossCertifyButton,
  CaDeleteButton,
  CaExternalChainButton,
  CaImportButton,
  CaRenewButton,
} from "@/components/certificate-authorities/CaActions";
import { StatusBadge } from "@/components/orders/OrderStatusBadge";
import { Badge } from "@/components/ui/Badge";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { CopyField } from "@/components/ui/CopyButton";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { listCertificateAuthorities } from "@/lib/console/authorities";

export const metadata = { title: "Certificate authorities · Keyward" };

export default async function CertificateAuthoritiesPage() {
  const actor = await requirePermission("console.read", "/certificate-authorities");
  const cas = await listCertificateAuthorities({ actor });
  const now = Date.now();
  const canManage = actorCan(actor, "authorities.manage");
  const roots = cas
    .filter((ca) => ca.role === "root" && !ca.successor)
    .map((ca) => ({ id: ca.id, name: ca.name }));
  return (
    <>
      <PageHeader
        title="Certificate authorities"
        description="The CAs of this Keyward: the root and issuing CA made at first start, and those created or imported since. An alias issues from the default issuing CA unless its end entity profile names another; cross-certificates give an issuing CA more chains, which ACME clients receive as alternates."
        actions={
          canManage ? (
            <>
              <CaImportButton />
              <CaCreateButton roots={roots} />
            </>
          ) : undefined
        }
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
                      {ca.isDefault && <Badge tone="green">default</Badge>}
                      {ca.imported && <Badge tone="slate">imported</Badge>}
                      <StatusBadge status={expired ? "expired" : "valid"} />
                    </span>
                  }
                  description={
                    (ca.role === "root"
                      ? "Self-signed root"
                      : ca.issuedBy.length
                        ? `Issued by ${ca.issuedBy.join(" → ")}`
                        : `Issued outside Keyward by ${ca.issuerDn}`) +
                    (ca.successor ? ` · replaced by “${ca.successor.name}” (renewed with a new key)` : "")
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
                      {canManage && ca.renewable && <CaRenewButton id={ca.id} name={ca.name} />}
                      {canManage && ca.role === "issuing" && !ca.successor && (
                        <CaCrossCertifyButton
                          id={ca.id}
                          name={ca.name}
                          roots={roots.filter((r) => r.id !== ca.parentId)}
                        />
                      )}
                      {canManage && ca.externalChain && (
                        <CaExternalChainButton
                          id={ca.id}
                          name={ca.name}
                          hasChain={ca.externalChain.length > 0}
                        />
                      )}
                      {canManage && !ca.isDefault && <CaDeleteButton id={ca.id} name={ca.name} />}
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
                    {ca.externalChain && (
                      <div className="md:col-span-2">
                        <dt className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
                          Issuer&rsquo;s chain outside Keyward
                        </dt>
                        <dd>
                          {ca.externalChain.length === 0 ? (
                            <span className="text-slate-600">
                              None uploaded: ACME clients receive this CA&rsquo;s certificate alone above
                              theirs.
                            </span>
                          ) : (
                            <ol className="space-y-1" aria-label={`Issuer's chain of ${ca.name}`}>
                              {ca.externalChain.map((c) => (
                                <li key={c.sha256Fingerprint} className="break-all font-mono text-xs">
                                  {c.subjectDn}{" "}
                                  <span className="font-sans text-slate-500">
                                    until <RelativeTime iso={c.notAfter} />
                                  </span>
                                </li>
                              ))}
                            </ol>
                          )}
                        </dd>
                      </div>
                    )}
                    {ca.chains.length > 0 && (
                      <div className="md:col-span-2">
                        <dt className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
                          Chains of the certificates it issues
                        </dt>
                        <dd>
                          <ul className="space-y-1" aria-label={`Chains of ${ca.name}`}>
                            {ca.chains.map((chain) => {
                              const cross = ca.crossCertificates.find((c) => c.chain === chain.index);
                              return (
                                <li key={chain.index} className="flex flex-wrap items-center gap-2">
                                  <span>
                                    {chain.index === 0 ? "Own chain" : `Cross-certified chain ${chain.index}`}{" "}
                                    → root <strong>{chain.rootName}</strong>
                                  </span>
                                  {cross && (
                                    <span className="text-xs text-slate-500">
                                      serial {cross.serialHex}, until <RelativeTime iso={cross.notAfter} />
                                    </span>
                                  )}
                                  <a
                                    className="text-sm text-indigo-700 hover:underline"
                                    href={`${download("chain")}&chain=${chain.index}`}
                                    download
                                    aria-label={`Chain PEM ${chain.index} of ${ca.name}`}
                                  >
                                    Chain PEM
                                  </a>
                                  {cross && (
                                    <a
                                      className="text-sm text-indigo-700 hover:underline"
                                      href={`${download("pem")}&chain=${chain.index}`}
                                      download
                                      aria-label={`Cross-certificate ${chain.index} of ${ca.name}`}
                                    >
                                      Cross-certificate
                                    </a>
                                  )}
                                </li>
                              );
                            })}
                          </ul>
                        </dd>
                      </div>
                    )}
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
