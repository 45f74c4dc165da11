// External account binding at newAccount (RFC 8555 §7.3.4), as the RFC's numbered steps, the way
// Pebble's verifyEAB reads. Two forms, told apart by the binding's "alg":
//
//   MAC (RFC 8555 §7.3.4; spec "RFC8555 compliant EAB"): alg HS256/HS384/HS512, kid = the key
//     identifier the CA gave out, payload = the account key (the outer JWS's jwk), MAC'd with the
//     key the CA gave out.
//   signature (spec "EAB with asymmetric key signature"): signed by the account key itself, alg =
//     the outer JWS's alg, payload = { key, cf, aks }: key = the account key, cf = the fingerprint
//     of the public key or certificate the CA holds, aks = base64url of a signature over the
//     account key (its RFC 7638 canonical JSON, lib/crypto/jwk.ts canonicalJwkJson) made with the
//     private key of that public key, with the key's signature algorithm.
//
// A failed step throws the problem that names its rule: malformed for the binding's structure
// and header, unauthorized for a key that is unknown, disabled, expired, used up, or that the
// binding does not prove. Nothing here writes: binding the account (and using up a one-account
// key) happens in the account's own transaction (lib/ra/accounts.ts registerAccount).
import { createPublicKey, verify as verifySignature } from "node:crypto";
import * as jose from "jose";
import { z } from "zod";
import {
  type AccountJwk,
  base64urlSchema,
  canonicalJwkJson,
  jwkThumbprint,
  parseAccountJwk,
} from "@/lib/crypto/jwk";
import { AcmeProblem, firstIssue } from "@/lib/problem";
import {
  type EabKeyState,
  type EabKeyType,
  type EabSignatureAlgorithm,
  KEY_IDENTIFIER_MAX,
  MAC_ALGORITHMS,
  type MacAlgorithm,
  SIGNATURE_ALGORITHM_PARAMETERS,
} from "./eab-algorithms";

/** A stored EAB key as verification reads it (lib/ra/eab-keys.ts maps the row). */
export type EabKeyRecord = {
  id: string;
  type: EabKeyType;
  keyIdentifier: string;
  macAlgorithm: MacAlgorithm | null;
  publicKeyPem: string | null;
  signatureAlgorithm: EabSignatureAlgorithm | null;
  bindsMany: boolean;
  boundAccounts: number;
  expiresAt: Date | null;
  disabledAt: Date | null;
  /** Spec "Combine ACME EAB with General Account Binding"; null: none. */
  namespace: string | null;
};

/** Where the keys of the alias come from, and how a MAC key is opened (sealed at rest). */
export type EabKeySource = {
  find(keyIdentifier: string): Promise<EabKeyRecord | null>;
  openMacKey(key: EabKeyRecord): Uint8Array;
};

/** What the binding is checked against: the outer JWS of the newAccount request. */
export type OuterJws = { jwk: AccountJwk; thumbprint: string; alg: string; url: string };

/** The binding's three members (RFC 7515 §7.2.2 flattened JWS). */
export type EabJws = { protected: string; payload: string; signature: string };

const malformed = (rule: string) => AcmeProblem.malformed(`externalAccountBinding: ${rule}`);
const unauthorized = (rule: string) => AcmeProblem.unauthorized(`externalAccountBinding: ${rule}`);

const eabJwsSchema = z.strictObject({
  protected: base64urlSchema.min(1).max(4_096),
  payload: base64urlSchema.min(1).max(16_384),
  signature: base64urlSchema.min(1).max(2_048),
});

const protectedHeaderSchema = z.looseObject({
  alg: z.string({ error: "the protected header must name an alg" }).max(32),
  kid: z
    .string({ error: "kid must be a string" })
    .min(1, "kid must not be empty")
    .max(KEY_IDENTIFIER_MAX, `kid is at most ${KEY_IDENTIFIER_MAX} characters`)
    .optional(),
  url: z.string({ error: "the protected header must carry the url (RFC 8555 §7.3.4)" }).max(4_096),
});
type EabHeader = z.infer<typeof protectedHeaderSchema>;

const signaturePayloadSchema = z.strictObject({
  key: z.record(z.string(), z.unknown(), { error: "key must be the account key (a JWK object)" }),
  cf: z
    .string({ error: "cf must be the fingerprint string the CA gave out" })
    .min(1, "cf must not be empty")
    .max(KEY_IDENTIFIER_MAX, `cf is at most ${KEY_IDENTIFIER_MAX} characters`),
  aks: base64urlSchema.min(1, "aks must not be empty").max(2_048),
});
type SignaturePayload = z.infer<typeof signaturePayloadSchema>;

function isMacAlgorithm(alg: string): alg is MacAlgorithm {
  return (MAC_ALGORITHMS as readonly string[]).includes(alg);
}

