// Issued certificates as the console reads them: a search (serial, name, account, alias, status,
// expiry window; sorted and paged in SQL) and one certificate with its account, order and issuer.
// Storage only: what "expired" means is the caller's `now`.
import type { Db } from "../client";
import { Prisma } from "../generated/client";

export type CertificateSearch = {
  /** The beginning of the lowercase hex serial. */
  serialPrefix?: string;
  /** Part of a SAN ("dns:…", "ip:…") or of the subject DN, case-insensitive, matched literally. */
  name?: string;
  accountId?: string;
  aliasName?: string;
  /** valid: not revoked, notAfter ≥ now; expired: not revoked, notAfter < now. */
  status?: "valid" | "revoked" | "expired";
  expiresFrom?: Date;
  expiresBefore?: Date;
  sort: "issued" | "expires" | "serial";
  order: "asc" | "desc";
  now: Date;
  offset: number;
  limit: number;
};

export type CertificateRow = {
  id: string;
  serialHex: string;
  subjectDn: string;
  names: string[];
  keyAlgorithm: string;
  status: "valid" | "revoked";
  notBefore: Date;
  notAfter: Date;
  revokedAt: Date | null;
  revocationReason: number | null;
  createdAt: Date;
  accountId: string;
  aliasName: string;
  orderId: string | null;
  issuerId: string;
};

export type CertificateWithDer = CertificateRow & {
  der: Uint8Array;
  /** The end entity it was enrolled for (issue 12 item 4); null before end entities existed. */
  endEntity: { id: string; username: string } | null;
  /** The issuing CA and its parents up to the root, each as DER, in chain order. */
  issuerChain: { id: string; name: string; subjectDn: string; der: Uint8Array }[];
};

/** `text` matched literally inside a LIKE pattern: its %, _ and \ lose their meaning. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const SORT_COLUMNS = {
  issued: Prisma.sql`c."createdAt"`,
  expires: Prisma.sql`c."notAfter"`,
  serial: Prisma.sql`c."serialHex"`,
} as const;

/** One page of certificates matching `q`, and how many match in all. */
export async function searchCertificates(
  db: Db,
  q: CertificateSearch,
): Promise<{ rows: CertificateRow[]; total: number }> {
  const serial = q.serialPrefix ? `${likeLiteral(q.serialPrefix)}%` : null;
  const name = q.name ? `%${likeLiteral(q.name)}%` : null;
  const account = q.accountId ?? null;
  const alias = q.aliasName ?? null;
  const status = q.status ?? null;
  const from = q.expiresFrom ?? null;
  const before = q.expiresBefore ?? null;
  const matching = Prisma.sql`
    FROM "Certificate" c
    JOIN "Account" a ON a."id" = c."accountId"
    JOIN "Alias" al ON al."id" = a."aliasId"
    WHERE (${serial}::text IS NULL OR c."serialHex" LIKE ${serial}::text)
      AND (${name}::text IS NULL OR array_to_string(c."names", ' ') ILIKE ${name}::text
           OR c."subjectDn" ILIKE ${name}::text)
      AND (${account}::text IS NULL OR c."accountId" = ${account}::text)
      AND (${alias}::text IS NULL OR al."name" = ${alias}::text)
      AND (${status}::text IS NULL
           OR (${status}::text = 'revoked' AND c."status" = 'revoked')
           OR (${status}::text = 'valid' AND c."status" = 'valid' AND c."notAfter" >= ${q.now})
           OR (${status}::text = 'expired' AND c."status" = 'valid' AND c."notAfter" < ${q.now}))
      AND (${from}::timestamp IS NULL OR c."notAfter" >= ${from}::timestamp)
      AND (${before}::timestamp IS NULL OR c."notAfter" < ${before}::timestamp)`;
  const direction = q.order === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const [rows, count] = await Promise.all([
    db.$queryRaw<CertificateRow[]>`
      SELECT c."id", c."serialHex", c."subjectDn", c."names", c."keyAlgorithm", c."status"::text AS "status",
             c."notBefore", c."notAfter", c."revokedAt", c."revocationReason", c."createdAt",
             c."accountId", al."name" AS "aliasName", c."orderId", c."issuerId"
      ${matching}
      ORDER BY ${SORT_COLUMNS[q.sort]} ${direction}, c."id" ${direction}
      OFFSET ${q.offset} LIMIT ${q.limit}`,
    db.$queryRaw<{ total: bigint }[]>`SELECT count(*) AS "total" ${matching}`,
  ]);
  return { rows, total: Number(count[0]?.total ?? 0) };
}

// A CA hierarchy is a handful of rows; the bound only stops a damaged parent loop.
const MAX_CHAIN_LENGTH = 8;

/** One certificate with its DER and its issuer's chain, or null. */
export async function findCertificateWithChain(db: Db, id: string): Promise<CertificateWithDer | null> {
  const row = await db.certificate.findUnique({
    where: { id },
    include: {
      account: { select: { alias: { select: { name: true } } } },
      endEntity: { select: { id: true, username: true } },
    },
  });
  if (!row) return null;
  const issuerChain: CertificateWithDer["issuerChain"] = [];
  let caId: string | null = row.issuerId;
  while (caId && issuerChain.length < MAX_CHAIN_LENGTH) {
    const ca: {
      id: string;
      name: string;
      subjectDn: string;
      certificateDer: Uint8Array;
      parentId: string | null;
    } | null = await db.certificateAuthority.findUnique({
      where: { id: caId },
      select: { id: true, name: true, subjectDn: true, certificateDer: true, parentId: true },
    });
    if (!ca || issuerChain.some((c) => c.id === ca.id)) break;
    issuerChain.push({ id: ca.id, name: ca.name, subjectDn: ca.subjectDn, der: ca.certificateDer });
    caId = ca.parentId;
  }
  return {
    id: row.id,
    serialHex: row.serialHex,
    subjectDn: row.subjectDn,
    names: row.names,
    keyAlgorithm: row.keyAlgorithm,
    status: row.status,
    notBefore: row.notBefore,
    notAfter: row.notAfter,
    revokedAt: row.revokedAt,
    revocationReason: row.revocationReason,
    createdAt: row.createdAt,
    accountId: row.accountId,
    aliasName: row.account.alias.name,
    orderId: row.orderId,
    issuerId: row.issuerId,
    der: row.der,
    endEntity: row.endEntity,
    issuerChain,
  };
}
