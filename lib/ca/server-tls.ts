// The certificate Keyward's own HTTPS listener presents. Operators may bring their own
// (KEYWARD_TLS_CERT_FILE / KEYWARD_TLS_KEY_FILE); otherwise the issuing CA issues one for the
// configured host names and it is kept under <dataDir>/tls, reused across restarts and replaced
// when it nears expiry, when the host names change or when the CA it chains to is no longer ours.
import { createPrivateKey, createPublicKey, X509Certificate as NodeX509Certificate } from "node:crypto";
import fs from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import { recordAudit } from "@/lib/audit/record";
import type { SecretBox } from "@/lib/crypto/secret-box";
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type JsonGeneralName,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  PemConverter,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from "@/lib/crypto/x509";
import type { Db } from "@/lib/db/client";
import { canonicalIpAddress, isHostName, normalizeDnsName } from "@/lib/names";
import { getPublicCaCertificates, loadIssuingCa } from "./authorities";
import { backdated, type CaSigner, encodeCertificatePem, signCertificate } from "./ca-certificates";
import { ensureTrailingNewline, writeFileAtomically } from "./files";
import { encodePkcs8Pem, exportPrivateKeyPkcs8, generateKeyPair, type KeyAlgorithm } from "./keys";
import { generateSerialNumberHex } from "./serials";

// 90 days: the lifetime ACME CAs settled on (Let's Encrypt), short enough that a forgotten key
// ages out, long enough that a server restarted monthly never serves an expired certificate.
export const SERVER_TLS_CERTIFICATE_LIFETIME_MS = 90 * 24 * 60 * 60 * 1000;
// Renew at start when less than a third of the lifetime remains (the ACME client convention).
export const SERVER_TLS_RENEWAL_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
// P-256: every TLS client supports it and it is the cheapest handshake signature.
export const SERVER_TLS_KEY_ALGORITHM: KeyAlgorithm = "ECDSA-P256";

// RFC 5280 Appendix A ub-common-name.
const MAX_COMMON_NAME_LENGTH = 64;

export interface EnsureServerTlsCertificateOptions {
  readonly db: Db;
  readonly dataDir: string;
  /** KEYWARD_HOSTNAMES: DNS names and IP literals the listener answers to. */
  readonly hostnames: readonly string[];
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly box?: SecretBox;
  readonly now?: Date;
}

/** Ready for https.createServer({ cert, key, ca }). */
export interface ServerTlsCredentials {
  /** Leaf then issuing CA, PEM. */
  readonly cert: string;
  /** PKCS#8 PEM. */
  readonly key: string;
  /** Keyward's root CA, PEM: the trust anchor for client certificates. */
  readonly caPem: string;
  /** Where the pair came from, for the start-up log line. */
  readonly source: "operator-files" | "reused" | "issued";
}

export type ServerTlsReissueReason =
  | "missing"
  | "unreadable"
  | "expiring"
  | "hostnames-changed"
  | "issuer-changed"
  | "key-mismatch";

/** A host name as it appears in a subjectAltName (RFC 5280 §4.2.1.6). */
export interface ServerIdentifier {
  readonly type: "dns" | "ip";
  readonly value: string;
}

export interface CreateServerTlsCertificateOptions {
  readonly issuer: CaSigner;
  readonly subjectPublicKey: CryptoKey;
  readonly hostnames: readonly string[];
  readonly now?: Date;
  readonly serialHex?: string;
}

/**
 * Returns the TLS credentials for Keyward's HTTPS listener: the operator's files when both are
 * configured, else the stored certificate when still good, else a freshly issued one (audited).
 */
