// The client certificates registered for an alias and the access rules granted to each (spec
// "ACME with Client Authentication"): every rule about registering them, and how a presented
// certificate is matched. An operator registers either one certificate (uploaded: matched by its
// SHA-256) or every certificate of an issuer whose subject matches a pattern. Every change goes
// through these functions (console, API and CLI) in one transaction with its audit row.
import { type AuditActor, recordAudit } from "@/lib/audit/record";
import { certificatesFromPem, sha256Hex } from "@/lib/ca/pem";
import { Name, X509Certificate } from "@/lib/crypto/x509";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import type { ClientAccessRule } from "@/lib/db/generated/client";
import { conflictProblem, type InvalidParam, invalidParamsProblem, notFoundProblem } from "@/lib/problem";
import { caNameOfAccessRule, endEntityProfileOfAccessRule, FUNCTION_ACCESS_RULES } from "./access-rights";

export type AccessRuleMatch = "certificate" | "subject";

export type AccessRuleView = {
  id: string;
  match: AccessRuleMatch;
  /** For "certificate": its subject; for "subject": the pattern. */
  subjectPattern: string;
  issuerDn: string;
  /** For "certificate": the SHA-256 of the uploaded certificate, and the certificate. */
  certificateSha256: string | null;
  certificatePem: string | null;
  rights: string[];
  description: string;
  createdAt: string;
};

export type AccessRuleInput =
  | { match: "certificate"; certificatePem: string; rights: string[]; description?: string }
  | { match: "subject"; issuerDn: string; subjectPattern: string; rights: string[]; description?: string };

type ChangedBy = { actor: AuditActor; ip?: string };

/** What a matcher needs of a verified client certificate. */
export type PresentedCertificate = { sha256: string; subjectDn: string; issuerDn: string };

function toView(row: ClientAccessRule): AccessRuleView {
  return {
    id: row.id,
    match: row.match === "certificate" ? "certificate" : "subject",
    subjectPattern: row.subjectPattern,
    issuerDn: row.issuerDn,
    certificateSha256: row.certificateSha256,
    certificatePem: row.certificatePem,
    rights: row.rights,
    description: row.description,
    createdAt: row.createdAt.toISOString(),
  };
}

// --- distinguished names --------------------------------------------------------------------------

/**
 * A distinguished name as lib/crypto/x509 prints it ("CN=a, O=b", attributes in the order given),
 * or null when `text` is not one. Attribute types are accepted in any case ("cn=a" is "CN=a").
 */
export function normalizeDistinguishedName(text: string): string | null {
  const upper = text
    .trim()
    .replace(
      /(^|[^\\][,+]\s*)([A-Za-z][A-Za-z0-9-]*)\s*=/g,
      (_m, before: string, type: string) => `${before}${type.toUpperCase()}=`,
    );
  let name: InstanceType<typeof Name>;
  try {
    name = new Name(upper);
  } catch {
    return null;
  }
  const rdns = name.toJSON();
  if (rdns.length === 0 || rdns.flatMap((rdn) => Object.values(rdn).flat()).length > MAX_NAME_ATTRIBUTES)
    return null;
  if (rdns.some((rdn) => Object.values(rdn).some((values) => values.some((v) => v.trim() === ""))))
    return null;
  return name.toString();
}

type Attribute = { type: string; value: string };

// Subject names have a handful of attributes; the bound keeps the order-free matching below cheap.
export const MAX_NAME_ATTRIBUTES = 16;

/** A name's attributes, multi-valued RDNs flattened: matching ignores their order. */
function attributesOf(dn: string): Attribute[] {
  return new Name(dn)
    .toJSON()
    .flatMap((rdn) =>
      Object.entries(rdn).flatMap(([type, values]) => values.map((value) => ({ type, value }))),
    );
}

/** A value pattern: `*` stands for any run of characters; compared without regard to case. */
function valueMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "is").test(value);
}

/** Whether every wanted attribute matches a different one of `have`, and none is left over. */
function attributesMatch(want: Attribute[], have: Attribute[]): boolean {
  if (want.length !== have.length) return false;
  const [first, ...rest] = want;
  if (!first) return true;
  return have.some(
    (candidate, i) =>
      candidate.type === first.type &&
      valueMatches(first.value, candidate.value) &&
      attributesMatch(
        rest,
        have.filter((_, j) => j !== i),
      ),
  );
}

