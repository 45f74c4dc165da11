// zod schemas for every inbound JWS payload. Unknown members are ignored (RFC 8555 §7.1: clients
// and servers MUST ignore fields they do not recognise); members we use are typed strictly and
// every string and array is bounded.
import { z } from "zod";

export const MAX_CONTACTS = 10;

const contact = z.array(z.string().max(512)).max(MAX_CONTACTS, `at most ${MAX_CONTACTS} contacts`);

/** RFC 8555 §7.3 */
export const newAccountPayloadSchema = z.object({
  contact: contact.optional(),
  termsOfServiceAgreed: z.boolean().optional(),
  onlyReturnExisting: z.boolean().optional(),
  externalAccountBinding: z.unknown().optional(),
});
export type NewAccountPayload = z.infer<typeof newAccountPayloadSchema>;

/** RFC 8555 §7.3.2 (update) and §7.3.6 (deactivation). "orders" and "status: valid" are ignored. */
export const accountUpdatePayloadSchema = z.object({
  contact: contact.optional(),
  termsOfServiceAgreed: z.boolean().optional(),
  status: z.enum(["valid", "deactivated"], { error: 'status can only be changed to "deactivated"' }).optional(),
});
export type AccountUpdatePayload = z.infer<typeof accountUpdatePayloadSchema>;

/** RFC 8555 §7.3.5: the payload of the inner JWS. */
export const keyChangeInnerPayloadSchema = z.object({
  account: z.string().max(4_096),
  oldKey: z.record(z.string(), z.unknown()),
});
export type KeyChangeInnerPayload = z.infer<typeof keyChangeInnerPayloadSchema>;
