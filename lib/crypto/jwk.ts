// Public keys as JWKs (RFC 7517), the form ACME accounts present them in: the schema that reads
// one, the policy check (lib/crypto/key-policy.ts) and the RFC 7638 thumbprint. A shared leaf:
// the front end parses keys with it, lib/ra stores and compares them.
import { createPublicKey } from "node:crypto";
import * as jose from "jose";
import { z } from "zod";
import { AcmeProblem, firstIssue } from "@/lib/problem";
import { publicKeyRefusal } from "./key-policy";

export const base64urlSchema = z.string().regex(/^[A-Za-z0-9_-]*$/, "must be base64url without padding");

const ecJwk = z.object({
  kty: z.literal("EC"),
  crv: z.enum(["P-256", "P-384", "P-521"]),
  x: base64urlSchema.max(100),
  y: base64urlSchema.max(100),
});
const rsaJwk = z.object({ kty: z.literal("RSA"), n: base64urlSchema.max(2_000), e: base64urlSchema.max(48) });
const okpJwk = z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: base64urlSchema.max(100) });

/** A public JWK of a kind ACME accounts use, keeping only the members that define the key. */
export const publicJwkSchema = z
  .looseObject({ kty: z.string() })
  .refine((k) => !("d" in k || "p" in k || "k" in k), "jwk must be a public key")
  .pipe(z.discriminatedUnion("kty", [ecJwk, rsaJwk, okpJwk], { error: "jwk kty must be EC, RSA or OKP" }));
/** Only the members that define the key (RFC 7638 §3.2), so equal keys compare and store equal. */
export type AccountJwk = z.infer<typeof publicJwkSchema>;

/** `input` as a public JWK, or badPublicKey naming what is wrong with its shape. */
export function parseAccountJwk(input: unknown): AccountJwk {
  const parsed = publicJwkSchema.safeParse(input);
  if (!parsed.success) throw new AcmeProblem("badPublicKey", `Invalid jwk: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

// RFC 7518 §6.2.1.2–3 and RFC 8037 §2: coordinates and Ed25519 keys are exactly this long
// (leading zero bytes included), so one key has one encoding and one thumbprint.
const COORDINATE_BYTES: Readonly<Record<string, number>> = {
  "P-256": 32,
  "P-384": 48,
  "P-521": 66,
  Ed25519: 32,
};

/**
 * RFC 8555 §6.2 and Boulder's goodkey: the key is one Keyward accepts for an account
 * (lib/crypto/key-policy.ts), with an EC point on its curve; else badPublicKey naming the rule.
 */
export function assertAcceptableAccountKey(jwk: AccountJwk): void {
  const badKey = (detail: string) => new AcmeProblem("badPublicKey", detail);
  if (jwk.kty !== "RSA") {
    const expected = COORDINATE_BYTES[jwk.crv] as number;
    const coordinates = jwk.kty === "EC" ? { x: jwk.x, y: jwk.y } : { x: jwk.x };
    for (const [name, value] of Object.entries(coordinates)) {
      if (Buffer.from(value, "base64url").length !== expected) {
        throw badKey(`jwk ${name} must be exactly ${expected} bytes for ${jwk.crv}`);
      }
    }
  }
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey({ key: jwk, format: "jwk" });
  } catch {
    throw badKey(
      jwk.kty === "EC" ? `jwk is not a point on ${jwk.crv}` : `jwk is not a valid ${jwk.kty} public key`,
    );
  }
  const refusal = publicKeyRefusal(key, "account");
  if (refusal) throw badKey(refusal);
}

/**
 * RFC 7638 §3.2–3.3: the key's required members in lexicographic order, no whitespace — the
 * thumbprint's input, and the one encoding of a key that two parties can sign and verify byte for
 * byte (external account binding's "aks", lib/ra/eab.ts).
 */
export function canonicalJwkJson(jwk: AccountJwk): string {
  const members =
    jwk.kty === "RSA"
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === "EC"
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return JSON.stringify(members);
}

/** RFC 7638 thumbprint (SHA-256, base64url): how accounts are found by key. */
export function jwkThumbprint(jwk: AccountJwk): Promise<string> {
  return jose.calculateJwkThumbprint(jwk, "sha256");
}
