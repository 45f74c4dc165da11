// GET: every alias's terms of service: versions, when each took effect, accounts that agreed.
import { withConsole } from "@/lib/console/api/with-console";
import { listTerms } from "@/lib/console/terms";

export const GET = withConsole({ permission: "console.read" }, ({ actor }) => listTerms({ actor }));