/** Whether a key can bind an account now, or the state that forbids it. */
export function eabKeyState(key: EabKeyRecord, now: Date): EabKeyState {
  if (key.disabledAt) return "disabled";
  if (key.expiresAt && key.expiresAt <= now) return "expired";
  if (!key.bindsMany && key.boundAccounts > 0) return "used";
  return "active";
}

/**
 * RFC 8555 §7.3.4 "To verify the account binding, the CA MUST take the following steps". Returns
 * the key the binding proves; throws the problem of the first step that fails.
 */
export async function verifyExternalAccountBinding(
  binding: unknown,
  outer: OuterJws,
  keys: EabKeySource,
  now: Date,
): Promise<EabKeyRecord> {
  // 1. "Verify that the value of the field is a well-formed JWS": a flattened JWS whose
  //    protected header and payload are base64url-encoded JSON.
  const jws = parseEabJws(binding);
  const header = parseEabHeader(jws);
  const payload = parsePayloadJson(jws);

  // 2. "Verify that the JWS protected header meets the above criteria": a MAC alg (or, for the
  //    signature form, the account key's own alg), no nonce, the outer JWS's url.
  const form = assertHeaderCriteria(header, outer);

  // 3. "Retrieve the MAC key corresponding to the key identifier in the kid field" (the
  //    signature form names its key by kid or by cf), and check it may bind an account now.
  let signaturePayload: SignaturePayload | undefined;
  let identifier: string;
  if (form === "mac") {
    identifier = header.kid as string;
  } else {
    // A kid naming a MAC key is answered as such (below), before the payload's shape.
    signaturePayload = header.kid === undefined ? parseSignaturePayload(payload) : undefined;
    identifier = header.kid ?? (signaturePayload as SignaturePayload).cf;
  }
  const key = await keys.find(identifier);
  if (!key) {
    throw unauthorized(
      form === "mac" || header.kid !== undefined
        ? `no EAB key with key identifier (kid) "${identifier}" exists on this ACME alias`
        : `no EAB key with the fingerprint (cf) "${identifier}" exists on this ACME alias`,
    );
  }
  assertKeyUsable(key, now);
  assertAlgorithmFitsKey(key, header.alg, outer);

  if (key.type === "mac") {
    // 4. "Verify that the MAC on the JWS verifies using that MAC key".
    await verifyJws(jws, keys.openMacKey(key), header.alg, () =>
      unauthorized(`the MAC does not verify with the key "${key.keyIdentifier}" (wrong MAC key)`),
    );
    // 5. "Verify that the payload of the JWS represents the same key as was used to verify the
    //    outer JWS (i.e., the "jwk" field of the outer JWS)".
    await assertSameKey(payload, outer, "the payload");
    return key;
  }

  // The signature form, spec "newAccount request with EAB with asymmetric key signature":
  // 4. the binding is signed by the account key that signed the outer JWS;
  const payloadOfKey = signaturePayload ?? parseSignaturePayload(payload);
  const accountKey = (await jose.importJWK(outer.jwk, outer.alg)) as CryptoKey;
  await verifyJws(jws, accountKey, outer.alg, () =>
    unauthorized("the signature does not verify with the account key (the outer JWS's jwk)"),
  );
  // 5. its key is the account key, its cf the key's fingerprint, and aks a signature over the
  //    account key by the private key whose public key the CA holds.
  await assertSameKey(payloadOfKey.key, outer, "the payload's key");
  if (payloadOfKey.cf !== key.keyIdentifier) {
    throw unauthorized(`cf "${payloadOfKey.cf}" is not the fingerprint of the key "${key.keyIdentifier}"`);
  }
  if (!verifyAccountKeySignature(key, outer.jwk, payloadOfKey.aks)) {
    throw unauthorized(
      `aks is not a ${key.signatureAlgorithm} signature of the account key (its RFC 7638 JSON) by the key "${key.keyIdentifier}"`,
    );
  }
  return key;
}

function parseEabJws(binding: unknown): EabJws {
  const parsed = eabJwsSchema.safeParse(binding);
  if (!parsed.success) {
    throw malformed(
      `must be a flattened JWS with protected, payload and signature (${firstIssue(parsed.error)})`,
    );
  }
  return parsed.data;
}

