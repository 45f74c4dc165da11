// What a certificate profile and an end entity profile (issue 12; spec "Certificate Profile
// Configuration", "End Entity Profile Configuration") ask of a subscriber certificate, as the CA
// applies them: the CSR's key must be one the profile allows, and the certificate gets the
// profile's validity, key usage, extended key usage and subject attributes. Pure: lib/ra reads
// the profiles from storage and hands them here; no profile means BUILT_IN_LEAF_PROFILE, which is
// what every certificate got before profiles existed.
import { AcmeProblem } from "@/lib/problem";
import type { ParsedCsr } from "./csr";

export interface LeafProfile {
  /** The certificate profile's name, for problem details; null for the built-in profile. */
  readonly name: string | null;
  /** "RSA" | "ECDSA" */
  readonly keyAlgorithms: readonly string[];
  /** "P-256" | "P-384" */
  readonly ecdsaCurves: readonly string[];
  /** A key's size must lie between the smallest and the largest (EJBCA's "Available bit lengths"). */
  readonly rsaBitLengths: readonly number[];
  readonly validitySeconds: number;
  /** RFC 5280 §4.2.1.3 names. */
  readonly keyUsages: readonly string[];
  /** "serverAuth" | "clientAuth" | "codeSigning" | "emailProtection" | "timeStamping" */
  readonly extendedKeyUsages: readonly string[];
  /** Subject attributes besides CN copied from the CSR ("O", "OU", "L", "ST", "C"). */
  readonly subjectDnAttributes: readonly string[];
}

// Let's Encrypt's 90 days; RSA or ECDSA P-256/P-384 of any size lib/crypto/key-policy.ts accepts;
// digitalSignature (+ keyEncipherment for RSA); serverAuth; CN only.
export const BUILT_IN_LEAF_PROFILE: LeafProfile = Object.freeze({
  name: null,
  keyAlgorithms: Object.freeze(["RSA", "ECDSA"]),
  ecdsaCurves: Object.freeze(["P-256", "P-384"]),
  rsaBitLengths: Object.freeze([2048, 3072, 4096, 8192]),
  validitySeconds: 90 * 86_400,
  keyUsages: Object.freeze(["digitalSignature", "keyEncipherment"]),
  extendedKeyUsages: Object.freeze(["serverAuth"]),
  subjectDnAttributes: Object.freeze([]),
});

const CURVE_OF_KEY_ALGORITHM: Readonly<Record<string, string>> = {
  "ECDSA-P256": "P-256",
  "ECDSA-P384": "P-384",
};

/**
 * Spec "Certificate Profile Configuration" (Available Key Algorithms, Available ECDSA curves,
 * Available Bit Lengths): the CSR's key (already accepted by the general key policy) is one this
 * profile allows, else badCSR naming the profile's rule.
 */
export function assertCsrKeyFitsProfile(csr: Pick<ParsedCsr, "keyAlgorithm">, profile: LeafProfile): void {
  const named =
    profile.name === null ? "the built-in certificate profile" : `certificate profile "${profile.name}"`;
  const refuse = (rule: string) =>
    new AcmeProblem("badCSR", `CSR public key ${csr.keyAlgorithm} is not allowed by ${named}: ${rule}`);
  const rsa = /^RSA-(\d+)$/.exec(csr.keyAlgorithm);
  const family = rsa ? "RSA" : csr.keyAlgorithm.startsWith("ECDSA-") ? "ECDSA" : csr.keyAlgorithm;
  if (!profile.keyAlgorithms.includes(family)) {
    throw refuse(`its available key algorithms are ${profile.keyAlgorithms.join(", ")}`);
  }
  if (rsa) {
    const bits = Number(rsa[1]);
    const smallest = Math.min(...profile.rsaBitLengths);
    const largest = Math.max(...profile.rsaBitLengths);
    if (bits < smallest || bits > largest) {
      throw refuse(
        smallest === largest
          ? `its available RSA bit length is ${smallest}`
          : `its available RSA bit lengths are ${smallest} to ${largest}`,
      );
    }
    return;
  }
  const curve = CURVE_OF_KEY_ALGORITHM[csr.keyAlgorithm];
  if (curve === undefined || !profile.ecdsaCurves.includes(curve)) {
    throw refuse(`its available ECDSA curves are ${profile.ecdsaCurves.join(", ") || "none"}`);
  }
}
