// A certificate decoded for people (the console's certificate and CA pages): subject, names,
// issuer, validity, key, key usage, extended key usage, fingerprints. Pure: DER in, plain JSON out.
import { createHash, X509Certificate as NodeX509Certificate } from "node:crypto";
import {
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from "@/lib/crypto/x509";

export type DecodedCertificate = {
  subject: string;
  issuer: string;
  /** Lowercase hex, as stored and as the CRL lists it. */
  serialHex: string;
  notBefore: string;
  notAfter: string;
  /** "dns:www.example", "ip:192.0.2.1", as written in subjectAltName. */
  subjectAltNames: string[];
  /** "ECDSA P-256", "RSA 2048 bits". */
  publicKey: string;
  signatureAlgorithm: string;
  /** RFC 5280 §4.2.1.3 names, e.g. digitalSignature. */
  keyUsage: string[];
  /** Names of well-known purposes (serverAuth), OIDs otherwise. */
  extendedKeyUsage: string[];
  isCa: boolean;
  sha256Fingerprint: string;
  sha1Fingerprint: string;
};

// RFC 5280 §4.2.1.3, in bit order.
const KEY_USAGE_NAMES: [KeyUsageFlags, string][] = [
  [KeyUsageFlags.digitalSignature, "digitalSignature"],
  [KeyUsageFlags.nonRepudiation, "contentCommitment"],
  [KeyUsageFlags.keyEncipherment, "keyEncipherment"],
  [KeyUsageFlags.dataEncipherment, "dataEncipherment"],
  [KeyUsageFlags.keyAgreement, "keyAgreement"],
  [KeyUsageFlags.keyCertSign, "keyCertSign"],
  [KeyUsageFlags.cRLSign, "cRLSign"],
  [KeyUsageFlags.encipherOnly, "encipherOnly"],
  [KeyUsageFlags.decipherOnly, "decipherOnly"],
];

// RFC 5280 §4.2.1.12 and RFC 9336.
const EKU_NAMES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "serverAuth",
  "1.3.6.1.5.5.7.3.2": "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "OCSPSigning",
  "1.3.6.1.5.5.7.3.36": "documentSigning",
};

const fingerprint = (der: Uint8Array, algorithm: "sha256" | "sha1") =>
  (createHash(algorithm).update(der).digest("hex").match(/../g) ?? []).join(":");

export function decodeCertificate(der: Uint8Array): DecodedCertificate {
  const cert = new X509Certificate(new Uint8Array(der));
  const node = new NodeX509Certificate(der);
  const san = cert.getExtension(SubjectAlternativeNameExtension);
  const keyUsage = cert.getExtension(KeyUsagesExtension);
  const eku = cert.getExtension(ExtendedKeyUsageExtension);
  const basic = cert.getExtension(BasicConstraintsExtension);
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialHex: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    subjectAltNames: san ? san.names.toJSON().map((n) => `${n.type}:${n.value}`) : [],
    publicKey: describePublicKey(node),
    signatureAlgorithm: describeSignature(cert.signatureAlgorithm),
    keyUsage: keyUsage ? KEY_USAGE_NAMES.filter(([flag]) => keyUsage.usages & flag).map(([, n]) => n) : [],
    extendedKeyUsage: eku ? eku.usages.map((u) => EKU_NAMES[String(u)] ?? String(u)) : [],
    isCa: basic?.ca ?? false,
    sha256Fingerprint: fingerprint(der, "sha256"),
    sha1Fingerprint: fingerprint(der, "sha1"),
  };
}

function describePublicKey(cert: NodeX509Certificate): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "ec") {
    const curve = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" }[details.namedCurve ?? ""];
    return `ECDSA ${curve ?? details.namedCurve ?? ""}`.trim();
  }
  if (key.asymmetricKeyType === "rsa") return `RSA ${details.modulusLength ?? "?"} bits`;
  return key.asymmetricKeyType ?? "unknown";
}

function describeSignature(algorithm: { name?: string; hash?: unknown }): string {
  const hash = algorithm.hash as { name?: string } | string | undefined;
  const hashName = typeof hash === "string" ? hash : hash?.name;
  return [algorithm.name, hashName].filter(Boolean).join(" with ");
}
