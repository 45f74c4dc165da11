// Approval profiles as the console, its API and the CLI create and change them; the fields, their
// rules and defaults are lib/ra/approval-profile-fields.ts (one schema for form, API and CLI).
import { z } from "zod";
import { approvalProfileFieldsSchema, approvalProfileNameSchema } from "@/lib/ra/approval-profile-fields";

const fields = approvalProfileFieldsSchema.shape;

export const createApprovalProfileBodySchema = z.strictObject({
  name: approvalProfileNameSchema,
  approvalsRequired: fields.approvalsRequired,
  administratorsMayApprove: fields.administratorsMayApprove,
  selfApprovalAllowed: fields.selfApprovalAllowed,
  requestValidity: fields.requestValidity,
});
export type CreateApprovalProfileBody = z.input<typeof createApprovalProfileBodySchema>;

/** PATCH: the fields given change, the others keep their value (no defaults fill in). */
export const updateApprovalProfileBodySchema = z.strictObject({
  approvalsRequired: fields.approvalsRequired.unwrap().optional(),
  administratorsMayApprove: fields.administratorsMayApprove.unwrap().optional(),
  selfApprovalAllowed: fields.selfApprovalAllowed.unwrap().optional(),
  requestValidity: fields.requestValidity.unwrap().optional(),
});

/** `approval-profile apply --file`: a profile's name and fields; fields left out keep their value. */
export const applyApprovalProfileFileSchema = z.strictObject({
  name: approvalProfileNameSchema,
  approvalsRequired: z.unknown().optional(),
  administratorsMayApprove: z.unknown().optional(),
  selfApprovalAllowed: z.unknown().optional(),
  requestValidity: z.unknown().optional(),
});

export const approvalProfileParamsSchema = z.object({ name: z.string().min(1).max(250) });
