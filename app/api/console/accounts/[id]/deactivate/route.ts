// POST: deactivate an ACME account (administrator; irreversible, RFC 8555 §7.3.6).
import { deactivateAccount } from "@/lib/console/accounts";
import { withConsole } from "@/lib/console/api/with-console";
import { accountParamsSchema } from "@/lib/console/schemas/accounts";

export const POST = withConsole(
  { permission: "accounts.manage", params: accountParamsSchema, audit: "account.deactivated" },
  ({ actor, params }) => deactivateAccount({ actor, id: params.id }),
);
