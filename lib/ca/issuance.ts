// Subscriber (leaf) certificates from a verified CSR, shaped after Boulder's issuance/cert.go:
// prepare (build the whole template from the request and the profile) → check (re-assert the
// invariants a certificate must never break) → issue (sign once). Pure: no storage, no clock but
// `now` (default: the current time); the RA stores the result in the transaction that moves the
// order to valid.
//
// Profile (RFC 5280 §4.1/§4.2, CA/B BR §7.1.2.7 subscriber certificate), decisions marked ◆:
// - serial: 126 random bits, positive (lib/ca/serials.ts)
// - validity: BR §1.6.4 "validity period" semantics, both ends inclusive; default validityDays
//   (90) from notBefore = now − 5 min; an order's notBefore/notAfter (RFC 8555 §7.1.3) are
//   honoured when they fit the profile and refused with `malformed` when not (resolveLeafValidity) ◆
// - subject (spec "End Entity Profile": "At least one identifier is written into the subject DN
//   ... Multiple identifiers are written into the subject DN, if the CSRs subject DN contains
//   multiple CNs"): the CSR's commonNames when it has any (each is one of the identifiers,
//   verifyCsr checked), else the first DNS identifier of at most 64 characters (RFC 5280
//   ub-common-name), else the first IP address; with no such name the subject is empty and the
//   SAN critical (RFC 5280 §4.2.1.6) ◆. Other attributes only as the end entity profile lets
//   them through from the CSR (O, OU, L, ST, C: not validated, as EJBCA copies them).
// - subjectAltName: every identifier, dNSName or iPAddress, in the CSR's order (spec: identifiers
//   "are included in its SAN if specified in CSRs SAN")
// - basicConstraints cA=FALSE, critical; keyUsage as the certificate profile says (built-in:
//   digitalSignature, + keyEncipherment for RSA keys, BR §7.1.2.7.11), critical; keyEncipherment
//   and dataEncipherment only for RSA keys and keyAgreement only for ECDSA keys, whatever the
//   profile lists ◆; extKeyUsage as the profile says (built-in: serverAuth only ◆, as Let's
//   Encrypt dropped clientAuth in 2025–2026 for the Chrome Root Program's serverAuth-only rule)
// - subjectKeyIdentifier (RFC 5280 §4.2.1.2 method 1) ◆ kept for path builders and tooling that
//   index by it, although BR §7.1.2.7.6 calls it NOT RECOMMENDED; authorityKeyIdentifier = the
//   issuing CA's SKI
// - cRLDistributionPoints <publicUrl>/ca/crl/<ca id>, authorityInfoAccess caIssuers
//   <publicUrl>/ca/cert/<ca id> (DER of the issuing CA, RFC 5280 §4.2.2.1)
// - no certificatePolicies ◆: a private CA does not assert the CA/B reserved policy OIDs.
import { createHash } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import {
  AuthorityInfoAccessExtension,
  BasicConstraintsExtension,
  CRLDistributionPointsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
} from "@/lib/crypto/x509";
import { env } from "@/lib/env";
import { isHostName } from "@/lib/names";
import { AcmeProblem } from "@/lib/problem";
import type { IssuingCa } from "./authorities";
import { backdated, encodeCertificatePem, signCertificate, wholeSeconds } from "./ca-certificates";
import {
  assertCsrKeyAllowed,
  assertCsrMatchesIdentifiers,
  type CertificateIdentifier,
  identifierKey,
  importCsrPublicKey,
  normalizeIdentifier,
  type ParsedCsr,
} from "./csr";
import { ensureTrailingNewline } from "./files";
import { assertCsrKeyFitsProfile, BUILT_IN_LEAF_PROFILE, type LeafProfile } from "./profiles";
import { generateSerialNumberHex } from "./serials";

// The validity an order gets when its profile says nothing else: Let's Encrypt's 90 days.
export const DEFAULT_LEAF_VALIDITY_DAYS = 90;

// The longest validity any profile may configure: CA/B BR §6.3.2's 398 days, the limit browsers
// enforce for publicly trusted roots (a private root is not bound by it, but longer certificates
// buy nothing an ACME client needs). The BR maximum shrinks to 200 days from 2026-03-15 (ballot
// SC-081); profiles meant for public trust should stay at or under that.
export const MAX_LEAF_VALIDITY_DAYS = 398;

