// Input for certificate authority management (issue 12 item 1), shared by the console's dialogs,
// the console API and the CLI. Pure: the browser validates with the same schemas.
import { z } from "zod";
import type { KeyAlgorithm } from "@/lib/ca/keys";

/** lib/ca/keys.ts KEY_ALGORITHMS, repeated here so that the browser need not load node:crypto. */
export const CA_KEY_ALGORITHMS = [
  "ECDSA-P256",
  "ECDSA-P384",
  "RSA-2048",
  "RSA-3072",
  "RSA-4096",
] as const satisfies readonly KeyAlgorithm[];

// lib/ca/management.ts MAX_CA_VALIDITY_DAYS.
const MAX_VALIDITY_DAYS = 50 * 365;
// A CA certificate or key in PEM is a few KB; this bounds a hostile paste.
const MAX_PEM_CHARS = 64 * 1024;

const VALIDITY_MESSAGE = `A whole number of days from 1 to ${MAX_VALIDITY_DAYS}`;
const validityDays = z
  .number({ error: VALIDITY_MESSAGE })
  .int(VALIDITY_MESSAGE)
  .min(1, VALIDITY_MESSAGE)
  .max(MAX_VALIDITY_DAYS, VALIDITY_MESSAGE);

export const createCaBodySchema = z
  .strictObject({
    kind: z.enum(["root", "sub"], { error: "One of root, sub" }),
    // The root that signs a sub-CA.
    parentId: z.uuid({ error: "Choose the root CA that signs the sub-CA" }).optional(),
    subjectDn: z
      .string({ error: 'Enter a subject DN, e.g. "CN=Example Root CA, O=Example"' })
      .trim()
      .min(4, 'Enter a subject DN, e.g. "CN=Example Root CA, O=Example"')
      .max(1024, "At most 1024 characters"),
    keyAlgorithm: z
      .enum(CA_KEY_ALGORITHMS, { error: `One of ${CA_KEY_ALGORITHMS.join(", ")}` })
      .default("ECDSA-P256"),
    // Default: 20 years for a root, 10 for a sub-CA (lib/ca/management.ts).
    validityDays: validityDays.optional(),
  })
  .refine((body) => body.kind === "root" || body.parentId !== undefined, {
    path: ["parentId"],
    message: "Choose the root CA that signs the sub-CA",
  });
export type CreateCaBody = z.output<typeof createCaBodySchema>;

// The external chain above an imported CA: a handful of PEM certificates (lib/ca/external-chains.ts
// MAX_EXTERNAL_CHAIN_LENGTH of 8, a few KB each).
const externalChain = z
  .string({ error: "Paste the issuer's chain as PEM certificates, the CA's issuer first, up to the root" })
  .max(MAX_PEM_CHARS, "At most 64 KB of PEM");

export const importCaBodySchema = z.strictObject({
  certificate: z
    .string({ error: "Paste the CA certificate (PEM, or base64 of the DER)" })
    .min(1, "Paste the CA certificate (PEM, or base64 of the DER)")
    .max(MAX_PEM_CHARS, "This is too long to be a certificate"),
  privateKey: z
    .string({ error: "Paste the CA's PKCS#8 private key (PEM, or base64 of the DER)" })
    .min(1, "Paste the CA's PKCS#8 private key (PEM, or base64 of the DER)")
    .max(MAX_PEM_CHARS, "This is too long to be a private key"),
  // Only for a CA whose issuer is outside Keyward; empty or absent: none (it can be added later).
  externalChain: externalChain.optional(),
});

export const externalChainBodySchema = z.strictObject({
  externalChain: externalChain.min(
    1,
    "Paste the issuer's chain as PEM certificates, the CA's issuer first, up to the root",
  ),
});

export const renewCaBodySchema = z.strictObject({
  // true: a new key and a successor CA; false: a new certificate for the same key.
  newKey: z.boolean({ error: "newKey is true (new key) or false (same key)" }),
  // Default: the CA's current validity period.
  validityDays: validityDays.optional(),
});

export const crossCertifyCaBodySchema = z.strictObject({
  issuerId: z.uuid({ error: "Choose the root CA that cross-certifies" }),
  // Default: until the CA's own certificate expires.
  validityDays: validityDays.optional(),
});

export const caParamsSchema = z.object({ id: z.uuid() });

export const caDownloadQuerySchema = z.object({
  // pem / der: the CA certificate (or, with chain ≥ 1, that cross-certificate); chain: it and the
  // certificates above it up to the root.
  format: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.enum(["pem", "chain", "der"], { error: "One of pem, chain, der" }).default("pem"),
  ),
  // 0: the CA's own certificate and chain; 1…: its cross-certificates, oldest first.
  chain: z.preprocess(
    (v) => (v === "" || v === undefined ? undefined : Number(v)),
    z.number({ error: "A chain number: 0, 1, …" }).int().min(0).max(1000).default(0),
  ),
});
