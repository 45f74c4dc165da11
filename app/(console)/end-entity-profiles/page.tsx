// End entity profiles (issue 12 item 3): subject attributes, SAN counts, default certificate
// profile and CA, and which aliases use each. Administrators change them; everyone else reads.
import Link from "next/link";
import { EndEntityProfileDialog } from "@/components/profiles/EndEntityProfileDialog";
import { ProfileDeleteButton } from "@/components/profiles/ProfileDeleteButton";
import { Badge } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { listCertificateAuthorities } from "@/lib/console/authorities";
import { listCertificateProfiles, listEndEntityProfiles } from "@/lib/console/profiles";

export const metadata = { title: "End entity profiles · Keyward" };

export default async function EndEntityProfilesPage() {
  const actor = await requirePermission("console.read", "/end-entity-profiles");
  const canManage = actorCan(actor, "profiles.manage");
  const [profiles, certificateProfiles, cas] = await Promise.all([
    listEndEntityProfiles({ actor }),
    listCertificateProfiles({ actor }),
    listCertificateAuthorities({ actor }),
  ]);
  const choices = {
    certificateProfiles: certificateProfiles.map((p) => p.name),
    // Roots sign CAs, not subscriber certificates: the store refuses them (lib/ra/profiles.ts).
    caNames: cas.filter((ca) => ca.role === "issuing").map((ca) => ca.name),
  };
  return (
    <>
      <PageHeader
        title="End entity profiles"
        description="An alias's “End entity profile” names one of these: its default CA signs the alias's certificates and its default certificate profile shapes them."
        actions={canManage && <EndEntityProfileDialog {...choices} />}
      />
      <Card>
        {profiles.length === 0 ? (
          <EmptyState title="No end entity profiles yet">
            {canManage ? "Create one, then choose it on an alias." : "An administrator creates them."}
          </EmptyState>
        ) : (
          <Table label="End entity profiles">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Subject</Th>
                <Th>SAN fields</Th>
                <Th>Certificate profile</Th>
                <Th>CA</Th>
                <Th>Used by</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {profiles.map((p) => (
                <Tr key={p.id}>
                  <Td className="font-medium text-slate-900">
                    {p.name}
                    {p.batchGeneration && (
                      <Badge tone="slate" className="ml-2">
                        batch generation
                      </Badge>
                    )}
                  </Td>
                  <Td className="text-xs">{["CN", ...p.subjectDnAttributes].join(", ")}</Td>
                  <Td className="text-xs tabular-nums">
                    {p.maxDnsNames} DNS, {p.maxIpAddresses} IP
                  </Td>
                  <Td className="text-xs">{p.defaultCertificateProfile ?? "built-in"}</Td>
                  <Td className="text-xs">{p.defaultCa ?? "default"}</Td>
                  <Td className="text-xs">
                    {p.usedBy.length === 0
                      ? "—"
                      : p.usedBy.map((alias) => (
                          <div key={alias}>
                            <Link href={`/aliases/${encodeURIComponent(alias)}`} className="hover:underline">
                              {alias}
                            </Link>
                          </div>
                        ))}
                  </Td>
                  <Td className="text-right">
                    {canManage && (
                      <div className="flex justify-end gap-1.5">
                        <EndEntityProfileDialog profile={p} {...choices} />
                        <ProfileDeleteButton kind="end-entity-profiles" name={p.name} />
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
