// Input for the client trust anchors (the CA certificates ACME client certificates may chain
// to), shared by the console's import dialog, the console API and the CLI.
import { z } from "zod";
import { listQuerySchema, sortSchema } from "./common";

// A certificate (or a short chain pasted by mistake) is a few KB; this bounds a hostile paste.
export const MAX_PEM_CHARS = 64 * 1024;

export const trustAnchorBodySchema = z.strictObject({
  certificatePem: z
    .string({ error: "Paste the CA certificate (PEM)" })
    .min(1, "Paste the CA certificate (PEM)")
    .max(MAX_PEM_CHARS, "This is too long to be a certificate"),
});

export const trustAnchorParamsSchema = z.object({ id: z.uuid() });

/** The anchors list: search the subject, sort by a column (Keyward's own CAs first by default). */
export const TRUST_ANCHOR_SORT_COLUMNS = ["subject", "source", "validUntil", "added"] as const;
export const trustAnchorListQuerySchema = listQuerySchema.extend(
  sortSchema(TRUST_ANCHOR_SORT_COLUMNS, { sort: "source", dir: "desc" }).shape,
);
export type TrustAnchorListQuery = z.infer<typeof trustAnchorListQuerySchema>;
