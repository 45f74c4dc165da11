// Approval profiles: created, changed and deleted here, each change with its audit row; the
// fields and their rules are in approval-profile-fields.ts. Aliases name a profile in their
// settings (registrationApprovalProfile, keyChangeApprovalProfile), so a profile keeps its name
// and cannot be deleted while an alias names it; lib/ra/aliases.ts refuses to store an alias that
// names a missing profile (assertApprovalProfilesExist). A request copies its profile's rules when
// it is made (lib/ra/approvals.ts), so changing a profile changes no open request.
import { type AuditActor, recordAudit } from "@/lib/audit/record";
import type { Db, Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { lockApprovalProfileForUpdate, lockApprovalProfilesForShare } from "@/lib/db/sql/approvals";
import { conflictProblem, invalidParamsProblem, notFoundProblem, zodProblem } from "@/lib/problem";
import type { AliasSettings } from "./alias-settings";
import {
  type ApprovalProfileFields,
  approvalProfileFieldsSchema,
  approvalProfileNameSchema,
  requestValiditySeconds,
} from "./approval-profile-fields";
import { formatDurationSeconds } from "./durations";

type Tx = Prisma.TransactionClient;
type ChangedBy = { actor: AuditActor; ip?: string };

export type ApprovalProfileRecord = ApprovalProfileFields & {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
};

type ProfileRow = Prisma.ApprovalProfileGetPayload<object>;

export function toApprovalProfileRecord(row: ProfileRow): ApprovalProfileRecord {
  return {
    id: row.id,
    name: row.name,
    approvalsRequired: row.approvalsRequired,
    administratorsMayApprove: row.administratorsMayApprove,
    selfApprovalAllowed: row.selfApprovalAllowed,
    requestValidity: formatDurationSeconds(row.requestValiditySeconds),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function fieldsOf(record: ApprovalProfileFields): ApprovalProfileFields {
  const { approvalsRequired, administratorsMayApprove, selfApprovalAllowed, requestValidity } = record;
  return { approvalsRequired, administratorsMayApprove, selfApprovalAllowed, requestValidity };
}

function columnsOf(fields: ApprovalProfileFields) {
  const { requestValidity: _, ...rest } = fields;
  return { ...rest, requestValiditySeconds: requestValiditySeconds(fields) };
}

function duplicate(name: string) {
  return conflictProblem(`An approval profile named "${name}" already exists`, "name");
}

/** A new profile: its name and fields (fields left out take their defaults). */
export async function createApprovalProfile(
  db: Db,
  input: { name: unknown; fields: Record<string, unknown> },
  by: ChangedBy,
): Promise<ApprovalProfileRecord> {
  const name = approvalProfileNameSchema.safeParse(input.name);
  if (!name.success) throw zodProblem(name.error, "name");
  const fields = approvalProfileFieldsSchema.strict().safeParse(input.fields);
  if (!fields.success) throw zodProblem(fields.error);
  try {
    return await db.$transaction(async (tx) => {
      if (await tx.approvalProfile.findUnique({ where: { name: name.data }, select: { id: true } })) {
        throw duplicate(name.data);
      }
      const row = await tx.approvalProfile.create({ data: { name: name.data, ...columnsOf(fields.data) } });
      await recordAudit(tx, {
        actor: by.actor,
        action: "approvalProfile.created",
        targetType: "approvalProfile",
        targetId: row.id,
        details: { name: row.name, before: null, after: fields.data },
        ip: by.ip,
      });
      return toApprovalProfileRecord(row);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(name.data);
    throw err;
  }
}

/** Changes a profile's fields (those given; the others keep their value). The name stays. */
export async function updateApprovalProfile(
  db: Db,
  name: string,
  changes: Record<string, unknown>,
  by: ChangedBy,
): Promise<ApprovalProfileRecord> {
  return db.$transaction(async (tx) => {
    if (!(await lockApprovalProfileForUpdate(tx, name))) throw notFoundProblem(`Approval profile "${name}"`);
    const row = await tx.approvalProfile.findUniqueOrThrow({ where: { name } });
    const before = fieldsOf(toApprovalProfileRecord(row));
    const parsed = approvalProfileFieldsSchema.strict().safeParse({ ...before, ...changes });
    if (!parsed.success) throw zodProblem(parsed.error);
    const updated = await tx.approvalProfile.update({ where: { id: row.id }, data: columnsOf(parsed.data) });
    await recordAudit(tx, {
      actor: by.actor,
      action: "approvalProfile.updated",
      targetType: "approvalProfile",
      targetId: row.id,
      details: { name, before, after: parsed.data },
      ip: by.ip,
    });
    return toApprovalProfileRecord(updated);
  });
}

/** The names of the aliases whose settings name the profile (for either kind of request). */
export async function aliasesNamingProfile(db: Db | Tx, name: string): Promise<string[]> {
  const rows = await db.alias.findMany({
    where: {
      OR: [
        { settings: { path: ["registrationApprovalProfile"], equals: name } },
        { settings: { path: ["keyChangeApprovalProfile"], equals: name } },
      ],
    },
    select: { name: true },
    orderBy: { name: "asc" },
  });
  return rows.map((r) => r.name);
}

/** Deletes a profile no alias names; open requests keep the rules they copied from it. */
export async function deleteApprovalProfile(db: Db, name: string, by: ChangedBy): Promise<void> {
  await db.$transaction(async (tx) => {
    // Locked first, so an alias store naming it (which holds it FOR SHARE) has finished and counts.
    const locked = await lockApprovalProfileForUpdate(tx, name);
    if (!locked) throw notFoundProblem(`Approval profile "${name}"`);
    const users = await aliasesNamingProfile(tx, name);
    if (users.length > 0) {
      throw conflictProblem(
        `Approval profile "${name}" is used by alias${users.length === 1 ? "" : "es"} ${users.map((u) => `"${u}"`).join(", ")}; choose another profile there first`,
      );
    }
    const row = await tx.approvalProfile.findUniqueOrThrow({ where: { id: locked.id } });
    await tx.approvalProfile.delete({ where: { id: locked.id } });
    await recordAudit(tx, {
      actor: by.actor,
      action: "approvalProfile.deleted",
      targetType: "approvalProfile",
      targetId: locked.id,
      details: { name, before: fieldsOf(toApprovalProfileRecord(row)), after: null },
      ip: by.ip,
    });
  });
}

const PROFILE_FIELDS = ["registrationApprovalProfile", "keyChangeApprovalProfile"] as const;

/**
 * Inside an alias store's transaction: every profile the settings name exists, and stays until
 * the transaction ends (FOR SHARE), else a refusal naming the field.
 */
export async function assertApprovalProfilesExist(tx: Tx, settings: AliasSettings): Promise<void> {
  const named = PROFILE_FIELDS.map((field) => ({ field, name: settings[field] })).filter(
    (f): f is { field: (typeof PROFILE_FIELDS)[number]; name: string } => f.name !== null,
  );
  const found = new Set(await lockApprovalProfilesForShare(tx, [...new Set(named.map((f) => f.name))]));
  const missing = named.filter((f) => !found.has(f.name));
  if (missing.length > 0) {
    throw invalidParamsProblem(
      missing.map((f) => ({
        name: `settings.${f.field}`,
        reason: `No approval profile named "${f.name}" exists; create it on the approval profiles page first`,
      })),
    );
  }
}
