// PUT { externalChain }: add or replace the external chain above a CA signed outside Keyward
// (PEM, the CA's issuer first, up to the external root), verified before it is stored.
import { withConsole } from "@/lib/console/api/with-console";
import { setCaExternalChain } from "@/lib/console/authorities";
import { caParamsSchema, externalChainBodySchema } from "@/lib/console/schemas/authorities";

export const PUT = withConsole(
  {
    permission: "authorities.manage",
    params: caParamsSchema,
    body: externalChainBodySchema,
    audit: "ca.externalChainSet",
  },
  ({ actor, params, body }) =>
    setCaExternalChain({ actor, id: params.id, externalChain: body.externalChain }),
);
