// RFC 8555 §7.1.3 (POST-as-GET of an order) and §7.4 (finalize).
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { toOrderJson } from "@/lib/acme/wire/objects";
import type { FinalizePayload } from "@/lib/acme/wire/payloads";
import { finalizeOrder, getOrderForAccount, type OrderRecord } from "@/lib/ra/orders";

function orderReply(ctx: AcmeContext, order: OrderRecord): AcmeReply {
  return {
    status: 200,
    location: ctx.links.order(order.id),
    body: toOrderJson(order, ctx.links),
    // §7.4: a client polls a processing order; the alias says how soon (spec "Retry After").
    retryAfterSeconds:
      order.status === "processing" || order.status === "pending"
        ? ctx.alias.settings.retryAfterSeconds
        : undefined,
  };
}

export async function getOrder(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
): Promise<AcmeReply> {
  return orderReply(
    ctx,
    await getOrderForAccount(ctx.db, ctx.params.id as string, verified.account.id, ctx.now),
  );
}

export async function finalize(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
  payload: FinalizePayload,
): Promise<AcmeReply> {
  const order = await finalizeOrder(ctx.db, {
    account: verified.account,
    alias: ctx.alias,
    orderId: ctx.params.id as string,
    csr: payload.csr,
    now: ctx.now,
    ip: ctx.clientIp,
  });
  return orderReply(ctx, order);
}