// CA/B BR §7.1.2.7 (subscriber certificate notBefore): "a value within 48 hours of the certificate
// signing operation". A requested notBefore further from the moment of issuance is refused.
export const MAX_NOT_BEFORE_DISTANCE_MS = 48 * 60 * 60 * 1000;

// RFC 5280 Appendix A: ub-common-name.
export const MAX_COMMON_NAME_LENGTH = 64;

const DAY_MS = 24 * 60 * 60 * 1000;
const SECOND_MS = 1000;

/** What issuance needs of the issuing CA; an IssuingCa from loadIssuingCa is one. */
export type LeafIssuer = Pick<IssuingCa, "id" | "signer" | "pem">;

export interface IssueLeafCertificateOptions {
  readonly ca: LeafIssuer;
  /** A CSR that verifyCsr accepted for these identifiers. */
  readonly csr: ParsedCsr;
  /** The order's identifiers, in order order: the first DNS name becomes the common name. */
  readonly identifiers: readonly CertificateIdentifier[];
  /** The order's requested notBefore / notAfter (RFC 8555 §7.1.3), if any. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** The profile's validity, 1 to MAX_LEAF_VALIDITY_DAYS; overridden by `profile`. */
  readonly validityDays?: number;
  /** The certificate and end entity profile; BUILT_IN_LEAF_PROFILE when absent. */
  readonly profile?: LeafProfile;
  readonly now?: Date;
  /** Base of the CRL and caIssuers URLs; env().publicUrl when absent. */
  readonly publicUrl?: string;
}

export interface IssuedCertificate {
  readonly der: Uint8Array<ArrayBuffer>;
  /** Ends in a newline. */
  readonly pem: string;
  /** RFC 8555 §9.1 application/pem-certificate-chain: the leaf, then the issuing CA (no root). */
  readonly pemChain: string;
  /** Lowercase hex, as Certificate.serialHex stores it. */
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** RFC 4514, e.g. "CN=example.com"; "" when the subject is empty. */
  readonly subjectDn: string;
  /** "dns:<name>" / "ip:<address>", as Certificate.names stores them. */
  readonly names: readonly string[];
  readonly spkiSha256: string;
  readonly keyAlgorithm: string;
  readonly issuerId: string;
}

export interface LeafValidityOptions {
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly validityDays?: number;
  /** The validity in seconds (a certificate profile's); wins over validityDays. */
  readonly validitySeconds?: number;
  readonly now?: Date;
  /** The issuing CA's own validity: a certificate never starts before or outlives its issuer. */
  readonly issuerNotBefore?: Date;
  readonly issuerNotAfter?: Date;
}

export interface LeafValidity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * The notBefore/notAfter a certificate gets. Exported so that the RA can refuse an unacceptable
 * newOrder notBefore/notAfter up front with the same rules, instead of at finalize.
 *
 * Requested values are honoured as asked (to the second) or refused with `malformed`: never
 * silently changed, so the certificate matches the order object the client saw. Without requests,
 * notBefore = now − 5 minutes and the validity period is `validityDays` (both ends inclusive,
 * BR §1.6.4), clamped to the issuer's own validity.
 */
