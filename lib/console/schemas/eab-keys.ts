// External account binding keys as the console's forms, its API and the CLI send them (spec
// "Managing ACME External Account Bindings (EAB)"): a MAC key generated, entered or uploaded, or
// a certificate or public key uploaded. Files travel as base64 of their bytes. What needs the key
// itself (its length, the certificate's algorithm) is checked by lib/ra/eab-keys.ts.
import { z } from "zod";
import {
  BASE64URL,
  EAB_KEY_SORTS,
  EAB_SIGNATURE_ALGORITHMS,
  KEY_IDENTIFIER_MAX,
  MAC_ALGORITHMS,
  MAC_KEY_MAX_BASE64URL,
  PUBLIC_KEY_PEM_MAX,
} from "@/lib/ra/eab-algorithms";
import { listQuerySchema, sortSchema } from "./common";

/** An uploaded file, base64 (a key or certificate file is a few KiB at most). */
const FILE_MAX_BASE64 = 16_384;
const fileSchema = z
  .string()
  .max(FILE_MAX_BASE64, "The file is too large: at most 12 KiB")
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "The file must be sent as base64")
  .refine((v) => v.length > 0, "The file is empty");

const base64url = (what: string, max: number) =>
  z
    .string({ error: `Enter the ${what}` })
    .trim()
    .min(1, `Enter the ${what}`)
    .max(max, `At most ${max} characters`)
    .regex(BASE64URL, "Only base64url characters (A–Z, a–z, 0–9, - and _), no padding");

const bindsSchema = z
  .enum(["one", "many"], { error: 'Binds "one" account (the default) or "many"' })
  .default("one");

const expiresInDaysSchema = z
  .number({ error: "Enter a number of days" })
  .int("Enter a whole number of days")
  .min(1, "1 to 3650 days")
  .max(3650, "1 to 3650 days")
  .nullable()
  .optional();

// Spec "Combine ACME EAB with General Account Binding": the EAB namespace a certificate profile
// may require (lib/ra/profiles.ts); left out or empty, the key is in none.
const namespaceSchema = z
  .string()
  .trim()
  .max(64, "At most 64 characters")
  .transform((v) => v || undefined)
  .optional();

/** Spec "RFC8555 compliant (MAC - symmetric key)": without key and keyFile, a key is generated. */
export const createMacEabKeySchema = z
  .strictObject({
    type: z.literal("mac"),
    macAlgorithm: z.enum(MAC_ALGORITHMS, { error: `One of ${MAC_ALGORITHMS.join(", ")}` }).default("HS256"),
    // Spec "Key Identifier": left out, it is base64url(SHA-1(key)).
    keyIdentifier: base64url("key identifier", KEY_IDENTIFIER_MAX).optional(),
    // Spec "Insert base64Url Key".
    key: base64url("key", MAC_KEY_MAX_BASE64URL).optional(),
    // Spec "Upload PEM/DER Key": PEM, DER or raw bytes.
    keyFile: fileSchema.optional(),
    binds: bindsSchema,
    expiresInDays: expiresInDaysSchema,
    namespace: namespaceSchema,
  })
  .refine((v) => v.key === undefined || v.keyFile === undefined, {
    path: ["keyFile"],
    message: "Enter a key or upload one, not both",
  });

/** Spec "Certificate / Public Key (asymmetric account key signature)". */
export const createSignatureEabKeySchema = z
  .strictObject({
    type: z.literal("signature"),
    // Spec "Insert PEM Public Key or Certificate".
    publicKey: z
      .string()
      .max(PUBLIC_KEY_PEM_MAX, `At most ${PUBLIC_KEY_PEM_MAX} characters`)
      .refine((v) => v.trim().length > 0, "Paste a PEM certificate or public key")
      .optional(),
    // Spec "Upload PEM/DER Public Key or Certificate".
    publicKeyFile: fileSchema.optional(),
    // Spec "Public Key or Certificate Fingerprint": left out, SHA-256 of the DER.
    fingerprint: base64url("fingerprint", KEY_IDENTIFIER_MAX).optional(),
    // Spec "Signature Algorithm": taken from a certificate, chosen for a bare public key.
    signatureAlgorithm: z
      .enum(EAB_SIGNATURE_ALGORITHMS, { error: `One of ${EAB_SIGNATURE_ALGORITHMS.join(", ")}` })
      .optional(),
    binds: bindsSchema,
    expiresInDays: expiresInDaysSchema,
    namespace: namespaceSchema,
  })
  .refine((v) => (v.publicKey === undefined) !== (v.publicKeyFile === undefined), {
    path: ["publicKey"],
    message: "Paste a PEM certificate or public key, or upload one (not both)",
  });

export const createEabKeyBodySchema = z.discriminatedUnion(
  "type",
  [createMacEabKeySchema, createSignatureEabKeySchema],
  { error: 'type is "mac" (a shared MAC key) or "signature" (a certificate or public key)' },
);
export type CreateEabKeyBody = z.input<typeof createEabKeyBodySchema>;

/** POST …/eab-keys/inspect: what an upload holds, before it is stored (fingerprint, algorithm). */
export const inspectEabPublicKeyBodySchema = z
  .strictObject({
    publicKey: createSignatureEabKeySchema.shape.publicKey,
    publicKeyFile: fileSchema.optional(),
  })
  .refine((v) => (v.publicKey === undefined) !== (v.publicKeyFile === undefined), {
    path: ["publicKey"],
    message: "Paste a PEM certificate or public key, or upload one (not both)",
  });

export const updateEabKeyBodySchema = z.strictObject({
  disabled: z.boolean({ error: "disabled must be true or false" }),
});

export const eabKeysParamsSchema = z.object({ alias: z.string().min(1).max(250) });

/** An alias's key list: search by key identifier, sort by a column (newest first by default), page. */
export const eabKeyListQuerySchema = listQuerySchema.extend(
  sortSchema(EAB_KEY_SORTS, { sort: "created", dir: "desc" }).shape,
);
export type EabKeyListQuery = z.infer<typeof eabKeyListQuerySchema>;
export const eabKeyParamsSchema = eabKeysParamsSchema.extend({ id: z.uuid("Not an EAB key id") });
