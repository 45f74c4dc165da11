// Resource ids: 128 random bits, base64url (22 characters). ACME URLs must be neither guessable
// nor enumerable; challenge tokens need at least 128 bits of entropy (RFC 8555 §8.1) and use the
// same generator.
import { randomBytes } from "node:crypto";

export function randomId(): string {
  return randomBytes(16).toString("base64url");
}

/** What an id in an ACME URL or cursor can look like (base64url, bounded); anything else names nothing. */
export function isResourceId(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(text);
}
