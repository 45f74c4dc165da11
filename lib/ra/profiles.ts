// Certificate profiles and end entity profiles (issue 12 items 2, 3 and 6; spec "Certificate
// Profile Configuration", "End Entity Profile Configuration", "End Entity Profile" of an alias,
// "Combine ACME EAB with General Account Binding"): created, changed and deleted here, each change
// with its audit row, and resolved for an alias into what issuance needs.
//
// Names are the references people use (the alias's endEntityProfile setting, an end entity
// profile's default certificate profile and CA, a certificate profile's available CAs), so the
// console and API speak names; the rows hold ids where a foreign key can guard them. A profile
// cannot be deleted while something names it. The fields and their rules are profile-fields.ts.
import { type AuditActor, recordAudit } from "@/lib/audit/record";
import { BUILT_IN_LEAF_PROFILE, type LeafProfile } from "@/lib/ca/profiles";
import type { Db, Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import {
  lockCertificateProfileForUpdate,
  lockEndEntityProfileForShare,
  lockEndEntityProfileForUpdate,
} from "@/lib/db/sql/profiles";
import {
  AcmeProblem,
  conflictProblem,
  invalidParamsProblem,
  notFoundProblem,
  zodProblem,
} from "@/lib/problem";
import { endEntityProfileAccessRules } from "./access-rights";
import { type AliasSettings, readAliasSettings } from "./alias-settings";
import { aliasesGrantingAccessRules } from "./client-access-rules";
import { batchGenerationProblem, raNameSettingsProblems } from "./end-entities";
import {
  type CertificateProfileFields,
  certificateProfileFieldsSchema,
  certificateProfileProblems,
  type EndEntityProfileFields,
  endEntityProfileFieldsSchema,
  MAX_SAN_FIELDS,
  parseValiditySeconds,
  profileNameSchema,
} from "./profile-fields";

type Tx = Prisma.TransactionClient;
type ChangedBy = { actor: AuditActor; ip?: string };

export type CertificateProfileRecord = CertificateProfileFields & {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
};

export type EndEntityProfileRecord = EndEntityProfileFields & {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
};

// ── Reading ─────────────────────────────────────────────────────────────────────────────────

async function caNamesById(db: Db | Tx): Promise<Map<string, string>> {
  const rows = await db.certificateAuthority.findMany({ select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

type CertificateProfileRow = Prisma.CertificateProfileGetPayload<object>;

function toCertificateProfileRecord(
  row: CertificateProfileRow,
  caNames: Map<string, string>,
): CertificateProfileRecord {
  return {
    id: row.id,
    name: row.name,
    keyAlgorithms: row.keyAlgorithms as CertificateProfileFields["keyAlgorithms"],
    ecdsaCurves: row.ecdsaCurves as CertificateProfileFields["ecdsaCurves"],
    rsaBitLengths: row.rsaBitLengths,
    validity: row.validity,
    keyUsages: row.keyUsages as CertificateProfileFields["keyUsages"],
    extendedKeyUsages: row.extendedKeyUsages as CertificateProfileFields["extendedKeyUsages"],
    // A CA that no longer exists is shown by its id rather than silently dropped.
    availableCas: row.availableCaIds.map((id) => caNames.get(id) ?? id),
    singleActiveCertificate: row.singleActiveCertificate,
    eabNamespace: row.eabNamespace,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const endEntityProfileInclude = {
  defaultCertificateProfile: { select: { name: true } },
  defaultCa: { select: { name: true } },
} as const;
type EndEntityProfileRow = Prisma.EndEntityProfileGetPayload<{ include: typeof endEntityProfileInclude }>;

function toEndEntityProfileRecord(row: EndEntityProfileRow): EndEntityProfileRecord {
  return {
    id: row.id,
    name: row.name,
    subjectDnAttributes: row.subjectDnAttributes as EndEntityProfileFields["subjectDnAttributes"],
    maxDnsNames: row.maxDnsNames,
    maxIpAddresses: row.maxIpAddresses,
    defaultCertificateProfile: row.defaultCertificateProfile?.name ?? null,
    defaultCa: row.defaultCa?.name ?? null,
    batchGeneration: row.batchGeneration,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function listCertificateProfiles(db: Db): Promise<CertificateProfileRecord[]> {
  const [rows, caNames] = await Promise.all([
    db.certificateProfile.findMany({ orderBy: { name: "asc" } }),
    caNamesById(db),
  ]);
  return rows.map((row) => toCertificateProfileRecord(row, caNames));
}

export async function getCertificateProfile(db: Db, name: string): Promise<CertificateProfileRecord> {
  const row = await db.certificateProfile.findUnique({ where: { name } });
  if (!row) throw notFoundProblem(`Certificate profile "${name}"`);
  return toCertificateProfileRecord(row, await caNamesById(db));
}

export async function listEndEntityProfiles(db: Db): Promise<EndEntityProfileRecord[]> {
  const rows = await db.endEntityProfile.findMany({
    orderBy: { name: "asc" },
    include: endEntityProfileInclude,
  });
  return rows.map(toEndEntityProfileRecord);
}

export async function getEndEntityProfile(db: Db, name: string): Promise<EndEntityProfileRecord> {
  const row = await db.endEntityProfile.findUnique({ where: { name }, include: endEntityProfileInclude });
  if (!row) throw notFoundProblem(`End entity profile "${name}"`);
  return toEndEntityProfileRecord(row);
}

/** Which end entity profiles name each certificate profile, and which aliases each end entity profile. */
export async function endEntityProfilesNamingCertificateProfile(db: Db | Tx, id: string): Promise<string[]> {
  const rows = await db.endEntityProfile.findMany({
    where: { defaultCertificateProfileId: id },
    select: { name: true },
    orderBy: { name: "asc" },
  });
  return rows.map((r) => r.name);
}

export async function aliasesNamingEndEntityProfile(db: Db | Tx, name: string): Promise<string[]> {
  const rows = await db.alias.findMany({
    where: { settings: { path: ["endEntityProfile"], equals: name } },
    select: { name: true },
    orderBy: { name: "asc" },
  });
  return rows.map((r) => r.name);
}

// ── Certificate profiles: create, change, delete ───────────────────────────────────────────

function parseCertificateProfileFields(input: Record<string, unknown>): CertificateProfileFields {
  const parsed = certificateProfileFieldsSchema.strict().safeParse(input);
  if (!parsed.success) throw zodProblem(parsed.error);
  const problems = certificateProfileProblems(parsed.data);
  if (problems.length > 0) throw invalidParamsProblem(problems);
  return parsed.data;
}

/**
 * CA names → ids; an unknown name, or a root (roots sign CAs, not subscriber certificates:
 * lib/ca/chains.ts loadIssuingAuthority), is refused naming the field.
 */
async function caIdsByName(tx: Tx, names: readonly string[], field: string): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await tx.certificateAuthority.findMany({
    where: { name: { in: [...names] } },
    select: { id: true, name: true, role: true },
  });
  const byName = new Map(rows.map((r) => [r.name, r]));
  const problems = names.flatMap((n) => {
    const ca = byName.get(n);
    if (!ca) return [{ name: field, reason: `No certificate authority named "${n}" exists` }];
    if (ca.role !== "issuing") return [{ name: field, reason: `"${n}" is a root CA: choose an issuing CA` }];
    return [];
  });
  if (problems.length > 0) throw invalidParamsProblem(problems);
  return [...new Set(names.map((n) => (byName.get(n) as { id: string }).id))];
}

async function certificateProfileColumns(tx: Tx, fields: CertificateProfileFields) {
  const { availableCas, ...rest } = fields;
  return {
    ...rest,
    validitySeconds: parseValiditySeconds(fields.validity) as number,
    availableCaIds: await caIdsByName(tx, availableCas, "availableCas"),
  };
}

function duplicate(kind: string, name: string) {
  return conflictProblem(`A ${kind} named "${name}" already exists`, "name");
}

export async function createCertificateProfile(
  db: Db,
  input: { name: unknown; fields: Record<string, unknown> },
  by: ChangedBy,
): Promise<CertificateProfileRecord> {
  const name = profileNameSchema.safeParse(input.name);
  if (!name.success) throw zodProblem(name.error, "name");
  const fields = parseCertificateProfileFields(input.fields);
  try {
    return await db.$transaction(async (tx) => {
      if (await tx.certificateProfile.findUnique({ where: { name: name.data }, select: { id: true } })) {
        throw duplicate("certificate profile", name.data);
      }
      const row = await tx.certificateProfile.create({
        data: { name: name.data, ...(await certificateProfileColumns(tx, fields)) },
      });
      await recordAudit(tx, {
        actor: by.actor,
        action: "certificateProfile.created",
        targetType: "certificateProfile",
        targetId: row.id,
        details: { name: row.name, before: null, after: fields },
        ip: by.ip,
      });
      return toCertificateProfileRecord(row, await caNamesById(tx));
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate("certificate profile", name.data);
    throw err;
  }
}

function certificateProfileFieldsOf(record: CertificateProfileRecord): CertificateProfileFields {
  const { id: _i, name: _n, createdAt: _c, updatedAt: _u, ...fields } = record;
  return fields;
}

/** Changes a certificate profile's fields (those given; the others keep their value). */
export async function updateCertificateProfile(
  db: Db,
  name: string,
  changes: Record<string, unknown>,
  by: ChangedBy,
): Promise<CertificateProfileRecord> {
  return db.$transaction(async (tx) => {
    const locked = await lockCertificateProfileForUpdate(tx, name);
    if (!locked) throw notFoundProblem(`Certificate profile "${name}"`);
    const row = await tx.certificateProfile.findUniqueOrThrow({ where: { id: locked.id } });
    const before = certificateProfileFieldsOf(toCertificateProfileRecord(row, await caNamesById(tx)));
    const after = parseCertificateProfileFields({ ...before, ...changes });
    const columns = await certificateProfileColumns(tx, after);
    // An end entity profile whose default CA this profile no longer offers would issue nothing.
    if (columns.availableCaIds.length > 0) {
      const stranded = await tx.endEntityProfile.findMany({
        where: {
          defaultCertificateProfileId: locked.id,
          defaultCaId: { not: null, notIn: columns.availableCaIds },
        },
        select: { name: true },
      });
      if (stranded.length > 0) {
        throw invalidParamsProblem([
          {
            name: "availableCas",
            reason: `End entity profile${stranded.length === 1 ? "" : "s"} ${stranded.map((s) => `"${s.name}"`).join(", ")} use${stranded.length === 1 ? "s" : ""} this profile with a default CA it would no longer offer`,
          },
        ]);
      }
    }
    const updated = await tx.certificateProfile.update({ where: { id: locked.id }, data: columns });
    await recordAudit(tx, {
      actor: by.actor,
      action: "certificateProfile.updated",
      targetType: "certificateProfile",
      targetId: locked.id,
      details: { name, before, after },
      ip: by.ip,
    });
    return toCertificateProfileRecord(updated, await caNamesById(tx));
  });
}

/** Deletes a certificate profile no end entity profile names. */
export async function deleteCertificateProfile(db: Db, name: string, by: ChangedBy): Promise<void> {
  await db.$transaction(async (tx) => {
    const locked = await lockCertificateProfileForUpdate(tx, name);
    if (!locked) throw notFoundProblem(`Certificate profile "${name}"`);
    const users = await endEntityProfilesNamingCertificateProfile(tx, locked.id);
    if (users.length > 0) {
      throw conflictProblem(
        `Certificate profile "${name}" is the default certificate profile of end entity profile${users.length === 1 ? "" : "s"} ${users.map((u) => `"${u}"`).join(", ")}; choose another there first`,
      );
    }
    const row = await tx.certificateProfile.findUniqueOrThrow({ where: { id: locked.id } });
    await tx.certificateProfile.delete({ where: { id: locked.id } });
    await recordAudit(tx, {
      actor: by.actor,
      action: "certificateProfile.deleted",
      targetType: "certificateProfile",
      targetId: locked.id,
      details: {
        name,
        before: certificateProfileFieldsOf(toCertificateProfileRecord(row, await caNamesById(tx))),
        after: null,
      },
      ip: by.ip,
    });
  });
}

// ── End entity profiles: create, change, delete ─────────────────────────────────────────────

/** Names → ids, with the rule that ties them: the default CA is one the certificate profile offers. */
async function endEntityProfileColumns(tx: Tx, fields: EndEntityProfileFields) {
  let defaultCertificateProfileId: string | null = null;
  let availableCaIds: string[] = [];
  if (fields.defaultCertificateProfile !== null) {
    const profile = await tx.certificateProfile.findUnique({
      where: { name: fields.defaultCertificateProfile },
      select: { id: true, availableCaIds: true },
    });
    if (!profile) {
      throw invalidParamsProblem([
        {
          name: "defaultCertificateProfile",
          reason: `No certificate profile named "${fields.defaultCertificateProfile}" exists`,
        },
      ]);
    }
    defaultCertificateProfileId = profile.id;
    availableCaIds = profile.availableCaIds;
  }
  let defaultCaId: string | null = null;
  if (fields.defaultCa !== null) {
    defaultCaId = (await caIdsByName(tx, [fields.defaultCa], "defaultCa"))[0] ?? null;
    // Spec: the default CA must be one of the certificate profile's "Available CAs".
    if (availableCaIds.length > 0 && !availableCaIds.includes(defaultCaId as string)) {
      throw invalidParamsProblem([
        {
          name: "defaultCa",
          reason: `Certificate profile "${fields.defaultCertificateProfile}" does not list CA "${fields.defaultCa}" among its available CAs`,
        },
      ]);
    }
  }
  const { defaultCertificateProfile: _p, defaultCa: _c, ...rest } = fields;
  return { ...rest, defaultCertificateProfileId, defaultCaId: defaultCaId ?? null };
}

function parseEndEntityProfileFields(input: Record<string, unknown>): EndEntityProfileFields {
  const parsed = endEntityProfileFieldsSchema.strict().safeParse(input);
  if (!parsed.success) throw zodProblem(parsed.error);
  return parsed.data;
}

export async function createEndEntityProfile(
  db: Db,
  input: { name: unknown; fields: Record<string, unknown> },
  by: ChangedBy,
): Promise<EndEntityProfileRecord> {
  const name = profileNameSchema.safeParse(input.name);
  if (!name.success) throw zodProblem(name.error, "name");
  const fields = parseEndEntityProfileFields(input.fields);
  try {
    return await db.$transaction(async (tx) => {
      if (await tx.endEntityProfile.findUnique({ where: { name: name.data }, select: { id: true } })) {
        throw duplicate("end entity profile", name.data);
      }
      const row = await tx.endEntityProfile.create({
        data: { name: name.data, ...(await endEntityProfileColumns(tx, fields)) },
        include: endEntityProfileInclude,
      });
      await recordAudit(tx, {
        actor: by.actor,
        action: "endEntityProfile.created",
        targetType: "endEntityProfile",
        targetId: row.id,
        details: { name: row.name, before: null, after: fields },
        ip: by.ip,
      });
      return toEndEntityProfileRecord(row);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate("end entity profile", name.data);
    throw err;
  }
}

function endEntityProfileFieldsOf(record: EndEntityProfileRecord): EndEntityProfileFields {
  const { id: _i, name: _n, createdAt: _c, updatedAt: _u, ...fields } = record;
  return fields;
}

export async function updateEndEntityProfile(
  db: Db,
  name: string,
  changes: Record<string, unknown>,
  by: ChangedBy,
): Promise<EndEntityProfileRecord> {
  return db.$transaction(async (tx) => {
    const locked = await lockEndEntityProfileForUpdate(tx, name);
    if (!locked) throw notFoundProblem(`End entity profile "${name}"`);
    const row = await tx.endEntityProfile.findUniqueOrThrow({
      where: { id: locked.id },
      include: endEntityProfileInclude,
    });
    const before = endEntityProfileFieldsOf(toEndEntityProfileRecord(row));
    const after = parseEndEntityProfileFields({ ...before, ...changes });
    if (before.batchGeneration && !after.batchGeneration) await assertBatchGenerationNotNeeded(tx, name);
    const updated = await tx.endEntityProfile.update({
      where: { id: locked.id },
      data: await endEntityProfileColumns(tx, after),
      include: endEntityProfileInclude,
    });
    await recordAudit(tx, {
      actor: by.actor,
      action: "endEntityProfile.updated",
      targetType: "endEntityProfile",
      targetId: locked.id,
      details: { name, before, after },
      ip: by.ip,
    });
    return toEndEntityProfileRecord(updated);
  });
}

/** Deletes an end entity profile no alias names and no client certificate's access rule grants. */
export async function deleteEndEntityProfile(db: Db, name: string, by: ChangedBy): Promise<void> {
  await db.$transaction(async (tx) => {
    // Locked first, so an alias store naming it (which holds it FOR SHARE) has finished and counts.
    const locked = await lockEndEntityProfileForUpdate(tx, name);
    if (!locked) throw notFoundProblem(`End entity profile "${name}"`);
    const users = await aliasesNamingEndEntityProfile(tx, name);
    if (users.length > 0) {
      throw conflictProblem(
        `End entity profile "${name}" is used by alias${users.length === 1 ? "" : "es"} ${users.map((u) => `"${u}"`).join(", ")}; choose another profile there first`,
      );
    }
    // A later profile of the same name would inherit what was granted on this one.
    const granting = await aliasesGrantingAccessRules(
      tx,
      endEntityProfileAccessRules(name).map((r) => r.rule),
    );
    if (granting.length > 0) {
      throw conflictProblem(
        `Client certificates registered on alias${granting.length === 1 ? "" : "es"} ${granting.map((a) => `"${a}"`).join(", ")} are granted rules of end entity profile "${name}"; remove those access rules first`,
      );
    }
    const row = await tx.endEntityProfile.findUniqueOrThrow({
      where: { id: locked.id },
      include: endEntityProfileInclude,
    });
    await tx.endEntityProfile.delete({ where: { id: locked.id } });
    await recordAudit(tx, {
      actor: by.actor,
      action: "endEntityProfile.deleted",
      targetType: "endEntityProfile",
      targetId: locked.id,
      details: { name, before: endEntityProfileFieldsOf(toEndEntityProfileRecord(row)), after: null },
      ip: by.ip,
    });
  });
}

/**
 * Inside an alias store's transaction: the end entity profile the settings name exists and stays
 * until the transaction ends (FOR SHARE), else a refusal naming the field; and the RA name
 * generation scheme can name end entities under it (spec "RA Name Generation Scheme": "Enable
 * Batch generation in the end entity profile, if you don't use RANDOM usernames"). Without a
 * profile the built-in one applies, which has batch generation on (lib/ra/end-entities.ts).
 */
export async function assertEndEntityProfileExists(tx: Tx, settings: AliasSettings): Promise<void> {
  const naming = raNameSettingsProblems(settings);
  if (naming.length > 0)
    throw invalidParamsProblem(naming.map((p) => ({ name: `settings.${p.name}`, reason: p.reason })));
  const name = settings.endEntityProfile;
  if (name === null) return;
  const profile = await lockEndEntityProfileForShare(tx, name);
  if (!profile) {
    throw invalidParamsProblem([
      {
        name: "settings.endEntityProfile",
        reason: `No end entity profile named "${name}" exists; create it on the end entity profiles page first`,
      },
    ]);
  }
  const refusal = batchGenerationProblem(settings.raNameGenScheme, { name, ...profile });
  if (refusal) throw invalidParamsProblem([{ name: "settings.raNameGenScheme", reason: refusal }]);
}

/**
 * Turning batch generation off in a profile that aliases with a non-RANDOM scheme use would leave
 * them breaking the rule assertEndEntityProfileExists keeps: refused, naming them.
 */
async function assertBatchGenerationNotNeeded(tx: Tx, name: string): Promise<void> {
  const rows = await tx.alias.findMany({
    where: { settings: { path: ["endEntityProfile"], equals: name } },
    select: { name: true, settings: true },
    orderBy: { name: "asc" },
  });
  const needing = rows.filter((r) => readAliasSettings(r.settings).raNameGenScheme !== "RANDOM");
  if (needing.length === 0) return;
  throw invalidParamsProblem([
    {
      name: "batchGeneration",
      reason: `Alias${needing.length === 1 ? "" : "es"} ${needing.map((r) => `"${r.name}"`).join(", ")} name${needing.length === 1 ? "s" : ""} end entities with a scheme other than RANDOM, which needs batch generation; choose RANDOM there first`,
    },
  ]);
}

// ── Resolution for issuance ─────────────────────────────────────────────────────────────────

/** What an alias's orders are issued with (spec "End Entity Profile" of an alias). */
export type IssuancePolicy = {
  readonly endEntityProfileName: string | null;
  readonly certificateProfileName: string | null;
  /** The certificate's key rules, validity, usages and subject attributes. */
  readonly leafProfile: LeafProfile;
  /** The CA that signs; null: Keyward's issuing CA. */
  readonly caId: string | null;
  readonly maxDnsNames: number;
  readonly maxIpAddresses: number;
  /** Spec "Combine ACME EAB with General Account Binding"; null: any account. */
  readonly eabNamespace: string | null;
  /** Spec "Single Active Certificate Constraint": a new certificate revokes the end entity's others. */
  readonly singleActiveCertificate: boolean;
};

const BUILT_IN_POLICY: IssuancePolicy = Object.freeze({
  endEntityProfileName: null,
  certificateProfileName: null,
  leafProfile: BUILT_IN_LEAF_PROFILE,
  caId: null,
  maxDnsNames: MAX_SAN_FIELDS,
  maxIpAddresses: MAX_SAN_FIELDS,
  eabNamespace: null,
  singleActiveCertificate: false,
});

/**
 * The policy of an alias: its end entity profile's default certificate profile and default CA
 * (spec: "The CA signing the certificate is the default CA of this end entity profile, and the
 * certificate profile used for the certificate is the default certificate profile of this end
 * entity profile"); the built-in ones where it names none. Without a default CA, the first of the
 * certificate profile's available CAs signs, else Keyward's issuing CA.
 */
export async function issuancePolicyOf(
  db: Db,
  settings: Pick<AliasSettings, "endEntityProfile">,
): Promise<IssuancePolicy> {
  const name = settings.endEntityProfile;
  if (name === null) return BUILT_IN_POLICY;
  const row = await db.endEntityProfile.findUnique({
    where: { name },
    include: { defaultCertificateProfile: true },
  });
  // The alias store and the profile deletion keep this from happening; a problem, not a default.
  if (!row) throw AcmeProblem.serverInternal(`The alias's end entity profile "${name}" does not exist`);
  const certificateProfile = row.defaultCertificateProfile;
  const caId = row.defaultCaId ?? certificateProfile?.availableCaIds[0] ?? null;
  if (certificateProfile && caId !== null && certificateProfile.availableCaIds.length > 0) {
    if (!certificateProfile.availableCaIds.includes(caId)) {
      throw AcmeProblem.serverInternal(
        `End entity profile "${name}" names a default CA that certificate profile "${certificateProfile.name}" does not offer`,
      );
    }
  }
  const base = certificateProfile
    ? {
        name: certificateProfile.name,
        keyAlgorithms: certificateProfile.keyAlgorithms,
        ecdsaCurves: certificateProfile.ecdsaCurves,
        rsaBitLengths: certificateProfile.rsaBitLengths,
        validitySeconds: certificateProfile.validitySeconds,
        keyUsages: certificateProfile.keyUsages,
        extendedKeyUsages: certificateProfile.extendedKeyUsages,
      }
    : BUILT_IN_LEAF_PROFILE;
  return {
    endEntityProfileName: row.name,
    certificateProfileName: certificateProfile?.name ?? null,
    leafProfile: { ...base, subjectDnAttributes: row.subjectDnAttributes },
    caId,
    maxDnsNames: row.maxDnsNames,
    maxIpAddresses: row.maxIpAddresses,
    eabNamespace: certificateProfile?.eabNamespace ?? null,
    singleActiveCertificate: certificateProfile?.singleActiveCertificate ?? false,
  };
}

/**
 * Spec "End Entity Profile Configuration" (SAN DNS Name or IP address): an order may name no
 * more DNS names and IP addresses than the profile has SAN fields for (RFC 8555 §7.4
 * rejectedIdentifier, one subproblem per kind over its limit).
 */
export function assertSanCountsFit(
  policy: IssuancePolicy,
  identifiers: readonly { type: string; value: string }[],
): void {
  const dns = identifiers.filter((i) => i.type === "dns");
  const ip = identifiers.filter((i) => i.type === "ip");
  const profile = `end entity profile "${policy.endEntityProfileName}"`;
  const over: { detail: string; identifier: { type: string; value: string } }[] = [];
  if (dns.length > policy.maxDnsNames) {
    over.push({
      detail: `${profile} allows at most ${policy.maxDnsNames} DNS name${policy.maxDnsNames === 1 ? "" : "s"}; the order has ${dns.length}`,
      identifier: dns[policy.maxDnsNames] as { type: string; value: string },
    });
  }
  if (ip.length > policy.maxIpAddresses) {
    over.push({
      detail: `${profile} allows at most ${policy.maxIpAddresses} IP address${policy.maxIpAddresses === 1 ? "" : "es"}; the order has ${ip.length}`,
      identifier: ip[policy.maxIpAddresses] as { type: string; value: string },
    });
  }
  if (over.length === 0) return;
  throw new AcmeProblem("rejectedIdentifier", over.map((o) => o.detail).join("; "), {
    subproblems: over.map((o) => ({
      type: "rejectedIdentifier" as const,
      detail: o.detail,
      identifier: o.identifier,
    })),
  });
}

/**
 * Spec "Combine ACME EAB with General Account Binding": under a certificate profile with an EAB
 * namespace, only an account bound by an EAB key of that namespace may have certificates. "It
 * does not matter if the ACME account was registered with this key identifier or if the value was
 * stored after the registration": checked for the account's key at every order and finalize.
 */
export async function assertAccountInEabNamespace(
  db: Db,
  policy: IssuancePolicy,
  account: { id: string; eabKeyId?: string | null },
): Promise<void> {
  if (policy.eabNamespace === null) return;
  const row = await db.account.findUnique({
    where: { id: account.id },
    select: { eabKeyIdentifier: true, eabKey: { select: { namespace: true } } },
  });
  const namespace = row?.eabKey?.namespace ?? null;
  if (namespace === policy.eabNamespace) return;
  throw AcmeProblem.unauthorized(
    row?.eabKeyIdentifier
      ? `Certificate profile "${policy.certificateProfileName}" accepts only accounts bound by an EAB key of namespace "${policy.eabNamespace}"; this account's key "${row.eabKeyIdentifier}" is ${namespace === null ? "in no namespace" : `of namespace "${namespace}"`}`
      : `Certificate profile "${policy.certificateProfileName}" accepts only accounts bound by an EAB key of namespace "${policy.eabNamespace}" (RFC 8555 §7.3.4); this account has no external account binding`,
  );
}

/**
 * At newAccount: a binding key of another namespace is refused before the account exists, with
 * the same rule as assertAccountInEabNamespace.
 */
export function assertEabKeyInNamespace(
  policy: IssuancePolicy,
  key: { keyIdentifier: string; namespace: string | null },
): void {
  if (policy.eabNamespace === null || key.namespace === policy.eabNamespace) return;
  throw AcmeProblem.unauthorized(
    `externalAccountBinding: certificate profile "${policy.certificateProfileName}" accepts only EAB keys of namespace "${policy.eabNamespace}"; the key "${key.keyIdentifier}" is ${key.namespace === null ? "in no namespace" : `of namespace "${key.namespace}"`}`,
  );
}
