// The fields of certificate profiles and end entity profiles (issue 12 items 2 and 3; spec
// "Certificate Profile Configuration", "End Entity Profile Configuration"), with their rules and
// defaults. Pure, so the console's forms validate with it in the browser; lib/ra/profiles.ts
// stores what passes and lib/ca/issuance.ts applies it. The defaults are Keyward's built-in
// profile: what every certificate got before profiles existed.
import { z } from "zod";

const PROFILE_NAME = /^[A-Za-z0-9 ._-]{1,64}$/;

export const profileNameSchema = z
  .string({ error: "Enter a profile name" })
  .trim()
  .regex(PROFILE_NAME, "A profile name is 1 to 64 letters, digits, spaces, '.', '_' or '-'");

// ── Certificate profiles ────────────────────────────────────────────────────────────────────

// CA/B BR §6.1.5: the key types and curves a subscriber certificate may certify; the key rules
// themselves (exponent, factors, sizes 2048–8192) stay in lib/crypto/key-policy.ts and hold for
// every profile.
export const KEY_ALGORITHMS = ["RSA", "ECDSA"] as const;
export const ECDSA_CURVES = ["P-256", "P-384"] as const;
export const RSA_BIT_LENGTHS = [2048, 3072, 4096, 6144, 8192] as const;

// RFC 5280 §4.2.1.3. keyEncipherment and dataEncipherment are written for RSA keys only, and
// keyAgreement for ECDSA keys only (a key cannot do the others; BR §7.1.2.7.11).
export const KEY_USAGES = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
] as const;
// RFC 5280 §4.2.1.12 key purposes.
export const EXTENDED_KEY_USAGES = [
  "serverAuth",
  "clientAuth",
  "codeSigning",
  "emailProtection",
  "timeStamping",
] as const;

export type KeyAlgorithmName = (typeof KEY_ALGORITHMS)[number];
export type EcdsaCurveName = (typeof ECDSA_CURVES)[number];
export type KeyUsageName = (typeof KEY_USAGES)[number];
export type ExtendedKeyUsageName = (typeof EXTENDED_KEY_USAGES)[number];

// EJBCA's validity units (SimpleTime): y = 365 days, mo = 30 days, d, h, m.
const VALIDITY_UNITS_SECONDS = { y: 365 * 86_400, mo: 30 * 86_400, d: 86_400, h: 3_600, m: 60 } as const;
type ValidityUnit = keyof typeof VALIDITY_UNITS_SECONDS;
const VALIDITY_TOKEN = /^(\d{1,4})(y|mo|d|h|m)$/;

// The shortest and longest validity a profile may give. The longest is CA/B BR §6.3.2's 398 days
// (lib/ca/issuance.ts MAX_LEAF_VALIDITY_DAYS): browsers refuse longer leaves from public roots.
export const MIN_VALIDITY_SECONDS = 3_600;
export const MAX_VALIDITY_SECONDS = 398 * 86_400;
const VALIDITY_MESSAGE = 'Use units y, mo, d, h, m, e.g. "90d", "6mo" or "1y" (1h to 398d)';

/** Seconds in an EJBCA validity text ("90d", "6mo", "1y 2mo"), or null when it is not one. */
export function parseValiditySeconds(text: string): number | null {
  const parts = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return null;
  const seen = new Set<string>();
  let total = 0;
  for (const part of parts) {
    const match = VALIDITY_TOKEN.exec(part);
    if (!match) return null;
    const unit = match[2] as ValidityUnit;
    if (seen.has(unit)) return null;
    seen.add(unit);
    total += Number(match[1]) * VALIDITY_UNITS_SECONDS[unit];
  }
  return total;
}

/** The validity text in a normal form: units largest first, as typed ("1y 6mo", "90d"). */
function normaliseValidity(text: string): string {
  const parts = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const order = Object.keys(VALIDITY_UNITS_SECONDS);
  return parts
    .map((part) => VALIDITY_TOKEN.exec(part) as RegExpExecArray)
    .filter((match) => Number(match[1]) > 0)
    .sort((a, b) => order.indexOf(a[2] as string) - order.indexOf(b[2] as string))
    .map((match) => `${Number(match[1])}${match[2]}`)
    .join(" ");
}

export const validitySchema = z
  .string({ error: VALIDITY_MESSAGE })
  .max(64)
  .transform((text, ctx) => {
    const seconds = parseValiditySeconds(text);
    if (seconds === null || seconds < MIN_VALIDITY_SECONDS || seconds > MAX_VALIDITY_SECONDS) {
      ctx.addIssue({ code: "custom", message: VALIDITY_MESSAGE });
      return z.NEVER;
    }
    return normaliseValidity(text);
  });

const caNameSchema = z.string().trim().min(1, "Name a CA").max(250);

