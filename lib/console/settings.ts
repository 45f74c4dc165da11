// The protocol switch and the global ACME settings (spec "Enabling ACME", "Global Fields"), as
// the console, the API and the CLI change them.

import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { zodProblem } from "@/lib/problem";
import { setAcmeEnabled, updateGlobalSettings as updateRaGlobalSettings } from "@/lib/ra/global-settings";
import { globalSettingsBodySchema } from "./schemas/settings";

export type ProtocolState = {
  acmeEnabled: boolean;
  defaultAlias: { id: string; name: string; configured: boolean } | null;
  replayNonceValidityMs: number;
};

export async function getProtocolState(o: { actor: ConsoleActor }): Promise<ProtocolState> {
  assertPermission(o.actor, "console.read");
  const database = db();
  const row = await database.globalSettings.findUnique({ where: { id: 1 } });
  if (!row) throw new Error("global settings are missing: the server has not been bootstrapped");
  const alias = row.defaultAliasId
    ? await database.alias.findUnique({
        where: { id: row.defaultAliasId },
        select: { id: true, name: true, configured: true },
      })
    : null;
  return {
    acmeEnabled: row.acmeEnabled,
    defaultAlias: alias,
    replayNonceValidityMs: row.replayNonceValidityMs,
  };
}

export async function setProtocolEnabled(o: {
  actor: ConsoleActor;
  enabled: boolean;
}): Promise<ProtocolState> {
  assertPermission(o.actor, "protocol.manage");
  await setAcmeEnabled(db(), o.enabled, auditActorOf(o.actor));
  return getProtocolState(o);
}

export async function updateGlobalSettings(o: {
  actor: ConsoleActor;
  input: unknown;
}): Promise<ProtocolState> {
  assertPermission(o.actor, "protocol.manage");
  const parsed = globalSettingsBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  await updateRaGlobalSettings(db(), parsed.data, { actor: auditActorOf(o.actor), ip: o.actor.ip });
  return getProtocolState(o);
}