export function resolveLeafValidity(options: LeafValidityOptions): LeafValidity {
  const validityDays = options.validityDays ?? DEFAULT_LEAF_VALIDITY_DAYS;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_LEAF_VALIDITY_DAYS) {
    throw new Error(`certificate validity must be 1 to ${MAX_LEAF_VALIDITY_DAYS} days, not ${validityDays}`);
  }
  const validityMs = (options.validitySeconds ?? validityDays * 86_400) * SECOND_MS;
  if (
    !Number.isInteger(validityMs) ||
    validityMs < 3_600_000 ||
    validityMs > MAX_LEAF_VALIDITY_DAYS * DAY_MS
  ) {
    throw new Error(`certificate validity must be 1 hour to ${MAX_LEAF_VALIDITY_DAYS} days`);
  }
  const validityText =
    options.validitySeconds === undefined ? `${validityDays} days` : describeSeconds(validityMs / SECOND_MS);
  const now = options.now ?? new Date();
  const issuerNotBefore = options.issuerNotBefore ? wholeSeconds(options.issuerNotBefore) : undefined;
  const issuerNotAfter = options.issuerNotAfter ? wholeSeconds(options.issuerNotAfter) : undefined;

  let notBefore: Date;
  if (options.notBefore) {
    notBefore = wholeSeconds(options.notBefore);
    if (Math.abs(notBefore.getTime() - now.getTime()) > MAX_NOT_BEFORE_DISTANCE_MS) {
      throw AcmeProblem.malformed("notBefore must lie within 48 hours of the time of issuance");
    }
    if (issuerNotBefore && notBefore < issuerNotBefore) {
      throw AcmeProblem.malformed(
        `notBefore must not precede the issuing CA's notBefore (${iso(issuerNotBefore)})`,
      );
    }
  } else {
    notBefore = backdated(now);
    if (issuerNotBefore && notBefore < issuerNotBefore) notBefore = issuerNotBefore;
  }

  // Inclusive at both ends (RFC 5280 §4.1.2.5), so N days end one second before notBefore + N days.
  const longestNotAfter = new Date(notBefore.getTime() + validityMs - SECOND_MS);
  let notAfter: Date;
  if (options.notAfter) {
    notAfter = wholeSeconds(options.notAfter);
    if (notAfter <= now) throw AcmeProblem.malformed("notAfter must lie in the future");
    if (notAfter <= notBefore) throw AcmeProblem.malformed("notAfter must be later than notBefore");
    if (notAfter > longestNotAfter) {
      throw AcmeProblem.malformed(
        `notAfter must be at most ${validityText} after notBefore (latest ${iso(longestNotAfter)})`,
      );
    }
    if (issuerNotAfter && notAfter > issuerNotAfter) {
      throw AcmeProblem.malformed(
        `notAfter must not be later than the issuing CA's notAfter (${iso(issuerNotAfter)})`,
      );
    }
  } else {
    notAfter = issuerNotAfter && issuerNotAfter < longestNotAfter ? issuerNotAfter : longestNotAfter;
  }

  // Only reachable through the issuer's dates: the CA itself has expired or is not yet valid.
  if (notAfter <= now || notAfter <= notBefore) {
    throw new Error(`the issuing CA is not valid at ${iso(now)}; no certificate can be issued under it`);
  }
  return { notBefore, notAfter };
}

/**
 * The subject common name for these identifiers, or null for an empty subject: the first DNS
 * name that fits ub-common-name (64), else the first IP address (BR §7.1.4.3: the CN, when
 * present, repeats one of the SAN entries).
 */
export function chooseCommonName(identifiers: readonly CertificateIdentifier[]): string | null {
  const fits = (identifier: CertificateIdentifier) =>
    Array.from(identifier.value).length <= MAX_COMMON_NAME_LENGTH;
  const dns = identifiers.find((identifier) => identifier.type === "dns" && fits(identifier));
  const ip = identifiers.find((identifier) => identifier.type === "ip" && fits(identifier));
  return (dns ?? ip)?.value ?? null;
}

/** Signs a subscriber certificate for a verified CSR. Throws AcmeProblem for what the client can fix. */
export async function issueLeafCertificate(options: IssueLeafCertificateOptions): Promise<IssuedCertificate> {
  const draft = await prepareLeafCertificate(options);
  checkLeafCertificate(draft, options.csr);
  return issueFromDraft(draft);
}

// --- prepare → check → issue --------------------------------------------------------------------

// Boulder's issuanceToken: a draft is built once, checked, and signed at most once, so no serial
// number can ever appear on two different certificates.
interface LeafCertificateDraft {
  readonly ca: LeafIssuer;
  readonly identifiers: readonly CertificateIdentifier[];
  readonly serialHex: string;
  readonly validity: LeafValidity;
  readonly commonNames: readonly string[];
  readonly subject: InstanceType<typeof Name>;
  readonly subjectPublicKey: CryptoKey;
  readonly extensions: readonly Extension[];
  readonly spkiSha256: string;
  readonly keyAlgorithm: string;
  consumed: boolean;
}

