// End entities (issue 12 item 4): created or reset to NEW before a certificate is enrolled, and
// read by the console. Making one GENERATED happens in the statement that stores its certificate
// (certificates.ts). Storage only: the rules are lib/ra/end-entities.ts.
import { randomUUID } from "node:crypto";
import type { Db } from "../client";
import { Prisma } from "../generated/client";
import { query, statement } from "../statements";

/** Create the end entity, or reset the one of that username to NEW for a new enrolment. */
const UPSERT_AS_NEW = statement(
  "end_entity_upsert_as_new",
  `INSERT INTO "EndEntity" ("id", "username", "status", "subjectDn", "subjectAltNames", "aliasId",
          "endEntityProfileName", "certificateProfileName", "caId", "orderId", "createdAt", "updatedAt")
   VALUES ($1::text, $2::text, 'NEW', $3::text, ARRAY[]::text[], $4::text, $5::text, $6::text, $7::text,
          $8::text, $9::timestamp(3), $9::timestamp(3))
   ON CONFLICT ("username") DO UPDATE SET
          "status" = 'NEW', "subjectDn" = EXCLUDED."subjectDn", "aliasId" = EXCLUDED."aliasId",
          "endEntityProfileName" = EXCLUDED."endEntityProfileName",
          "certificateProfileName" = EXCLUDED."certificateProfileName",
          "caId" = COALESCE(EXCLUDED."caId", "EndEntity"."caId"),
          "orderId" = EXCLUDED."orderId", "updatedAt" = EXCLUDED."updatedAt"
   RETURNING "id"`,
);

export async function upsertEndEntityAsNew(
  db: Db,
  e: {
    username: string;
    subjectDn: string;
    aliasId: string | null;
    endEntityProfileName: string | null;
    certificateProfileName: string | null;
    caId: string | null;
    orderId: string;
    now: Date;
  },
): Promise<{ id: string }> {
  const [row] = await query<{ id: string }>(db, UPSERT_AS_NEW, [
    randomUUID(),
    e.username,
    e.subjectDn,
    e.aliasId,
    e.endEntityProfileName,
    e.certificateProfileName,
    e.caId,
    e.orderId,
    e.now,
  ]);
  if (!row) throw new Error("end entity upsert returned no row");
  return row;
}

// Finalize's move ready → processing and the end entity's reset to NEW, in one statement (issue
// 13): the end entity is written only if the order moved, so a lost race writes nothing.
const MOVE_TO_PROCESSING_AS_NEW = statement(
  "order_processing_end_entity_new",
  `WITH moved AS (
     UPDATE "Order" SET "status" = 'processing', "csr" = $10::bytea, "processingUntil" = $11::timestamp(3),
            "updatedAt" = $9::timestamp(3)
      WHERE "id" = $8::text AND "status" = 'ready'
      RETURNING "id"),
   entity AS (
     INSERT INTO "EndEntity" ("id", "username", "status", "subjectDn", "subjectAltNames", "aliasId",
            "endEntityProfileName", "certificateProfileName", "caId", "orderId", "createdAt", "updatedAt")
     SELECT $1::text, $2::text, 'NEW', $3::text, ARRAY[]::text[], $4::text, $5::text, $6::text, $7::text,
            moved."id", $9::timestamp(3), $9::timestamp(3)
       FROM moved
     ON CONFLICT ("username") DO UPDATE SET
            "status" = 'NEW', "subjectDn" = EXCLUDED."subjectDn", "aliasId" = EXCLUDED."aliasId",
            "endEntityProfileName" = EXCLUDED."endEntityProfileName",
            "certificateProfileName" = EXCLUDED."certificateProfileName",
            "caId" = COALESCE(EXCLUDED."caId", "EndEntity"."caId"),
            "orderId" = EXCLUDED."orderId", "updatedAt" = EXCLUDED."updatedAt"
     RETURNING "id")
   SELECT (SELECT "id" FROM entity) AS "id"`,
);

/**
 * Moves the order ready → processing with its CSR and issuance lease, and creates or resets its
 * end entity to NEW, at once; the end entity's id, or null when the order was not ready.
 */
export async function moveOrderToProcessingAsNew(
  db: Db,
  e: Parameters<typeof upsertEndEntityAsNew>[1] & { csr: Uint8Array; processingUntil: Date },
): Promise<{ id: string } | null> {
  const [row] = await query<{ id: string | null }>(db, MOVE_TO_PROCESSING_AS_NEW, [
    randomUUID(),
    e.username,
    e.subjectDn,
    e.aliasId,
    e.endEntityProfileName,
    e.certificateProfileName,
    e.caId,
    e.orderId,
    e.now,
    Buffer.from(e.csr),
    e.processingUntil,
  ]);
  return row?.id ? { id: row.id } : null;
}