export async function ensureServerTlsCertificate(
  options: EnsureServerTlsCertificateOptions,
): Promise<ServerTlsCredentials> {
  const caPem = await getRootCaPem(options.db);
  if (options.certFile || options.keyFile) {
    return {
      ...(await readOperatorFiles(options.certFile, options.keyFile)),
      caPem,
      source: "operator-files",
    };
  }

  const now = options.now ?? new Date();
  const issuing = await loadIssuingCa(options.db, { box: options.box });
  const directory = path.join(options.dataDir, "tls");
  const certPath = path.join(directory, "server.crt");
  const keyPath = path.join(directory, "server.key");

  const stored = await readStoredPair(certPath, keyPath);
  const reason = stored
    ? await findServerTlsReissueReason({
        ...stored,
        issuer: issuing.certificate,
        hostnames: options.hostnames,
        now,
      })
    : "missing";
  if (!reason && stored) {
    // The chain is rebuilt from the current issuing certificate rather than trusted from disk.
    return { cert: leafWithChain(stored.leafPem, issuing.pem), key: stored.keyPem, caPem, source: "reused" };
  }

  const keys = await generateKeyPair(SERVER_TLS_KEY_ALGORITHM);
  const leaf = await createServerTlsCertificate({
    issuer: issuing.signer,
    subjectPublicKey: keys.publicKey,
    hostnames: options.hostnames,
    now,
  });
  const pkcs8 = await exportPrivateKeyPkcs8(keys.privateKey);
  const keyPem = encodePkcs8Pem(pkcs8);
  pkcs8.fill(0);
  const cert = leafWithChain(encodeCertificatePem(leaf), issuing.pem);

  await recordAudit(options.db, {
    actor: "system",
    action: "tls.server-certificate.issued",
    targetType: "ServerTlsCertificate",
    targetId: leaf.serialNumber.toLowerCase(),
    details: {
      reason,
      hostnames: normalizeServerHostnames(options.hostnames).map((identifier) => identifier.value),
      issuerId: issuing.id,
      serialHex: leaf.serialNumber.toLowerCase(),
      notBefore: leaf.notBefore.toISOString(),
      notAfter: leaf.notAfter.toISOString(),
    },
  });

  await fs.mkdir(directory, { recursive: true, mode: 0o700 });
  // Key first: a crash between the two writes leaves a new key beside the old certificate, which
  // the key-mismatch check turns into a reissue on the next start rather than a broken listener.
  await writeFileAtomically(keyPath, keyPem, 0o600);
  await writeFileAtomically(certPath, cert, 0o644);
  return { cert, key: keyPem, caPem, source: "issued" };
}

/**
 * A TLS server certificate under `issuer` (profile after BR §7.1.2.7): SANs for every host name,
 * serverAuth only, digitalSignature only, CA:FALSE, no subject key identifier.
 */
export async function createServerTlsCertificate(
  options: CreateServerTlsCertificateOptions,
): Promise<X509Certificate> {
  const identifiers = normalizeServerHostnames(options.hostnames);
  const now = options.now ?? new Date();
  const notBefore = backdated(now);
  const commonName = identifiers[0]?.value ?? "";
  // RFC 5280 §4.2.1.6: with an empty subject the SAN extension must be critical.
  const subjectIsEmpty = commonName.length > MAX_COMMON_NAME_LENGTH;
  const subject = new Name(subjectIsEmpty ? [] : [{ CN: [{ utf8String: commonName }] }]);
  return signCertificate(options.issuer, {
    subject,
    subjectPublicKey: options.subjectPublicKey,
    serialHex: options.serialHex ?? generateSerialNumberHex(),
    notBefore,
    notAfter: new Date(notBefore.getTime() + SERVER_TLS_CERTIFICATE_LIFETIME_MS),
    extensions: [
      // BR §7.1.2.7.8: cA FALSE, no pathLenConstraint.
      new BasicConstraintsExtension(false, undefined, true),
      // BR §7.1.2.7.11: digitalSignature suffices for ECDHE handshakes (TLS 1.2 and 1.3).
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      // BR §7.1.2.7.10: serverAuth MUST be present.
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth], false),
      new SubjectAlternativeNameExtension(
        identifiers.map(
          (identifier): JsonGeneralName => ({ type: identifier.type, value: identifier.value }),
        ),
        subjectIsEmpty,
      ),
    ],
  });
}

/**
 * Why the stored pair must be replaced, or null when it can be served as is: it must chain to the
 * current issuing CA, match its key, cover exactly the configured names and outlive the renewal
 * window.
 */
export async function findServerTlsReissueReason(input: {
  readonly leafPem: string;
  readonly keyPem: string;
  readonly issuer: X509Certificate;
  readonly hostnames: readonly string[];
  readonly now: Date;
}): Promise<ServerTlsReissueReason | null> {
  let leaf: X509Certificate;
  let keySpki: Buffer;
  try {
    leaf = new X509Certificate(input.leafPem);
    keySpki = createPublicKey(createPrivateKey(input.keyPem)).export({ type: "spki", format: "der" });
  } catch {
    return "unreadable";
  }
  if (leaf.issuer !== input.issuer.subject) return "issuer-changed";
  if (!(await leaf.verify({ publicKey: input.issuer.publicKey, signatureOnly: true })))
    return "issuer-changed";
  if (!Buffer.from(leaf.publicKey.rawData).equals(keySpki)) return "key-mismatch";
  if (!sameIdentifiers(identifiersInCertificate(leaf), normalizeServerHostnames(input.hostnames))) {
    return "hostnames-changed";
  }
  if (leaf.notAfter.getTime() - input.now.getTime() < SERVER_TLS_RENEWAL_WINDOW_MS) return "expiring";
  return null;
}

