// API tokens for automation: "kw_" + 32 random bytes (base64url). Only the SHA-256 of a token is
// stored; the token itself is shown once, when it is created. A prefix is kept for display.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";
import { type ConsoleActor, tokenActor } from "./actor";

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

// lastUsedAt is for humans: writing it at most once a minute keeps a busy script from turning
// every API call into a write.
const LAST_USED_RESOLUTION_MS = 60_000;

/** The actor behind a bearer token, or null when it is unknown, revoked, expired or orphaned. */
export async function authenticateApiToken(token: string, ip?: string): Promise<ConsoleActor | null> {
  if (!isApiTokenShaped(token)) return null;
  const row = await db().apiToken.findUnique({
    where: { tokenHash: hashApiToken(token) },
    include: { createdBy: { select: { id: true, username: true, role: true, disabled: true } } },
  });
  const now = new Date();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now) || row.createdBy.disabled) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  // The owner's role as stored now: a demotion reaches the token on its next request.
  return tokenActor(row, row.createdBy, ip);
}
