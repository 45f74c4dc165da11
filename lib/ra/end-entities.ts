// End entities in RA mode (issue 12 item 4; spec "EJBCA Specifics": "End entities are managed in
// RA mode, which means end entities are created or reset (status = NEW) before a certificate is
// enrolled"), and the username each gets from its alias's RA name generation scheme (spec "RA
// Name Generation Scheme", "RA Name Generation Prefix", "RA Name Generation Postfix").
//
// At finalize, while the order is still ready, planEndEntity names the end entity (a CSR the
// scheme finds no name in is refused with badCSR, and the client may retry); once the order is
// processing, resetEndEntityToNew creates it or resets it to NEW before the CA signs; the
// transaction that stores the certificate makes it GENERATED, links the certificate and, under a
// certificate profile with the single active certificate constraint, revokes its earlier
// certificates as superseded (lib/db/sql/certificates.ts storeIssuedCertificate).
//
// Decisions, compared with EJBCA (README "End entities"):
// - The request DN is the CSR's subject, with the common name the certificate will carry when the
//   CSR has none (spec "End Entity Profile": "At least one identifier is written into the subject
//   DN (i.e. certbot only uses SANs in the CSR)"), so DN with CN works for every client.
// - RANDOM uses the order's id, which is Keyward's 22-character (128-bit) id, not EJBCA's 43
//   characters; like EJBCA's, it names one order, so every order is its own end entity.
// - An alias without an end entity profile enrols under Keyward's built-in end entity profile,
//   which has batch generation on (BUILT_IN_BATCH_GENERATION): every scheme works without a profile.
import { randomInt } from "node:crypto";
import type { ParsedCsr } from "@/lib/ca/csr";
import { chooseCommonName } from "@/lib/ca/issuance";
import { Name, Pkcs10CertificateRequest } from "@/lib/crypto/x509";
import type { Db } from "@/lib/db/client";
import {
  findEndEntityOfOrder,
  moveOrderToProcessingAsNew,
  upsertEndEntityAsNew,
} from "@/lib/db/sql/end-entities";
import { AcmeProblem } from "@/lib/problem";
import type { Identifier } from "@/lib/ra/identifiers";
import { isStorableText } from "@/lib/text";
import { type AliasSettings, readAliasSettings } from "./alias-settings";

// ── Names ───────────────────────────────────────────────────────────────────────────────────

/**
 * DN attributes by the names EJBCA gives them (DnComponents): note that EJBCA's SN is the
 * serialNumber attribute and SURNAME the surname, unlike RFC 4519.
 */
export const DN_ATTRIBUTE_OIDS = {
  UID: "0.9.2342.19200300.100.1.1",
  CN: "2.5.4.3",
  SN: "2.5.4.5",
  SURNAME: "2.5.4.4",
  GIVENNAME: "2.5.4.42",
  INITIALS: "2.5.4.43",
  PSEUDONYM: "2.5.4.65",
  T: "2.5.4.12",
  E: "1.2.840.113549.1.9.1",
  O: "2.5.4.10",
  OU: "2.5.4.11",
  L: "2.5.4.7",
  ST: "2.5.4.8",
  C: "2.5.4.6",
  DC: "0.9.2342.19200300.100.1.25",
  STREET: "2.5.4.9",
  POSTALCODE: "2.5.4.17",
  ORGANIZATIONIDENTIFIER: "2.5.4.97",
} as const;
export type DnAttributeName = keyof typeof DN_ATTRIBUTE_OIDS;
const DN_ATTRIBUTE_NAMES = Object.keys(DN_ATTRIBUTE_OIDS) as DnAttributeName[];

/** Spec: "'${RANDOM}' can be used to have 12 random chars as prefix" (and postfix). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the literal placeholder operators type
export const RANDOM_PLACEHOLDER = "${RANDOM}";
export const RANDOM_CHARACTERS = 12;
// RFC 4648 §6 base32 alphabet: unambiguous, case-insensitive-safe, 5 bits a character.
const RANDOM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// EJBCA keeps usernames in a 250-character column; Keyward's prefix, parameters and postfix may be
// 250 each, so the bound leaves room for them and refuses a request DN that would run past it.
export const MAX_USERNAME_LENGTH = 1024;

/**
 * Spec "Batch generation (clear text pwd storage) ... If you do not generate RANDOM with the RA
 * name generate scheme, you must enable this option." Keyward's built-in end entity profile (an
 * alias with none) has it on, so aliases stored before end entities existed keep enrolling.
 */
export const BUILT_IN_BATCH_GENERATION = true;

/** The request DN: its attributes in order, by EJBCA's names, and its text. */
export type RequestDn = {
  readonly attributes: readonly { readonly type: string; readonly value: string }[];
  readonly text: string;
};

export type RaNameScheme = Pick<
  AliasSettings,
  "raNameGenScheme" | "raNameGenParams" | "raNameGenPrefix" | "raNameGenPostfix"
>;

