// GET: ACME orders, newest first, searched by identifier, account, alias and status.
import { withConsole } from "@/lib/console/api/with-console";
import { listOrders } from "@/lib/console/orders";
import { orderListQuerySchema } from "@/lib/console/schemas/orders";

export const GET = withConsole(
  { permission: "console.read", query: orderListQuerySchema },
  ({ actor, query }) => listOrders({ actor, ...query }),
);
