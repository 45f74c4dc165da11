// Approval requests and profiles: the row locks that make a decision, and a profile's use by an
// alias, safe against concurrent writers (the rules are in lib/ra/approvals.ts and
// lib/ra/approval-profiles.ts).
import type { Prisma } from "../client";

/**
 * Locks the approval request `id` (FOR UPDATE) until the transaction ends and returns its id, or
 * null when there is none. Two approvers deciding one request at once are decided one after the
 * other: the second reads the first one's decision.
 */
export async function lockApprovalRequest(tx: Prisma.TransactionClient, id: number): Promise<number | null> {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    SELECT "id" FROM "ApprovalRequest" WHERE "id" = ${id} FOR UPDATE`;
  return rows[0]?.id ?? null;
}

/**
 * The names among `names` that are approval profiles, each locked FOR SHARE until the transaction
 * ends: an alias that names a profile is stored while the profile cannot be deleted, and a
 * deletion that got there first leaves the name missing here.
 */
export async function lockApprovalProfilesForShare(
  tx: Prisma.TransactionClient,
  names: string[],
): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await tx.$queryRaw<{ name: string }[]>`
    SELECT "name" FROM "ApprovalProfile" WHERE "name" = ANY(${names}::text[]) FOR SHARE`;
  return rows.map((r) => r.name);
}

/**
 * The approval profile `name`, locked FOR UPDATE until the transaction ends, or null. Taken before
 * a deletion counts the aliases naming the profile: an alias store holding the profile FOR SHARE
 * finishes first, and its alias is counted.
 */
export async function lockApprovalProfileForUpdate(
  tx: Prisma.TransactionClient,
  name: string,
): Promise<{ id: string } | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "ApprovalProfile" WHERE "name" = ${name} FOR UPDATE`;
  return rows[0] ?? null;
}
