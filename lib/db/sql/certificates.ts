// Issued certificates: stored with the end of finalize in one statement, and aggregated for the
// console's charts.
import type { Db } from "../client";
import { query, statement, transaction } from "../statements";

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
  /** The end entity it is enrolled for (issue 12 item 4), made GENERATED with it. */
  endEntityId: string | null;
};

/** A certificate the single active certificate constraint revoked, and its account's alias. */
export type SupersededCertificate = { id: string; issuerId: string; aliasName: string };

/**
 * RFC 8555 §7.4 finalize, the end of it in one statement: the order moves processing → valid,
 * its certificate is inserted and the audit record written, its end entity becomes GENERATED
 * (spec "EJBCA Specifics", RA mode) and, when $21 is true (spec "Single Active Certificate
 * Constraint"), the end entity's earlier unexpired certificates are revoked as superseded
 * (RFC 5280 §5.3.1 reason 4), each with its audit row; all or nothing. Nothing is stored when
 * the order is no longer processing (another instance finished or failed it).
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
            "notAfter", "createdAt", "endEntityId")
     SELECT $1::text, $2::text, $3::text, "id", $5::text, $6::bytea, $7::text, $8::text[], $9::text[],
            $10::text, $11::text, $12::timestamp(3), $13::timestamp(3), $14::timestamp(3), $20::text
       FROM moved
     RETURNING "id"),
   audit AS (
     INSERT INTO "AuditEvent" ("createdAt", "actor", "action", "targetType", "targetId", "details", "ip")
     SELECT $14::timestamp(3), $15::text, $16::text, $17::text, "id", $18::jsonb, $19::text FROM cert),
   generated AS (
     UPDATE "EndEntity" SET "status" = 'GENERATED', "subjectDn" = $7::text, "subjectAltNames" = $8::text[],
            "caId" = $5::text, "updatedAt" = $14::timestamp(3)
      WHERE "id" = $20::text AND EXISTS (SELECT 1 FROM cert)),
   superseded AS (
     UPDATE "Certificate" SET "status" = 'revoked', "revokedAt" = $14::timestamp(3), "revocationReason" = 4
      WHERE $21::boolean AND "endEntityId" = $20::text AND "status" = 'valid'
        AND "notAfter" > $14::timestamp(3) AND EXISTS (SELECT 1 FROM cert)
     RETURNING "id", "issuerId", "accountId"),
   superseded_audit AS (
     INSERT INTO "AuditEvent" ("createdAt", "actor", "action", "targetType", "targetId", "details", "ip")
     SELECT $14::timestamp(3), $15::text, 'certificate.revoked', 'certificate', s."id",
            jsonb_build_object('reason', 4, 'reasonName', 'superseded', 'by', 'single active certificate',
                               'endEntity', $22::text, 'supersededBy', $1::text), $19::text
       FROM superseded s)
   SELECT EXISTS (SELECT 1 FROM cert) AS "stored",
          COALESCE((SELECT json_agg(json_build_object('id', s."id", 'issuerId', s."issuerId", 'aliasName', al."name"))
                      FROM superseded s JOIN "Account" a ON a."id" = s."accountId"
                      JOIN "Alias" al ON al."id" = a."aliasId"), '[]'::json) AS "superseded"`,
);

// Two enrolments of one end entity finishing at once must each see the other's certificate, so
// under the constraint the end entity's row is locked first: the store statement that follows
// takes its snapshot after the other transaction committed (PostgreSQL READ COMMITTED).
const LOCK_END_ENTITY = statement(
  "end_entity_lock",
  `SELECT 1 FROM "EndEntity" WHERE "id" = $1::text FOR UPDATE`,
);

export async function storeIssuedCertificate(
  db: Db,
  c: IssuedCertificateRow,
  audit: { actor: string; action: string; targetType: string; details: object; ip: string | null },
  now: Date,
  endEntity: { username: string; singleActiveCertificate: boolean } | null = null,
): Promise<{ stored: boolean; superseded: SupersededCertificate[] }> {
  const values = [
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
    c.endEntityId,
    endEntity?.singleActiveCertificate === true,
    endEntity?.username ?? null,
  ];
  type Row = { stored: boolean; superseded: SupersededCertificate[] };
  const [row] =
    c.endEntityId !== null && endEntity?.singleActiveCertificate
      ? await transaction(db, async (run) => {
          await run(LOCK_END_ENTITY, [c.endEntityId]);
          return run<Row>(STORE_ISSUED, values);
        })
      : await query<Row>(db, STORE_ISSUED, values);
  return { stored: row?.stored === true, superseded: row?.superseded ?? [] };
}
