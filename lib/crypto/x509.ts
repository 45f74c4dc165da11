// The one door to @peculiar/x509. The library resolves its algorithm providers through tsyringe,
// which throws at import time ("tsyringe requires a reflect polyfill") unless reflect-metadata is
// loaded first (STACK.md). Module requests are evaluated in source order, re-exports included, so
// the polyfill import must stay first. Everything else in Keyward takes x509 classes and types from
// here, never from the package, so the polyfill and the crypto provider are always in place.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { cryptoProvider } from "@peculiar/x509";

// WebCrypto is the library's default when globalThis.crypto exists; setting Node's explicitly keeps
// every signature on Node's OpenSSL-backed implementation whatever the runtime's globals are.
cryptoProvider.set(webcrypto as unknown as Crypto);

export type { JsonGeneralName, JsonGeneralNames, JsonNameParams } from "@peculiar/x509";
export {
  AuthorityInfoAccessExtension,
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  CertificatePolicyExtension,
  CRLDistributionPointsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  Extension,
  GeneralName,
  GeneralNames,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  PemConverter,
  Pkcs10CertificateRequest,
  PublicKey,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  X509ChainBuilder,
  X509Crl,
  X509CrlGenerator,
  X509CrlReason,
} from "@peculiar/x509";