/**
 * The configured names as SAN entries: IP literals (brackets allowed for IPv6) become iPAddress
 * entries in canonical form, everything else a lowercase dNSName without a trailing dot.
 * Duplicates are dropped, order kept (the first name becomes the common name).
 */
export function normalizeServerHostnames(hostnames: readonly string[]): ServerIdentifier[] {
  const seen = new Set<string>();
  const identifiers: ServerIdentifier[] = [];
  for (const raw of hostnames) {
    const identifier = normalizeServerHostname(raw);
    const key = `${identifier.type}:${identifier.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    identifiers.push(identifier);
  }
  if (identifiers.length === 0)
    throw new Error("KEYWARD_HOSTNAMES must name at least one host for the TLS certificate");
  return identifiers;
}

function normalizeServerHostname(raw: string): ServerIdentifier {
  const trimmed = raw.trim();
  const unbracketed = trimmed.startsWith("[") && trimmed.endsWith("]") ? trimmed.slice(1, -1) : trimmed;
  const ipVersion = isIP(unbracketed);
  if (ipVersion === 4) return { type: "ip", value: unbracketed };
  if (ipVersion === 6) {
    // RFC 5952 canonical text, so "0:0:0:0:0:0:0:1" and "::1" compare equal. A zone index
    // ("fe80::1%eth0") cannot be expressed in an iPAddress SAN (RFC 5280 §4.2.1.6: 16 octets).
    if (unbracketed.includes("%"))
      throw new Error(`host name "${raw}": an IPv6 zone index cannot be certified`);
    return { type: "ip", value: canonicalIpAddress(unbracketed) as string };
  }
  const dnsName = normalizeDnsName(trimmed);
  if (!isHostName(dnsName)) {
    throw new Error(`host name "${raw}" is neither a DNS name nor an IP address`);
  }
  return { type: "dns", value: dnsName };
}

function identifiersInCertificate(certificate: X509Certificate): ServerIdentifier[] {
  const san = certificate.getExtension(SubjectAlternativeNameExtension);
  if (!san) return [];
  const identifiers: ServerIdentifier[] = [];
  for (const name of san.names.items) {
    if (name.type === "dns" || name.type === "ip") {
      identifiers.push(normalizeServerHostname(name.value));
    }
  }
  return identifiers;
}

function sameIdentifiers(a: readonly ServerIdentifier[], b: readonly ServerIdentifier[]): boolean {
  const keys = (list: readonly ServerIdentifier[]) =>
    new Set(list.map((identifier) => `${identifier.type}:${identifier.value}`));
  const left = keys(a);
  const right = keys(b);
  return left.size === right.size && [...left].every((key) => right.has(key));
}

function leafWithChain(leafPem: string, issuingPem: string): string {
  return ensureTrailingNewline(leafPem) + ensureTrailingNewline(issuingPem);
}

async function getRootCaPem(db: Db): Promise<string> {
  const root = (await getPublicCaCertificates(db)).find((ca) => ca.role === "root");
  if (!root) throw new Error("no root CA is stored yet; bootstrapCertificateAuthorities must run first");
  return ensureTrailingNewline(root.pem);
}

async function readStoredPair(
  certPath: string,
  keyPath: string,
): Promise<{ leafPem: string; keyPem: string } | null> {
  let certText: string;
  let keyPem: string;
  try {
    [certText, keyPem] = await Promise.all([fs.readFile(certPath, "utf8"), fs.readFile(keyPath, "utf8")]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const [leafDer] = safeDecodePem(certText);
  // An unparsable file is treated like a bad pair: findServerTlsReissueReason reports "unreadable".
  const leafPem = leafDer ? PemConverter.encode(leafDer, "CERTIFICATE") : certText;
  return { leafPem, keyPem };
}

function safeDecodePem(text: string): ArrayBuffer[] {
  try {
    return PemConverter.decode(text);
  } catch {
    return [];
  }
}

// Operator-provided files are used as given, but checked at start so a mismatched pair fails
// with a clear message instead of an opaque TLS error on the first connection.
async function readOperatorFiles(
  certFile: string | undefined,
  keyFile: string | undefined,
): Promise<{ cert: string; key: string }> {
  if (!certFile || !keyFile) {
    throw new Error("KEYWARD_TLS_CERT_FILE and KEYWARD_TLS_KEY_FILE must be set together");
  }
  const [cert, key] = await Promise.all([fs.readFile(certFile, "utf8"), fs.readFile(keyFile, "utf8")]);
  let matches: boolean;
  try {
    matches = new NodeX509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (error) {
    throw new Error(
      `cannot read the TLS certificate or key (${certFile}, ${keyFile}): ${(error as Error).message}`,
    );
  }
  if (!matches)
    throw new Error(`the TLS key in ${keyFile} does not belong to the certificate in ${certFile}`);
  return { cert, key };
}
