// The certificate profiles of Keyward's own hierarchy (a self-signed root and the issuing CA it
// certifies) and the one signing routine every certificate goes through. Pure: no storage, no
// clock except the `now` passed in. Extensions follow RFC 5280 §4.2 and the CA/B Forum Baseline
// Requirements §7.1.2 profiles for root and subordinate CA certificates.

import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectKeyIdentifierExtension,
  type X509Certificate,
  X509CertificateGenerator,
} from "@/lib/crypto/x509";
import { type KeyAlgorithm, keyAlgorithmOf, signingAlgorithmFor } from "./keys";
import { generateSerialNumberHex } from "./serials";

// Validity of the hierarchy, in years (calendar years, so leap days don't drift the dates).
// 20 / 10 years is the usual span for an offline-style root and its issuing CA (ISRG Root X1 and
// its intermediates are of the same order); the issuing CA never outlives the root (below).
export const ROOT_CA_VALIDITY_YEARS = 20;
export const ISSUING_CA_VALIDITY_YEARS = 10;

// notBefore is set this far in the past so that relying parties whose clocks run slightly behind
// accept a certificate issued a moment ago (well inside the 48 hours BR §7.1.2.7 tolerates).
export const CLOCK_SKEW_BACKDATE_MS = 5 * 60 * 1000;

// RFC 5280 Appendix A: ub-common-name and ub-organization-name are both 64 characters.
const MAX_NAME_ATTRIBUTE_LENGTH = 64;

/**
 * What signs under a CA: its certificate (for the issuer name and key identifier) and its private
 * key. Loaded signers hold a non-extractable CryptoKey, so key material cannot be read back out.
 */
export interface CaSigner {
  readonly certificate: X509Certificate;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly privateKey: CryptoKey;
}

/** The part of a certificate the caller decides; issuer, AKI and signature come from the signer. */
export interface CertificateTemplate {
  readonly subject: InstanceType<typeof Name>;
  readonly subjectPublicKey: CryptoKey;
  readonly serialHex?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Every extension except the authority key identifier, which is added here. */
  readonly extensions: readonly Extension[];
}

/** A distinguished name in the two forms we need: DER order for the certificate, text for people. */
export interface DistinguishedName {
  readonly name: InstanceType<typeof Name>;
  /** RFC 4514 string (most specific first), e.g. "CN=Keyward Root CA, O=Keyward". */
  readonly text: string;
}

export interface CreateRootCertificateOptions {
  /** KEYWARD_CA_NAME: the organisation, and the stem of the common name. */
  readonly caName: string;
  readonly keys: CryptoKeyPair;
  readonly now?: Date;
  readonly serialHex?: string;
}

export interface CreateIssuingCertificateOptions {
  readonly caName: string;
  readonly issuingPublicKey: CryptoKey;
  readonly root: CaSigner;
  /** Distinguishes successive issuing CAs ("Issuing CA 1", "Issuing CA 2" after a rollover). */
  readonly generation?: number;
  readonly now?: Date;
  readonly serialHex?: string;
}

export interface CreatedCaCertificate {
  readonly certificate: X509Certificate;
  readonly subject: DistinguishedName;
}

export function rootCaCommonName(caName: string): string {
  return commonNameWithSuffix(caName, " Root CA");
}

export function issuingCaCommonName(caName: string, generation = 1): string {
  return commonNameWithSuffix(caName, ` Issuing CA ${generation}`);
}

/**
 * CN=<common name>, O=<organisation>. Encoded as O then CN (most significant RDN first, X.501
 * order); values are UTF8String, which RFC 5280 §4.1.2.4 requires for new names.
 */
export function buildCaDistinguishedName(commonName: string, organization: string): DistinguishedName {
  const o = { O: [{ utf8String: truncateToCharacters(organization, MAX_NAME_ATTRIBUTE_LENGTH) }] };
  const cn = { CN: [{ utf8String: truncateToCharacters(commonName, MAX_NAME_ATTRIBUTE_LENGTH) }] };
  return { name: new Name([o, cn]), text: new Name([cn, o]).toString() };
}

