// Certificate signing requests sent to finalize (RFC 8555 §7.4): parsed once into plain facts, then
// checked against the order. Every refusal is a badCSR problem whose detail names what is wrong,
// so a client author can fix the request without reading our code. Pure: no storage, no clock.
//
// The public key is kept in a canonical SPKI form (uncompressed EC point, RSA with NULL
// parameters), the same bytes a JWK of that key converts to. So the SPKI hash recorded for a
// certificate matches the hash of the key a revocation request (RFC 8555 §7.6) or an account
// presents, whatever encoding the CSR's author chose.
//
// Only the key, the signature and the names matter. Other subject attributes (O, OU, C…) and
// other requested extensions (key usage, must-staple…) are ignored, as Boulder and Pebble ignore
// them: the certificate profile (lib/ca/issuance.ts) decides everything else.
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { type GeneralName, SubjectAlternativeName } from "@peculiar/asn1-x509";
import { ALLOWED_KEYS_TEXT, publicKeyRefusal } from "@/lib/crypto/key-policy";
import { type Extension, Pkcs10CertificateRequest } from "@/lib/crypto/x509";
import { canonicalIpAddress } from "@/lib/names";
import { AcmeProblem } from "@/lib/problem";

/** An order identifier as the certificate carries it (RFC 8555 §9.7.7 types "dns"; RFC 8738 "ip"). */
export interface CertificateIdentifier {
  readonly type: "dns" | "ip";
  readonly value: string;
}

/** One subject attribute of a CSR, by its RFC 4519 short name. */
export interface SubjectAttribute {
  readonly type: string;
  readonly value: string;
}

// The subject attributes besides CN that an end entity profile can let through (RFC 4519 names,
// as lib/ra/profile-fields.ts SUBJECT_DN_ATTRIBUTES lists them).
const COPYABLE_SUBJECT_ATTRIBUTES = ["O", "OU", "L", "ST", "C"] as const;

/** A CSR that parsed; nothing about it is accepted until verifyCsr has run. */
export interface ParsedCsr {
  /** The CSR exactly as received. */
  readonly der: Uint8Array<ArrayBuffer>;
  /** Canonical SubjectPublicKeyInfo DER of the requested key (see the file header). */
  readonly publicKey: Uint8Array<ArrayBuffer>;
  /** base64url SHA-256 of `publicKey`. */
  readonly spkiSha256: string;
  /** "ECDSA-P256", "ECDSA-P384", "RSA-<bits>"; for keys we refuse, a name for the detail ("Ed25519"). */
  readonly keyAlgorithm: string;
  /** Subject commonName values as written in the CSR. */
  readonly commonNames: readonly string[];
  /**
   * The subject's other attributes an end entity profile may copy (O, OU, L, ST, C), in CSR
   * order; the rest of the subject is not read.
   */
  readonly subjectAttributes: readonly SubjectAttribute[];
  /** subjectAltName dNSName values, lowercased, in CSR order. */
  readonly dnsNames: readonly string[];
  /** subjectAltName iPAddress values in canonical text (RFC 5952 for IPv6), in CSR order. */
  readonly ipAddresses: readonly string[];
}

export interface VerifyCsrOptions {
  /** The order's identifiers: the certificate's names, exactly. */
  readonly identifiers: readonly CertificateIdentifier[];
  /** spkiSha256Of(account key); when given, a CSR for the account's own key is refused. */
  readonly accountSpkiSha256?: string;
}

// A CSR naming a few hundred identifiers with an 8192-bit key stays well under this; the bound
// keeps a hostile payload from reaching the ASN.1 parser (STYLE: bound every input).
export const MAX_CSR_BYTES = 64 * 1024;

// CA/B BR §6.1.5: ECDSA on P-256 or P-384 (P-521 is not allowed for subscriber keys); the key
// rules themselves are lib/crypto/key-policy.ts, shared with account keys.
const ALLOWED_EC_CURVES: Readonly<Record<string, string>> = {
  prime256v1: "ECDSA-P256",
  secp384r1: "ECDSA-P384",
};

// CA/B BR §7.1.3.2: PKCS#1 v1.5 or ECDSA with SHA-256/384/512; SHA-1 and MD5 are refused
// (a SHA-1 CSR signature proves possession no better than a collision allows). RSA-PSS is not
// taken: no ACME client produces it and the certificate profile would not follow the CSR anyway.
const ALLOWED_SIGNATURE_HASHES = new Set(["SHA-256", "SHA-384", "SHA-512"]);
const ALLOWED_SIGNATURE_SCHEMES = new Set(["RSASSA-PKCS1-v1_5", "ECDSA"]);