/**
 * Whether `subjectDn` matches `pattern`: "*" matches every subject; otherwise the same
 * attributes (in any order: names are printed in more than one order), each value matching, `*`
 * standing for any characters inside a value ("CN=*.ops.example, O=Example").
 */
export function subjectMatches(pattern: string, subjectDn: string): boolean {
  if (pattern === "*") return true;
  const have = attributesOf(subjectDn);
  return have.length <= MAX_NAME_ATTRIBUTES && attributesMatch(attributesOf(pattern), have);
}

/** A name's attributes in a fixed order, values lower-cased: equal for names that match alike. */
function nameKey(dn: string): string {
  return attributesOf(dn)
    .map(({ type, value }) => `${type}=${value.toLowerCase()}`)
    .sort()
    .join("\n");
}

/** The same name: the same attributes in any order, values compared without regard to case. */
function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

/** Whether a registration covers a presented (verified) certificate. */
export function ruleMatches(
  rule: Pick<ClientAccessRule, "match" | "certificateSha256" | "issuerDn" | "subjectPattern">,
  certificate: PresentedCertificate,
): boolean {
  if (rule.match === "certificate") return rule.certificateSha256 === certificate.sha256;
  return (
    sameName(rule.issuerDn, certificate.issuerDn) &&
    subjectMatches(rule.subjectPattern, certificate.subjectDn)
  );
}

// --- storage ----------------------------------------------------------------------------------------

async function aliasIdOrThrow(db: Pick<Db, "alias">, aliasName: string): Promise<string> {
  const alias = await db.alias.findUnique({ where: { name: aliasName }, select: { id: true } });
  if (!alias) throw notFoundProblem(`Alias "${aliasName}"`);
  return alias.id;
}

export async function listAccessRules(db: Db, aliasName: string): Promise<AccessRuleView[]> {
  const aliasId = await aliasIdOrThrow(db, aliasName);
  const rows = await db.clientAccessRule.findMany({ where: { aliasId }, orderBy: { createdAt: "asc" } });
  return rows.map(toView);
}

/** The registrations of an alias that cover `certificate` (lib/ra/client-authentication.ts). */
export async function findMatchingAccessRules(
  db: Db,
  aliasId: string,
  certificate: PresentedCertificate,
): Promise<ClientAccessRule[]> {
  const rows = await db.clientAccessRule.findMany({ where: { aliasId } });
  return rows.filter((rule) => ruleMatches(rule, certificate));
}

/** The aliases whose registered client certificates are granted any of `rules` (deletes refuse). */
export async function aliasesGrantingAccessRules(
  db: Pick<Db, "clientAccessRule">,
  rules: readonly string[],
): Promise<string[]> {
  const rows = await db.clientAccessRule.findMany({
    where: { rights: { hasSome: [...rules] } },
    select: { alias: { select: { name: true } } },
  });
  return [...new Set(rows.map((row) => row.alias.name))].sort();
}

/**
 * The rights, checked: each a function rule of the spec, access to an existing CA, or a right on
 * an existing end entity profile, each once.
 */
async function checkRights(
  db: Pick<Db, "certificateAuthority" | "endEntityProfile">,
  rights: readonly string[],
): Promise<string[]> {
  const [cas, profiles] = await Promise.all([
    db.certificateAuthority.findMany({ select: { name: true } }),
    db.endEntityProfile.findMany({ select: { name: true } }),
  ]);
  const caNames = new Set(cas.map((c) => c.name));
  const profileNames = new Set(profiles.map((p) => p.name));
  const problems: InvalidParam[] = [];
  rights.forEach((right, i) => {
    if (FUNCTION_ACCESS_RULES.some((r) => r.rule === right)) return;
    const ca = caNameOfAccessRule(right);
    if (ca !== null) {
      if (!caNames.has(ca)) problems.push({ name: `rights.${i}`, reason: `No CA is named "${ca}"` });
      return;
    }
    const profileRule = endEntityProfileOfAccessRule(right);
    if (profileRule !== null) {
      if (!profileNames.has(profileRule.profile)) {
        problems.push({
          name: `rights.${i}`,
          reason: `No end entity profile is named "${profileRule.profile}"`,
        });
      }
      return;
    }
    problems.push({ name: `rights.${i}`, reason: `"${right}" is not an access rule of the spec` });
  });
  if (problems.length) throw invalidParamsProblem(problems);
  return [...new Set(rights)];
}

type Registration = {
  match: AccessRuleMatch;
  matchKey: string;
  certificateSha256: string | null;
  certificatePem: string | null;
  issuerDn: string;
  subjectPattern: string;
};

