// Certificate profiles and end entity profiles as the console, its API and the CLI create and
// change them; the fields, their rules and defaults are lib/ra/profile-fields.ts (one schema for
// form, API and CLI).
import { z } from "zod";
import {
  certificateProfileFieldsSchema,
  endEntityProfileFieldsSchema,
  profileNameSchema,
} from "@/lib/ra/profile-fields";

const certificate = certificateProfileFieldsSchema.shape;
const endEntity = endEntityProfileFieldsSchema.shape;

export const createCertificateProfileBodySchema = z.strictObject({
  name: profileNameSchema,
  ...certificate,
});
export type CreateCertificateProfileBody = z.input<typeof createCertificateProfileBodySchema>;

/** PATCH: the fields given change, the others keep their value (no defaults fill in). */
export const updateCertificateProfileBodySchema = z.strictObject({
  keyAlgorithms: certificate.keyAlgorithms.unwrap().optional(),
  ecdsaCurves: certificate.ecdsaCurves.unwrap().optional(),
  rsaBitLengths: certificate.rsaBitLengths.unwrap().optional(),
  validity: certificate.validity.unwrap().optional(),
  keyUsages: certificate.keyUsages.unwrap().optional(),
  extendedKeyUsages: certificate.extendedKeyUsages.unwrap().optional(),
  availableCas: certificate.availableCas.unwrap().optional(),
  singleActiveCertificate: certificate.singleActiveCertificate.unwrap().optional(),
  eabNamespace: certificate.eabNamespace.unwrap().optional(),
});

export const createEndEntityProfileBodySchema = z.strictObject({
  name: profileNameSchema,
  ...endEntity,
});
export type CreateEndEntityProfileBody = z.input<typeof createEndEntityProfileBodySchema>;

export const updateEndEntityProfileBodySchema = z.strictObject({
  subjectDnAttributes: endEntity.subjectDnAttributes.unwrap().optional(),
  maxDnsNames: endEntity.maxDnsNames.unwrap().optional(),
  maxIpAddresses: endEntity.maxIpAddresses.unwrap().optional(),
  defaultCertificateProfile: endEntity.defaultCertificateProfile.unwrap().optional(),
  defaultCa: endEntity.defaultCa.unwrap().optional(),
  batchGeneration: endEntity.batchGeneration.unwrap().optional(),
});

/** `certificate-profile apply --file`, `end-entity-profile apply --file`: a name and fields; lib/ra checks the fields. */
export const applyProfileFileSchema = z.looseObject({ name: profileNameSchema });

export const profileParamsSchema = z.object({ name: z.string().min(1).max(250) });
