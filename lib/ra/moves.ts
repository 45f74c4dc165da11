// A status move the database arbitrates, with its audit row (Boulder sa.SetOrderProcessing): the
// update names the state it leaves, so of two concurrent requests exactly one changes the row;
// the other finds no row and gets the problem that explains what happened meanwhile.
import { type AuditRecord, recordAudit } from "@/lib/audit/record";
import type { Db, Prisma } from "@/lib/db/client";
import type { AcmeProblem } from "@/lib/problem";

type Tx = Prisma.TransactionClient;

/**
 * Runs the conditional update `move` and, when it changed exactly one row, writes `audit` in the
 * same transaction; otherwise throws `lost()` and nothing is written. Returns what `read` reads
 * inside the transaction (the row as it now is), if given.
 */
export async function moveWithAudit<T = void>(
  db: Db,
  move: (tx: Tx) => Promise<{ count: number }>,
  o: { lost: () => AcmeProblem; audit: AuditRecord; read?: (tx: Tx) => Promise<T> },
): Promise<T> {
  return db.$transaction(async (tx) => {
    const { count } = await move(tx);
    if (count !== 1) throw o.lost();
    await recordAudit(tx, o.audit);
    return (await o.read?.(tx)) as T;
  });
}
