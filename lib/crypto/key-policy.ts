// Which public keys Keyward accepts, for ACME accounts (JWS keys) and for certificates (CSR keys).
// One rule set for both, checked as Boulder's goodkey checks them: a key that passes here can
// neither be forged (RSA e = 1 verifies any "signature") nor factored by a cheap test. Pure: a
// function from a node KeyObject to null or the reason, in words a client author can act on;
// callers turn the reason into badPublicKey (account) or badCSR (certificate).
import type { KeyObject } from "node:crypto";

export type KeyUse = "account" | "certificate";

// CA/B BR §6.1.5: RSA moduli of at least 2048 bits. The upper bound caps the cost of every
// signature check and handshake; 8192 is the largest size common TLS stacks accept. A modulus of
// a size that is not a whole number of bytes is no real generator's output (Boulder refuses it).
export const RSA_MIN_MODULUS_BITS = 2048;
export const RSA_MAX_MODULUS_BITS = 8192;

// CA/B BR §6.1.6: the exponent MUST be odd and at least 3, SHOULD lie in [2^16+1, 2^256-1]. We
// hold to the SHOULD, as Boulder does: every real key uses 65537, and e = 1 makes RSA the identity.
const RSA_MIN_PUBLIC_EXPONENT = 65537n;
const RSA_MAX_PUBLIC_EXPONENT = (1n << 256n) - 1n;

// Boulder goodkey: a modulus with a prime factor below 752 is refused (the primes up to 751 are
// the ones Go's and OpenSSL's key generators sieve with, so a real key never has one).
const SMALL_PRIME_BOUND = 752;
// Boulder goodkey "fermatFactor": p and q so close that Fermat's method finds them in this many
// rounds (keys from broken generators, e.g. CVE-2022-26320) are refused.
const FERMAT_ROUNDS = 100;

// Curves: accounts may use P-521 and Ed25519 as RFC 8555 §6.2 clients do; certificates follow
// CA/B BR §6.1.5 (P-256, P-384 only).
const ACCOUNT_EC_CURVES: Readonly<Record<string, string>> = {
  prime256v1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521",
};
const CERTIFICATE_EC_CURVES: Readonly<Record<string, string>> = {
  prime256v1: "P-256",
  secp384r1: "P-384",
};

export const ALLOWED_KEYS_TEXT: Readonly<Record<KeyUse, string>> = {
  account: `RSA (${RSA_MIN_MODULUS_BITS} to ${RSA_MAX_MODULUS_BITS} bits, exponent 65537), ECDSA P-256, P-384 or P-521, or Ed25519`,
  certificate: `RSA (${RSA_MIN_MODULUS_BITS} to ${RSA_MAX_MODULUS_BITS} bits, exponent 65537) or ECDSA P-256 or P-384`,
};

/**
 * Why `key` may not be used as an account key or a certificate key, or null when it may.
 * EC points are already on their curve: node refuses to build a KeyObject from any other point.
 */
export function publicKeyRefusal(key: KeyObject, use: KeyUse): string | null {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
      return rsaRefusal(key, details.modulusLength ?? 0, details.publicExponent ?? 0n);
    case "ec": {
      const curves = use === "account" ? ACCOUNT_EC_CURVES : CERTIFICATE_EC_CURVES;
      const curve = details.namedCurve ?? "unknown";
      return curves[curve] ? null : `curve ${curve} is not allowed; use ${ALLOWED_KEYS_TEXT[use]}`;
    }
    case "ed25519":
      return use === "account" ? null : `Ed25519 is not allowed; use ${ALLOWED_KEYS_TEXT[use]}`;
    default:
      return `key type ${key.asymmetricKeyType ?? "unknown"} is not allowed; use ${ALLOWED_KEYS_TEXT[use]}`;
  }
}

function rsaRefusal(key: KeyObject, bits: number, exponent: bigint): string | null {
  if (bits < RSA_MIN_MODULUS_BITS || bits > RSA_MAX_MODULUS_BITS) {
    return `RSA keys must have ${RSA_MIN_MODULUS_BITS} to ${RSA_MAX_MODULUS_BITS} bits, this one has ${bits}`;
  }
  if (bits % 8 !== 0) return `RSA modulus size must be a multiple of 8 bits, this one has ${bits}`;
  if (exponent % 2n === 0n || exponent < RSA_MIN_PUBLIC_EXPONENT || exponent > RSA_MAX_PUBLIC_EXPONENT) {
    return `RSA public exponent ${exponent} is not allowed: it must be odd and at least 65537`;
  }
  const jwk = key.export({ format: "jwk" });
  const modulus = BigInt(`0x${Buffer.from(jwk.n ?? "", "base64url").toString("hex") || "0"}`);
  if (gcd(modulus, smallPrimesProduct()) !== 1n) return "RSA modulus has a small prime factor";
  if (hasFermatFactorization(modulus, FERMAT_ROUNDS)) {
    return "RSA modulus is the product of two primes too close together (factorable by Fermat's method)";
  }
  return null;
}

let smallPrimes: bigint | undefined;
function smallPrimesProduct(): bigint {
  if (smallPrimes === undefined) {
    const composite = new Uint8Array(SMALL_PRIME_BOUND);
    let product = 1n;
    for (let i = 2; i < SMALL_PRIME_BOUND; i++) {
      if (composite[i]) continue;
      product *= BigInt(i);
      for (let j = i * i; j < SMALL_PRIME_BOUND; j += i) composite[j] = 1;
    }
    smallPrimes = product;
  }
  return smallPrimes;
}

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** Fermat's method: n = a² − b² for some a within `rounds` steps of ⌈√n⌉. */
function hasFermatFactorization(n: bigint, rounds: number): boolean {
  let a = sqrtCeil(n);
  for (let i = 0; i < rounds; i++, a++) {
    const b2 = a * a - n;
    if (!mayBeSquare(b2)) continue;
    const b = sqrtFloor(b2);
    if (b * b === b2) return a - b > 1n; // a − b = 1 is the trivial factorisation n = 1 · n
  }
  return false;
}

// Squares modulo 64, 63 and 65: a number that is not a square modulo one of them is no square,
// which spares all but about 1% of the square roots above.
const SQUARE_MODULI = [64n, 63n, 65n].map((m) => {
  const residues = new Set<bigint>();
  for (let i = 0n; i < m; i++) residues.add((i * i) % m);
  return { m, residues };
});
function mayBeSquare(n: bigint): boolean {
  return SQUARE_MODULI.every(({ m, residues }) => residues.has(n % m));
}

/** ⌊√n⌋ by Newton's method on integers. */
function sqrtFloor(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

function sqrtCeil(n: bigint): bigint {
  const r = sqrtFloor(n);
  return r * r === n ? r : r + 1n;
}
