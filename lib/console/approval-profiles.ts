// Approval profiles as the console shows and changes them: each with the aliases that use it;
// create, change and delete checked against the actor's permission and handed to
// lib/ra/approval-profiles.ts, which holds the rules and writes each change with its audit row.
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { notFoundProblem } from "@/lib/problem";
import type { ApprovalProfileFields } from "@/lib/ra/approval-profile-fields";
import * as ra from "@/lib/ra/approval-profiles";

export type ApprovalProfileView = ApprovalProfileFields & {
  id: string;
  name: string;
  /** Aliases whose registrations or key changes this profile approves. */
  usedBy: { alias: string; registration: boolean; keyChange: boolean }[];
  createdAt: string;
  updatedAt: string;
};

const changedBy = (actor: ConsoleActor) => ({ actor: auditActorOf(actor), ip: actor.ip });

async function usage(): Promise<Map<string, ApprovalProfileView["usedBy"]>> {
  const aliases = await db().alias.findMany({
    select: { name: true, settings: true },
    orderBy: { name: "asc" },
  });
  const byProfile = new Map<string, ApprovalProfileView["usedBy"]>();
  for (const alias of aliases) {
    const s = (alias.settings ?? {}) as Record<string, unknown>;
    const registration =
      typeof s.registrationApprovalProfile === "string" ? s.registrationApprovalProfile : null;
    const keyChange = typeof s.keyChangeApprovalProfile === "string" ? s.keyChangeApprovalProfile : null;
    for (const name of new Set([registration, keyChange])) {
      if (name === null) continue;
      const list = byProfile.get(name) ?? [];
      list.push({ alias: alias.name, registration: registration === name, keyChange: keyChange === name });
      byProfile.set(name, list);
    }
  }
  return byProfile;
}

function toView(
  record: ra.ApprovalProfileRecord,
  usedBy: ApprovalProfileView["usedBy"],
): ApprovalProfileView {
  return {
    ...record,
    usedBy,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

export async function listApprovalProfiles(o: { actor: ConsoleActor }): Promise<ApprovalProfileView[]> {
  assertPermission(o.actor, "console.read");
  const [rows, used] = await Promise.all([
    db().approvalProfile.findMany({ orderBy: { name: "asc" } }),
    usage(),
  ]);
  return rows.map((r) => toView(ra.toApprovalProfileRecord(r), used.get(r.name) ?? []));
}

export async function getApprovalProfile(o: {
  actor: ConsoleActor;
  name: string;
}): Promise<ApprovalProfileView> {
  assertPermission(o.actor, "console.read");
  const row = await db().approvalProfile.findUnique({ where: { name: o.name } });
  if (!row) throw notFoundProblem(`Approval profile "${o.name}"`);
  return toView(ra.toApprovalProfileRecord(row), (await usage()).get(row.name) ?? []);
}

export async function createApprovalProfile(o: {
  actor: ConsoleActor;
  input: Record<string, unknown>;
}): Promise<ApprovalProfileView> {
  assertPermission(o.actor, "approvalProfiles.manage");
  const { name, ...fields } = o.input;
  const created = await ra.createApprovalProfile(db(), { name, fields }, changedBy(o.actor));
  return getApprovalProfile({ actor: o.actor, name: created.name });
}

export async function updateApprovalProfile(o: {
  actor: ConsoleActor;
  name: string;
  changes: Record<string, unknown>;
}): Promise<ApprovalProfileView> {
  assertPermission(o.actor, "approvalProfiles.manage");
  await ra.updateApprovalProfile(db(), o.name, o.changes, changedBy(o.actor));
  return getApprovalProfile({ actor: o.actor, name: o.name });
}

/** Create-or-change in one step (CLI `approval-profile apply`). */
export async function applyApprovalProfile(o: {
  actor: ConsoleActor;
  input: { name: string } & Record<string, unknown>;
}): Promise<{ created: boolean; profile: ApprovalProfileView }> {
  assertPermission(o.actor, "approvalProfiles.manage");
  const { name, ...fields } = o.input;
  const exists = await db().approvalProfile.findUnique({ where: { name }, select: { id: true } });
  if (exists) await ra.updateApprovalProfile(db(), name, fields, changedBy(o.actor));
  else await ra.createApprovalProfile(db(), { name, fields }, changedBy(o.actor));
  return { created: !exists, profile: await getApprovalProfile({ actor: o.actor, name }) };
}

export async function deleteApprovalProfile(o: { actor: ConsoleActor; name: string }): Promise<void> {
  assertPermission(o.actor, "approvalProfiles.manage");
  await ra.deleteApprovalProfile(db(), o.name, changedBy(o.actor));
}
