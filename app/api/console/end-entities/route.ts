// GET: end entities (RA mode), searched by username or subject, status and alias.
import { withConsole } from "@/lib/console/api/with-console";
import { listEndEntities } from "@/lib/console/end-entities";
import { endEntityListQuerySchema } from "@/lib/console/schemas/end-entities";

export const GET = withConsole(
  { permission: "console.read", query: endEntityListQuerySchema },
  ({ actor, query }) => listEndEntities({ actor, ...query }),
);
