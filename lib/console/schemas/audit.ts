// Audit log filters: who (actor), what (action), which object (target type and id), when (a date
// range); the order; and the export's format.
import { z } from "zod";
import { pagingSchema, searchSchema, sortSchema } from "./common";

const emptyAsUndefined = (v: unknown) => (v === "" ? undefined : v);

/** A day as the date inputs send it (YYYY-MM-DD, UTC), or a full ISO time. */
const dayOrTime = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .max(40, "At most 40 characters")
    .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/, "A date, YYYY-MM-DD")
    .refine((v) => !Number.isNaN(Date.parse(v)), "A date, YYYY-MM-DD")
    .optional(),
);

/** The audit log's sortable columns (newest first by default). */
export const AUDIT_SORT_COLUMNS = ["when", "action", "object"] as const;

export const auditFilterSchema = z.object({
  // "user:<id>", "token:<id>", "system", or a username (matched to its "user:<id>").
  actor: searchSchema,
  // An action or its prefix: "alias." matches every alias action.
  action: searchSchema,
  targetType: searchSchema,
  targetId: searchSchema,
  // Events on or after the first day and before the end of the second (UTC).
  from: dayOrTime,
  to: dayOrTime,
  ...sortSchema(AUDIT_SORT_COLUMNS, { sort: "when", dir: "desc" }).shape,
});

export const auditQuerySchema = pagingSchema.extend(auditFilterSchema.shape);
export type AuditQuery = z.infer<typeof auditQuerySchema>;
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const AUDIT_EXPORT_FORMATS = ["csv", "jsonl"] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** GET /api/console/audit/export: the filtered log (every page of it) as CSV or JSON lines. */
export const auditExportQuerySchema = auditFilterSchema.extend({
  format: z.preprocess(
    emptyAsUndefined,
    z.enum(AUDIT_EXPORT_FORMATS, { error: "One of csv, jsonl" }).default("csv"),
  ),
});
export type AuditExportQuery = z.infer<typeof auditExportQuerySchema>;
