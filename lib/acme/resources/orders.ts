// RFC 8555 §7.1.2.1: the orders list of an account, paged with Link rel="next".
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { AcmeProblem } from "@/lib/problem";
import { listAccountOrderIds } from "@/lib/ra/accounts";

export async function getAccountOrders(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
  cursor: string | null,
): Promise<AcmeReply> {
  if (ctx.params.id !== verified.account.id)
    throw AcmeProblem.unauthorized("The request is signed by a different account");
  const { ids, nextCursor } = await listAccountOrderIds(ctx.db, verified.account.id, cursor);
  return {
    status: 200,
    body: { orders: ids.map((id) => ctx.links.order(id)) },
    links: nextCursor ? [{ url: ctx.links.accountOrders(verified.account.id, nextCursor), rel: "next" }] : [],
  };
}
