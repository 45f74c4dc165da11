// Transaction-scoped advisory locks: they serialise work across every instance sharing the
// database (DESIGN "Scale") and are released at commit or rollback.
import type { Prisma } from "./client";

/** Waits until this transaction holds the lock named `key` (PostgreSQL pg_advisory_xact_lock). */
export async function lockForTransaction(tx: Prisma.TransactionClient, key: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${key}::text))`;
}
