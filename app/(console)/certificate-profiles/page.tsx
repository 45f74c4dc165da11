// Certificate profiles (issue 12 item 2): what a certificate may certify and what it contains,
// and which end entity profiles use each. Administrators change them; everyone else reads.
import Link from "next/link";
import { CertificateProfileDialog } from "@/components/profiles/CertificateProfileDialog";
import { ProfileDeleteButton } from "@/components/profiles/ProfileDeleteButton";
import { Badge } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { listCertificateAuthorities } from "@/lib/console/authorities";
import { listCertificateProfiles } from "@/lib/console/profiles";

export const metadata = { title: "Certificate profiles · Keyward" };

export default async function CertificateProfilesPage() {
  const actor = await requirePermission("console.read", "/certificate-profiles");
  const canManage = actorCan(actor, "profiles.manage");
  const [profiles, cas] = await Promise.all([
    listCertificateProfiles({ actor }),
    listCertificateAuthorities({ actor }),
  ]);
  // Roots sign CAs, not subscriber certificates: the store refuses them (lib/ra/profiles.ts).
  const caNames = cas.filter((ca) => ca.role === "issuing").map((ca) => ca.name);
  return (
    <>
      <PageHeader
        title="Certificate profiles"
        description="An end entity profile names its default certificate profile; an alias names an end entity profile. Aliases that name none issue with the built-in profile: RSA or ECDSA P-256/P-384, 90 days, digitalSignature (+ keyEncipherment for RSA), serverAuth."
        actions={canManage && <CertificateProfileDialog caNames={caNames} />}
      />
      <Card>
        {profiles.length === 0 ? (
          <EmptyState title="No certificate profiles yet">
            {canManage
              ? "Create one, then name it as the default certificate profile of an end entity profile."
              : "An administrator creates them."}
          </EmptyState>
        ) : (
          <Table label="Certificate profiles">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Keys</Th>
                <Th>Validity</Th>
                <Th>Usages</Th>
                <Th>CAs</Th>
                <Th>EAB namespace</Th>
                <Th>Used by</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {profiles.map((p) => (
                <Tr key={p.id}>
                  <Td className="font-medium text-slate-900">{p.name}</Td>
                  <Td className="text-xs">
                    {p.keyAlgorithms.includes("RSA") &&
                      `RSA ${Math.min(...p.rsaBitLengths)}–${Math.max(...p.rsaBitLengths)}`}
                    {p.keyAlgorithms.length === 2 && <br />}
                    {p.keyAlgorithms.includes("ECDSA") && `ECDSA ${p.ecdsaCurves.join(", ")}`}
                  </Td>
                  <Td>{p.validity}</Td>
                  <Td className="text-xs">
                    <div>{p.keyUsages.join(", ")}</div>
                    <div className="mt-1 flex flex-wrap gap-1">
                      {p.extendedKeyUsages.map((u) => (
                        <Badge key={u}>{u}</Badge>
                      ))}
                    </div>
                  </Td>
                  <Td className="text-xs">{p.availableCas.length ? p.availableCas.join(", ") : "any"}</Td>
                  <Td className="text-xs">{p.eabNamespace ?? "—"}</Td>
                  <Td className="text-xs">
                    {p.usedBy.length === 0
                      ? "—"
                      : p.usedBy.map((name) => (
                          <div key={name}>
                            <Link href="/end-entity-profiles" className="hover:underline">
                              {name}
                            </Link>
                          </div>
                        ))}
                  </Td>
                  <Td className="text-right">
                    {canManage && (
                      <div className="flex justify-end gap-1.5">
                        <CertificateProfileDialog profile={p} caNames={caNames} />
                        <ProfileDeleteButton kind="certificate-profiles" name={p.name} />
                      </div>
                    )}
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
