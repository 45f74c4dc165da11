// The client trust anchors as the console shows and changes them: the CA certificates ACME client
// certificates may chain to (Keyward's own CAs by default, others imported). Part of the ACME
// protocol's global configuration, so changing them needs protocol.manage (administrators);
// lib/ca/trust-anchors.ts checks each certificate and writes each change with its audit row.
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import * as ca from "@/lib/ca/trust-anchors";
import { db } from "@/lib/db/client";
import { DEFAULT_PAGE_SIZE, type Page } from "./schemas/common";
import type { TrustAnchorListQuery } from "./schemas/trust-anchors";

export type { TrustAnchorView } from "@/lib/ca/trust-anchors";

/** One page of the anchors matching the search; every anchor when no page is asked (the CLI). */
export async function listTrustAnchors(
  o: { actor: ConsoleActor } & Partial<TrustAnchorListQuery>,
): Promise<Page<ca.TrustAnchorView>> {
  assertPermission(o.actor, "console.read");
  const paged = o.page !== undefined || o.pageSize !== undefined;
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? DEFAULT_PAGE_SIZE;
  const { items, total } = await ca.listClientTrustAnchors(db(), {
    q: o.q,
    sort: o.sort,
    dir: o.dir,
    ...(paged ? { offset: (page - 1) * pageSize, limit: pageSize } : {}),
  });
  return { items, total, page: paged ? page : 1, pageSize: paged ? pageSize : Math.max(total, 1) };
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
