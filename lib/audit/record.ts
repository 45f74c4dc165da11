// The audit log: who did what to which object, with before/after where it applies. Every
// operator action, issuance, revocation, approval and account change writes one row, in the
// same transaction as the change it records.
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import { currentRequest } from "@/lib/observability/request-context";

export type AuditActor = "system" | `user:${string}` | `account:${string}` | `token:${string}`;

export type AuditRecord = {
  actor: AuditActor;
  action: string;
  targetType: string;
  targetId?: string;
  details?: Prisma.InputJsonValue;
  ip?: string;
};

type AuditWriter = Pick<Db, "auditEvent">;

export async function recordAudit(db: AuditWriter, record: AuditRecord): Promise<void> {
  // The request this change belongs to, when there is one (lib/observability/request-context.ts).
  await db.auditEvent.create({ data: { ...record, requestId: currentRequest()?.requestId ?? null } });
}
