// Input for an alias's access rules (spec "ACME with Client Authentication"), shared by the
// console's form, the console API and the CLI. The rules a right may name, and whether a pasted
// certificate or a distinguished name is one, are checked by lib/ra/client-access-rules.ts.
import { z } from "zod";
import { MAX_PEM_CHARS } from "./trust-anchors";

const rights = z
  .array(z.string().trim().min(1).max(300), { error: "rights is a list of access rules" })
  .max(50, "At most 50 access rules")
  .default([]);
const description = z.string().trim().max(250, "At most 250 characters").optional();
const distinguishedName = (message: string) => z.string({ error: message }).trim().min(1, message).max(1024);

export const accessRuleBodySchema = z.discriminatedUnion(
  "match",
  [
    z.strictObject({
      match: z.literal("certificate"),
      certificatePem: z
        .string({ error: "Paste the client certificate (PEM)" })
        .min(1, "Paste the client certificate (PEM)")
        .max(MAX_PEM_CHARS, "This is too long to be a certificate"),
      rights,
      description,
    }),
    z.strictObject({
      match: z.literal("subject"),
      issuerDn: distinguishedName("Enter the issuer's distinguished name"),
      subjectPattern: distinguishedName('Enter a subject pattern, or "*" for any subject'),
      rights,
      description,
    }),
  ],
  {
    error: 'match is "certificate" (an uploaded certificate) or "subject" (an issuer and a subject pattern)',
  },
);
export type AccessRuleBody = z.infer<typeof accessRuleBodySchema>;

export const accessRuleParamsSchema = z.object({ alias: z.string().min(1).max(250), id: z.uuid() });
