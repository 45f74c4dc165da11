// Orders as the console reads them: a search (identifier, account, alias, status; sorted, newest
// first by default)
// and one order with its authorizations, challenges and what each validation saw.
import type { Db } from "../client";
import { Prisma } from "../generated/client";

export type OrderSearch = {
  /** Part of an identifier's value, case-insensitive, matched literally. */
  identifier?: string;
  accountId?: string;
  aliasName?: string;
  status?: "pending" | "ready" | "processing" | "valid" | "invalid";
  sort?: keyof typeof SORT_COLUMNS;
  order?: "asc" | "desc";
  offset: number;
  limit: number;
};

export type OrderRow = {
  id: string;
  status: string;
  identifiers: unknown;
  expiresAt: Date;
  createdAt: Date;
  error: unknown;
  accountId: string;
  aliasName: string;
  certificateId: string | null;
};

/** The orders list's sortable columns; ties go by id, so that paging is stable. */
const SORT_COLUMNS = {
  created: Prisma.sql`o."createdAt"`,
  expires: Prisma.sql`o."expiresAt"`,
  status: Prisma.sql`o."status"::text`,
  alias: Prisma.sql`al."name"`,
} as const;

function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function searchOrders(db: Db, q: OrderSearch): Promise<{ rows: OrderRow[]; total: number }> {
  const identifier = q.identifier ? `%${likeLiteral(q.identifier)}%` : null;
  const account = q.accountId ?? null;
  const alias = q.aliasName ?? null;
  const status = q.status ?? null;
  const matching = Prisma.sql`
    FROM "Order" o
    JOIN "Account" a ON a."id" = o."accountId"
    JOIN "Alias" al ON al."id" = a."aliasId"
    WHERE (${account}::text IS NULL OR o."accountId" = ${account}::text)
      AND (${alias}::text IS NULL OR al."name" = ${alias}::text)
      AND (${status}::text IS NULL OR o."status"::text = ${status}::text)
      AND (${identifier}::text IS NULL OR EXISTS (
        SELECT 1 FROM jsonb_array_elements(o."identifiers") AS i
        WHERE i->>'value' ILIKE ${identifier}::text))`;
  const direction = q.order === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const [rows, count] = await Promise.all([
    db.$queryRaw<OrderRow[]>`
      SELECT o."id", o."status"::text AS "status", o."identifiers", o."expiresAt", o."createdAt", o."error",
             o."accountId", al."name" AS "aliasName",
             (SELECT c."id" FROM "Certificate" c WHERE c."orderId" = o."id") AS "certificateId"
      ${matching}
      ORDER BY ${SORT_COLUMNS[q.sort ?? "created"]} ${direction}, o."id" ${direction}
      OFFSET ${q.offset} LIMIT ${q.limit}`,
    db.$queryRaw<{ total: bigint }[]>`SELECT count(*) AS "total" ${matching}`,
  ]);
  return { rows, total: Number(count[0]?.total ?? 0) };
}

const ORDER_DETAIL_INCLUDE = {
  account: { select: { id: true, alias: { select: { name: true } } } },
  certificate: { select: { id: true, serialHex: true, status: true } },
  authorizations: {
    select: {
      authorization: {
        include: {
          challenges: {
            orderBy: { createdAt: "asc" },
            select: {
              id: true,
              type: true,
              status: true,
              validatedAt: true,
              error: true,
              validationRecord: true,
              updatedAt: true,
            },
          },
        },
      },
    },
  },
} satisfies Prisma.OrderInclude;

export type OrderDetailRow = Prisma.OrderGetPayload<{ include: typeof ORDER_DETAIL_INCLUDE }>;

/** One order with its account, certificate, authorizations and their challenges, or null. */
export async function findOrderWithAuthorizations(db: Db, id: string): Promise<OrderDetailRow | null> {
  return db.order.findUnique({ where: { id }, include: ORDER_DETAIL_INCLUDE });
}
