// Overview: protocol state, directory URLs per alias, counts, issuance and expiries per day.
import { OverviewDashboard } from "@/components/overview/OverviewDashboard";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { getOverview } from "@/lib/console/overview";
import { requestOrigins } from "@/lib/console/request-origin";

export const metadata = { title: "Overview · Keyward" };

export default async function OverviewPage() {
  const actor = await requirePermission("console.read", "/");
  const [overview, origins] = await Promise.all([getOverview({ actor }), requestOrigins()]);
  return (
    <OverviewDashboard
      initial={overview}
      origins={origins}
      canManageProtocol={actorCan(actor, "protocol.manage")}
    />
  );
}
