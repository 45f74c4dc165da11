// External account bindings (RFC 8555 §7.3.4) as a client builds them, for tests that need to
// send every variant: the MAC form (what certbot, lego and acme-client send) and Keyward's
// signature form ({ key, cf, aks }, README "External account binding"), with any header or
// payload member overridden.
import { createHash, generateKeyPairSync, type KeyObject, sign, webcrypto } from "node:crypto";
import * as jose from "jose";
import { canonicalJwkJson, parseAccountJwk } from "@/lib/crypto/jwk";
import { X509CertificateGenerator } from "@/lib/crypto/x509";

export type FlattenedJws = { protected: string; payload: string; signature: string };

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** The MAC form: payload = the account key, MAC'd with the CA's key. */
export async function macBinding(o: {
  accountJwk: jose.JWK;
  kid: string;
  hmacKey: Uint8Array | string;
  url: string;
  alg?: string;
  /** Replaces the payload (default: the account key). */
  payload?: unknown;
  /** Merged into the protected header (undefined values remove a member). */
  header?: Record<string, unknown>;
}): Promise<FlattenedJws> {
  const alg = o.alg ?? "HS256";
  const header: Record<string, unknown> = { alg, kid: o.kid, url: o.url, ...o.header };
  for (const [k, v] of Object.entries(header)) if (v === undefined) delete header[k];
  const key = typeof o.hmacKey === "string" ? Buffer.from(o.hmacKey, "base64url") : o.hmacKey;
  const payload = new TextEncoder().encode(JSON.stringify(o.payload ?? o.accountJwk));
  if (!alg.startsWith("HS")) {
    // Any other alg is signed as a MAC anyway: the server must refuse it before checking.
    const protectedB64 = b64(header);
    return {
      protected: protectedB64,
      payload: Buffer.from(payload).toString("base64url"),
      signature: "AAAA",
    };
  }
  const jws = await new jose.FlattenedSign(payload)
    .setProtectedHeader(header as jose.JWSHeaderParameters)
    .sign(new Uint8Array(key));
  return { protected: jws.protected as string, payload: jws.payload, signature: jws.signature };
}

/** The "aks" member: a signature over the account key's RFC 7638 JSON with the EAB private key. */
export function accountKeySignature(
  accountJwk: jose.JWK,
  privateKey: KeyObject,
  hash: string | null,
  dsaEncoding: "der" | "ieee-p1363" = "ieee-p1363",
): string {
  const data = Buffer.from(canonicalJwkJson(parseAccountJwk(accountJwk)));
  return sign(hash, data, { key: privateKey, dsaEncoding }).toString("base64url");
}

/** The signature form: signed by the account key itself, payload { key, cf, aks }. */
export async function signatureBinding(o: {
  accountKey: { privateKey: CryptoKey; jwk: jose.JWK; alg: string };
  url: string;
  cf: string;
  aks: string;
  /** Replaces or removes payload members. */
  payload?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Signs with this key instead of the account key. */
  signingKey?: CryptoKey;
}): Promise<FlattenedJws> {
  const header: Record<string, unknown> = { alg: o.accountKey.alg, url: o.url, ...o.header };
  const body: Record<string, unknown> = { key: o.accountKey.jwk, cf: o.cf, aks: o.aks, ...o.payload };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  const jws = await new jose.FlattenedSign(new TextEncoder().encode(JSON.stringify(body)))
    .setProtectedHeader(header as jose.JWSHeaderParameters)
    .sign(o.signingKey ?? o.accountKey.privateKey);
  return { protected: jws.protected as string, payload: jws.payload, signature: jws.signature };
}

export type EabKeyPair = {
  privateKey: KeyObject;
  publicKeyPem: string;
  spkiDer: Buffer;
  /** base64url(SHA-256(SPKI DER)): Keyward's default fingerprint of a bare public key. */
  spkiFingerprint: string;
};

export function eabKeyPair(type: "ec" | "rsa" | "ed25519", curve = "P-256"): EabKeyPair {
  const pair =
    type === "ec"
      ? generateKeyPairSync("ec", { namedCurve: curve })
      : type === "rsa"
        ? generateKeyPairSync("rsa", { modulusLength: 2048 })
        : generateKeyPairSync("ed25519");
  const spkiDer = pair.publicKey.export({ type: "spki", format: "der" });
  return {
    privateKey: pair.privateKey,
    publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }) as string,
    spkiDer,
    spkiFingerprint: createHash("sha256").update(spkiDer).digest("base64url"),
  };
}

/** The WebCrypto algorithm of a key of this pair, for @peculiar/x509 (RSA and ECDSA with SHA-256). */
function webCryptoAlgorithm(key: KeyObject) {
  const type = key.asymmetricKeyType;
  if (type === "rsa") return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  if (type === "ed25519") return { name: "Ed25519" };
  const curve = key.asymmetricKeyDetails?.namedCurve === "secp384r1" ? "P-384" : "P-256";
  return { name: "ECDSA", namedCurve: curve, hash: "SHA-256" };
}

/**
 * A certificate for `subject`'s public key signed by `issuer`'s private key (self-signed when
 * issuer is subject): its PEM, DER and Keyward's default fingerprint (SHA-256 of the DER).
 * `extraNames` adds long subject attributes, to make the PEM as large as a test needs.
 */
export async function eabCertificate(
  subject: EabKeyPair,
  issuer: EabKeyPair = subject,
  o: { extraNames?: number } = {},
) {
  const signingAlgorithm = webCryptoAlgorithm(issuer.privateKey);
  const signingKey = await webcrypto.subtle.importKey(
    "pkcs8",
    issuer.privateKey.export({ type: "pkcs8", format: "der" }),
    signingAlgorithm,
    false,
    ["sign"],
  );
  const publicKey = await webcrypto.subtle.importKey(
    "spki",
    subject.spkiDer,
    webCryptoAlgorithm(subject.privateKey),
    true,
    ["verify"],
  );
  const names = Array.from({ length: o.extraNames ?? 0 }, (_, i) => `OU=unit ${i} ${"x".repeat(60)}`);
  const cert = await X509CertificateGenerator.create({
    serialNumber: "01",
    subject: ["CN=eab holder", ...names].join(", "),
    issuer: issuer === subject ? "CN=eab holder" : "CN=eab issuer",
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    publicKey,
    signingKey,
    signingAlgorithm,
  });
  const der = Buffer.from(cert.rawData);
  return {
    pem: cert.toString("pem"),
    der,
    fingerprint: createHash("sha256").update(der).digest("base64url"),
  };
}
