// Orders as the console searches them: by identifier, account, alias and status, sorted in the URL.
import { z } from "zod";
import { pagingSchema, searchSchema, sortSchema } from "./common";

export const ORDER_STATUSES = ["pending", "ready", "processing", "valid", "invalid"] as const;

const emptyAsUndefined = (v: unknown) => (v === "" ? undefined : v);

/** The orders list's sortable columns (newest first by default). */
export const ORDER_SORT_COLUMNS = ["created", "expires", "status", "alias"] as const;
export type OrderSort = (typeof ORDER_SORT_COLUMNS)[number];

export const orderListQuerySchema = pagingSchema.extend({
  ...sortSchema(ORDER_SORT_COLUMNS, { sort: "created", dir: "desc" }).shape,
  // Part of an identifier's value ("shop.example", "192.0.2."), case-insensitive; % and _ match
  // themselves.
  identifier: searchSchema,
  account: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .max(128)
      .regex(/^[A-Za-z0-9_-]+$/, "An account id is base64url")
      .optional(),
  ),
  alias: searchSchema,
  status: z.preprocess(
    emptyAsUndefined,
    z.enum(ORDER_STATUSES, { error: "One of pending, ready, processing, valid, invalid" }).optional(),
  ),
});
export type OrderListQuery = z.infer<typeof orderListQuerySchema>;

export const orderParamsSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/) });
