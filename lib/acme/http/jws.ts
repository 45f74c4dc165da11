// Flattened JWS (RFC 7515 §7.2.2) as RFC 8555 §6.2 restricts it. Parsing and verification are
// separate steps so serve.ts can run them in RFC order; only verifyJwsSignature returns the
// payload, so nothing reads a payload whose signature was not checked.
import { createPublicKey } from "node:crypto";
import * as jose from "jose";
import { z } from "zod";
import { AcmeProblem } from "@/lib/acme/problem";
import { publicKeyRefusal } from "@/lib/crypto/key-policy";

/** RFC 8555 §6.2: signature algorithms Keyward accepts; never "none" or a MAC. */
export const ALLOWED_JWS_ALGORITHMS = ["RS256", "ES256", "ES384", "ES512", "EdDSA"] as const;
export type JwsAlgorithm = (typeof ALLOWED_JWS_ALGORITHMS)[number];

const b64url = z.string().regex(/^[A-Za-z0-9_-]*$/, "must be base64url without padding");

// RFC 8555 §6.2: one signature, no unprotected header, payload present (possibly "").
const flattenedJwsSchema = z.strictObject(
  {
    protected: b64url.min(1).max(16_384),
    payload: b64url.max(1_000_000),
    signature: b64url.min(1).max(2_048),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `unexpected JWS member(s): ${issue.keys.join(", ")}` : undefined,
  },
);
export type FlattenedJws = z.infer<typeof flattenedJwsSchema>;

const ecJwk = z.object({
  kty: z.literal("EC"),
  crv: z.enum(["P-256", "P-384", "P-521"]),
  x: b64url.max(100),
  y: b64url.max(100),
});
const rsaJwk = z.object({ kty: z.literal("RSA"), n: b64url.max(2_000), e: b64url.max(16) });
const okpJwk = z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: b64url.max(100) });
const publicJwkSchema = z
  .looseObject({ kty: z.string() })
  .refine((k) => !("d" in k || "p" in k || "k" in k), "jwk must be a public key")
  .pipe(z.discriminatedUnion("kty", [ecJwk, rsaJwk, okpJwk], { error: "jwk kty must be EC, RSA or OKP" }));
/** Only the members that define the key (RFC 7638 §3.2), so equal keys compare and store equal. */
export type AccountJwk = z.infer<typeof publicJwkSchema>;

const protectedHeaderSchema = z.looseObject({
  alg: z.string().max(32),
  nonce: z.string().max(256).optional(),
  url: z.string().max(4_096),
  jwk: z.unknown().optional(),
  kid: z.string().max(4_096).optional(),
});
export type ProtectedHeader = z.infer<typeof protectedHeaderSchema>;

