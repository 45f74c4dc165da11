// One end entity: its username, status, subject and SANs, the alias, profiles and CA of its latest
// enrolment, and its certificates (newest first), each linking to its certificate page.
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { CertificateStatusBadge } from "@/components/certificates/CertificateStatusBadge";
import { EndEntityStatusBadge } from "@/components/end-entities/EndEntityStatusBadge";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { CopyField } from "@/components/ui/CopyButton";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { requirePermission } from "@/lib/auth/guard";
import { type EndEntityDetail, getEndEntity } from "@/lib/console/end-entities";
import { endEntityParamsSchema } from "@/lib/console/schemas/end-entities";
import { isAcmeProblem } from "@/lib/problem";

export const metadata = { title: "End entity · Keyward" };

function Fact({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? "md:col-span-2" : undefined}>
      <dt className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="text-sm text-slate-800">{children}</dd>
    </div>
  );
}

export default async function EndEntityPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePermission("console.read", `/end-entities/${encodeURIComponent(id)}`);
  if (!endEntityParamsSchema.safeParse({ id }).success) notFound();
  let entity: EndEntityDetail;
  try {
    entity = await getEndEntity({ actor, id });
  } catch (err) {
    if (isAcmeProblem(err) && err.status === 404) notFound();
    throw err;
  }
  return (
    <>
      <PageHeader
        breadcrumb={
          <Link href="/end-entities" className="hover:underline">
            End entities
          </Link>
        }
        title={
          <span className="flex items-center gap-3">
            <span className="break-all" data-testid="end-entity-title">
              {entity.username}
            </span>
            <EndEntityStatusBadge status={entity.status} />
          </span>
        }
        description={
          <>
            Created <RelativeTime iso={entity.createdAt} /> · last enrolled{" "}
            <RelativeTime iso={entity.updatedAt} />
          </>
        }
      />
      <div className="space-y-6">
        <Card>
          <CardHeader title="End entity" description="As its latest enrolment left it" />
          <CardBody>
            <dl className="grid grid-cols-1 gap-4 md:grid-cols-2">
              <Fact label="Username" wide>
                <CopyField value={entity.username} />
              </Fact>
              <Fact label="Subject DN" wide>
                <span className="break-all font-mono text-xs">{entity.subjectDn || "(empty)"}</span>
              </Fact>
              <Fact label="Subject alternative names" wide>
                {entity.subjectAltNames.length === 0 ? (
                  "—"
                ) : (
                  <ul className="flex flex-wrap gap-1.5">
                    {entity.subjectAltNames.map((n) => (
                      <li key={n} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">
                        {n}
                      </li>
                    ))}
                  </ul>
                )}
              </Fact>
              <Fact label="Alias">
                {entity.alias ? (
                  <Link
                    href={`/aliases/${encodeURIComponent(entity.alias)}`}
                    className="text-indigo-700 hover:underline"
                  >
                    {entity.alias}
                  </Link>
                ) : (
                  "—"
                )}
              </Fact>
              <Fact label="Certificate authority">{entity.ca ?? "Keyward's issuing CA"}</Fact>
              <Fact label="End entity profile">{entity.endEntityProfile ?? "built-in"}</Fact>
              <Fact label="Certificate profile">{entity.certificateProfile ?? "built-in"}</Fact>
            </dl>
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title={`Certificates (${entity.certificates})`}
            description="Newest first. Under a certificate profile with the single active certificate constraint, each new one revokes the others as superseded."
          />
          {entity.certificateList.length === 0 ? (
            <CardBody>
              <EmptyState title="No certificate yet">
                The enrolment under way has not issued its certificate yet.
              </EmptyState>
            </CardBody>
          ) : (
            <Table label="Certificates of this end entity">
              <thead>
                <tr>
                  <Th>Serial</Th>
                  <Th>Status</Th>
                  <Th>Issued</Th>
                  <Th>Expires</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {entity.certificateList.map((c) => (
                  <Tr key={c.id}>
                    <Td className="font-mono text-xs">
                      <Link
                        href={`/certificates/${c.id}`}
                        className="text-indigo-700 hover:underline"
                        data-testid="end-entity-certificate-link"
                      >
                        {c.serialHex}
                      </Link>
                    </Td>
                    <Td>
                      <CertificateStatusBadge certificate={{ ...c, revokedAt: null }} />
                    </Td>
                    <Td className="whitespace-nowrap">
                      <RelativeTime iso={c.issuedAt} />
                    </Td>
                    <Td className="whitespace-nowrap">
                      <RelativeTime iso={c.notAfter} />
                    </Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
      </div>
    </>
  );
}
