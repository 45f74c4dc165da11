// Account rows and their one mapper to AccountRecord, the shape every layer above reads.
import type { AccountJwk } from "@/lib/crypto/jwk";
import type { Db } from "../client";

export type AccountStatus = "valid" | "deactivated" | "revoked";

export type AccountRecord = {
  id: string;
  aliasId: string;
  status: AccountStatus;
  jwk: AccountJwk;
  keyThumbprint: string;
  contact: string[];
  termsOfServiceAgreed: boolean;
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
