// ACME accounts as the console searches them: by alias, status, contact and key thumbprint,
// sorted by a column in the URL.
import { z } from "zod";
import { pagingSchema, searchSchema, sortSchema } from "./common";

export const ACCOUNT_STATUSES = ["valid", "deactivated", "revoked"] as const;

/** The accounts list's sortable columns (newest first by default). */
export const ACCOUNT_SORT_COLUMNS = ["created", "alias", "status", "orders", "certificates"] as const;

export const accountListQuerySchema = pagingSchema.extend({
  ...sortSchema(ACCOUNT_SORT_COLUMNS, { sort: "created", dir: "desc" }).shape,
  alias: searchSchema,
  status: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.enum(ACCOUNT_STATUSES, { error: "One of valid, deactivated, revoked" }).optional(),
  ),
  // Part of a contact, e.g. "ops@" or "example.com".
  contact: searchSchema,
  // The RFC 7638 thumbprint of the account key, or its beginning.
  thumbprint: z
    .string()
    .trim()
    .max(64)
    .regex(/^[A-Za-z0-9_-]*$/, "A key thumbprint is base64url")
    .optional()
    .transform((v) => v || undefined),
});
export type AccountListQuery = z.infer<typeof accountListQuerySchema>;

// Account ids are base64url (lib/ra/ids.ts).
export const accountParamsSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/) });
