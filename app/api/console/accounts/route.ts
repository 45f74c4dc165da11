// GET: ACME accounts, searched by alias, status, contact and key thumbprint.
import { listAccounts } from "@/lib/console/accounts";
import { withConsole } from "@/lib/console/api/with-console";
import { accountListQuerySchema } from "@/lib/console/schemas/accounts";

export const GET = withConsole(
  { permission: "console.read", query: accountListQuerySchema },
  ({ actor, query }) => listAccounts({ actor, ...query }),
);
