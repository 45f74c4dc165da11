// zod schemas for every inbound JWS payload. Unknown members are ignored (RFC 8555 §7.1: clients
// and servers MUST ignore fields they do not recognise); members we use are typed strictly and
// every string and array is bounded.
import { z } from "zod";
import { flattenedJwsSchema } from "./jws";

export const MAX_CONTACTS = 10;

const contact = z.array(z.string().max(512)).max(MAX_CONTACTS, `at most ${MAX_CONTACTS} contacts`);

/** RFC 8555 §7.3 */
export const newAccountPayloadSchema = z.object({
  contact: contact.optional(),
  termsOfServiceAgreed: z.boolean().optional(),
  onlyReturnExisting: z.boolean().optional(),
  // §7.3.4: "a JWS object"; verifying it is lib/ra's work, its shape is checked here.
  externalAccountBinding: z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined && !flattenedJwsSchema.safeParse(value).success) {
        ctx.addIssue({
          code: "custom",
          message: "must be a flattened JWS object with protected, payload and signature (RFC 8555 §7.3.4)",
        });
      }
    }),
});
export type NewAccountPayload = z.infer<typeof newAccountPayloadSchema>;

/** RFC 8555 §7.3.2 (update) and §7.3.6 (deactivation). "orders" and "status: valid" are ignored. */
export const accountUpdatePayloadSchema = z.object({
  contact: contact.optional(),
  termsOfServiceAgreed: z.boolean().optional(),
  status: z
    .enum(["valid", "deactivated"], { error: 'status can only be changed to "deactivated"' })
    .optional(),
});
export type AccountUpdatePayload = z.infer<typeof accountUpdatePayloadSchema>;

/** RFC 8555 §7.3.5: the payload of the inner JWS. */
export const keyChangeInnerPayloadSchema = z.object({
  account: z.string().max(4_096),
  oldKey: z.record(z.string(), z.unknown()),
});
export type KeyChangeInnerPayload = z.infer<typeof keyChangeInnerPayloadSchema>;

const identifierSchema = z.object({ type: z.string().max(32), value: z.string().max(300) });

/** RFC 8555 §7.4 */
export const newOrderPayloadSchema = z.object({
  identifiers: z.array(identifierSchema).min(1, "identifiers must not be empty").max(1000),
  notBefore: z.string().max(64).optional(),
  notAfter: z.string().max(64).optional(),
});
export type NewOrderPayload = z.infer<typeof newOrderPayloadSchema>;

/** RFC 8555 §7.4.1 */
export const newAuthzPayloadSchema = z.object({ identifier: identifierSchema });
export type NewAuthzPayload = z.infer<typeof newAuthzPayloadSchema>;

/** RFC 8555 §7.4 finalize: the CSR, base64url DER. */
export const finalizePayloadSchema = z.object({
  csr: z.string().min(1, "csr must not be empty").max(65_536),
});
export type FinalizePayload = z.infer<typeof finalizePayloadSchema>;

/** RFC 8555 §7.5.2: the only change a client may ask of an authorization. */
export const authorizationUpdatePayloadSchema = z.object({
  status: z.literal("deactivated", { error: 'status can only be changed to "deactivated"' }),
});
export type AuthorizationUpdatePayload = z.infer<typeof authorizationUpdatePayloadSchema>;

/** RFC 8555 §7.5.1: the client's response to a challenge is an empty object. */
export const challengeResponsePayloadSchema = z.object({});

/** RFC 8555 §7.6 */
export const revokeCertPayloadSchema = z.object({
  certificate: z.string().min(1).max(65_536),
  reason: z.number().int().min(0).max(10).optional(),
});
export type RevokeCertPayload = z.infer<typeof revokeCertPayloadSchema>;