/** The end entity whose latest enrolment is `orderId`, if any. */
export async function findEndEntityOfOrder(
  db: Db,
  orderId: string,
): Promise<{ username: string; subjectDn: string; aliasId: string | null } | null> {
  return db.endEntity.findFirst({
    where: { orderId },
    select: { username: true, subjectDn: true, aliasId: true },
  });
}

// ── The console ─────────────────────────────────────────────────────────────────────────────

export type EndEntitySearch = {
  /** Part of the username or of the subject DN, case-insensitive, matched literally. */
  text?: string;
  status?: "NEW" | "GENERATED";
  aliasName?: string;
  sort: "username" | "updated";
  order: "asc" | "desc";
  offset: number;
  limit: number;
};

export type EndEntityRow = {
  id: string;
  username: string;
  status: "NEW" | "GENERATED";
  subjectDn: string;
  subjectAltNames: string[];
  aliasName: string | null;
  endEntityProfileName: string | null;
  certificateProfileName: string | null;
  caName: string | null;
  certificates: number;
  createdAt: Date;
  updatedAt: Date;
};

function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const SORT_COLUMNS = {
  username: Prisma.sql`e."username"`,
  updated: Prisma.sql`e."updatedAt"`,
} as const;

const ROW_COLUMNS = Prisma.sql`
  e."id", e."username", e."status"::text AS "status", e."subjectDn", e."subjectAltNames",
  al."name" AS "aliasName", e."endEntityProfileName", e."certificateProfileName", ca."name" AS "caName",
  (SELECT count(*)::int FROM "Certificate" c WHERE c."endEntityId" = e."id") AS "certificates",
  e."createdAt", e."updatedAt"`;

const ROW_JOINS = Prisma.sql`
  FROM "EndEntity" e
  LEFT JOIN "Alias" al ON al."id" = e."aliasId"
  LEFT JOIN "CertificateAuthority" ca ON ca."id" = e."caId"`;

/** One page of end entities matching `q`, and how many match in all. */
export async function searchEndEntities(
  db: Db,
  q: EndEntitySearch,
): Promise<{ rows: EndEntityRow[]; total: number }> {
  const text = q.text ? `%${likeLiteral(q.text)}%` : null;
  const status = q.status ?? null;
  const alias = q.aliasName ?? null;
  const matching = Prisma.sql`
    ${ROW_JOINS}
    WHERE (${text}::text IS NULL OR e."username" ILIKE ${text}::text OR e."subjectDn" ILIKE ${text}::text)
      AND (${status}::text IS NULL OR e."status"::text = ${status}::text)
      AND (${alias}::text IS NULL OR al."name" = ${alias}::text)`;
  const direction = q.order === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const [rows, count] = await Promise.all([
    db.$queryRaw<EndEntityRow[]>`
      SELECT ${ROW_COLUMNS}
      ${matching}
      ORDER BY ${SORT_COLUMNS[q.sort]} ${direction}, e."id" ${direction}
      OFFSET ${q.offset} LIMIT ${q.limit}`,
    db.$queryRaw<{ total: bigint }[]>`SELECT count(*) AS "total" ${matching}`,
  ]);
  return { rows, total: Number(count[0]?.total ?? 0) };
}

export type EndEntityCertificateRow = {
  id: string;
  serialHex: string;
  status: "valid" | "revoked";
  notBefore: Date;
  notAfter: Date;
  revocationReason: number | null;
  createdAt: Date;
};

// An end entity's certificates shown on its page, newest first; the count says how many there are.
const MAX_CERTIFICATES_SHOWN = 100;

/** One end entity with its newest certificates, or null. */
export async function findEndEntity(
  db: Db,
  id: string,
): Promise<(EndEntityRow & { certificateList: EndEntityCertificateRow[] }) | null> {
  const [row] = await db.$queryRaw<EndEntityRow[]>`SELECT ${ROW_COLUMNS} ${ROW_JOINS} WHERE e."id" = ${id}`;
  if (!row) return null;
  const certificateList = await db.certificate.findMany({
    where: { endEntityId: id },
    select: {
      id: true,
      serialHex: true,
      status: true,
      notBefore: true,
      notAfter: true,
      revocationReason: true,
      createdAt: true,
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: MAX_CERTIFICATES_SHOWN,
  });
  return { ...row, certificateList };
}
