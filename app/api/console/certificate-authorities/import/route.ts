// POST { certificate, privateKey }: import an external CA (PEM or base64 DER; the key is PKCS#8,
// must match the certificate, and is sealed with the master key at once).
import { withConsole } from "@/lib/console/api/with-console";
import { importCa } from "@/lib/console/authorities";
import { importCaBodySchema } from "@/lib/console/schemas/authorities";

export const POST = withConsole(
  { permission: "authorities.manage", body: importCaBodySchema, audit: "ca.imported", successStatus: 201 },
  ({ actor, body }) => importCa({ actor, certificate: body.certificate, privateKey: body.privateKey }),
);