function registrationOf(input: AccessRuleInput): Registration {
  if (input.match === "certificate") {
    const refuse = (reason: string) => invalidParamsProblem([{ name: "certificatePem", reason }]);
    const ders = certificatesFromPem(input.certificatePem);
    if (ders?.length !== 1) throw refuse("Paste exactly one PEM certificate (-----BEGIN CERTIFICATE----- …)");
    const der = ders[0] as Uint8Array<ArrayBuffer>;
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(der);
    } catch {
      throw refuse("This is not a readable X.509 certificate");
    }
    const sha256 = sha256Hex(der);
    return {
      match: "certificate",
      matchKey: `certificate:${sha256}`,
      certificateSha256: sha256,
      certificatePem: certificate.toString("pem"),
      issuerDn: certificate.issuer,
      subjectPattern: certificate.subject,
    };
  }
  const issuerDn = normalizeDistinguishedName(input.issuerDn);
  const subjectPattern =
    input.subjectPattern.trim() === "*" ? "*" : normalizeDistinguishedName(input.subjectPattern);
  const problems: InvalidParam[] = [];
  if (!issuerDn)
    problems.push({
      name: "issuerDn",
      reason: 'Enter a distinguished name, e.g. "CN=Ops Client CA, O=Example"',
    });
  if (!subjectPattern) {
    problems.push({
      name: "subjectPattern",
      reason:
        'Enter a distinguished name, "*" standing for any characters in a value (e.g. "CN=*.ops.example"), or "*" alone for any subject',
    });
  }
  if (!issuerDn || !subjectPattern) throw invalidParamsProblem(problems);
  return {
    match: "subject",
    // One registration per issuer and pattern, however their attributes were ordered or cased.
    matchKey: `subject:${nameKey(issuerDn)}|${subjectPattern === "*" ? "*" : nameKey(subjectPattern)}`,
    certificateSha256: null,
    certificatePem: null,
    issuerDn,
    subjectPattern,
  };
}

/** Registers a client certificate (or a subject pattern) for an alias with the rights given. */
export async function addAccessRule(
  db: Db,
  aliasName: string,
  input: AccessRuleInput,
  by: ChangedBy,
): Promise<AccessRuleView> {
  const registration = registrationOf(input);
  const rights = await checkRights(db, input.rights);
  try {
    const row = await db.$transaction(async (tx) => {
      const aliasId = await aliasIdOrThrow(tx, aliasName);
      const created = await tx.clientAccessRule.create({
        data: { aliasId, ...registration, rights, description: input.description?.trim() ?? "" },
      });
      await recordAudit(tx, {
        actor: by.actor,
        action: "accessRule.created",
        targetType: "alias",
        targetId: aliasId,
        details: {
          alias: aliasName,
          accessRule: created.id,
          match: created.match,
          issuerDn: created.issuerDn,
          subjectPattern: created.subjectPattern,
          ...(created.certificateSha256 ? { certificateSha256: created.certificateSha256 } : {}),
          rights,
        },
        ip: by.ip,
      });
      return created;
    });
    return toView(row);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw conflictProblem(
        registration.match === "certificate"
          ? `This certificate is registered for alias "${aliasName}" already`
          : `This issuer and subject pattern are registered for alias "${aliasName}" already`,
        registration.match === "certificate" ? "certificatePem" : "subjectPattern",
      );
    }
    throw err;
  }
}

/** Removes a registration: its certificates are refused on the alias from the next request on. */
export async function removeAccessRule(db: Db, aliasName: string, id: string, by: ChangedBy): Promise<void> {
  await db.$transaction(async (tx) => {
    const aliasId = await aliasIdOrThrow(tx, aliasName);
    const row = await tx.clientAccessRule.findFirst({ where: { id, aliasId } });
    if (!row) throw notFoundProblem("Access rule");
    const { count } = await tx.clientAccessRule.deleteMany({ where: { id, aliasId } });
    if (count !== 1) throw notFoundProblem("Access rule");
    await recordAudit(tx, {
      actor: by.actor,
      action: "accessRule.deleted",
      targetType: "alias",
      targetId: aliasId,
      details: {
        alias: aliasName,
        accessRule: row.id,
        match: row.match,
        issuerDn: row.issuerDn,
        subjectPattern: row.subjectPattern,
        rights: row.rights,
      },
      ip: by.ip,
    });
  });
}
