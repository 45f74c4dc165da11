// API tokens for automation: a name, a role the token acts with, an optional lifetime.
import { z } from "zod";
import { listQuerySchema, sortSchema } from "./common";
import { roleSchema } from "./users";

/** The tokens list: search by name or owner, sort by a column (active ones first by default), page. */
export const API_TOKEN_SORT_COLUMNS = ["name", "role", "status", "created", "expires", "lastUsed"] as const;
export const apiTokenListQuerySchema = listQuerySchema.extend(
  sortSchema(API_TOKEN_SORT_COLUMNS, { sort: "status", dir: "asc" }).shape,
);
export type ApiTokenListQuery = z.infer<typeof apiTokenListQuerySchema>;

export const createApiTokenBodySchema = z.strictObject({
  name: z.string({ error: "Enter a name" }).trim().min(1, "Enter a name").max(100, "At most 100 characters"),
  role: roleSchema,
  // Days until the token stops working; left out or null: until revoked.
  expiresInDays: z
    .number({ error: "Enter a number of days" })
    .int("Enter a whole number of days")
    .min(1, "1 to 3650 days")
    .max(3650, "1 to 3650 days")
    .nullable()
    .optional(),
});
export type CreateApiTokenBody = z.infer<typeof createApiTokenBodySchema>;

export const apiTokenParamsSchema = z.object({ id: z.uuid("Not a token id") });
