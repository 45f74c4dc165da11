// Publishing new terms of service for an alias (spec "Terms of Service URL", "Changes of Terms of
// Service URL"): the URL of the new terms and, optionally, of the page that says how to agree.
import { z } from "zod";

const URL_MESSAGE = "Enter an http(s) URL";
const httpUrl = z.url({ protocol: /^https?$/, error: URL_MESSAGE }).max(2048, "At most 2048 characters");

export const publishTermsBodySchema = z.strictObject({
  url: z.string({ error: URL_MESSAGE }).trim().pipe(httpUrl),
  changeUrl: z
    .union([z.string().trim().pipe(httpUrl), z.literal(""), z.null()], { error: URL_MESSAGE })
    .optional()
    .transform((v) => v || null),
});
export type PublishTermsBody = z.infer<typeof publishTermsBodySchema>;
