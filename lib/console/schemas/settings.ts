// The protocol switch and the global ACME settings (spec "Enabling ACME", "Global Fields").
import { z } from "zod";

export const protocolBodySchema = z.strictObject({
  acmeEnabled: z.boolean({ error: "acmeEnabled must be true or false" }),
});

// A nonce that expires faster than a client can sign a request is useless; one that lives longer
// than a day only widens the replay window.
export const NONCE_VALIDITY_MIN_MS = 1_000;
export const NONCE_VALIDITY_MAX_MS = 86_400_000;
const NONCE_VALIDITY_MESSAGE = `Between ${NONCE_VALIDITY_MIN_MS} (1 s) and ${NONCE_VALIDITY_MAX_MS} (24 h) milliseconds`;

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