/** 12 characters of RFC 4648 base32, each drawn by the CSPRNG. */
export function randomUsernameCharacters(): string {
  let out = "";
  for (let i = 0; i < RANDOM_CHARACTERS; i++) out += RANDOM_ALPHABET[randomInt(RANDOM_ALPHABET.length)];
  return out;
}

/** The ';'-separated DN attribute names of the parameters, uppercased, in order ("UID;SN;CN"). */
export function dnAttributesOf(params: string): string[] {
  return params
    .split(";")
    .map((p) => p.trim().toUpperCase())
    .filter(Boolean);
}

/**
 * Why an alias's RA name settings cannot name anything, per field, or an empty list: DN needs
 * known DN attributes, FIXED a name. Checked when the alias is stored.
 */
export function raNameSettingsProblems(scheme: RaNameScheme): { name: string; reason: string }[] {
  if (scheme.raNameGenScheme === "DN") {
    const attributes = dnAttributesOf(scheme.raNameGenParams);
    if (attributes.length === 0)
      return [{ name: "raNameGenParams", reason: "Name the DN attributes to try, e.g. UID;SN;CN" }];
    const unknown = attributes.filter((a) => !(DN_ATTRIBUTE_NAMES as string[]).includes(a));
    if (unknown.length > 0)
      return [
        {
          name: "raNameGenParams",
          reason: `Unknown DN attribute${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}; use ${DN_ATTRIBUTE_NAMES.join(", ")}`,
        },
      ];
  }
  if (scheme.raNameGenScheme === "FIXED" && scheme.raNameGenParams.trim() === "")
    return [
      { name: "raNameGenParams", reason: "FIXED names every end entity with the parameters: enter a name" },
    ];
  return [];
}

/**
 * The username an enrolment gets (spec "RA Name Generation Scheme"):
 * - DN: "Will take a part of the request DN ... Several DN attributes can be specified to have a
 *   fall-back. For example: UID;SN;CN. First, try UID. If it does not exist try SN, etc."
 * - RANDOM: "Uses the generated ... ACME order ID."
 * - FIXED: the parameters, as one constant username.
 * - USERNAME: "Use the entire request DN as username."
 * then the prefix and postfix, each '${RANDOM}' in them replaced by 12 random characters.
 * Throws badCSR when the request gives the scheme nothing to take.
 */
export function generateUsername(
  scheme: RaNameScheme,
  request: { orderId: string; requestDn: RequestDn },
  random: () => string = randomUsernameCharacters,
): string {
  let name: string;
  switch (scheme.raNameGenScheme) {
    case "DN": {
      const wanted = dnAttributesOf(scheme.raNameGenParams);
      const found = wanted
        .map((type) => request.requestDn.attributes.find((a) => a.type === type && a.value.trim() !== ""))
        .find((a) => a !== undefined);
      if (!found) {
        throw new AcmeProblem(
          "badCSR",
          `The alias names end entities by the request DN's ${wanted.join(", then ") || "(no attribute)"}, and the CSR's subject has none of ${wanted.length === 1 ? "it" : "them"}`,
        );
      }
      name = found.value.trim();
      break;
    }
    case "RANDOM":
      name = request.orderId;
      break;
    case "FIXED":
      name = scheme.raNameGenParams.trim();
      break;
    case "USERNAME":
      name = request.requestDn.text;
      if (name === "")
        throw new AcmeProblem("badCSR", "The alias names end entities by the request DN, and it is empty");
      break;
  }
  const expand = (text: string) => text.replaceAll(RANDOM_PLACEHOLDER, () => random());
  const username = `${expand(scheme.raNameGenPrefix)}${name}${expand(scheme.raNameGenPostfix)}`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(username) || !isStorableText(username)) {
    throw new AcmeProblem("badCSR", "The end entity name taken from the CSR contains control characters");
  }
  if (username.length > MAX_USERNAME_LENGTH) {
    throw new AcmeProblem(
      "badCSR",
      `The end entity name taken from the CSR would be longer than ${MAX_USERNAME_LENGTH} characters`,
    );
  }
  return username;
}

// The x509 library's own names for the attributes it knows are overridden with EJBCA's.
const EJBCA_NAMES: Record<string, string> = DN_ATTRIBUTE_OIDS;

/**
 * The request DN of a finalize (see the file header): the CSR's subject with EJBCA's attribute
 * names, plus the CN the certificate will carry when the CSR names none (lib/ca/issuance.ts).
 */
export function requestDnOf(csr: ParsedCsr, identifiers: readonly Identifier[]): RequestDn {
  let subject: InstanceType<typeof Name>;
  try {
    const request = new Pkcs10CertificateRequest(csr.der);
    subject = new Name(request.subjectName.toArrayBuffer(), EJBCA_NAMES);
  } catch (err) {
    throw new AcmeProblem("badCSR", "The CSR's subject could not be read", { cause: err });
  }
  const attributes = subject
    .toJSON()
    .flatMap((rdn) =>
      Object.entries(rdn).flatMap(([type, values]) => values.map((value) => ({ type, value }))),
    );
  if (attributes.some((a) => a.type === "CN")) return { attributes, text: subject.toString() };
  const commonName = chooseCommonName(identifiers);
  if (commonName === null) return { attributes, text: subject.toString() };
  const withCn = [...attributes, { type: "CN", value: commonName }];
  const text = [subject.toString(), new Name([{ CN: [commonName] }]).toString()].filter(Boolean).join(", ");
  return { attributes: withCn, text };
}

