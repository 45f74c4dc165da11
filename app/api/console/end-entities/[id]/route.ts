// GET: one end entity with its certificates.
import { withConsole } from "@/lib/console/api/with-console";
import { getEndEntity } from "@/lib/console/end-entities";
import { endEntityParamsSchema } from "@/lib/console/schemas/end-entities";

export const GET = withConsole(
  { permission: "console.read", params: endEntityParamsSchema },
  ({ actor, params }) => getEndEntity({ actor, id: params.id }),
);
