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
// - subject: CN = the first DNS identifier of at most 64 characters (RFC 5280 ub-common-name),
//   else the first IP address; with no such name the subject is empty and the SAN critical
//   (RFC 5280 §4.2.1.6) ◆. No other subject attributes: nothing in a CSR's subject is validated.
// - subjectAltName: every identifier, dNSName or iPAddress
// - basicConstraints cA=FALSE, critical; keyUsage digitalSignature (+ keyEncipherment for RSA
//   keys, BR §7.1.2.7.11), critical; extKeyUsage serverAuth only ◆ (Let's Encrypt dropped
//   clientAuth in 2025–2026 as the Chrome Root Program moves to serverAuth-only hierarchies)
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
  /** The profile's validity, 1 to MAX_LEAF_VALIDITY_DAYS. */
  readonly validityDays?: number;
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
  const longestNotAfter = new Date(notBefore.getTime() + validityDays * DAY_MS - SECOND_MS);
  let notAfter: Date;
  if (options.notAfter) {
    notAfter = wholeSeconds(options.notAfter);
    if (notAfter <= now) throw AcmeProblem.malformed("notAfter must lie in the future");
    if (notAfter <= notBefore) throw AcmeProblem.malformed("notAfter must be later than notBefore");
    if (notAfter > longestNotAfter) {
      throw AcmeProblem.malformed(
        `notAfter must be at most ${validityDays} days after notBefore (latest ${iso(longestNotAfter)})`,
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
  readonly commonName: string | null;
  readonly subject: InstanceType<typeof Name>;
  readonly subjectPublicKey: CryptoKey;
  readonly extensions: readonly Extension[];
  readonly spkiSha256: string;
  readonly keyAlgorithm: string;
  consumed: boolean;
}

async function prepareLeafCertificate(options: IssueLeafCertificateOptions): Promise<LeafCertificateDraft> {
  const { ca, csr } = options;
  // Before anything touches the key: only keys the policy accepts are imported.
  assertCsrKeyAllowed(csr);
  const identifiers = normalizeIdentifiers(options.identifiers);
  const certificate = ca.signer.certificate;
  const validity = resolveLeafValidity({
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    validityDays: options.validityDays,
    now: options.now,
    issuerNotBefore: certificate.notBefore,
    issuerNotAfter: certificate.notAfter,
  });

  const commonName = chooseCommonName(identifiers);
  const subject = new Name(commonName === null ? [] : [{ CN: [{ utf8String: commonName }] }]);
  const subjectPublicKey = await importCsrPublicKey(csr);
  const extensions: Extension[] = [
    ...profileExtensionsFor(ca.id, options.publicUrl ?? env().publicUrl, csr.keyAlgorithm.startsWith("RSA-")),
    subjectKeyIdentifierFor(csr.publicKey),
    // RFC 5280 §4.2.1.6: with an empty subject the SAN carries the identity and MUST be critical.
    new SubjectAlternativeNameExtension(
      identifiers.map((identifier) => ({ type: identifier.type, value: identifier.value })),
      commonName === null,
    ),
  ];

  return {
    ca,
    identifiers,
    serialHex: generateSerialNumberHex(),
    validity,
    commonName,
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
  if (draft.commonName !== null && Array.from(draft.commonName).length > MAX_COMMON_NAME_LENGTH) {
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
    subjectDn: draft.commonName === null ? "" : draft.subject.toString(),
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

function profileExtensionsFor(caId: string, publicUrl: string, isRsa: boolean): readonly Extension[] {
  const base = publicUrl.replace(/\/+$/, "");
  const cacheKey = `${caId} ${base} ${isRsa}`;
  let extensions = profileExtensionCache.get(cacheKey);
  if (!extensions) {
    const caPath = encodeURIComponent(caId);
    extensions = [
      new KeyUsagesExtension(
        isRsa
          ? KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment
          : KeyUsageFlags.digitalSignature,
        true,
      ),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth], false),
      new BasicConstraintsExtension(false, undefined, true),
      new AuthorityInfoAccessExtension({ caIssuers: `${base}/ca/cert/${caPath}` }, false),
      new CRLDistributionPointsExtension([`${base}/ca/crl/${caPath}`], false),
    ];
    profileExtensionCache.set(cacheKey, extensions);
  }
  return extensions;
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
