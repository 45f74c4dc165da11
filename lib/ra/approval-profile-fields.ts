// The fields of an approval profile with their rules and defaults (spec "Require approval for
// account registration / key change" names a profile; EJBCA's approval profiles say how many
// approvals a request needs and who may give them). Pure, so the console's form validates with it
// in the browser; lib/ra/approval-profiles.ts stores what passes.
import { z } from "zod";
import { formatDurationSeconds, parseDurationSeconds } from "./durations";

// EJBCA's approval profiles ask for 1 to 5 approvals per request.
export const MIN_APPROVALS_REQUIRED = 1;
export const MAX_APPROVALS_REQUIRED = 5;
// A request stays open a week unless the profile says otherwise (issue 10), between an hour and a
// year: shorter would expire before anyone looks, longer keeps keys waiting for ever.
export const DEFAULT_REQUEST_VALIDITY = "7d";
const MIN_REQUEST_VALIDITY_SECONDS = 3_600;
const MAX_REQUEST_VALIDITY_SECONDS = 365 * 86_400;

const PROFILE_NAME = /^[A-Za-z0-9 ._-]{1,64}$/;

export const approvalProfileNameSchema = z
  .string({ error: "Enter a profile name" })
  .trim()
  .regex(PROFILE_NAME, "A profile name is 1 to 64 letters, digits, spaces, '.', '_' or '-'");

const APPROVALS_MESSAGE = `From ${MIN_APPROVALS_REQUIRED} to ${MAX_APPROVALS_REQUIRED} approvals`;

export const requestValiditySchema = z
  .string({ error: 'Use units d, h, m, s, e.g. "7d" or "2d 12h"' })
  .max(64)
  .transform((text, ctx) => {
    const seconds = parseDurationSeconds(text);
    if (
      seconds === null ||
      seconds < MIN_REQUEST_VALIDITY_SECONDS ||
      seconds > MAX_REQUEST_VALIDITY_SECONDS
    ) {
      ctx.addIssue({ code: "custom", message: 'Use units d, h, m, s, e.g. "7d" or "2d 12h" (1h to 365d)' });
      return z.NEVER;
    }
    return formatDurationSeconds(seconds);
  });

/** Every field of a profile but its name, which never changes (aliases name profiles by it). */
export const approvalProfileFieldsSchema = z.object({
  approvalsRequired: z
    .number({ error: APPROVALS_MESSAGE })
    .int(APPROVALS_MESSAGE)
    .min(MIN_APPROVALS_REQUIRED, APPROVALS_MESSAGE)
    .max(MAX_APPROVALS_REQUIRED, APPROVALS_MESSAGE)
    .default(1),
  // Approvers decide every request; administrators only those of a profile that lets them.
  administratorsMayApprove: z.boolean({ error: "true or false" }).default(false),
  // Whether a person may decide a request whose contacts name them (lib/ra/approvals.ts).
  selfApprovalAllowed: z.boolean({ error: "true or false" }).default(false),
  requestValidity: requestValiditySchema.default(DEFAULT_REQUEST_VALIDITY),
});

export type ApprovalProfileFields = z.output<typeof approvalProfileFieldsSchema>;
export type ApprovalProfileFieldsInput = z.input<typeof approvalProfileFieldsSchema>;

export const DEFAULT_APPROVAL_PROFILE_FIELDS: ApprovalProfileFields = approvalProfileFieldsSchema.parse({});

export function requestValiditySeconds(fields: Pick<ApprovalProfileFields, "requestValidity">): number {
  return parseDurationSeconds(fields.requestValidity) ?? 7 * 86_400;
}
