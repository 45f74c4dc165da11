// API tokens for automation: "kw_" + 32 random bytes (base64url). Only the SHA-256 of a token is
// stored; the token itself is shown once, when it is created. A prefix is kept for display.
import { createHash, randomBytes } from "node:crypto";

export const API_TOKEN_PREFIX = "kw_";
const TOKEN_SHAPE = /^kw_[A-Za-z0-9_-]{43}$/;

export function generateApiToken(): { token: string; tokenHash: string; prefix: string } {
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, tokenHash: hashApiToken(token), prefix: token.slice(0, 10) };
}

export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function isApiTokenShaped(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}
