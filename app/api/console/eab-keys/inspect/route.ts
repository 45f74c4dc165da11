// POST { publicKey | publicKeyFile }: what an uploaded certificate or public key holds (its key,
// default fingerprint, signature algorithm), for the form to show before the key is stored.
import { withConsole } from "@/lib/console/api/with-console";
import { inspectEabPublicKey } from "@/lib/console/eab-keys";
import { inspectEabPublicKeyBodySchema } from "@/lib/console/schemas/eab-keys";

export const POST = withConsole(
  { permission: "eab.manage", body: inspectEabPublicKeyBodySchema },
  ({ actor, body }) => inspectEabPublicKey({ actor, input: body }),
);
