// RFC 8555 §7.3.2 (POST-as-GET and update), §7.3.6 (deactivation), on acct/:id.
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { toAccountJson } from "@/lib/acme/wire/objects";
import type { AccountUpdatePayload } from "@/lib/acme/wire/payloads";
import { updateAccountByRequest } from "@/lib/ra/registration";

export async function postAccount(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
  payload: AccountUpdatePayload | null,
): Promise<AcmeReply> {
  const account = await updateAccountByRequest(ctx.db, {
    alias: ctx.alias,
    account: verified.account,
    accountId: ctx.params.id as string,
    ...payload,
    ip: ctx.clientIp,
  });
  return { status: 200, location: ctx.links.account(account.id), body: toAccountJson(account, ctx.links) };
}