async function prepareLeafCertificate(options: IssueLeafCertificateOptions): Promise<LeafCertificateDraft> {
  const { ca, csr } = options;
  const profile = options.profile ?? BUILT_IN_LEAF_PROFILE;
  // Before anything touches the key: only keys the policy and the profile accept are imported.
  assertCsrKeyAllowed(csr);
  assertCsrKeyFitsProfile(csr, profile);
  const identifiers = normalizeIdentifiers(options.identifiers);
  const certificate = ca.signer.certificate;
  const validity = resolveLeafValidity({
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    validityDays: options.validityDays,
    validitySeconds: options.profile?.validitySeconds,
    now: options.now,
    issuerNotBefore: certificate.notBefore,
    issuerNotAfter: certificate.notAfter,
  });

  const commonNames = chooseCommonNames(identifiers, csr);
  const subject = new Name(subjectAttributesFor(commonNames, csr, profile));
  const subjectPublicKey = await importCsrPublicKey(csr);
  const extensions: Extension[] = [
    ...profileExtensionsFor(
      ca.id,
      options.publicUrl ?? env().publicUrl,
      csr.keyAlgorithm.startsWith("RSA-"),
      profile,
    ),
    subjectKeyIdentifierFor(csr.publicKey),
    // RFC 5280 §4.2.1.6: with an empty subject the SAN carries the identity and MUST be critical.
    new SubjectAlternativeNameExtension(
      sanOrder(identifiers, csr).map((identifier) => ({ type: identifier.type, value: identifier.value })),
      commonNames.length === 0,
    ),
  ];

  return {
    ca,
    identifiers,
    serialHex: generateSerialNumberHex(),
    validity,
    commonNames,
    subject,
    subjectPublicKey,
    extensions,
    spkiSha256: csr.spkiSha256,
    keyAlgorithm: csr.keyAlgorithm,
    consumed: false,
  };
}

/**
 * The invariants, asserted on the finished template rather than trusted from the callers (Boulder
 * lints every certificate before signing it). A failure here is a bug upstream, except for a
 * CSR that does not fit, which is the client's (badCSR).
 */
function checkLeafCertificate(draft: LeafCertificateDraft, csr: ParsedCsr): void {
  if (draft.identifiers.length === 0) throw new Error("a certificate needs at least one identifier");
  for (const identifier of draft.identifiers) {
    if (identifier.type === "dns" && !isHostName(identifier.value)) {
      throw new Error(`identifier "${identifier.value}" is not a DNS name`);
    }
  }
  assertCsrKeyAllowed(csr);
  assertCsrMatchesIdentifiers(csr, draft.identifiers);
  for (const commonName of draft.commonNames) {
    if (Array.from(commonName).length > MAX_COMMON_NAME_LENGTH)
      throw new Error("common name exceeds ub-common-name");
  }
  if (!/^[0-7][0-9a-f]{1,39}$/.test(draft.serialHex) || /^0+$/.test(draft.serialHex)) {
    throw new Error("serial number must be a positive integer of at most 20 octets");
  }
  if (draft.validity.notAfter <= draft.validity.notBefore) throw new Error("empty validity period");
}

async function issueFromDraft(draft: LeafCertificateDraft): Promise<IssuedCertificate> {
  if (draft.consumed) throw new Error("an issuance draft is signed at most once");
  draft.consumed = true;
  const certificate = await signCertificate(draft.ca.signer, {
    subject: draft.subject,
    subjectPublicKey: draft.subjectPublicKey,
    serialHex: draft.serialHex,
    notBefore: draft.validity.notBefore,
    notAfter: draft.validity.notAfter,
    extensions: draft.extensions,
  });
  const pem = encodeCertificatePem(certificate);
  return {
    der: new Uint8Array(certificate.rawData),
    pem,
    pemChain: pem + ensureTrailingNewline(draft.ca.pem),
    serialHex: draft.serialHex,
    notBefore: draft.validity.notBefore,
    notAfter: draft.validity.notAfter,
    subjectDn: draft.subject.toString(),
    names: draft.identifiers.map(identifierKey),
    spkiSha256: draft.spkiSha256,
    keyAlgorithm: draft.keyAlgorithm,
    issuerId: draft.ca.id,
  };
}

