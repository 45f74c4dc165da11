// Certificate profiles and end entity profiles as the console shows and changes them: each with
// what uses it; create, change and delete checked against the actor's permission and handed to
// lib/ra/profiles.ts, which holds the rules and writes each change with its audit row.
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import * as ra from "@/lib/ra/profiles";

export type CertificateProfileView = Omit<ra.CertificateProfileRecord, "createdAt" | "updatedAt"> & {
  /** End entity profiles whose default certificate profile this is. */
  usedBy: string[];
  createdAt: string;
  updatedAt: string;
};

export type EndEntityProfileView = Omit<ra.EndEntityProfileRecord, "createdAt" | "updatedAt"> & {
  /** Aliases whose end entity profile this is. */
  usedBy: string[];
  createdAt: string;
  updatedAt: string;
};

const changedBy = (actor: ConsoleActor) => ({ actor: auditActorOf(actor), ip: actor.ip });

const dates = <T extends { createdAt: Date; updatedAt: Date }>(r: T) => ({
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

async function certificateProfileView(record: ra.CertificateProfileRecord): Promise<CertificateProfileView> {
  return {
    ...record,
    ...dates(record),
    usedBy: await ra.endEntityProfilesNamingCertificateProfile(db(), record.id),
  };
}

async function endEntityProfileView(record: ra.EndEntityProfileRecord): Promise<EndEntityProfileView> {
  return { ...record, ...dates(record), usedBy: await ra.aliasesNamingEndEntityProfile(db(), record.name) };
}

export async function listCertificateProfiles(o: { actor: ConsoleActor }): Promise<CertificateProfileView[]> {
  assertPermission(o.actor, "console.read");
  return Promise.all((await ra.listCertificateProfiles(db())).map(certificateProfileView));
}

export async function getCertificateProfile(o: {
  actor: ConsoleActor;
  name: string;
}): Promise<CertificateProfileView> {
  assertPermission(o.actor, "console.read");
  return certificateProfileView(await ra.getCertificateProfile(db(), o.name));
}

export async function createCertificateProfile(o: {
  actor: ConsoleActor;
  input: Record<string, unknown>;
}): Promise<CertificateProfileView> {
  assertPermission(o.actor, "profiles.manage");
  const { name, ...fields } = o.input;
  return certificateProfileView(
    await ra.createCertificateProfile(db(), { name, fields }, changedBy(o.actor)),
  );
}

export async function updateCertificateProfile(o: {
  actor: ConsoleActor;
  name: string;
  changes: Record<string, unknown>;
}): Promise<CertificateProfileView> {
  assertPermission(o.actor, "profiles.manage");
  return certificateProfileView(
    await ra.updateCertificateProfile(db(), o.name, o.changes, changedBy(o.actor)),
  );
}

export async function deleteCertificateProfile(o: { actor: ConsoleActor; name: string }): Promise<void> {
  assertPermission(o.actor, "profiles.manage");
  await ra.deleteCertificateProfile(db(), o.name, changedBy(o.actor));
}

export async function listEndEntityProfiles(o: { actor: ConsoleActor }): Promise<EndEntityProfileView[]> {
  assertPermission(o.actor, "console.read");
  return Promise.all((await ra.listEndEntityProfiles(db())).map(endEntityProfileView));
}

export async function getEndEntityProfile(o: {
  actor: ConsoleActor;
  name: string;
}): Promise<EndEntityProfileView> {
  assertPermission(o.actor, "console.read");
  return endEntityProfileView(await ra.getEndEntityProfile(db(), o.name));
}

export async function createEndEntityProfile(o: {
  actor: ConsoleActor;
  input: Record<string, unknown>;
}): Promise<EndEntityProfileView> {
  assertPermission(o.actor, "profiles.manage");
  const { name, ...fields } = o.input;
  return endEntityProfileView(await ra.createEndEntityProfile(db(), { name, fields }, changedBy(o.actor)));
}

export async function updateEndEntityProfile(o: {
  actor: ConsoleActor;
  name: string;
  changes: Record<string, unknown>;
}): Promise<EndEntityProfileView> {
  assertPermission(o.actor, "profiles.manage");
  return endEntityProfileView(await ra.updateEndEntityProfile(db(), o.name, o.changes, changedBy(o.actor)));
}

export async function deleteEndEntityProfile(o: { actor: ConsoleActor; name: string }): Promise<void> {
  assertPermission(o.actor, "profiles.manage");
  await ra.deleteEndEntityProfile(db(), o.name, changedBy(o.actor));
}

/** Create-or-change in one step (CLI `certificate-profile apply`). Fields left out keep their value. */
export async function applyCertificateProfile(o: {
  actor: ConsoleActor;
  input: { name: string } & Record<string, unknown>;
}): Promise<{ created: boolean; profile: CertificateProfileView }> {
  assertPermission(o.actor, "profiles.manage");
  const { name, ...fields } = o.input;
  const exists = await db().certificateProfile.findUnique({ where: { name }, select: { id: true } });
  const record = exists
    ? await ra.updateCertificateProfile(db(), name, fields, changedBy(o.actor))
    : await ra.createCertificateProfile(db(), { name, fields }, changedBy(o.actor));
  return { created: !exists, profile: await certificateProfileView(record) };
}

/** Create-or-change in one step (CLI `end-entity-profile apply`). Fields left out keep their value. */
export async function applyEndEntityProfile(o: {
  actor: ConsoleActor;
  input: { name: string } & Record<string, unknown>;
}): Promise<{ created: boolean; profile: EndEntityProfileView }> {
  assertPermission(o.actor, "profiles.manage");
  const { name, ...fields } = o.input;
  const exists = await db().endEntityProfile.findUnique({ where: { name }, select: { id: true } });
  const record = exists
    ? await ra.updateEndEntityProfile(db(), name, fields, changedBy(o.actor))
    : await ra.createEndEntityProfile(db(), { name, fields }, changedBy(o.actor));
  return { created: !exists, profile: await endEntityProfileView(record) };
}
