// Flattened JWS (RFC 7515 §7.2.2) as RFC 8555 §6.2 restricts it. Parsing and verification are
// separate steps so serve.ts can run them in RFC order; only verifyJwsSignature returns the
// payload, so nothing reads a payload whose signature was not checked.
import * as jose from "jose";
import { z } from "zod";
import {
  type AccountJwk,
  assertAcceptableAccountKey,
  base64urlSchema,
  parseAccountJwk,
} from "@/lib/crypto/jwk";
import { AcmeProblem, firstIssue } from "@/lib/problem";

/** RFC 8555 §6.2: signature algorithms Keyward accepts; never "none" or a MAC. */
export const ALLOWED_JWS_ALGORITHMS = ["RS256", "ES256", "ES384", "ES512", "EdDSA"] as const;
export type JwsAlgorithm = (typeof ALLOWED_JWS_ALGORITHMS)[number];

const b64url = base64urlSchema;

// RFC 8555 §6.2: one signature, no unprotected header, payload present (possibly ""). The
// signature may be empty here so that alg "none" is answered as such (badSignatureAlgorithm, §6.2)
// rather than as a malformed signature; verification refuses an empty one anyway.
export const flattenedJwsSchema = z.strictObject(
  {
    protected: b64url.min(1).max(16_384),
    payload: b64url.max(1_000_000),
    signature: b64url.max(2_048),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `unexpected JWS member(s): ${issue.keys.join(", ")}` : undefined,
  },
);
export type FlattenedJws = z.infer<typeof flattenedJwsSchema>;

const protectedHeaderSchema = z.looseObject({
  alg: z.string().max(32),
  // Bounded by the protected header's own bound. RFC 8555 §6.5: a nonce string that is not one of
  // ours, however long, is badNonce (the nonce step says so), not a malformed header.
  nonce: z.string().optional(),
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
  const jwk = parseAccountJwk(input);
  assertKeyMatchesAlgorithm(jwk, alg);
  assertAcceptableAccountKey(jwk);
  return jwk;
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
