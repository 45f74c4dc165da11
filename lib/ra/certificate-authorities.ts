// What the registration authority's configuration says about a CA before it may go (issue 12
// item 1): lib/ca/management.ts deletes a CA that issued nothing and that no CA or profile
// refers to; this adds the references only lib/ra knows — aliases that prefer it as their root
// (spec "Preferred Root CA subject DN") and client certificates granted its access rule (spec
// "ACME with Client Authentication": /ca/<Name of CA>/) — checked in the same transaction.
import type { AuditActor } from "@/lib/audit/record";
import { isDefaultPreferredRoot, sameDistinguishedName } from "@/lib/ca/chains";
import { type CaReferenceCheck, deleteCertificateAuthority } from "@/lib/ca/management";
import type { Db } from "@/lib/db/client";
import { caAccessRule } from "./access-rights";
import { readAliasSettings } from "./alias-settings";
import { aliasesGrantingAccessRules } from "./client-access-rules";

const raReferences: CaReferenceCheck = async (tx, ca) => {
  const references: string[] = [];
  const aliases = await tx.alias.findMany({
    select: { name: true, settings: true },
    orderBy: { name: "asc" },
  });
  const preferring = aliases
    .filter((alias) => {
      const preferred = readAliasSettings(alias.settings).preferredRootCaSubjectDn;
      return !isDefaultPreferredRoot(preferred) && sameDistinguishedName(preferred, ca.subjectDn);
    })
    .map((alias) => `"${alias.name}"`);
  if (preferring.length > 0) {
    references.push(
      `alias${preferring.length === 1 ? "" : "es"} ${preferring.join(", ")} prefer${preferring.length === 1 ? "s" : ""} it as root CA`,
    );
  }
  const granting = await aliasesGrantingAccessRules(tx, [caAccessRule(ca.name)]);
  if (granting.length > 0) {
    references.push(
      `client certificates on alias${granting.length === 1 ? "" : "es"} ${granting.map((a) => `"${a}"`).join(", ")} are granted its access rule ${caAccessRule(ca.name)}`,
    );
  }
  return references;
};

/** Deletes a CA nothing refers to (lib/ca/management.ts), audited; else a problem naming what does. */
export async function deleteUnusedCertificateAuthority(
  db: Db,
  id: string,
  by: { actor: AuditActor; ip?: string },
): Promise<void> {
  await deleteCertificateAuthority(db, { id }, { by, moreReferences: raReferences });
}
