// The protocol switch and the global ACME settings (spec "Enabling ACME", "Global Fields").
import { z } from "zod";
import { parseDurationSeconds } from "@/lib/ra/durations";

export const protocolBodySchema = z.strictObject({
  acmeEnabled: z.boolean({ error: "acmeEnabled must be true or false" }),
});

// A nonce that expires faster than a client can sign a request is useless; one that lives longer
// than a day only widens the replay window.
export const NONCE_VALIDITY_MIN_MS = 1_000;
export const NONCE_VALIDITY_MAX_MS = 86_400_000;
const NONCE_VALIDITY_MESSAGE = `From 1s to 24h (${NONCE_VALIDITY_MIN_MS} to ${NONCE_VALIDITY_MAX_MS} milliseconds)`;

export const globalSettingsBodySchema = z.strictObject({
  // The alias used by /acme/directory; null: none (only alias URLs work).
  defaultAlias: z.string().min(1).max(250).nullable().optional(),
  replayNonceValidityMs: z
    .number({ error: "Enter a number of milliseconds" })
    .int("Enter a whole number of milliseconds")
    .min(NONCE_VALIDITY_MIN_MS, NONCE_VALIDITY_MESSAGE)
    .max(NONCE_VALIDITY_MAX_MS, NONCE_VALIDITY_MESSAGE)
    .optional(),
});
export type GlobalSettingsBody = z.infer<typeof globalSettingsBodySchema>;

/**
 * The nonce validity as the console's form takes it: a duration like the alias's order validity
 * ("1h", "10m 30s"), turned into the API's milliseconds (null when it is not a duration).
 */
export function nonceValidityMsOf(text: string): number | null {
  const seconds = parseDurationSeconds(text);
  return seconds === null ? null : seconds * 1000;
}
export const NONCE_VALIDITY_FORMAT_MESSAGE = "Use units d, h, m, s: 1h, or 10m 30s";
