// Keys no honest generator makes, for the tests that show Keyward refuses them: RSA moduli with
// a small prime factor, primes close enough for Fermat's method, and the e = 1 "key" whose
// signature anyone can compute. Built with BigInt arithmetic and node:crypto, never by the code
// under test.
import {
  checkPrimeSync,
  createPrivateKey,
  generateKeyPairSync,
  generatePrimeSync,
  type KeyObject,
} from "node:crypto";

const toB64url = (n: bigint) => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex").toString("base64url");
};
const fromB64url = (s: string) => BigInt(`0x${Buffer.from(s, "base64url").toString("hex")}`);

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

/** A real RSA private key whose primes p < q are neighbours: n = pq falls to Fermat in one step. */
export function fermatWeakRsaKey(bits = 2048): KeyObject {
  const e = 65537n;
  for (;;) {
    const p = generatePrimeSync(bits / 2, { bigint: true });
    let q = p + 2n;
    while (!checkPrimeSync(q)) q += 2n;
    const n = p * q;
    const phi = (p - 1n) * (q - 1n);
    if (n.toString(2).length !== bits || phi % e === 0n) continue;
    const d = modInverse(e, phi);
    return createPrivateKey({
      format: "jwk",
      key: {
        kty: "RSA",
        n: toB64url(n),
        e: toB64url(e),
        d: toB64url(d),
        p: toB64url(q),
        q: toB64url(p),
        dp: toB64url(d % (q - 1n)),
        dq: toB64url(d % (p - 1n)),
        qi: toB64url(modInverse(p, q)),
      },
    });
  }
}

/** A public RSA JWK of `bits` bits (no private key exists) whose modulus is divisible by 751. */
export function smallFactorRsaJwk(bits = 2048): { kty: "RSA"; n: string; e: string } {
  const honest = generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ format: "jwk" });
  const n = fromB64url(honest.n as string);
  return { kty: "RSA", n: toB64url(n - (n % 751n)), e: "AQAB" };
}

/** A public RSA JWK with an honest modulus and the given public exponent. */
export function rsaJwkWithExponent(exponent: bigint, bits = 2048): { kty: "RSA"; n: string; e: string } {
  const honest = generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ format: "jwk" });
  return { kty: "RSA", n: honest.n as string, e: toB64url(exponent) };
}

// RFC 8017 §9.2: the DER prefix of a SHA-256 DigestInfo.
const SHA256_DIGEST_INFO = Buffer.from("3031300d060960864801650304020105000420", "hex");

/**
 * The RS256 "signature" of `signingInput` under an RSA key with e = 1: since s¹ mod n = s, the
 * PKCS#1 v1.5 encoded message is its own signature, and anyone can compute it without a key.
 */
export async function forgeRs256WithExponentOne(jwk: { n: string }, signingInput: string): Promise<string> {
  const k = Buffer.from(jwk.n, "base64url").length;
  const hash = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(signingInput)));
  const t = Buffer.concat([SHA256_DIGEST_INFO, hash]);
  const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - t.length - 3, 0xff), Buffer.from([0]), t]);
  return em.toString("base64url");
}
