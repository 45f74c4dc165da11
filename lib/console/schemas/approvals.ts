// Approval requests as the console lists and decides them: the queue's query string, the
// request id in the path, and a decision (approve, or reject with a comment).
import { z } from "zod";
import { pagingSchema, searchSchema, sortSchema } from "./common";

export const APPROVAL_VIEWS = ["pending", "history"] as const;
export const APPROVAL_KINDS = ["registration", "keyChange"] as const;
export const APPROVAL_VERDICTS = ["approve", "reject"] as const;
export const MAX_DECISION_COMMENT_LENGTH = 1000;

const emptyToUndefined = (v: unknown) => (v === "" ? undefined : v);

/**
 * The history's sortable columns (newest first by default). The pending queue keeps its order,
 * oldest first: those expire first.
 */
export const APPROVAL_HISTORY_SORT_COLUMNS = ["asked", "decided"] as const;

export const approvalListQuerySchema = pagingSchema.extend({
  ...sortSchema(APPROVAL_HISTORY_SORT_COLUMNS, { sort: "asked", dir: "desc" }).shape,
  // A key thumbprint or account id, or its beginning; or a contact, exactly ("mailto:ops@…").
  q: searchSchema,
  // pending: open requests, oldest first (they expire first); history: decided and expired ones.
  view: z.enum(APPROVAL_VIEWS, { error: "One of pending, history" }).default("pending"),
  alias: searchSchema,
  kind: z.preprocess(
    emptyToUndefined,
    z.enum(APPROVAL_KINDS, { error: "One of registration, keyChange" }).optional(),
  ),
});
export type ApprovalListQuery = z.infer<typeof approvalListQuerySchema>;

// Request ids are PostgreSQL integers (the RequestID clients are told).
export const approvalParamsSchema = z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647) });

export const approvalDecisionBodySchema = z
  .strictObject({
    verdict: z.enum(APPROVAL_VERDICTS, { error: "One of approve, reject" }),
    comment: z
      .string({ error: "A comment is text" })
      .trim()
      .max(MAX_DECISION_COMMENT_LENGTH, `At most ${MAX_DECISION_COMMENT_LENGTH} characters`)
      .default(""),
  })
  .refine((d) => d.verdict === "approve" || d.comment.length > 0, {
    path: ["comment"],
    message: "Say why the request is rejected",
  });
export type ApprovalDecisionBody = z.infer<typeof approvalDecisionBodySchema>;
