// POST { certificate, privateKey, externalChain? }: import an external CA (PEM or base64 DER; the
// key is PKCS#8, must match the certificate, and is sealed with the master key at once), with the
// external chain above it when its issuer is outside Keyward.
import { withConsole } from "@/lib/console/api/with-console";
import { importCa } from "@/lib/console/authorities";
import { importCaBodySchema } from "@/lib/console/schemas/authorities";

export const POST = withConsole(
  { permission: "authorities.manage", body: importCaBodySchema, audit: "ca.imported", successStatus: 201 },
  ({ actor, body }) =>
    importCa({
      actor,
      certificate: body.certificate,
      privateKey: body.privateKey,
      externalChain: body.externalChain,
    }),
);
