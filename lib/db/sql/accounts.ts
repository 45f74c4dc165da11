// Account rows and their one mapper to AccountRecord, the shape every layer above reads.
import type { AccountJwk } from "@/lib/crypto/jwk";
import type { Db } from "../client";
import { Prisma } from "../generated/client";

export type AccountStatus = "valid" | "deactivated" | "revoked";

export type AccountRecord = {
  id: string;
  aliasId: string;
  status: AccountStatus;
  jwk: AccountJwk;
  keyThumbprint: string;
  contact: string[];
  termsOfServiceAgreed: boolean;
  /** The alias's terms-of-service version the account agreed to; null: none. */
  termsOfServiceVersion: number | null;
  createdAt: Date;
};

/** The columns of an AccountRecord, for Prisma reads and writes that return one. */
export const ACCOUNT_SELECT = {
  id: true,
  aliasId: true,
  status: true,
  jwk: true,
  keyThumbprint: true,
  contact: true,
  termsOfServiceAgreed: true,
  termsOfServiceVersion: true,
  createdAt: true,
} as const;

type AccountRow = Omit<AccountRecord, "jwk"> & { jwk: unknown };

/** The one row mapper: the stored jwk was checked by lib/crypto/jwk before it was written. */
export function toAccountRecord(row: AccountRow): AccountRecord {
  return { ...row, jwk: row.jwk as AccountJwk };
}

export async function findAccountById(db: Db, id: string): Promise<AccountRecord | null> {
  const row = await db.account.findUnique({ where: { id }, select: ACCOUNT_SELECT });
  return row && toAccountRecord(row);
}

export async function findAccountByKey(
  db: Db,
  aliasId: string,
  thumbprint: string,
): Promise<AccountRecord | null> {
  const row = await db.account.findUnique({
    where: { aliasId_keyThumbprint: { aliasId, keyThumbprint: thumbprint } },
    select: ACCOUNT_SELECT,
  });
  return row && toAccountRecord(row);
}

export type AccountSearch = {
  aliasName?: string;
  status?: AccountStatus;
  /** Part of a contact URL, case-insensitive ("ops@", "example.com"). */
  contact?: string;
  /** The beginning of the key's RFC 7638 thumbprint. */
  thumbprintPrefix?: string;
  sort?: keyof typeof ACCOUNT_SORT_COLUMNS;
  order?: "asc" | "desc";
  offset: number;
  limit: number;
};

/** `text` matched literally inside a LIKE pattern: its %, _ and \ lose their meaning. */
/** The accounts list's sortable columns; ties go by id, so that paging is stable. */
const ACCOUNT_SORT_COLUMNS = {
  created: Prisma.sql`a."createdAt"`,
  alias: Prisma.sql`al."name"`,
  status: Prisma.sql`a."status"::text`,
  orders: Prisma.sql`(SELECT count(*) FROM "Order" o WHERE o."accountId" = a."id")`,
  certificates: Prisma.sql`(SELECT count(*) FROM "Certificate" c WHERE c."accountId" = a."id")`,
} as const;

function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The console's account search: ids of one page in the asked order (newest first by default),
 * and how many match in all. In SQL
 * because contacts are a text array, and "contains this part of an address" is not a filter
 * Prisma can express on one.
 */
export async function searchAccountIds(db: Db, q: AccountSearch): Promise<{ ids: string[]; total: number }> {
  const alias = q.aliasName ?? null;
  const status = q.status ?? null;
  const contact = q.contact ? `%${likeLiteral(q.contact)}%` : null;
  const thumbprint = q.thumbprintPrefix ? `${likeLiteral(q.thumbprintPrefix)}%` : null;
  const matching = Prisma.sql`
    FROM "Account" a JOIN "Alias" al ON al."id" = a."aliasId"
    WHERE (${alias}::text IS NULL OR al."name" = ${alias}::text)
      AND (${status}::text IS NULL OR a."status"::text = ${status}::text)
      AND (${thumbprint}::text IS NULL OR a."keyThumbprint" LIKE ${thumbprint}::text)
      AND (${contact}::text IS NULL OR array_to_string(a."contact", ' ') ILIKE ${contact}::text)`;
  const direction = q.order === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const [page, count] = await Promise.all([
    db.$queryRaw<{ id: string }[]>`
      SELECT a."id" ${matching}
      ORDER BY ${ACCOUNT_SORT_COLUMNS[q.sort ?? "created"]} ${direction}, a."id" ${direction}
      OFFSET ${q.offset} LIMIT ${q.limit}`,
    db.$queryRaw<{ total: bigint }[]>`SELECT count(*) AS "total" ${matching}`,
  ]);
  return { ids: page.map((r) => r.id), total: Number(count[0]?.total ?? 0) };
}