const SUBJECT_ALT_NAME_OID = "2.5.29.17";

// Details list at most this many names, so a CSR with thousands of SANs gets a readable problem.
const MAX_NAMES_IN_DETAIL = 10;

// RFC 4648 §5 alphabet. Padding is not part of ACME's base64url (RFC 8555 §6.1) but some
// encoders add it; like Boulder's JSONBuffer we accept and ignore it.
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Decodes and parses the `csr` member of a finalize payload (RFC 8555 §7.4): base64url of the DER
 * of a PKCS#10 CertificationRequest (RFC 2986). Throws badCSR when it is not one. Parsing accepts
 * any key and signature; verifyCsr decides whether they are acceptable.
 */
export function parseCsr(b64url: string): ParsedCsr {
  const der = decodeBase64url(b64url);
  if (!isSingleDerSequence(der))
    throw badCsr("CSR is not valid base64url DER: the bytes are not one DER SEQUENCE");

  let request: InstanceType<typeof Pkcs10CertificateRequest>;
  let extensions: readonly Extension[];
  let commonNames: string[];
  let subjectAttributes: SubjectAttribute[];
  let spki: Uint8Array<ArrayBuffer>;
  try {
    request = new Pkcs10CertificateRequest(der);
    commonNames = request.subjectName.getField("CN");
    subjectAttributes = COPYABLE_SUBJECT_ATTRIBUTES.flatMap((type) =>
      request.subjectName.getField(type).map((value) => ({ type, value })),
    );
    spki = new Uint8Array(request.publicKey.rawData);
    extensions = request.getExtensions(SUBJECT_ALT_NAME_OID);
  } catch (error) {
    throw badCsr("CSR is not a PKCS#10 certification request (RFC 2986)", error);
  }

  const names = readSubjectAltNames(extensions);
  const key = describePublicKey(spki);
  const csr: ParsedCsr = Object.freeze({
    der,
    publicKey: key.spki,
    spkiSha256: spkiSha256Of(key.spki),
    keyAlgorithm: key.keyAlgorithm,
    commonNames: Object.freeze(commonNames),
    subjectAttributes: Object.freeze(subjectAttributes),
    dnsNames: Object.freeze(names.dnsNames),
    ipAddresses: Object.freeze(names.ipAddresses),
  });
  parsedFacts.set(csr, { request, keyRefusal: key.refusal, jwk: key.jwk });
  return csr;
}

// What parseCsr learnt that ParsedCsr does not show, so that verifyCsr and issuance's last check
// need not decode the request and the key again (OpenSSL's SPKI decoder alone costs ~0.2 ms).
// A ParsedCsr built any other way is simply examined afresh.
const parsedFacts = new WeakMap<
  ParsedCsr,
  {
    readonly request: InstanceType<typeof Pkcs10CertificateRequest>;
    readonly keyRefusal: string | null;
    readonly jwk: JsonWebKey | undefined;
  }
>();

/**
 * RFC 8555 §7.4 finalize: the CSR is acceptable for this order, or a badCSR problem says why.
 * The steps follow Boulder's csr.VerifyCSR and RA.FinalizeOrder.
 */
export async function verifyCsr(csr: ParsedCsr, options: VerifyCsrOptions): Promise<void> {
  // 1. The key is one we certify (BR §6.1.5, §6.1.6).
  assertCsrKeyAllowed(csr);

  // 2. The CSR is signed with an allowed algorithm, and 3. the signature verifies: the client
  //    holds the private key it asks us to certify (RFC 2986 §3).
  await assertValidSignature(csr);

  // 4. RFC 8555 §11.1: the account key must not also be the certified key; a leaked TLS key
  //    would otherwise control the account, and the reverse.
  if (options.accountSpkiSha256 !== undefined && csr.spkiSha256 === options.accountSpkiSha256) {
    throw badCsr("CSR public key must not be the account key");
  }

  // 5. and 6. The names: the CSR asks for exactly the order's identifiers (§7.4: "the CSR MUST
  //    indicate the exact same set of requested identifiers as the initial newOrder request").
  assertCsrMatchesIdentifiers(csr, options.identifiers);
}

/**
 * The CSR's names (subject commonNames plus subjectAltName dNSNames and iPAddresses) are
 * exactly `identifiers`, compared case-insensitively for DNS names and in canonical form for IP
 * addresses, and every commonName is one of them. Issuance runs it again as a last check.
 */
