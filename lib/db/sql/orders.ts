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
