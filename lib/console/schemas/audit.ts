// Audit log filters: who (actor), what (action), which object (target type and id).
import type { z } from "zod";
import { pagingSchema, searchSchema } from "./common";

export const auditQuerySchema = pagingSchema.extend({
  // "user:<id>", "token:<id>", "system", or a username (matched to its "user:<id>").
  actor: searchSchema,
  // An action or its prefix: "alias." matches every alias action.
  action: searchSchema,
  targetType: searchSchema,
  targetId: searchSchema,
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;