export function assertCsrMatchesIdentifiers(
  csr: Pick<ParsedCsr, "commonNames" | "dnsNames" | "ipAddresses">,
  identifiers: readonly CertificateIdentifier[],
): void {
  const wanted = new Set(identifiers.map((identifier) => identifierKey(normalizeIdentifier(identifier))));

  // BR §7.1.4.3: a commonName, if present, is one of the certificate's names. Checked first so
  // the detail names the commonName rather than listing it as a stray name.
  for (const commonName of csr.commonNames) {
    if (!wanted.has(identifierKey(identifierFromText(commonName)))) {
      throw badCsr(`CSR common name "${commonName}" is not one of the order's identifiers`);
    }
  }

  const requested = new Set<string>();
  for (const commonName of csr.commonNames) requested.add(identifierKey(identifierFromText(commonName)));
  for (const name of csr.dnsNames) requested.add(identifierKey({ type: "dns", value: name.toLowerCase() }));
  for (const address of csr.ipAddresses) {
    requested.add(identifierKey({ type: "ip", value: canonicalIpAddress(address) ?? address }));
  }

  const extra = [...requested].filter((key) => !wanted.has(key));
  const missing = [...wanted].filter((key) => !requested.has(key));
  if (extra.length === 0 && missing.length === 0) return;
  const parts: string[] = [];
  if (extra.length > 0) parts.push(`not in the order: ${listForDetail(extra)}`);
  if (missing.length > 0) parts.push(`missing from the CSR: ${listForDetail(missing)}`);
  throw badCsr(`CSR names do not match the order's identifiers (${parts.join("; ")})`);
}

/** base64url SHA-256 of SubjectPublicKeyInfo DER (the form ParsedCsr.spkiSha256 uses). */
export function spkiSha256Of(spki: Uint8Array): string {
  return createHash("sha256").update(spki).digest("base64url");
}

/**
 * spkiSha256Of the canonical SPKI of a public JWK, e.g. an account key, to pass to verifyCsr as
 * `accountSpkiSha256` or to match certificates by key for revocation (RFC 8555 §7.6).
 */
export function spkiSha256OfJwk(jwk: JsonWebKey): string {
  return spkiSha256Of(exportSpki(createPublicKey({ key: jwk, format: "jwk" })));
}

/** An identifier in the form names are compared and written in: lowercase DNS, canonical IP. */
export function normalizeIdentifier(identifier: CertificateIdentifier): CertificateIdentifier {
  if (identifier.type === "dns") return { type: "dns", value: identifier.value.toLowerCase() };
  const value = canonicalIpAddress(identifier.value);
  if (value === null) throw new Error(`identifier "${identifier.value}" is not an IP address`);
  return { type: "ip", value };
}

/** "dns:example.com" / "ip:2001:db8::1", the form Certificate.names stores. */
export function identifierKey(identifier: CertificateIdentifier): string {
  return `${identifier.type}:${identifier.value}`;
}

// --- parsing ------------------------------------------------------------------------------------

function decodeBase64url(text: string): Uint8Array<ArrayBuffer> {
  const unpadded = typeof text === "string" ? text.replace(/=+$/, "") : "";
  // A length of 4n+1 characters cannot encode whole bytes.
  if (!BASE64URL_PATTERN.test(text) || unpadded.length % 4 === 1) {
    throw badCsr("CSR is not valid base64url DER: the text is not base64url (RFC 8555 §7.4)");
  }
  // Three characters per two bytes at most, so the size check can come before decoding.
  if ((unpadded.length * 3) / 4 > MAX_CSR_BYTES) {
    throw badCsr(`CSR is larger than ${MAX_CSR_BYTES} bytes`);
  }
  return new Uint8Array(Buffer.from(unpadded, "base64url"));
}

/**
 * The bytes are one DER SEQUENCE (X.690 §8.9) with a definite length (§10.1) spanning the whole
 * input. The ASN.1 parser below would also take BER and ignore trailing bytes; this keeps
 * "not DER" apart from "DER, but not a CSR" in the problem detail.
 */
function isSingleDerSequence(der: Uint8Array): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1] ?? 0;
  if (first < 0x80) return 2 + first === der.length;
  const lengthOctets = first & 0x7f;
  // 0x80 is the indefinite form, which DER forbids; 4 length octets already exceed MAX_CSR_BYTES.
  if (lengthOctets === 0 || lengthOctets > 3 || der.length < 2 + lengthOctets) return false;
  let length = 0;
  for (let i = 0; i < lengthOctets; i++) length = length * 256 + (der[2 + i] ?? 0);
  // X.690 §10.1: the shortest form; a long form for a length under 128 or with a leading zero is BER.
  if (length < 0x80 || der[2] === 0) return false;
  return 2 + lengthOctets + length === der.length;
}

