// Issued certificates: stored with the end of finalize in one statement, and aggregated for the
// console's charts.
import type { Db } from "../client";
import { query, statement } from "../statements";

export type DayCount = { day: Date; n: number };

/** Certificates issued per UTC day since `since`. */
export async function countIssuedPerDay(db: Db, since: Date): Promise<DayCount[]> {
  const rows = await db.$queryRaw<{ day: Date; n: bigint }[]>`
    SELECT date_trunc('day', "createdAt") AS day, count(*) AS n FROM "Certificate"
    WHERE "createdAt" >= ${since} GROUP BY 1`;
  return rows.map(({ day, n }) => ({ day, n: Number(n) }));
}

/** Valid certificates expiring per UTC day in [from, until). */
export async function countExpiriesPerDay(db: Db, from: Date, until: Date): Promise<DayCount[]> {
  const rows = await db.$queryRaw<{ day: Date; n: bigint }[]>`
    SELECT date_trunc('day', "notAfter") AS day, count(*) AS n FROM "Certificate"
    WHERE status = 'valid' AND "notAfter" >= ${from} AND "notAfter" < ${until} GROUP BY 1`;
  return rows.map(({ day, n }) => ({ day, n: Number(n) }));
}

export type IssuedCertificateRow = {
  id: string;
  serialHex: string;
  accountId: string;
  orderId: string;
  issuerId: string;
  der: Uint8Array;
  subjectDn: string;
  names: string[];
  registeredDomains: string[];
  spkiSha256: string;
  keyAlgorithm: string;
  notBefore: Date;
  notAfter: Date;
};

/**
 * RFC 8555 §7.4 finalize, the end of it in one statement: the order moves processing → valid,
 * its certificate is inserted and the audit record written, all or nothing. Nothing is stored
 * when the order is no longer processing (another instance finished or failed it): returns false.
 * Throws a unique violation when the order already has a certificate.
 */
const STORE_ISSUED = statement(
  "certificate_store_issued",
  `WITH moved AS (
     UPDATE "Order" SET "status" = 'valid', "csr" = NULL, "processingUntil" = NULL,
            "updatedAt" = $14::timestamp(3)
      WHERE "id" = $4 AND "status" = 'processing'
     RETURNING "id"),
   cert AS (
     INSERT INTO "Certificate" ("id", "serialHex", "accountId", "orderId", "issuerId", "der",
            "subjectDn", "names", "registeredDomains", "spkiSha256", "keyAlgorithm", "notBefore",
            "notAfter", "createdAt")
     SELECT $1::text, $2::text, $3::text, "id", $5::text, $6::bytea, $7::text, $8::text[], $9::text[],
            $10::text, $11::text, $12::timestamp(3), $13::timestamp(3), $14::timestamp(3)
       FROM moved
     RETURNING "id"),
   audit AS (
     INSERT INTO "AuditEvent" ("createdAt", "actor", "action", "targetType", "targetId", "details", "ip")
     SELECT $14::timestamp(3), $15::text, $16::text, $17::text, "id", $18::jsonb, $19::text FROM cert)
   SELECT EXISTS (SELECT 1 FROM cert) AS "stored"`,
);

export async function storeIssuedCertificate(
  db: Db,
  c: IssuedCertificateRow,
  audit: { actor: string; action: string; targetType: string; details: object; ip: string | null },
  now: Date,
): Promise<boolean> {
  const [row] = await query<{ stored: boolean }>(db, STORE_ISSUED, [
    c.id,
    c.serialHex,
    c.accountId,
    c.orderId,
    c.issuerId,
    Buffer.from(c.der),
    c.subjectDn,
    c.names,
    c.registeredDomains,
    c.spkiSha256,
    c.keyAlgorithm,
    c.notBefore,
    c.notAfter,
    now,
    audit.actor,
    audit.action,
    audit.targetType,
    audit.details,
    audit.ip,
  ]);
  return row?.stored === true;
}
