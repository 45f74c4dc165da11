// The client trust anchors as the console shows and changes them: the CA certificates ACME client
// certificates may chain to (Keyward's own CAs by default, others imported). Part of the ACME
// protocol's global configuration, so changing them needs protocol.manage (administrators);
// lib/ca/trust-anchors.ts checks each certificate and writes each change with its audit row.
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import * as ca from "@/lib/ca/trust-anchors";
import { db } from "@/lib/db/client";

export type { TrustAnchorView } from "@/lib/ca/trust-anchors";

export async function listTrustAnchors(o: { actor: ConsoleActor }): Promise<ca.TrustAnchorView[]> {
  assertPermission(o.actor, "console.read");
  return ca.listClientTrustAnchors(db());
}

export async function importTrustAnchor(o: {
  actor: ConsoleActor;
  certificatePem: string;
}): Promise<ca.TrustAnchorView> {
  assertPermission(o.actor, "protocol.manage");
  return ca.importClientTrustAnchor(db(), {
    pem: o.certificatePem,
    by: { actor: auditActorOf(o.actor), ip: o.actor.ip },
  });
}

export async function removeTrustAnchor(o: { actor: ConsoleActor; id: string }): Promise<void> {
  assertPermission(o.actor, "protocol.manage");
  await ca.removeClientTrustAnchor(db(), { id: o.id, by: { actor: auditActorOf(o.actor), ip: o.actor.ip } });
}
