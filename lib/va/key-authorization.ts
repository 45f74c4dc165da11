// lib/va — the validation authority. Pure validation of http-01, dns-01 and tls-alpn-01
// challenges: given an identifier, a token and the expected key authorization, it talks to the
// network and says valid or invalid with a problem and a record of what it saw. It knows nothing
// about HTTP servers, the database or orders; lib/va/jobs.ts runs it as durable jobs.
//
// This file: the values a client must publish, derived from the key authorization.
import { createHash } from "node:crypto";

// RFC 8555 §8.1: tokens are base64url without padding; §8.3 and §8.4 require ≥128 bits of entropy,
// so a well-formed token is at least 22 characters. We check the alphabet only: the token is ours
// (lib/ra makes it) and goes into a URL path, which the alphabet alone makes safe.
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

export function isBase64UrlToken(value: string): boolean {
  return BASE64URL_PATTERN.test(value);
}

/**
 * RFC 8555 §8.1: keyAuthorization = token || '.' || base64url(Thumbprint(accountKey)), where the
 * thumbprint is the RFC 7638 SHA-256 JWK thumbprint, already base64url-encoded by the caller
 * (lib/crypto/jwk.ts jwkThumbprint).
 */
export function keyAuthorization(token: string, accountJwkThumbprint: string): string {
  if (!isBase64UrlToken(token))
    throw new TypeError("token must be base64url without padding (RFC 8555 §8.1)");
  if (!isBase64UrlToken(accountJwkThumbprint))
    throw new TypeError("thumbprint must be base64url without padding");
  return `${token}.${accountJwkThumbprint}`;
}

/** RFC 8555 §8.4: the TXT record value is base64url(SHA-256(keyAuthorization)), no padding. */
export function dns01TxtValue(keyAuthorizationValue: string): string {
  return createHash("sha256").update(keyAuthorizationValue, "utf8").digest("base64url");
}

/**
 * RFC 8737 §3: the acmeIdentifier extension carries SHA-256(keyAuthorization), the raw 32 octets
 * (the extension's DER wrapping is tls-alpn-01.ts's business).
 */
export function tlsAlpn01Digest(keyAuthorizationValue: string): Buffer {
  return createHash("sha256").update(keyAuthorizationValue, "utf8").digest();
}
