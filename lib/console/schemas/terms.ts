// Publishing new terms of service for an alias (spec "Terms of Service URL", "Changes of Terms of
// Service URL"): the URL of the new terms and, optionally, of the page that says how to agree.
import { z } from "zod";
import { listQuerySchema, sortSchema } from "./common";

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

/**
 * The terms page: aliases searched by name and paged (by name); each alias's versions sorted by
 * version (= the order they took effect) or by how many accounts agreed, newest first by default.
 */
export const TERMS_SORT_COLUMNS = ["version", "accounts"] as const;
export const termsListQuerySchema = listQuerySchema.extend(
  sortSchema(TERMS_SORT_COLUMNS, { sort: "version", dir: "desc" }).shape,
);
export type TermsListQuery = z.infer<typeof termsListQuerySchema>;
