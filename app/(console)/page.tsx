// Overview: protocol state, directory URLs per alias, counts, issuance and expiries per day.
import { OverviewDashboard } from "@/components/overview/OverviewDashboard";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { getOverview } from "@/lib/console/overview";
import { requestOrigin } from "@/lib/console/request-origin";

export const metadata = { title: "Overview · Keyward" };

export default async function OverviewPage() {
  const actor = await requirePermission("console.read", "/");
  const [overview, origin] = await Promise.all([getOverview({ actor }), requestOrigin()]);
  return (
    <OverviewDashboard
      initial={overview}
      origin={origin}
      canManageProtocol={actorCan(actor, "protocol.manage")}
    />
  );
}
