// One certificate, decoded: subject, names, issuer, serial, validity, key, key usage, extended key
// usage, fingerprints; its order, account and chain; downloads; revocation for administrators
// (with a confirmation naming it) and, once revoked, when, why and the CRL that lists it.
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { CertificateRevokeButton } from "@/components/certificates/CertificateRevokeButton";
import { CertificateStatusBadge } from "@/components/certificates/CertificateStatusBadge";
import { buttonClasses } from "@/components/ui/Button";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { CopyField } from "@/components/ui/CopyButton";
import { PageHeader } from "@/components/ui/PageHeader";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { type CertificateDetail, getCertificate } from "@/lib/console/certificates";
import { isAcmeProblem } from "@/lib/problem";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Certificate ${(await params).id} · Keyward` };
}

function Fact({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? "md:col-span-2" : undefined}>
      <dt className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="text-sm text-slate-800">{children}</dd>
    </div>
  );
}

const utc = (iso: string) => `${iso.replace("T", " ").slice(0, 19)} UTC`;

export default async function CertificatePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePermission("console.read", `/certificates/${encodeURIComponent(id)}`);
  let cert: CertificateDetail;
  try {
    cert = await getCertificate({ actor, id });
  } catch (err) {
    if (isAcmeProblem(err) && (err.status === 404 || err.status === 422)) notFound();
    throw err;
  }
  const d = cert.decoded;
  const title = cert.names[0] ?? d.subject;
  const canRevoke = actorCan(actor, "certificates.revoke") && cert.status !== "revoked";
  const download = (format: string) =>
    `/api/console/certificates/${encodeURIComponent(cert.id)}/download?format=${format}`;
  return (
    <>
      <PageHeader
        breadcrumb={
          <Link href="/certificates" className="hover:underline">
            Certificates
          </Link>
        }
        title={
          <span className="flex items-center gap-3">
            <span data-testid="certificate-title">{title}</span>
            <CertificateStatusBadge certificate={cert} />
          </span>
        }
        description={
          <>
            Issued <RelativeTime iso={cert.issuedAt} /> on alias{" "}
            <Link href={`/aliases/${encodeURIComponent(cert.alias)}`} className="hover:underline">
              {cert.alias}
            </Link>{" "}
            · expires <RelativeTime iso={cert.notAfter} />
          </>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            <a className={buttonClasses("secondary")} href={download("pem")} download>
              Download PEM
            </a>
            <a className={buttonClasses("secondary")} href={download("chain")} download>
              PEM with chain
            </a>
            <a className={buttonClasses("secondary")} href={download("der")} download>
              DER
            </a>
            {canRevoke && (
              <CertificateRevokeButton id={cert.id} serialHex={cert.serialHex} names={cert.names} />
            )}
          </div>
        }
      />
      {cert.status === "revoked" && (
        <Card className="mb-6">
          <CardBody className="text-sm">
            <p data-testid="certificate-revocation">
              Revoked {cert.revokedAt && <RelativeTime iso={cert.revokedAt} />}
              {cert.revocationReason && (
                <>
                  {" "}
                  with reason <strong>{cert.revocationReason.name}</strong> ({cert.revocationReason.code})
                </>
              )}
              . The issuing CA's{" "}
              <a className="text-indigo-700 underline" href={cert.crlPath}>
                CRL
              </a>{" "}
              lists it.
            </p>
          </CardBody>
        </Card>
      )}
      <div className="space-y-6">
        <Card>
          <CardHeader title="Certificate" description="Decoded from the DER Keyward issued" />
          <CardBody>
            <dl className="grid grid-cols-1 gap-4 md:grid-cols-2">
              <Fact label="Subject">
                <span className="break-all font-mono text-xs">{d.subject || "(empty)"}</span>
              </Fact>
              <Fact label="Issuer">
                <span className="break-all font-mono text-xs">{d.issuer}</span>
              </Fact>
              <Fact label="Subject alternative names" wide>
                <ul className="flex flex-wrap gap-1.5" data-testid="certificate-sans">
                  {d.subjectAltNames.map((n) => (
                    <li key={n} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">
                      {n.replace(/^(dns|ip):/, "")}
                      <span className="ml-1 text-slate-600">{n.split(":")[0]}</span>
                    </li>
                  ))}
                </ul>
              </Fact>
              <Fact label="Serial number" wide>
                <CopyField value={cert.serialHex} testId="certificate-serial" />
              </Fact>
              <Fact label="Valid from">
                <span title={utc(d.notBefore)}>{utc(d.notBefore)}</span>
              </Fact>
              <Fact label="Valid until">
                <span title={utc(d.notAfter)}>{utc(d.notAfter)}</span>
              </Fact>
              <Fact label="Public key">{d.publicKey}</Fact>
              <Fact label="Signature algorithm">{d.signatureAlgorithm}</Fact>
              <Fact label="Key usage">{d.keyUsage.join(", ") || "—"}</Fact>
              <Fact label="Extended key usage">{d.extendedKeyUsage.join(", ") || "—"}</Fact>
              <Fact label="SHA-256 fingerprint" wide>
                <CopyField value={d.sha256Fingerprint} />
              </Fact>
              <Fact label="SHA-1 fingerprint" wide>
                <CopyField value={d.sha1Fingerprint} />
              </Fact>
            </dl>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Where it came from" />
          <CardBody>
            <dl className="grid grid-cols-1 gap-4 md:grid-cols-3">
              <Fact label="Order">
                {cert.orderId ? (
                  <Link
                    href={`/orders/${cert.orderId}`}
                    className="font-mono text-xs text-indigo-700 hover:underline"
                  >
                    {cert.orderId}
                  </Link>
                ) : (
                  "—"
                )}
              </Fact>
              <Fact label="Account">
                <Link
                  href={`/accounts/${cert.accountId}`}
                  className="font-mono text-xs text-indigo-700 hover:underline"
                >
                  {cert.accountId}
                </Link>
              </Fact>
              <Fact label="Alias">{cert.alias}</Fact>
              <Fact label="End entity">
                {cert.endEntity ? (
                  <Link
                    href={`/end-entities/${cert.endEntity.id}`}
                    className="break-all text-indigo-700 hover:underline"
                    data-testid="certificate-end-entity"
                  >
                    {cert.endEntity.username}
                  </Link>
                ) : (
                  "—"
                )}
              </Fact>
            </dl>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Chain" description="The certificate, then each CA above it up to the root" />
          <CardBody>
            <ol className="space-y-1 text-sm">
              <li className="font-mono text-xs">{d.subject || title}</li>
              {cert.issuerChain.map((ca) => (
                <li key={ca.id} className="font-mono text-xs text-slate-600">
                  ↳ {ca.subjectDn}{" "}
                  <Link href="/certificate-authorities" className="font-sans text-indigo-700 hover:underline">
                    ({ca.name})
                  </Link>
                </li>
              ))}
            </ol>
          </CardBody>
        </Card>
      </div>
    </>
  );
}
