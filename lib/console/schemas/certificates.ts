// Certificates as the console searches them (serial, name, account, alias, status, expiry window,
// sorted in the URL) and revokes them (an RFC 5280 reason an operator may give).
import { z } from "zod";
import { OPERATOR_REVOCATION_REASON_CODES } from "@/lib/ra/revocation-reasons";
import { pagingSchema, searchSchema } from "./common";

/** valid: not revoked and not past notAfter; expired: not revoked, past notAfter. */
export const CERTIFICATE_STATUSES = ["valid", "revoked", "expired"] as const;
export type CertificateListStatus = (typeof CERTIFICATE_STATUSES)[number];

export const CERTIFICATE_SORTS = ["issued", "expires", "serial"] as const;
export type CertificateSort = (typeof CERTIFICATE_SORTS)[number];

const emptyAsUndefined = (v: unknown) => (v === "" ? undefined : v);

/** A day as the date inputs send it (YYYY-MM-DD, UTC), or a full ISO time. */
const dayOrTime = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .max(40)
    .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/, "A date, YYYY-MM-DD")
    .refine((v) => !Number.isNaN(Date.parse(v)), "A date, YYYY-MM-DD")
    .optional(),
);

export const certificateListQuerySchema = pagingSchema.extend({
  // Hex, with or without colons, or its beginning ("04:a1", "04A1…").
  serial: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .max(128)
      .transform((v) => v.replace(/[:\s]/g, "").toLowerCase())
      .pipe(z.string().regex(/^[0-9a-f]*$/, "A serial number is hexadecimal"))
      .optional()
      .transform((v) => v || undefined),
  ),
  // Part of a SAN (DNS name or IP address) or of the subject DN, case-insensitive; % and _ match
  // themselves.
  name: searchSchema,
  account: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .max(128)
      .regex(/^[A-Za-z0-9_-]+$/, "An account id is base64url")
      .optional(),
  ),
  alias: searchSchema,
  status: z.preprocess(
    emptyAsUndefined,
    z.enum(CERTIFICATE_STATUSES, { error: "One of valid, revoked, expired" }).optional(),
  ),
  // Expiry window: notAfter on or after the first day, before the end of the second.
  expiresFrom: dayOrTime,
  expiresTo: dayOrTime,
  sort: z.preprocess(
    emptyAsUndefined,
    z.enum(CERTIFICATE_SORTS, { error: "One of issued, expires, serial" }).default("issued"),
  ),
  dir: z.preprocess(emptyAsUndefined, z.enum(["asc", "desc"], { error: "asc or desc" }).default("desc")),
});
export type CertificateListQuery = z.infer<typeof certificateListQuerySchema>;

// Certificate ids are base64url (lib/ra/ids.ts).
export const certificateParamsSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/) });

export const certificateDownloadQuerySchema = z.object({
  // pem: the certificate; chain: the certificate then its issuers (RFC 8555 §9.1); der: binary.
  format: z.preprocess(
    emptyAsUndefined,
    z.enum(["pem", "chain", "der"], { error: "One of pem, chain, der" }).default("pem"),
  ),
});

export const revokeCertificateBodySchema = z.object({
  reason: z
    .number({ error: "A revocation reason code (RFC 5280 §5.3.1)" })
    .int()
    .refine((code) => OPERATOR_REVOCATION_REASON_CODES.includes(code), {
      message: `One of ${OPERATOR_REVOCATION_REASON_CODES.join(", ")} (RFC 5280 §5.3.1; CA/B BR §7.2.2)`,
    }),
});
export type RevokeCertificateBody = z.infer<typeof revokeCertificateBodySchema>;
