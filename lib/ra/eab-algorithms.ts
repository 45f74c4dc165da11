// The algorithms and limits of external account binding keys (spec "Managing ACME External
// Account Bindings (EAB)", RFC 8555 §7.3.4), as data. Pure, so the console's forms validate with
// the same lists in the browser; lib/ra/eab-keys.ts (management) and lib/ra/eab.ts (verification)
// apply them.

/** RFC 8555 §7.3.4: "alg" MUST indicate a MAC-based algorithm; these are RFC 7518 §3.2's. */
export const MAC_ALGORITHMS = ["HS256", "HS384", "HS512"] as const;
export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

/**
 * RFC 7518 §3.2: "A key of the same size as the hash output (for instance, 256 bits for "HS256")
 * or larger MUST be used with this algorithm." Generated keys have exactly this size (the spec's
 * 256-bit key for HS256).
 */
export const MAC_KEY_MIN_BYTES: Readonly<Record<MacAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/** Spec "Insert base64Url Key": at most 512 base64url characters, i.e. 384 bytes. */
export const MAC_KEY_MAX_BASE64URL = 512;
export const MAC_KEY_MAX_BYTES = 384;

/** Spec "Key Identifier" and "Public Key or Certificate Fingerprint": 1 to 256 base64url characters. */
export const KEY_IDENTIFIER_MAX = 256;

/** Spec "Insert PEM Public Key or Certificate": at most 4096 characters. */
export const PUBLIC_KEY_PEM_MAX = 4096;

/**
 * Spec "Signature Algorithm" of an asymmetric EAB key, in the spec's (Java) spelling: the
 * algorithm the holder of the private key uses for the "aks" signature over the account key.
 */
export const EAB_SIGNATURE_ALGORITHMS = [
  "SHA256WithRSA",
  "SHA384WithRSA",
  "SHA512WithRSA",
  "SHA256withECDSA",
  "SHA384withECDSA",
  "SHA512withECDSA",
  "Ed25519",
] as const;
export type EabSignatureAlgorithm = (typeof EAB_SIGNATURE_ALGORITHMS)[number];

/** The public key type each signature algorithm needs, and its hash (null: Ed25519 hashes itself). */
export const SIGNATURE_ALGORITHM_PARAMETERS: Readonly<
  Record<EabSignatureAlgorithm, { keyType: "rsa" | "ec" | "ed25519"; hash: string | null }>
> = {
  SHA256WithRSA: { keyType: "rsa", hash: "sha256" },
  SHA384WithRSA: { keyType: "rsa", hash: "sha384" },
  SHA512WithRSA: { keyType: "rsa", hash: "sha512" },
  SHA256withECDSA: { keyType: "ec", hash: "sha256" },
  SHA384withECDSA: { keyType: "ec", hash: "sha384" },
  SHA512withECDSA: { keyType: "ec", hash: "sha512" },
  Ed25519: { keyType: "ed25519", hash: null },
};

export const EAB_KEY_TYPES = ["mac", "signature"] as const;
export type EabKeyType = (typeof EAB_KEY_TYPES)[number];

/** What a key is now: usable, or why not. */
export const EAB_KEY_STATES = ["active", "disabled", "expired", "used"] as const;
export type EabKeyState = (typeof EAB_KEY_STATES)[number];

export const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The columns an alias's key list sorts by (lib/ra/eab-keys.ts listEabKeys). */
export const EAB_KEY_SORTS = ["keyIdentifier", "type", "created", "expires", "accounts"] as const;
export type EabKeySort = (typeof EAB_KEY_SORTS)[number];
