// GET: Keyward's certificate authorities with their chains and cross-certificates.
// POST { kind, parentId?, subjectDn, keyAlgorithm, validityDays? }: create a root or a sub-CA.
import { withConsole } from "@/lib/console/api/with-console";
import { createCa, listCertificateAuthorities } from "@/lib/console/authorities";
import { createCaBodySchema } from "@/lib/console/schemas/authorities";

export const GET = withConsole({ permission: "console.read" }, async ({ actor }) => ({
  items: await listCertificateAuthorities({ actor }),
}));

export const POST = withConsole(
  { permission: "authorities.manage", body: createCaBodySchema, audit: "ca.created", successStatus: 201 },
  ({ actor, body }) => createCa({ actor, input: body }),
);
