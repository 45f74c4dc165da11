// Key pairs for certificate authorities (and for the server's own TLS key), by the algorithm names
// the configuration uses (KEYWARD_CA_KEY_ALGORITHM). Everything goes through WebCrypto so the keys
// plug straight into the x509 certificate generator. Private keys leave this module only as
// PKCS#8 bytes for sealing (lib/crypto/secret-box.ts) or as non-extractable CryptoKeys.
import { createPrivateKey } from "node:crypto";

// RSA-2048 is the smallest size CA/B BR §6.1.5 allows; it is offered for CAs an operator creates
// or imports (many existing hierarchies use it), not as the first-start default.
export const KEY_ALGORITHMS = ["ECDSA-P256", "ECDSA-P384", "RSA-2048", "RSA-3072", "RSA-4096"] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

// P-256 signs fastest and every TLS client accepts it (CA/B BR §6.1.5 allows P-256 and P-384).
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = "ECDSA-P256";

// RFC 8017 §A.1.1: e = 65537, the only public exponent everyone accepts.
const RSA_PUBLIC_EXPONENT = new Uint8Array([0x01, 0x00, 0x01]);

interface KeyAlgorithmParams {
  readonly generate: EcKeyGenParams | RsaHashedKeyGenParams;
  readonly import: EcKeyImportParams | RsaHashedImportParams;
  readonly sign: EcdsaParams | Algorithm;
}

// The digest pairs with the key: CA/B BR §7.1.3.2.2 requires ecdsa-with-SHA256 for P-256 and
// ecdsa-with-SHA384 for P-384 keys. For RSA, BR §7.1.3.2.1 allows SHA-256/384/512 with PKCS#1 v1.5;
// SHA-256 is what every verifier handles. PKCS#1 v1.5 rather than PSS for the same reason.
const ALGORITHM_PARAMS: Record<KeyAlgorithm, KeyAlgorithmParams> = {
  "ECDSA-P256": {
    generate: { name: "ECDSA", namedCurve: "P-256" },
    import: { name: "ECDSA", namedCurve: "P-256" },
    sign: { name: "ECDSA", hash: "SHA-256" } satisfies EcdsaParams,
  },
  "ECDSA-P384": {
    generate: { name: "ECDSA", namedCurve: "P-384" },
    import: { name: "ECDSA", namedCurve: "P-384" },
    sign: { name: "ECDSA", hash: "SHA-384" } satisfies EcdsaParams,
  },
  "RSA-2048": {
    generate: {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: RSA_PUBLIC_EXPONENT,
      hash: "SHA-256",
    },
    import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    sign: { name: "RSASSA-PKCS1-v1_5" },
  },
  "RSA-3072": {
    generate: {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 3072,
      publicExponent: RSA_PUBLIC_EXPONENT,
      hash: "SHA-256",
    },
    import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    sign: { name: "RSASSA-PKCS1-v1_5" },
  },
  "RSA-4096": {
    generate: {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 4096,
      publicExponent: RSA_PUBLIC_EXPONENT,
      hash: "SHA-256",
    },
    import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    sign: { name: "RSASSA-PKCS1-v1_5" },
  },
};

export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return typeof value === "string" && (KEY_ALGORITHMS as readonly string[]).includes(value);
}

/** Narrows a stored algorithm name (CertificateAuthority.keyAlgorithm is a plain string column). */
export function parseKeyAlgorithm(value: string): KeyAlgorithm {
  if (!isKeyAlgorithm(value)) {
    throw new Error(`unknown key algorithm "${value}"; expected one of ${KEY_ALGORITHMS.join(", ")}`);
  }
  return value;
}

/**
 * A fresh key pair. The private key is extractable so that it can be exported once as PKCS#8 and
 * sealed; keys used for signing afterwards come from importPrivateKey, which makes them
 * non-extractable.
 */
export async function generateKeyPair(
  algorithm: KeyAlgorithm = DEFAULT_KEY_ALGORITHM,
): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ALGORITHM_PARAMS[algorithm].generate, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
}

export async function exportPrivateKeyPkcs8(privateKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey("pkcs8", privateKey));
}

/** Imports a PKCS#8 private key for signing only; the resulting CryptoKey cannot be exported again. */
export async function importPrivateKeyPkcs8(pkcs8: Uint8Array, algorithm: KeyAlgorithm): Promise<CryptoKey> {
  // WebCrypto wants an ArrayBuffer-backed view (a Node Buffer may sit on a shared pool); copy,
  // and wipe the copy as soon as the key is imported.
  const copy = new Uint8Array(pkcs8);
  try {
    return await crypto.subtle.importKey("pkcs8", copy, ALGORITHM_PARAMS[algorithm].import, false, ["sign"]);
  } finally {
    copy.fill(0);
  }
}

export async function exportPublicKeySpki(publicKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey("spki", publicKey));
}

/** PEM ("PRIVATE KEY", RFC 7468 §10) of PKCS#8 bytes, the form Node's TLS stack reads. */
export function encodePkcs8Pem(pkcs8: Uint8Array): string {
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" });
  return key.export({ format: "pem", type: "pkcs8" }).toString();
}

/** The WebCrypto parameters for signing with a key of this algorithm (digest included). */
export function signingAlgorithmFor(algorithm: KeyAlgorithm): EcdsaParams | Algorithm {
  return ALGORITHM_PARAMS[algorithm].sign;
}

/** Recovers the algorithm name of a WebCrypto key (generated here or imported from PKCS#8). */
export function keyAlgorithmOf(key: CryptoKey): KeyAlgorithm {
  const algorithm = key.algorithm as Partial<EcKeyAlgorithm & RsaHashedKeyAlgorithm>;
  if (algorithm.name === "ECDSA") {
    if (algorithm.namedCurve === "P-256") return "ECDSA-P256";
    if (algorithm.namedCurve === "P-384") return "ECDSA-P384";
  }
  if (algorithm.name === "RSASSA-PKCS1-v1_5") {
    if (algorithm.modulusLength === 2048) return "RSA-2048";
    if (algorithm.modulusLength === 3072) return "RSA-3072";
    if (algorithm.modulusLength === 4096) return "RSA-4096";
  }
  throw new Error(`unsupported key algorithm ${JSON.stringify(key.algorithm)}`);
}