// --- helpers ------------------------------------------------------------------------------------

function normalizeIdentifiers(identifiers: readonly CertificateIdentifier[]): CertificateIdentifier[] {
  const seen = new Set<string>();
  const normalized: CertificateIdentifier[] = [];
  for (const identifier of identifiers) {
    const canonical = normalizeIdentifier(identifier);
    const key = identifierKey(canonical);
    if (seen.has(key)) continue; // RFC 8555 §7.1.3 identifiers are a set
    seen.add(key);
    normalized.push(canonical);
  }
  return normalized;
}

// The extensions that depend only on the CA, the public URL and the key type are built once:
// the x509 extension classes cost more than the signature (STACK.md: the builder is the cost).
const profileExtensionCache = new Map<string, readonly Extension[]>();

function profileExtensionsFor(
  caId: string,
  publicUrl: string,
  isRsa: boolean,
  profile: LeafProfile,
): readonly Extension[] {
  const base = publicUrl.replace(/\/+$/, "");
  const cacheKey = `${caId} ${base} ${isRsa} ${profile.keyUsages.join(",")} ${profile.extendedKeyUsages.join(",")}`;
  let extensions = profileExtensionCache.get(cacheKey);
  if (!extensions) {
    const caPath = encodeURIComponent(caId);
    extensions = [
      new KeyUsagesExtension(keyUsageFlagsFor(profile.keyUsages, isRsa), true),
      new ExtendedKeyUsageExtension(
        profile.extendedKeyUsages.map((usage) => EXTENDED_KEY_USAGE_OIDS[usage] ?? usage),
        false,
      ),
      new BasicConstraintsExtension(false, undefined, true),
      new AuthorityInfoAccessExtension({ caIssuers: `${base}/ca/cert/${caPath}` }, false),
      new CRLDistributionPointsExtension([`${base}/ca/crl/${caPath}`], false),
    ];
    profileExtensionCache.set(cacheKey, extensions);
  }
  return extensions;
}

// RFC 5280 §4.2.1.3 bits by the names profiles use; which apply to which key type (◆ above).
const KEY_USAGE_FLAGS: Readonly<Record<string, { flag: number; keys: "any" | "rsa" | "ec" }>> = {
  digitalSignature: { flag: KeyUsageFlags.digitalSignature, keys: "any" },
  nonRepudiation: { flag: KeyUsageFlags.nonRepudiation, keys: "any" },
  keyEncipherment: { flag: KeyUsageFlags.keyEncipherment, keys: "rsa" },
  dataEncipherment: { flag: KeyUsageFlags.dataEncipherment, keys: "rsa" },
  keyAgreement: { flag: KeyUsageFlags.keyAgreement, keys: "ec" },
};

function keyUsageFlagsFor(usages: readonly string[], isRsa: boolean): number {
  let flags = 0;
  for (const usage of usages) {
    const known = KEY_USAGE_FLAGS[usage];
    if (!known) throw new Error(`unknown key usage "${usage}"`);
    if (known.keys === "any" || known.keys === (isRsa ? "rsa" : "ec")) flags |= known.flag;
  }
  // A profile of, say, keyAgreement alone would leave an RSA certificate no usage at all.
  return flags === 0 ? KeyUsageFlags.digitalSignature : flags;
}

// RFC 5280 §4.2.1.12 key purpose OIDs.
const EXTENDED_KEY_USAGE_OIDS: Readonly<Record<string, string>> = {
  serverAuth: ExtendedKeyUsage.serverAuth,
  clientAuth: ExtendedKeyUsage.clientAuth,
  codeSigning: ExtendedKeyUsage.codeSigning,
  emailProtection: ExtendedKeyUsage.emailProtection,
  timeStamping: ExtendedKeyUsage.timeStamping,
};

/**
 * The subject's commonNames (spec "End Entity Profile", see the file header): the CSR's own, in
 * canonical form and once each, when it has any that fit ub-common-name; else one identifier.
 */