/** Every field of a certificate profile but its name (end entity profiles name it). */
export const certificateProfileFieldsSchema = z.object({
  // Spec "Available Key Algorithms".
  keyAlgorithms: z
    .array(z.enum(KEY_ALGORITHMS, { error: `One of ${KEY_ALGORITHMS.join(", ")}` }))
    .min(1, "Allow at least one key algorithm")
    .transform((list) => KEY_ALGORITHMS.filter((a) => list.includes(a)))
    .default([...KEY_ALGORITHMS]),
  // Spec "Available ECDSA curves".
  ecdsaCurves: z
    .array(z.enum(ECDSA_CURVES, { error: `One of ${ECDSA_CURVES.join(", ")}` }))
    .transform((list) => ECDSA_CURVES.filter((c) => list.includes(c)))
    .default([...ECDSA_CURVES]),
  // Spec "Available Bit Lengths": a key's size must lie between the smallest and the largest.
  rsaBitLengths: z
    .array(
      z
        .number({ error: `One of ${RSA_BIT_LENGTHS.join(", ")}` })
        .refine((n) => (RSA_BIT_LENGTHS as readonly number[]).includes(n), {
          message: `One of ${RSA_BIT_LENGTHS.join(", ")}`,
        }),
    )
    .transform((list) => RSA_BIT_LENGTHS.filter((n) => list.includes(n)) as number[])
    .default([2048, 3072, 4096, 8192]),
  // Spec "Validity or end date of the certificate": "6mo, 1y or 395d".
  validity: validitySchema.default("90d"),
  keyUsages: z
    .array(z.enum(KEY_USAGES, { error: `One of ${KEY_USAGES.join(", ")}` }))
    .min(1, "Choose at least one key usage")
    .transform((list) => KEY_USAGES.filter((u) => list.includes(u)))
    .default(["digitalSignature", "keyEncipherment"]),
  // Spec "Extended Key Usage: Server Authentication".
  extendedKeyUsages: z
    .array(z.enum(EXTENDED_KEY_USAGES, { error: `One of ${EXTENDED_KEY_USAGES.join(", ")}` }))
    .min(1, "Choose at least one extended key usage")
    .transform((list) => EXTENDED_KEY_USAGES.filter((u) => list.includes(u)))
    .default(["serverAuth"]),
  // Spec "Available CAs", by CA name; empty: any of Keyward's CAs.
  availableCas: z.array(caNameSchema).max(50).default([]),
  // Spec "Single Active Certificate Constraint" (lib/ra/end-entities.ts).
  singleActiveCertificate: z.boolean({ error: "true or false" }).default(false),
  // Spec "Combine ACME EAB with General Account Binding"; null or "": none.
  eabNamespace: z
    .union([z.string().trim().max(64, "At most 64 characters"), z.null()])
    .transform((v) => v || null)
    .default(null),
});

export type CertificateProfileFields = z.output<typeof certificateProfileFieldsSchema>;
export type CertificateProfileFieldsInput = z.input<typeof certificateProfileFieldsSchema>;

export const DEFAULT_CERTIFICATE_PROFILE_FIELDS: CertificateProfileFields =
  certificateProfileFieldsSchema.parse({});

/** The checks one field's rules cannot make alone. */
export function certificateProfileProblems(
  fields: CertificateProfileFields,
): { name: keyof CertificateProfileFields; reason: string }[] {
  const problems: { name: keyof CertificateProfileFields; reason: string }[] = [];
  if (fields.keyAlgorithms.includes("ECDSA") && fields.ecdsaCurves.length === 0)
    problems.push({ name: "ecdsaCurves", reason: "ECDSA is allowed: choose at least one curve" });
  if (fields.keyAlgorithms.includes("RSA") && fields.rsaBitLengths.length === 0)
    problems.push({ name: "rsaBitLengths", reason: "RSA is allowed: choose at least one bit length" });
  return problems;
}

// ── End entity profiles ─────────────────────────────────────────────────────────────────────

// Subject DN attributes an end entity profile may take from the CSR besides CN (RFC 4519 names).
// CN is always "required, modifiable" (spec) and comes from the order's identifiers.
export const SUBJECT_DN_ATTRIBUTES = ["O", "OU", "L", "ST", "C"] as const;
export type SubjectDnAttribute = (typeof SUBJECT_DN_ATTRIBUTES)[number];

// An order has at most 100 identifiers (lib/ra/identifiers.ts MAX_IDENTIFIERS_PER_ORDER).
export const MAX_SAN_FIELDS = 100;
const SAN_COUNT_MESSAGE = `A whole number from 0 to ${MAX_SAN_FIELDS}`;
const sanCount = z
  .number({ error: SAN_COUNT_MESSAGE })
  .int(SAN_COUNT_MESSAGE)
  .min(0, SAN_COUNT_MESSAGE)
  .max(MAX_SAN_FIELDS, SAN_COUNT_MESSAGE);

export const endEntityProfileFieldsSchema = z.object({
  subjectDnAttributes: z
    .array(z.enum(SUBJECT_DN_ATTRIBUTES, { error: `One of ${SUBJECT_DN_ATTRIBUTES.join(", ")}` }))
    .transform((list) => SUBJECT_DN_ATTRIBUTES.filter((a) => list.includes(a)))
    .default([]),
  // Spec "SAN DNS Name or IP address ... Add as many DNS or IP identifiers as you require".
  maxDnsNames: sanCount.default(MAX_SAN_FIELDS),
  maxIpAddresses: sanCount.default(MAX_SAN_FIELDS),
  // Spec "Default Certificate Profile" / "Default CA", by name; null: the built-in ones.
  defaultCertificateProfile: z
    .union([profileNameSchema, z.literal(""), z.null()])
    .transform((v) => v || null)
    .default(null),
  defaultCa: z
    .union([caNameSchema, z.literal(""), z.null()])
    .transform((v) => v || null)
    .default(null),
  // Spec "Batch generation (clear text pwd storage)": must be on for a non-RANDOM RA name scheme
  // (lib/ra/profiles.ts refuses the alias or the change that would break it).
  batchGeneration: z.boolean({ error: "true or false" }).default(false),
});

export type EndEntityProfileFields = z.output<typeof endEntityProfileFieldsSchema>;
export type EndEntityProfileFieldsInput = z.input<typeof endEntityProfileFieldsSchema>;

export const DEFAULT_END_ENTITY_PROFILE_FIELDS: EndEntityProfileFields = endEntityProfileFieldsSchema.parse(
  {},
);
