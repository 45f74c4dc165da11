// The key policy shared by account keys and certificate keys (Boulder goodkey's rules): every
// refused key names the rule it breaks; every key a real client makes passes.
import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type KeyUse, publicKeyRefusal } from "@/lib/crypto/key-policy";
import { fermatWeakRsaKey, rsaJwkWithExponent, smallFactorRsaJwk } from "../../support/weak-keys";

const fromJwk = (jwk: object) => createPublicKey({ key: jwk as never, format: "jwk" });

describe("publicKeyRefusal", () => {
  const accepted: [string, () => KeyObject, KeyUse[]][] = [
    [
      "ok/RSA-2048",
      () => generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey,
      ["account", "certificate"],
    ],
    [
      "ok/RSA-3072",
      () => generateKeyPairSync("rsa", { modulusLength: 3072 }).publicKey,
      ["account", "certificate"],
    ],
    [
      "ok/P-256",
      () => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey,
      ["account", "certificate"],
    ],
    [
      "ok/P-384",
      () => generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey,
      ["account", "certificate"],
    ],
    [
      "ok/P-521 (accounts only)",
      () => generateKeyPairSync("ec", { namedCurve: "P-521" }).publicKey,
      ["account"],
    ],
    ["ok/Ed25519 (accounts only)", () => generateKeyPairSync("ed25519").publicKey, ["account"]],
    ["ok/odd exponent above 65537", () => fromJwk(rsaJwkWithExponent(65539n)), ["account", "certificate"]],
  ];
  for (const [name, make, uses] of accepted) {
    it(name, () => {
      const key = make();
      for (const use of uses) expect(publicKeyRefusal(key, use), use).toBeNull();
    });
  }

  const refused: [string, () => KeyObject, KeyUse, RegExp][] = [
    [
      "fail/RSA exponent 1 (anyone can sign)",
      () => fromJwk(rsaJwkWithExponent(1n)),
      "account",
      /exponent 1 is not allowed/,
    ],
    ["fail/RSA exponent 3", () => fromJwk(rsaJwkWithExponent(3n)), "account", /exponent 3 is not allowed/],
    ["fail/RSA even exponent", () => fromJwk(rsaJwkWithExponent(65538n)), "certificate", /exponent 65538/],
    [
      "fail/RSA exponent over 2^256",
      () => fromJwk(rsaJwkWithExponent((1n << 257n) + 1n)),
      "account",
      /exponent/,
    ],
    [
      "fail/RSA-1024",
      () => generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey,
      "account",
      /2048 to 8192 bits, this one has 1024/,
    ],
    [
      "fail/RSA modulus not a multiple of 8 bits",
      () => generateKeyPairSync("rsa", { modulusLength: 2052 }).publicKey,
      "account",
      /multiple of 8 bits, this one has 2052/,
    ],
    [
      "fail/RSA modulus with a small prime factor",
      () => fromJwk(smallFactorRsaJwk()),
      "account",
      /small prime factor/,
    ],
    [
      "fail/RSA primes close enough for Fermat",
      () => createPublicKey(fermatWeakRsaKey()),
      "certificate",
      /Fermat/,
    ],
    [
      "fail/P-521 certificate key",
      () => generateKeyPairSync("ec", { namedCurve: "P-521" }).publicKey,
      "certificate",
      /secp521r1 is not allowed/,
    ],
    [
      "fail/secp256k1",
      () => generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey,
      "account",
      /secp256k1 is not allowed/,
    ],
    [
      "fail/Ed25519 certificate key",
      () => generateKeyPairSync("ed25519").publicKey,
      "certificate",
      /Ed25519 is not allowed/,
    ],
    ["fail/Ed448", () => generateKeyPairSync("ed448").publicKey, "account", /key type ed448 is not allowed/],
  ];
  for (const [name, make, use, reason] of refused) {
    it(name, () => expect(publicKeyRefusal(make(), use)).toMatch(reason));
  }

  it("ok/an honest 4096-bit key is checked in a few milliseconds", () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 4096 }).publicKey;
    const started = performance.now();
    expect(publicKeyRefusal(key, "account")).toBeNull();
    expect(performance.now() - started).toBeLessThan(50);
  });
});