function chooseCommonNames(identifiers: readonly CertificateIdentifier[], csr: ParsedCsr): string[] {
  const fromCsr: string[] = [];
  for (const commonName of csr.commonNames) {
    const match = identifiers.find((identifier) => sameName(identifier, commonName));
    if (!match || fromCsr.includes(match.value)) continue;
    if (Array.from(match.value).length <= MAX_COMMON_NAME_LENGTH) fromCsr.push(match.value);
  }
  if (fromCsr.length > 0) return fromCsr;
  const chosen = chooseCommonName(identifiers);
  return chosen === null ? [] : [chosen];
}

function sameName(identifier: CertificateIdentifier, text: string): boolean {
  try {
    return (
      identifierKey(identifier) === identifierKey(normalizeIdentifier({ type: identifier.type, value: text }))
    );
  } catch {
    return false; // text is not an IP address
  }
}

// RFC 4519 short names to the x509 library's JSON name keys (it takes the same short names).
type NameJson = ConstructorParameters<typeof Name>[0];

/** CN(s), then the CSR's other attributes the end entity profile lets through, in CSR order. */
function subjectAttributesFor(
  commonNames: readonly string[],
  csr: ParsedCsr,
  profile: LeafProfile,
): NameJson {
  const rdns: Record<string, { utf8String?: string; printableString?: string }[]>[] = [];
  for (const value of csr.subjectAttributes) {
    if (!profile.subjectDnAttributes.includes(value.type)) continue;
    // RFC 5280 Appendix A upper bounds (ub-organization-name 64, ub-locality-name 128, country 2).
    const bound = value.type === "C" ? 2 : value.type === "L" || value.type === "ST" ? 128 : 64;
    if (value.value.length === 0 || Array.from(value.value).length > bound) {
      throw new AcmeProblem("badCSR", `CSR subject attribute ${value.type} must be 1 to ${bound} characters`);
    }
    // X.520: countryName is a PrintableString of two letters (ISO 3166).
    if (value.type === "C") {
      if (!/^[A-Za-z]{2}$/.test(value.value)) {
        throw new AcmeProblem(
          "badCSR",
          `CSR subject attribute C "${value.value}" is not a two-letter country code`,
        );
      }
      rdns.push({ C: [{ printableString: value.value.toUpperCase() }] });
    } else {
      rdns.push({ [value.type]: [{ utf8String: value.value }] });
    }
  }
  // Most significant first (C, ST, L, O, OU), then the CN(s), as X.500 names read.
  const order = ["C", "ST", "L", "O", "OU"];
  rdns.sort(
    (a, b) => order.indexOf(Object.keys(a)[0] as string) - order.indexOf(Object.keys(b)[0] as string),
  );
  for (const commonName of commonNames) rdns.push({ CN: [{ utf8String: commonName }] });
  return rdns as NameJson;
}

/** The identifiers in the order the CSR's subjectAltName lists them; names only in the CN last. */
function sanOrder(identifiers: readonly CertificateIdentifier[], csr: ParsedCsr): CertificateIdentifier[] {
  const position = new Map<string, number>();
  csr.dnsNames.forEach((name, index) => {
    if (!position.has(`dns:${name}`)) position.set(`dns:${name}`, index);
  });
  csr.ipAddresses.forEach((address, index) => {
    if (!position.has(`ip:${address}`)) position.set(`ip:${address}`, csr.dnsNames.length + index);
  });
  const rank = (identifier: CertificateIdentifier) =>
    position.get(identifierKey(identifier)) ?? Number.MAX_SAFE_INTEGER;
  return [...identifiers].sort((a, b) => rank(a) - rank(b));
}

function describeSeconds(seconds: number): string {
  return seconds % 86_400 === 0 ? `${seconds / 86_400} days` : `${Math.round(seconds / 3_600)} hours`;
}

/**
 * RFC 5280 §4.2.1.2 method (1): the SHA-1 of the subjectPublicKey BIT STRING's value, read from
 * the canonical SPKI that parseCsr produced.
 */
function subjectKeyIdentifierFor(spki: Uint8Array): Extension {
  const keyBits = new Uint8Array(AsnConvert.parse(spki, SubjectPublicKeyInfo).subjectPublicKey);
  return new SubjectKeyIdentifierExtension(createHash("sha1").update(keyBits).digest("hex"));
}

function iso(date: Date): string {
  return date.toISOString().replace(".000Z", "Z");
}
