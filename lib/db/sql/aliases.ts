// Alias rows: the lock that makes a read-change-write of one alias's settings safe.
import type { Prisma } from "../client";

export type LockedAlias = { id: string; name: string; configured: boolean; settings: unknown };

/**
 * The alias named `name`, locked (FOR UPDATE) until the transaction ends, or null. A second
 * writer of the same alias waits here and then reads what the first one stored, so two
 * concurrent changes of different fields both survive.
 */
export async function lockAliasByName(
  tx: Prisma.TransactionClient,
  name: string,
): Promise<LockedAlias | null> {
  const rows = await tx.$queryRaw<LockedAlias[]>`
    SELECT "id", "name", "configured", "settings" FROM "Alias" WHERE "name" = ${name} FOR UPDATE`;
  return rows[0] ?? null;
}
