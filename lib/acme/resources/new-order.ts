// RFC 8555 §7.4: newOrder.
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { toOrderJson } from "@/lib/acme/wire/objects";
import type { NewOrderPayload } from "@/lib/acme/wire/payloads";
import { createOrder } from "@/lib/ra/orders";

export async function newOrder(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
  payload: NewOrderPayload,
): Promise<AcmeReply> {
  const order = await createOrder(ctx.db, {
    account: verified.account,
    alias: ctx.alias,
    identifiers: payload.identifiers,
    notBefore: payload.notBefore,
    notAfter: payload.notAfter,
    now: ctx.now,
  });
  return { status: 201, location: ctx.links.order(order.id), body: toOrderJson(order, ctx.links) };
}
