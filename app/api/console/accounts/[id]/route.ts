// GET: one ACME account with its orders, certificates and approval requests.
import { getAccount } from "@/lib/console/accounts";
import { withConsole } from "@/lib/console/api/with-console";
import { accountParamsSchema } from "@/lib/console/schemas/accounts";

export const GET = withConsole(
  { permission: "console.read", params: accountParamsSchema },
  ({ actor, params }) => getAccount({ actor, id: params.id }),
);
