// Order rows with what an order's status and its JSON need (its authorizations' states and its
// certificate), read in one statement each (issue 13: through Prisma an order was three).
import type { Db } from "../client";
import type { AuthorizationStatus, OrderStatus } from "../generated/client";
import { query, statement } from "../statements";

export type OrderAuthorizationRow = {
  id: string;
  status: AuthorizationStatus;
  expiresAt: Date;
  identifierType: string;
  identifierValue: string;
  wildcard: boolean;
};

export type OrderRow = {
  id: string;
  accountId: string;
  status: OrderStatus;
  expiresAt: Date;
  identifiers: unknown;
  notBefore: Date | null;
  notAfter: Date | null;
  error: unknown;
  csr: Uint8Array | null;
  authorizations: OrderAuthorizationRow[];
  certificateId: string | null;
};

const ORDER_COLUMNS = `
  o."id", o."accountId", o."status"::text AS "status", o."expiresAt", o."identifiers",
  o."notBefore", o."notAfter", o."error", o."csr",
  (SELECT c."id" FROM "Certificate" c WHERE c."orderId" = o."id") AS "certificateId",
  (SELECT COALESCE(json_agg(json_build_object(
            'id', a."id", 'status', a."status", 'expiresAt', a."expiresAt",
            'identifierType', a."identifierType", 'identifierValue', a."identifierValue",
            'wildcard', a."wildcard")), '[]'::json)
     FROM "OrderAuthorization" oa JOIN "Authorization" a ON a."id" = oa."authorizationId"
    WHERE oa."orderId" = o."id") AS "authorizations"`;

const SELECT_ORDER = statement("order_by_id", `SELECT ${ORDER_COLUMNS} FROM "Order" o WHERE o."id" = $1`);

type RawOrderRow = Omit<OrderRow, "authorizations"> & {
  authorizations: (Omit<OrderAuthorizationRow, "expiresAt"> & { expiresAt: string })[];
};

/** json_build_object writes a timestamp(3) as "YYYY-MM-DDTHH:MM:SS.mmm", in UTC (client.ts). */
function toOrderRow(raw: RawOrderRow): OrderRow {
  return {
    ...raw,
    authorizations: raw.authorizations.map((a) => ({ ...a, expiresAt: new Date(`${a.expiresAt}Z`) })),
  };
}

export async function selectOrder(db: Db, id: string): Promise<OrderRow | null> {
  const [row] = await query<RawOrderRow>(db, SELECT_ORDER, [id]);
  return row ? toOrderRow(row) : null;
}

export type NewAuthorization = {
  identifierType: string;
  identifierValue: string;
  wildcard: boolean;
  /** The id it gets when no valid authorization is reused for it. */
  id: string;
  /** Its challenges, when it is created. */
  challenges: { id: string; type: string; token: string }[];
};

/**
 * RFC 8555 §7.4 newOrder in one statement: for each identifier, the newest valid authorization
 * of the account updated after `reuseSince` and outliving the order is reused (§7.4: "the server
 * MAY reuse"; none when `reuseSince` is null), or a pending one is created with its challenges;
 * then the order and its links. Returns each identifier's authorization in the order given.
 */
const INSERT_ORDER = statement(
  "order_insert",
  `WITH ids AS (
     SELECT * FROM unnest($9::text[], $10::text[], $11::boolean[], $12::text[])
       WITH ORDINALITY AS i("type", "value", "wildcard", "newId", "ord")),
   reuse AS (
     SELECT DISTINCT ON (i."ord") i."ord", a."id", a."expiresAt"
       FROM ids i JOIN "Authorization" a
         ON a."accountId" = $2::text AND a."identifierType" = i."type"
        AND a."identifierValue" = i."value" AND a."wildcard" = i."wildcard"
      WHERE $8::timestamp(3) IS NOT NULL AND a."status" = 'valid'
        AND a."expiresAt" > $3::timestamp(3) AND a."updatedAt" > $8::timestamp(3)
      ORDER BY i."ord", a."expiresAt" DESC),
   picked AS (
     SELECT i.*, r."id" AS "reusedId", r."expiresAt" AS "reusedExpiresAt"
       FROM ids i LEFT JOIN reuse r ON r."ord" = i."ord"),
   authz AS (
     INSERT INTO "Authorization" ("id", "accountId", "identifierType", "identifierValue", "wildcard",
            "status", "expiresAt", "createdAt", "updatedAt")
     SELECT "newId", $2::text, "type", "value", "wildcard", 'pending'::"AuthorizationStatus",
            $3::timestamp(3), $7::timestamp(3), $7::timestamp(3)
       FROM picked WHERE "reusedId" IS NULL
     RETURNING "id"),
   challenges AS (
     INSERT INTO "Challenge" ("id", "authorizationId", "type", "token", "status", "createdAt", "updatedAt")
     SELECT c."id", c."authorizationId", c."type", c."token", 'pending'::"ChallengeStatus",
            $7::timestamp(3), $7::timestamp(3)
       FROM unnest($13::text[], $14::text[], $15::text[], $16::text[]) AS c("authorizationId", "id", "type", "token")
      WHERE c."authorizationId" IN (SELECT "id" FROM authz)),
   "order" AS (
     INSERT INTO "Order" ("id", "accountId", "status", "expiresAt", "identifiers", "notBefore",
            "notAfter", "createdAt", "updatedAt")
     VALUES ($1::text, $2::text, 'pending'::"OrderStatus", $3::timestamp(3), $4::jsonb,
             $5::timestamp(3), $6::timestamp(3), $7::timestamp(3), $7::timestamp(3))
     RETURNING "id"),
   links AS (
     INSERT INTO "OrderAuthorization" ("orderId", "authorizationId")
     SELECT (SELECT "id" FROM "order"), COALESCE("reusedId", "newId") FROM picked)
   SELECT COALESCE("reusedId", "newId") AS "id", "reusedExpiresAt"
     FROM picked ORDER BY "ord"`,
);

export async function insertOrder(
  db: Db,
  o: {
    id: string;
    accountId: string;
    expiresAt: Date;
    identifiers: object[];
    notBefore: Date | null;
    notAfter: Date | null;
    now: Date;
    reuseSince: Date | null;
    authorizations: NewAuthorization[];
  },
): Promise<OrderAuthorizationRow[]> {
  const challenges = o.authorizations.flatMap((a) =>
    a.challenges.map((c) => ({ ...c, authorizationId: a.id })),
  );
  const rows = await query<{ id: string; reusedExpiresAt: Date | null }>(db, INSERT_ORDER, [
    o.id,
    o.accountId,
    o.expiresAt,
    JSON.stringify(o.identifiers),
    o.notBefore,
    o.notAfter,
    o.now,
    o.reuseSince,
    o.authorizations.map((a) => a.identifierType),
    o.authorizations.map((a) => a.identifierValue),
    o.authorizations.map((a) => a.wildcard),
    o.authorizations.map((a) => a.id),
    challenges.map((c) => c.authorizationId),
    challenges.map((c) => c.id),
    challenges.map((c) => c.type),
    challenges.map((c) => c.token),
  ]);
  return rows.map((row, i) => {
    const a = o.authorizations[i] as NewAuthorization;
    return {
      id: row.id,
      status: row.reusedExpiresAt ? "valid" : "pending",
      expiresAt: row.reusedExpiresAt ?? o.expiresAt,
      identifierType: a.identifierType,
      identifierValue: a.identifierValue,
      wildcard: a.wildcard,
    };
  });
}
