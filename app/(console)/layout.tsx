// Every console page: a signed-in user (checked here and again by each page for its permission),
// inside the console's frame.
import type { ReactNode } from "react";
import { ConsoleShell } from "@/components/shell/ConsoleShell";
import { Providers } from "@/components/shell/Providers";
import { requireSession } from "@/lib/auth/guard";
import { getProtocolState } from "@/lib/console/settings";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const actor = await requireSession();
  const protocol = await getProtocolState({ actor });
  return (
    <Providers>
      <ConsoleShell
        username={actor.username}
        role={actor.role}
        permissions={actor.permissions}
        acmeEnabled={protocol.acmeEnabled}
      >
        {children}
      </ConsoleShell>
    </Providers>
  );
}