/** Step 1: the body is a flattened JWS with exactly the three members §6.2 allows. */
export function parseFlattenedJws(body: string): FlattenedJws {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw AcmeProblem.malformed("Request body is not JSON");
  }
  if (json && typeof json === "object" && "signatures" in json) {
    throw AcmeProblem.malformed("JWS must have exactly one signature (flattened JSON serialization)");
  }
  const parsed = flattenedJwsSchema.safeParse(json);
  if (!parsed.success) throw AcmeProblem.malformed(`Invalid JWS: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/** Step 2: the protected header, with exactly one of jwk and kid (§6.2). */
export function parseProtectedHeader(
  jws: FlattenedJws,
): ProtectedHeader & ({ jwk: AccountJwk; kid?: never } | { kid: string; jwk?: never }) {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(jws.protected, "base64url").toString("utf8"));
  } catch {
    throw AcmeProblem.malformed("JWS protected header is not base64url-encoded JSON");
  }
  const parsed = protectedHeaderSchema.safeParse(json);
  if (!parsed.success)
    throw AcmeProblem.malformed(`Invalid JWS protected header: ${firstIssue(parsed.error)}`);
  const header = parsed.data;
  if (header.alg === "none" || header.alg.startsWith("HS") || !isAllowedAlgorithm(header.alg)) {
    throw new AcmeProblem("badSignatureAlgorithm", `JWS algorithm "${header.alg}" is not supported`, {
      extra: { algorithms: [...ALLOWED_JWS_ALGORITHMS] },
    });
  }
  if ((header.jwk === undefined) === (header.kid === undefined)) {
    throw AcmeProblem.malformed("JWS protected header must contain exactly one of jwk and kid");
  }
  if (Array.isArray(header.crit)) {
    // RFC 7515 §4.1.11: we understand no extension, so any critical one must be refused.
    throw AcmeProblem.malformed("JWS protected header lists critical extensions Keyward does not support");
  }
  if (header.jwk !== undefined) {
    return { ...header, jwk: parsePublicJwk(header.jwk, header.alg), kid: undefined };
  }
  return { ...header, kid: header.kid as string, jwk: undefined };
}

/** A jwk that is an acceptable account key (assertAcceptableAccountKey) for the JWS's `alg`. */
export function parsePublicJwk(input: unknown, alg: JwsAlgorithm): AccountJwk {
  const parsed = publicJwkSchema.safeParse(input);
  if (!parsed.success) throw new AcmeProblem("badPublicKey", `Invalid jwk: ${firstIssue(parsed.error)}`);
  assertKeyMatchesAlgorithm(parsed.data, alg);
  assertAcceptableAccountKey(parsed.data);
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
 * RFC 7518 §3.1: the key each allowed algorithm needs. A JWS whose alg does not fit its key is
 * refused as Boulder refuses it (badSignatureAlgorithm), whichever key it names.
 */
export function assertKeyMatchesAlgorithm(jwk: AccountJwk, alg: JwsAlgorithm): void {
  const expected: Record<JwsAlgorithm, string> = {
    RS256: "RSA",
    ES256: "EC P-256",
    ES384: "EC P-384",
    ES512: "EC P-521",
    EdDSA: "OKP Ed25519",
  };
  const actual = jwk.kty === "RSA" ? "RSA" : `${jwk.kty} ${jwk.crv}`;
  if (actual !== expected[alg]) {
    throw new AcmeProblem(
      "badSignatureAlgorithm",
      `JWS algorithm ${alg} needs an ${expected[alg]} key, the key is ${actual}`,
      { extra: { algorithms: [...ALLOWED_JWS_ALGORITHMS] } },
    );
  }
}

export function isAllowedAlgorithm(alg: string): alg is JwsAlgorithm {
  return (ALLOWED_JWS_ALGORITHMS as readonly string[]).includes(alg);
}

export async function importAccountKey(jwk: AccountJwk, alg: JwsAlgorithm): Promise<CryptoKey> {
  try {
    return (await jose.importJWK(jwk, alg)) as CryptoKey;
  } catch (err) {
    throw new AcmeProblem("badPublicKey", "The jwk could not be imported as a public key", { cause: err });
  }
}

export async function jwkThumbprint(jwk: AccountJwk): Promise<string> {
  return jose.calculateJwkThumbprint(jwk, "sha256");
}

/** Step 3: the signature; returns the payload bytes. Errors mapped by jose error code. */
export async function verifyJwsSignature(
  jws: FlattenedJws,
  key: CryptoKey,
  alg: JwsAlgorithm,
): Promise<Uint8Array> {
  try {
    const { payload } = await jose.flattenedVerify(jws, key, { algorithms: [alg] });
    return payload;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
      throw AcmeProblem.malformed("JWS signature verification failed", { cause: err });
    }
    if (code === "ERR_JOSE_ALG_NOT_ALLOWED" || code === "ERR_JOSE_NOT_SUPPORTED") {
      throw new AcmeProblem("badSignatureAlgorithm", `JWS algorithm ${alg} cannot be used with this key`, {
        cause: err,
        extra: { algorithms: [...ALLOWED_JWS_ALGORITHMS] },
      });
    }
    throw AcmeProblem.malformed("JWS could not be verified", { cause: err });
  }
}

export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
  return `${where}${issue.message}`;
}