/** The self-signed root (BR §7.1.2.1). */
export async function createRootCertificate(
  options: CreateRootCertificateOptions,
): Promise<CreatedCaCertificate> {
  const now = options.now ?? new Date();
  const subject = buildCaDistinguishedName(rootCaCommonName(options.caName), options.caName);
  const keyIdentifier = await SubjectKeyIdentifierExtension.create(options.keys.publicKey);
  const certificate = await X509CertificateGenerator.create({
    serialNumber: options.serialHex ?? generateSerialNumberHex(),
    subject: subject.name,
    issuer: subject.name,
    notBefore: backdated(now),
    notAfter: addYears(now, ROOT_CA_VALIDITY_YEARS),
    publicKey: options.keys.publicKey,
    signingKey: options.keys.privateKey,
    signingAlgorithm: signingAlgorithmFor(keyAlgorithmOf(options.keys.privateKey)),
    extensions: [
      // RFC 5280 §4.2.1.9: critical in CA certificates. BR §7.1.2.1.4: no pathLenConstraint on a
      // root (NOT RECOMMENDED), so the root may later certify further intermediates.
      new BasicConstraintsExtension(true, undefined, true),
      // RFC 5280 §4.2.1.3, BR §7.1.2.10.7: keyCertSign and cRLSign, critical.
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits.
      keyIdentifier,
      // BR §7.1.2.1.3: optional on a root; when present it equals the SKI. Present so path builders
      // that match AKI to SKI treat the root like any other CA.
      new AuthorityKeyIdentifierExtension(keyIdentifier.keyId),
    ],
  });
  return { certificate, subject };
}

/** The issuing (subordinate) CA certified by the root (BR §7.1.2.6 TLS Subordinate CA profile). */
export async function createIssuingCertificate(
  options: CreateIssuingCertificateOptions,
): Promise<CreatedCaCertificate> {
  const now = options.now ?? new Date();
  const subject = buildCaDistinguishedName(
    issuingCaCommonName(options.caName, options.generation),
    options.caName,
  );
  // RFC 5280 §6.1.3 checks validity per certificate, but an intermediate outliving its root is
  // useless after the root expires and confuses operators; clamp to the root's notAfter.
  const notAfter = earliest(addYears(now, ISSUING_CA_VALIDITY_YEARS), options.root.certificate.notAfter);
  const certificate = await signCertificate(options.root, {
    subject: subject.name,
    subjectPublicKey: options.issuingPublicKey,
    serialHex: options.serialHex,
    notBefore: backdated(now),
    notAfter,
    extensions: [
      // RFC 5280 §4.2.1.9, BR §7.1.2.10.4: critical; pathLenConstraint 0, it certifies end entities only.
      new BasicConstraintsExtension(true, 0, true),
      // BR §7.1.2.10.7: keyCertSign + cRLSign required; digitalSignature for signing OCSP
      // responses directly.
      new KeyUsagesExtension(
        KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
        true,
      ),
      // BR §7.1.2.10.6: a TLS subordinate CA carries an EKU with serverAuth (MUST) and may add
      // clientAuth, which ACME-issued certificates may also carry; not critical.
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth], false),
      await SubjectKeyIdentifierExtension.create(options.issuingPublicKey),
    ],
  });
  return { certificate, subject };
}

/** What a CA certificate certifies: a subject, its key and a validity (CA management, renewal). */
export interface CaCertificateSpec {
  readonly subject: InstanceType<typeof Name>;
  readonly publicKey: CryptoKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serialHex?: string;
}

/**
 * A self-signed root for any subject, with the profile of createRootCertificate (BR §7.1.2.1):
 * a root an operator creates, or a root renewed with its own or a new key.
 */
export async function selfSignCaCertificate(
  spec: CaCertificateSpec,
  privateKey: CryptoKey,
): Promise<X509Certificate> {
  const keyIdentifier = await SubjectKeyIdentifierExtension.create(spec.publicKey);
  return X509CertificateGenerator.create({
    serialNumber: spec.serialHex ?? generateSerialNumberHex(),
    subject: spec.subject,
    issuer: spec.subject,
    notBefore: wholeSeconds(spec.notBefore),
    notAfter: wholeSeconds(spec.notAfter),
    publicKey: spec.publicKey,
    signingKey: privateKey,
    signingAlgorithm: signingAlgorithmFor(keyAlgorithmOf(privateKey)),
    extensions: [
      // As createRootCertificate: critical CA basicConstraints without pathLen, keyCertSign and
      // cRLSign, SKI, and an AKI equal to the SKI.
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      keyIdentifier,
      new AuthorityKeyIdentifierExtension(keyIdentifier.keyId),
    ],
  });
}

