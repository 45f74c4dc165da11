// Rate-limit overrides as the console's form, the console API and the CLI send them: one limit set
// for one account of an alias (0 = no limit for that account). The limits and their rules are in
// lib/ra/rate-limits.ts; the names an override may set are in lib/ra/alias-settings.ts.
import { z } from "zod";
import { ACCOUNT_RATE_LIMIT_NAMES, rateLimitValueSchema } from "@/lib/ra/alias-settings";

export const accountRateLimitNameSchema = z.enum(ACCOUNT_RATE_LIMIT_NAMES, {
  error: `One of ${ACCOUNT_RATE_LIMIT_NAMES.join(", ")}`,
});

/** ACME account ids are 22 base64url characters (lib/ra/ids.ts); anything else names no account. */
const accountIdSchema = z
  .string({ error: "Enter an account id" })
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "An account id is letters, digits, '-' and '_' (as in its URL)");

export const setRateLimitOverrideBodySchema = z.strictObject({
  accountId: accountIdSchema,
  limit: accountRateLimitNameSchema,
  value: rateLimitValueSchema,
  note: z.string().trim().max(500, "At most 500 characters").default(""),
});
export type SetRateLimitOverrideBody = z.infer<typeof setRateLimitOverrideBodySchema>;

export const rateLimitOverrideParamsSchema = z.object({
  alias: z.string().min(1).max(250),
  accountId: accountIdSchema,
  limit: accountRateLimitNameSchema,
});