// ── Enrolment ───────────────────────────────────────────────────────────────────────────────

/** Who an enrolment is for: decided while the order is ready, stored once it is processing. */
export type EndEntityPlan = {
  readonly username: string;
  readonly requestDn: string;
  readonly aliasId: string | null;
};

/** The end entity an issuance stores its certificate for. */
export type EndEntityEnrolment = {
  readonly id: string;
  readonly username: string;
  readonly singleActiveCertificate: boolean;
};

/** At finalize, before the order moves on: the end entity's name (badCSR when there is none). */
export function planEndEntity(o: {
  alias: { id: string; settings: AliasSettings };
  orderId: string;
  identifiers: readonly Identifier[];
  csr: ParsedCsr;
}): EndEntityPlan {
  const requestDn = requestDnOf(o.csr, o.identifiers);
  const username = generateUsername(o.alias.settings, { orderId: o.orderId, requestDn });
  return { username, requestDn: requestDn.text, aliasId: o.alias.id };
}

/**
 * An issuance resumed after a crash: the end entity its first attempt reset to NEW (a ${RANDOM}
 * prefix would not name it again), else a name from the alias of the order's account.
 */
export async function planResumedEndEntity(
  db: Db,
  o: { orderId: string; accountId: string; identifiers: readonly Identifier[]; csr: ParsedCsr },
): Promise<EndEntityPlan> {
  const existing = await findEndEntityOfOrder(db, o.orderId);
  if (existing)
    return { username: existing.username, requestDn: existing.subjectDn, aliasId: existing.aliasId };
  const account = await db.account.findUniqueOrThrow({
    where: { id: o.accountId },
    select: { alias: { select: { id: true, settings: true } } },
  });
  return planEndEntity({
    alias: { id: account.alias.id, settings: readAliasSettings(account.alias.settings) },
    orderId: o.orderId,
    identifiers: o.identifiers,
    csr: o.csr,
  });
}

/**
 * Spec "EJBCA Specifics": the end entity is created, or reset to NEW if it exists, before its
 * certificate is enrolled; committed at once, so an operator sees an enrolment under way.
 */
export async function resetEndEntityToNew(
  db: Db,
  o: {
    plan: EndEntityPlan;
    orderId: string;
    /** lib/ra/profiles.ts IssuancePolicy: what the end entity is enrolled under. */
    policy: {
      endEntityProfileName: string | null;
      certificateProfileName: string | null;
      caId: string | null;
      singleActiveCertificate: boolean;
    };
    now: Date;
  },
): Promise<EndEntityEnrolment> {
  const { id } = await upsertEndEntityAsNew(db, endEntityRow(o));
  return { id, username: o.plan.username, singleActiveCertificate: o.policy.singleActiveCertificate };
}

/**
 * Finalize (RFC 8555 §7.4): the order moves ready → processing with its CSR and issuance lease,
 * and its end entity is created or reset to NEW, in one statement; null when the order was no
 * longer ready (another request is finalizing it).
 */
export async function startEnrolment(
  db: Db,
  o: Parameters<typeof resetEndEntityToNew>[1] & { csr: Uint8Array; processingUntil: Date },
): Promise<EndEntityEnrolment | null> {
  const moved = await moveOrderToProcessingAsNew(db, {
    ...endEntityRow(o),
    csr: o.csr,
    processingUntil: o.processingUntil,
  });
  if (!moved) return null;
  return {
    id: moved.id,
    username: o.plan.username,
    singleActiveCertificate: o.policy.singleActiveCertificate,
  };
}

function endEntityRow(o: Parameters<typeof resetEndEntityToNew>[1]) {
  return {
    username: o.plan.username,
    subjectDn: o.plan.requestDn,
    aliasId: o.plan.aliasId,
    endEntityProfileName: o.policy.endEntityProfileName,
    certificateProfileName: o.policy.certificateProfileName,
    caId: o.policy.caId,
    orderId: o.orderId,
    now: o.now,
  };
}

// ── The batch generation rule ───────────────────────────────────────────────────────────────

/**
 * Spec "RA Name Generation Scheme": "Enable Batch generation in the end entity profile, if you
 * don't use RANDOM usernames". Why an alias with `scheme` may not use a profile with
 * `batchGeneration`, or null.
 */
export function batchGenerationProblem(
  scheme: AliasSettings["raNameGenScheme"],
  profile: { name: string; batchGeneration: boolean },
): string | null {
  if (scheme === "RANDOM" || profile.batchGeneration) return null;
  return `The ${scheme} scheme names end entities that are reset and enrolled again, which needs batch generation: turn on "Batch generation" in end entity profile "${profile.name}", or choose RANDOM`;
}
