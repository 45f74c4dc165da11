// Certificate and end entity profiles: the row locks that keep a profile from being deleted while
// something that names it is being stored (the rules are in lib/ra/profiles.ts).
import type { Prisma } from "../client";

/**
 * The end entity profile `name`, locked FOR SHARE until the transaction ends, or null: an alias
 * naming it is stored while it cannot be deleted or renamed away.
 */
export async function lockEndEntityProfileForShare(
  tx: Prisma.TransactionClient,
  name: string,
): Promise<{ id: string; batchGeneration: boolean } | null> {
  const rows = await tx.$queryRaw<{ id: string; batchGeneration: boolean }[]>`
    SELECT "id", "batchGeneration" FROM "EndEntityProfile" WHERE "name" = ${name} FOR SHARE`;
  return rows[0] ?? null;
}

/** The end entity profile `name`, locked FOR UPDATE (before counting the aliases that name it). */
export async function lockEndEntityProfileForUpdate(
  tx: Prisma.TransactionClient,
  name: string,
): Promise<{ id: string } | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "EndEntityProfile" WHERE "name" = ${name} FOR UPDATE`;
  return rows[0] ?? null;
}

/** The certificate profile `name`, locked FOR UPDATE (before counting the profiles that name it). */
export async function lockCertificateProfileForUpdate(
  tx: Prisma.TransactionClient,
  name: string,
): Promise<{ id: string } | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "CertificateProfile" WHERE "name" = ${name} FOR UPDATE`;
  return rows[0] ?? null;
}
