// End entities as the console shows them (issue 12 item 9): the list searched by username or
// subject, status and alias, and one end entity with its certificates. Every role that reads the
// console reads them (auditors included); nobody edits them here: ACME enrols them in RA mode
// (lib/ra/end-entities.ts).
import { assertPermission, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { type EndEntityRow, findEndEntity, searchEndEntities } from "@/lib/db/sql/end-entities";
import { notFoundProblem } from "@/lib/problem";
import { crlReasonName } from "@/lib/ra/revocation-reasons";
import type { Page } from "./schemas/common";
import type { EndEntityListQuery, EndEntityStatus } from "./schemas/end-entities";

export type EndEntitySummary = {
  id: string;
  username: string;
  status: EndEntityStatus;
  subjectDn: string;
  /** SANs without their "dns:"/"ip:" prefix. */
  subjectAltNames: string[];
  alias: string | null;
  /** null: Keyward's built-in profiles. */
  endEntityProfile: string | null;
  certificateProfile: string | null;
  ca: string | null;
  certificates: number;
  createdAt: string;
  updatedAt: string;
};

export type EndEntityCertificate = {
  id: string;
  serialHex: string;
  status: "valid" | "revoked" | "expired";
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  revocationReason: { code: number; name: string } | null;
};

export type EndEntityDetail = EndEntitySummary & { certificateList: EndEntityCertificate[] };

function toSummary(row: EndEntityRow): EndEntitySummary {
  return {
    id: row.id,
    username: row.username,
    status: row.status,
    subjectDn: row.subjectDn,
    subjectAltNames: row.subjectAltNames.map((n) => n.replace(/^(dns|ip):/, "")),
    alias: row.aliasName,
    endEntityProfile: row.endEntityProfileName,
    certificateProfile: row.certificateProfileName,
    ca: row.caName,
    certificates: row.certificates,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listEndEntities(
  o: { actor: ConsoleActor } & Partial<EndEntityListQuery>,
): Promise<Page<EndEntitySummary>> {
  assertPermission(o.actor, "console.read");
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? 20;
  const { rows, total } = await searchEndEntities(db(), {
    text: o.q,
    status: o.status,
    aliasName: o.alias,
    sort: o.sort ?? "updated",
    order: o.dir ?? "desc",
    offset: (page - 1) * pageSize,
    limit: pageSize,
  });
  return { items: rows.map(toSummary), total, page, pageSize };
}

export async function getEndEntity(o: {
  actor: ConsoleActor;
  id: string;
  now?: Date;
}): Promise<EndEntityDetail> {
  assertPermission(o.actor, "console.read");
  const row = await findEndEntity(db(), o.id);
  if (!row) throw notFoundProblem(`End entity "${o.id}"`);
  const now = o.now ?? new Date();
  return {
    ...toSummary(row),
    certificateList: row.certificateList.map((c) => {
      const reasonName = crlReasonName(c.revocationReason);
      return {
        id: c.id,
        serialHex: c.serialHex,
        status: c.status === "revoked" ? "revoked" : c.notAfter < now ? "expired" : "valid",
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
        issuedAt: c.createdAt.toISOString(),
        revocationReason:
          c.status === "revoked" && c.revocationReason !== null && reasonName
            ? { code: c.revocationReason, name: reasonName }
            : null,
      };
    }),
  };
}