interface SubjectAltNames {
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
}

function readSubjectAltNames(extensions: readonly Extension[]): SubjectAltNames {
  const names: SubjectAltNames = { dnsNames: [], ipAddresses: [] };
  // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular
  // extension"; a request carrying two would leave it to us to pick one.
  if (extensions.length > 1) throw badCsr("CSR requests the subjectAltName extension more than once");
  const extension = extensions[0];
  if (!extension) return names;
  // Read at the ASN.1 level: the x509 library's name list silently drops an otherName whose type
  // it does not know, and such a name must be refused, not ignored.
  let generalNames: SubjectAlternativeName;
  try {
    generalNames = AsnConvert.parse(extension.value, SubjectAlternativeName);
  } catch (error) {
    throw badCsr("CSR subjectAltName extension is malformed", error);
  }
  // RFC 5280 §4.2.1.6: GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName.
  if (generalNames.length === 0) throw badCsr("CSR subjectAltName extension is empty (RFC 5280 §4.2.1.6)");
  for (const name of generalNames) {
    if (name.dNSName !== undefined) {
      names.dnsNames.push(name.dNSName.toLowerCase());
    } else if (name.iPAddress !== undefined) {
      // A 4- or 16-octet iPAddress (RFC 5280 §4.2.1.6); anything else (an address with a mask
      // belongs in name constraints, not a SAN) comes back from the parser as non-address text.
      const address = canonicalIpAddress(name.iPAddress);
      if (address === null)
        throw badCsr(`CSR subjectAltName iPAddress "${name.iPAddress}" is not an IP address`);
      names.ipAddresses.push(address);
    } else {
      // RFC 8555 §7.4 certifies identifiers only; an email, URI or otherName SAN cannot be one.
      throw badCsr(
        `CSR subjectAltName contains a name of type ${generalNameType(name)}; only dNSName and iPAddress names are certified`,
      );
    }
  }
  return names;
}

// The GeneralName choices (RFC 5280 §4.2.1.6) other than dNSName and iPAddress, as details name them.
const OTHER_NAME_TYPES: readonly [keyof GeneralName, string][] = [
  ["rfc822Name", "email (rfc822Name)"],
  ["uniformResourceIdentifier", "url (uniformResourceIdentifier)"],
  ["otherName", "otherName"],
  ["directoryName", "directoryName"],
  ["registeredID", "registeredID"],
  ["x400Address", "x400Address"],
  ["ediPartyName", "ediPartyName"],
];

function generalNameType(name: GeneralName): string {
  return OTHER_NAME_TYPES.find(([field]) => name[field] !== undefined)?.[1] ?? "unknown";
}

function identifierFromText(text: string): CertificateIdentifier {
  const address = canonicalIpAddress(text);
  return address === null ? { type: "dns", value: text.toLowerCase() } : { type: "ip", value: address };
}

function listForDetail(keys: readonly string[]): string {
  const shown = keys.slice(0, MAX_NAMES_IN_DETAIL).join(", ");
  return keys.length > MAX_NAMES_IN_DETAIL ? `${shown} and ${keys.length - MAX_NAMES_IN_DETAIL} more` : shown;
}

// --- keys ---------------------------------------------------------------------------------------

interface PublicKeyFacts {
  /** Canonical SPKI when the key could be read; the bytes as received otherwise. */
  readonly spki: Uint8Array<ArrayBuffer>;
  readonly keyAlgorithm: string;
  /** The key as a JWK, for RSA and EC keys. */
  readonly jwk?: JsonWebKey;
  /** Why the key is refused, or null when it is one we certify. */
  readonly refusal: string | null;
}

function describePublicKey(spki: Uint8Array<ArrayBuffer>): PublicKeyFacts {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  } catch {
    return {
      spki,
      keyAlgorithm: "unknown",
      refusal: `CSR public key is of an unknown type or not a valid key; use ${ALLOWED_KEYS_TEXT.certificate}`,
    };
  }
  const details = key.asymmetricKeyDetails ?? {};
  const type = key.asymmetricKeyType ?? "unknown";
  const curve = details.namedCurve ?? "unknown";
  const keyAlgorithm =
    type === "rsa"
      ? `RSA-${details.modulusLength ?? 0}`
      : type === "ec"
        ? (ALLOWED_EC_CURVES[curve] ?? `ECDSA-${EC_CURVE_NAMES[curve] ?? curve}`)
        : (KEY_TYPE_NAMES[type] ?? type);
  const policyRefusal = publicKeyRefusal(key, "certificate");
  const refusal = policyRefusal && `CSR public key ${keyAlgorithm} is not allowed: ${policyRefusal}`;
  return type === "rsa" || type === "ec"
    ? { ...canonicalForm(key, spki), keyAlgorithm, refusal }
    : { spki, keyAlgorithm, refusal };
}

