// GET: the overview's numbers (protocol state, counts, issuance and expiries per day).
import { withConsole } from "@/lib/console/api/with-console";
import { getOverview } from "@/lib/console/overview";

export const GET = withConsole({ permission: "console.read" }, ({ actor }) => getOverview({ actor }));
