// GET: one order with its authorizations, challenges and validation records.
import { withConsole } from "@/lib/console/api/with-console";
import { getOrder } from "@/lib/console/orders";
import { orderParamsSchema } from "@/lib/console/schemas/orders";

export const GET = withConsole(
  { permission: "console.read", params: orderParamsSchema },
  ({ actor, params }) => getOrder({ actor, id: params.id }),
);