// Names people know the refused keys by, for the problem detail.
const EC_CURVE_NAMES: Readonly<Record<string, string>> = { secp521r1: "P521", secp256k1: "secp256k1" };
const KEY_TYPE_NAMES: Readonly<Record<string, string>> = {
  "rsa-pss": "RSA-PSS",
  dsa: "DSA",
  ed25519: "Ed25519",
  ed448: "Ed448",
  x25519: "X25519",
  x448: "X448",
  dh: "DH",
};

/** The CSR's key is one we certify (CA/B BR §6.1.5, §6.1.6), else badCSR naming the key. */
export function assertCsrKeyAllowed(csr: ParsedCsr): void {
  const known = parsedFacts.get(csr);
  const refusal = known ? known.keyRefusal : describePublicKey(csr.publicKey).refusal;
  if (refusal !== null) throw badCsr(refusal);
}

/**
 * The CSR's key as a WebCrypto public key, for the certificate builder. Only for keys that
 * assertCsrKeyAllowed accepts. The import parameters only label the key: the certificate carries
 * the canonical SPKI either way. Imported from the JWK parseCsr kept when there is one, which
 * WebCrypto reads in half the time of SPKI DER.
 */
export function importCsrPublicKey(csr: ParsedCsr): Promise<CryptoKey> {
  assertCsrKeyAllowed(csr);
  const algorithm: EcKeyImportParams | RsaHashedImportParams =
    csr.keyAlgorithm === "ECDSA-P256"
      ? { name: "ECDSA", namedCurve: "P-256" }
      : csr.keyAlgorithm === "ECDSA-P384"
        ? { name: "ECDSA", namedCurve: "P-384" }
        : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const jwk = parsedFacts.get(csr)?.jwk;
  return jwk
    ? crypto.subtle.importKey("jwk", jwk, algorithm, true, ["verify"])
    : crypto.subtle.importKey("spki", new Uint8Array(csr.publicKey), algorithm, true, ["verify"]);
}

// Through JWK and back: OpenSSL keeps a compressed EC point (or absent RSA NULL parameters) as it
// was read, whereas a key built from a JWK always exports in the one canonical form.
function canonicalForm(
  key: KeyObject,
  received: Uint8Array<ArrayBuffer>,
): Pick<PublicKeyFacts, "spki" | "jwk"> {
  try {
    const jwk = key.export({ format: "jwk" });
    return { spki: new Uint8Array(exportSpki(createPublicKey({ key: jwk, format: "jwk" }))), jwk };
  } catch {
    return { spki: received };
  }
}

function exportSpki(key: KeyObject): Buffer {
  return key.export({ type: "spki", format: "der" });
}

async function assertValidSignature(csr: ParsedCsr): Promise<void> {
  let request: InstanceType<typeof Pkcs10CertificateRequest>;
  let scheme: string;
  let hash: string;
  try {
    request = parsedFacts.get(csr)?.request ?? new Pkcs10CertificateRequest(csr.der);
    const algorithm = request.signatureAlgorithm as { name?: string; hash?: { name?: string } | string };
    scheme = algorithm.name ?? "unknown";
    hash = (typeof algorithm.hash === "string" ? algorithm.hash : algorithm.hash?.name) ?? "none";
  } catch (error) {
    throw badCsr("CSR signature algorithm is not recognised", error);
  }
  if (!ALLOWED_SIGNATURE_SCHEMES.has(scheme) || !ALLOWED_SIGNATURE_HASHES.has(hash)) {
    const name = hash === "none" ? scheme : `${scheme} with ${hash}`;
    throw badCsr(
      `CSR signature algorithm ${name} is not allowed; sign with RSASSA-PKCS1-v1_5 or ECDSA and SHA-256, SHA-384 or SHA-512`,
    );
  }
  let valid: boolean;
  try {
    valid = await request.verify();
  } catch (error) {
    // A signature that is not even well-formed (truncated, not a DER ECDSA-Sig-Value, or an
    // algorithm that does not fit the key) is as invalid as one that fails the check.
    throw badCsr("CSR signature is invalid", error);
  }
  if (!valid) throw badCsr("CSR signature is invalid");
}

function badCsr(detail: string, cause?: unknown): AcmeProblem {
  return new AcmeProblem("badCSR", detail, cause === undefined ? {} : { cause });
}