function decodeJson(b64: string): unknown {
  try {
    return JSON.parse(Buffer.from(b64, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

function parseEabHeader(jws: EabJws): EabHeader {
  const json = decodeJson(jws.protected);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw malformed("the protected header is not a base64url-encoded JSON object");
  }
  const parsed = protectedHeaderSchema.safeParse(json);
  if (!parsed.success) throw malformed(firstIssue(parsed.error));
  return parsed.data;
}

function parsePayloadJson(jws: EabJws): unknown {
  const json = decodeJson(jws.payload);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw malformed("the payload is not a base64url-encoded JSON object");
  }
  return json;
}

function parseSignaturePayload(payload: unknown): SignaturePayload {
  const parsed = signaturePayloadSchema.safeParse(payload);
  if (!parsed.success) {
    throw malformed(
      `the payload of a signature binding must be { key, cf, aks } (${firstIssue(parsed.error)})`,
    );
  }
  return parsed.data;
}

/** Step 2, RFC 8555 §7.3.4's criteria for the protected header. */
function assertHeaderCriteria(header: EabHeader, outer: OuterJws): EabKeyType {
  if ("nonce" in header) throw malformed('the protected header must not contain a "nonce" (RFC 8555 §7.3.4)');
  if ("crit" in header)
    throw malformed("the protected header lists critical extensions Keyward does not support");
  if (header.url !== outer.url) {
    throw malformed(`url "${header.url}" must be the outer JWS's url "${outer.url}" (RFC 8555 §7.3.4)`);
  }
  if (isMacAlgorithm(header.alg)) {
    if (header.kid === undefined) {
      throw malformed('the protected header must carry the key identifier the CA gave out as "kid"');
    }
    return "mac";
  }
  if (header.alg === outer.alg) return "signature";
  throw malformed(
    `alg "${header.alg}" is not allowed: a MAC binding uses ${MAC_ALGORITHMS.join(", ")}; a signature binding is signed by the account key, with ${outer.alg}`,
  );
}

/** Step 3: a disabled, expired or used-up key binds nothing. */
function assertKeyUsable(key: EabKeyRecord, now: Date): void {
  const state = eabKeyState(key, now);
  const reasons: Record<Exclude<EabKeyState, "active">, string> = {
    disabled: "is disabled",
    expired: `expired at ${key.expiresAt?.toISOString()}`,
    used: "has already bound an account and binds only one",
  };
  if (state !== "active") throw unauthorized(`the key "${key.keyIdentifier}" ${reasons[state]}`);
}

/** The binding's alg must be the key's own: its MAC algorithm, or the account key's signature. */
function assertAlgorithmFitsKey(key: EabKeyRecord, alg: string, outer: OuterJws): void {
  if (key.type === "mac" && alg !== key.macAlgorithm) {
    throw malformed(
      isMacAlgorithm(alg)
        ? `the key "${key.keyIdentifier}" is an ${key.macAlgorithm} key: the binding must use ${key.macAlgorithm}, not ${alg}`
        : `the key "${key.keyIdentifier}" is a MAC key: the binding must be MAC'd with ${key.macAlgorithm}, not signed with the asymmetric ${alg}`,
    );
  }
  if (key.type === "signature" && alg !== outer.alg) {
    throw malformed(
      `the key "${key.keyIdentifier}" is a signature key: the binding must be signed with the account key (${outer.alg}), not MAC'd with ${alg}`,
    );
  }
}

async function verifyJws(
  jws: EabJws,
  key: Uint8Array | CryptoKey,
  alg: string,
  failed: () => AcmeProblem,
): Promise<void> {
  try {
    await jose.flattenedVerify(jws, key, { algorithms: [alg] });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") throw failed();
    throw malformed("the JWS could not be verified");
  }
}

/** Step 5: `value` is the outer JWS's jwk, compared by RFC 7638 thumbprint. */
async function assertSameKey(value: unknown, outer: OuterJws, what: string): Promise<void> {
  let thumbprint: string | null;
  try {
    thumbprint = await jwkThumbprint(parseAccountJwk(value));
  } catch {
    thumbprint = null;
  }
  if (thumbprint !== outer.thumbprint) {
    throw unauthorized(`${what} is not the account key (the outer JWS's jwk)`);
  }
}

/**
 * The "aks" check: a signature over the account key's RFC 7638 JSON, with the key's signature
 * algorithm. ECDSA signatures are accepted in JOSE's fixed-length form and in DER (what Java's
 * Signature and `openssl dgst -sign` produce): both encode the same (r, s).
 */
function verifyAccountKeySignature(key: EabKeyRecord, accountJwk: AccountJwk, aks: string): boolean {
  if (!key.publicKeyPem || !key.signatureAlgorithm) return false;
  // node reads both a CERTIFICATE block (its subject key) and a PUBLIC KEY block.
  const publicKey = createPublicKey(key.publicKeyPem);
  const { hash, keyType } = SIGNATURE_ALGORITHM_PARAMETERS[key.signatureAlgorithm];
  const data = Buffer.from(canonicalJwkJson(accountJwk), "utf8");
  const signature = Buffer.from(aks, "base64url");
  if (keyType !== "ec") return verifySignature(hash, data, publicKey, signature);
  return (["ieee-p1363", "der"] as const).some((dsaEncoding) => {
    try {
      return verifySignature(hash, data, { key: publicKey, dsaEncoding }, signature);
    } catch {
      return false;
    }
  });
}
