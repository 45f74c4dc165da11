// Issued certificates as the console shows them (CONSOLE.md "Certificates"): search by serial,
// name, account, alias, status and expiry window, sorted and paged in the URL; one certificate
// decoded, with its account, order and chain; downloads; revocation by an administrator through
// lib/ra (the move ACME's revokeCert uses, audited, the CRL regenerated at once).
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { type DecodedCertificate, decodeCertificate } from "@/lib/ca/certificate-details";
import { externalChainOf } from "@/lib/ca/chains";
import { derToPem } from "@/lib/ca/pem";
import { db } from "@/lib/db/client";
import {
  type CertificateRow,
  findCertificateWithChain,
  searchCertificates,
} from "@/lib/db/sql/certificate-search";
import { notFoundProblem } from "@/lib/problem";
import { revokeCertificateByOperator } from "@/lib/ra/certificates";
import { crlReasonName } from "@/lib/ra/revocation-reasons";
import type { CertificateListQuery, CertificateListStatus } from "./schemas/certificates";
import type { Page } from "./schemas/common";

export type CertificateSummary = {
  id: string;
  serialHex: string;
  subjectDn: string;
  /** SANs without their "dns:"/"ip:" prefix. */
  names: string[];
  keyAlgorithm: string;
  status: CertificateListStatus;
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  revokedAt: string | null;
  revocationReason: { code: number; name: string } | null;
  accountId: string;
  alias: string;
  orderId: string | null;
};

export type CertificateDetail = CertificateSummary & {
  decoded: DecodedCertificate;
  /** The end entity it was enrolled for; null for certificates issued before end entities. */
  endEntity: { id: string; username: string } | null;
  issuerChain: { id: string; name: string; subjectDn: string }[];
  /** The CRL of the issuing CA (RFC 5280 §5), as the certificate's cRLDistributionPoints names it. */
  crlPath: string;
};

const DAY_MS = 86_400_000;

function statusOf(row: Pick<CertificateRow, "status" | "notAfter">, now: Date): CertificateListStatus {
  if (row.status === "revoked") return "revoked";
  return row.notAfter < now ? "expired" : "valid";
}

function toSummary(row: CertificateRow, now: Date): CertificateSummary {
  const reasonName = crlReasonName(row.revocationReason);
  return {
    id: row.id,
    serialHex: row.serialHex,
    subjectDn: row.subjectDn,
    names: row.names.map((n) => n.replace(/^(dns|ip):/, "")),
    keyAlgorithm: row.keyAlgorithm,
    status: statusOf(row, now),
    notBefore: row.notBefore.toISOString(),
    notAfter: row.notAfter.toISOString(),
    issuedAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revocationReason:
      row.status === "revoked" && row.revocationReason !== null && reasonName
        ? { code: row.revocationReason, name: reasonName }
        : null,
    accountId: row.accountId,
    alias: row.aliasName,
    orderId: row.orderId,
  };
}

/** The start of the day after `day` when it is a bare date: "to 2027-01-31" includes that day. */
function endOfWindow(day: string): Date {
  const at = new Date(day);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(at.getTime() + DAY_MS) : at;
}

export async function listCertificates(
  o: { actor: ConsoleActor; now?: Date } & Partial<CertificateListQuery>,
): Promise<Page<CertificateSummary>> {
  assertPermission(o.actor, "console.read");
  const now = o.now ?? new Date();
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? 20;
  const { rows, total } = await searchCertificates(db(), {
    serialPrefix: o.serial,
    name: o.name,
    accountId: o.account,
    aliasName: o.alias,
    status: o.status,
    expiresFrom: o.expiresFrom ? new Date(o.expiresFrom) : undefined,
    expiresBefore: o.expiresTo ? endOfWindow(o.expiresTo) : undefined,
    sort: o.sort ?? "issued",
    order: o.dir ?? "desc",
    now,
    offset: (page - 1) * pageSize,
    limit: pageSize,
  });
  return { items: rows.map((r) => toSummary(r, now)), total, page, pageSize };
}

async function loadCertificate(id: string) {
  const row = await findCertificateWithChain(db(), id);
  if (!row) throw notFoundProblem(`Certificate "${id}"`);
  return row;
}

export async function getCertificate(o: {
  actor: ConsoleActor;
  id: string;
  now?: Date;
}): Promise<CertificateDetail> {
  assertPermission(o.actor, "console.read");
  const row = await loadCertificate(o.id);
  return {
    ...toSummary(row, o.now ?? new Date()),
    decoded: decodeCertificate(row.der),
    endEntity: row.endEntity,
    issuerChain: row.issuerChain.map(({ id, name, subjectDn }) => ({ id, name, subjectDn })),
    crlPath: `/ca/crl/${row.issuerId}`,
  };
}

export type CertificateFile = { filename: string; contentType: string; body: string | Uint8Array };

/** The certificate alone (PEM or DER), or with its chain (RFC 8555 §9.1 order: leaf first). Public material. */
export async function downloadCertificate(o: {
  actor: ConsoleActor;
  id: string;
  format: "pem" | "chain" | "der";
}): Promise<CertificateFile> {
  assertPermission(o.actor, "console.read");
  const row = await loadCertificate(o.id);
  const base = `certificate-${row.serialHex}`;
  if (o.format === "der")
    return { filename: `${base}.der`, contentType: "application/pkix-cert", body: new Uint8Array(row.der) };
  if (o.format === "chain") {
    // Above a CA signed outside Keyward: the external chain uploaded for it, up to its root.
    const top = row.issuerChain.at(-1);
    const external = top ? await externalChainOf(db(), top.id) : [];
    return {
      filename: `${base}-chain.pem`,
      contentType: "application/pem-certificate-chain",
      body: [row.der, ...row.issuerChain.map((c) => c.der), ...external].map((der) => derToPem(der)).join(""),
    };
  }
  return { filename: `${base}.pem`, contentType: "application/x-pem-file", body: derToPem(row.der) };
}

/** An administrator revokes a certificate (audited; the issuing CA's CRL lists it at once). */
export async function revokeCertificate(o: {
  actor: ConsoleActor;
  id: string;
  reason: number;
}): Promise<CertificateDetail> {
  assertPermission(o.actor, "certificates.revoke");
  await revokeCertificateByOperator(db(), {
    id: o.id,
    reason: o.reason,
    actor: auditActorOf(o.actor),
    ip: o.actor.ip,
    now: new Date(),
  });
  return getCertificate({ actor: o.actor, id: o.id });
}
