// Protocol: ACME on or off, and the global ACME settings (spec "Enabling ACME", "Global Fields").
import { GlobalSettingsForm } from "@/components/protocol/GlobalSettingsForm";
import { ProtocolSwitch } from "@/components/protocol/ProtocolSwitch";
import { PageHeader } from "@/components/ui/PageHeader";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { listAliases } from "@/lib/console/aliases";
import { getProtocolState } from "@/lib/console/settings";

export const metadata = { title: "Protocol · Keyward" };

export default async function ProtocolPage() {
  const actor = await requirePermission("console.read", "/protocol");
  const [state, aliases] = await Promise.all([
    getProtocolState({ actor }),
    listAliases({ actor, pageSize: 100 }),
  ]);
  const canManage = actorCan(actor, "protocol.manage");
  return (
    <>
      <PageHeader
        title="Protocol"
        description="Whether this server answers ACME at all, and the settings that hold for every alias."
      />
      <div className="space-y-6">
        <ProtocolSwitch enabled={state.acmeEnabled} canManage={canManage} />
        <GlobalSettingsForm
          canManage={canManage}
          initial={{
            defaultAlias: state.defaultAlias?.name ?? null,
            replayNonceValidityMs: state.replayNonceValidityMs,
          }}
          aliases={aliases.items.map((a) => ({ name: a.name, configured: a.configured }))}
        />
      </div>
    </>
  );
}