/**
 * A subordinate CA certificate under `issuer` with the profile of createIssuingCertificate
 * (BR §7.1.2.10): a sub-CA an operator creates, its renewal, and cross-certificates (the same
 * subject and key certified by another root, RFC 5280 §3.2 "cross-certificate"). The validity is
 * clamped to the issuer's, as for the first issuing CA.
 */
export async function signSubordinateCaCertificate(
  issuer: CaSigner,
  spec: CaCertificateSpec,
): Promise<X509Certificate> {
  return signCertificate(issuer, {
    subject: spec.subject,
    subjectPublicKey: spec.publicKey,
    serialHex: spec.serialHex,
    notBefore: spec.notBefore,
    notAfter: earliest(wholeSeconds(spec.notAfter), issuer.certificate.notAfter),
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(
        KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
        true,
      ),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth], false),
      await SubjectKeyIdentifierExtension.create(spec.publicKey),
    ],
  });
}

/**
 * Signs a certificate under `signer`: the issuer name is copied byte for byte from the signer's
 * subject (RFC 5280 §4.1.2.4, path validation compares names) and the authority key identifier
 * is the signer's subject key identifier (RFC 5280 §4.2.1.1, BR §7.1.2.11.1).
 */
export async function signCertificate(
  signer: CaSigner,
  template: CertificateTemplate,
): Promise<X509Certificate> {
  return X509CertificateGenerator.create({
    serialNumber: template.serialHex ?? generateSerialNumberHex(),
    subject: template.subject,
    issuer: signer.certificate.subjectName,
    notBefore: wholeSeconds(template.notBefore),
    notAfter: wholeSeconds(template.notAfter),
    publicKey: template.subjectPublicKey,
    signingKey: signer.privateKey,
    signingAlgorithm: signingAlgorithmFor(signer.keyAlgorithm),
    extensions: [...template.extensions, await authorityKeyIdentifierFor(signer.certificate)],
  });
}

// Parsing the issuer's SKI costs ~5% of a leaf signature; the extension is immutable, so it is
// built once per issuer certificate object.
const authorityKeyIdentifiers = new WeakMap<X509Certificate, Promise<Extension>>();

/** The AKI for certificates issued by `issuer`: its SKI, or the RFC 5280 §4.2.1.2 (1) hash if absent. */
export function authorityKeyIdentifierFor(issuer: X509Certificate): Promise<Extension> {
  let extension = authorityKeyIdentifiers.get(issuer);
  if (!extension) {
    const issuerKeyIdentifier = issuer.getExtension(SubjectKeyIdentifierExtension);
    extension = issuerKeyIdentifier
      ? Promise.resolve(new AuthorityKeyIdentifierExtension(issuerKeyIdentifier.keyId))
      : AuthorityKeyIdentifierExtension.create(issuer.publicKey);
    authorityKeyIdentifiers.set(issuer, extension);
  }
  return extension;
}

/**
 * PEM text (RFC 7468 §5) ending in a newline, so that PEMs concatenate into a valid chain
 * (x509's own toString("pem") stops right after the END line).
 */
export function encodeCertificatePem(certificate: X509Certificate): string {
  const pem = certificate.toString("pem");
  return pem.endsWith("\n") ? pem : `${pem}\n`;
}

/** notBefore for a certificate issued at `now`: a few minutes early, whole seconds. */
export function backdated(now: Date): Date {
  return wholeSeconds(new Date(now.getTime() - CLOCK_SKEW_BACKDATE_MS));
}

// X.509 times carry whole seconds (RFC 5280 §4.1.2.5.1/§4.1.2.5.2); drop milliseconds so the
// dates we store equal the dates in the certificate.
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function addYears(date: Date, years: number): Date {
  const result = wholeSeconds(date);
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}

function earliest(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

// A long KEYWARD_CA_NAME (up to 64 characters) plus " Issuing CA 1" would break the 64-character
// bound; shorten the configured name rather than the role suffix, which tells the CAs apart.
function commonNameWithSuffix(caName: string, suffix: string): string {
  const room = MAX_NAME_ATTRIBUTE_LENGTH - suffix.length;
  return `${truncateToCharacters(caName, room).trimEnd()}${suffix}`;
}

// By code points, so a surrogate pair is never split.
function truncateToCharacters(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : characters.slice(0, max).join("");
}
