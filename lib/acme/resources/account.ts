// RFC 8555 §7.3.2 (POST-as-GET and update), §7.3.6 (deactivation), on acct/:id.
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { toAccountJson } from "@/lib/acme/wire/objects";
import type { AccountUpdatePayload } from "@/lib/acme/wire/payloads";
import { AcmeProblem } from "@/lib/problem";
import { deactivateAccount, updateAccount, validateContacts } from "@/lib/ra/accounts";

export async function postAccount(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
  payload: AccountUpdatePayload | null,
): Promise<AcmeReply> {
  let account = verified.account;
  // §7.3.2: an account can only be read or changed with its own key.
  if (ctx.params.id !== account.id)
    throw AcmeProblem.unauthorized("The request is signed by a different account");

  if (payload?.status === "deactivated") {
    account = await deactivateAccount(ctx.db, account, ctx.clientIp);
  } else if (payload && (payload.contact !== undefined || payload.termsOfServiceAgreed !== undefined)) {
    const changes: { contact?: string[]; termsOfServiceAgreed?: boolean } = {};
    if (payload.contact !== undefined) changes.contact = validateContacts(payload.contact);
    // Agreeing again is a no-op; withdrawing agreement is not something RFC 8555 offers.
    if (payload.termsOfServiceAgreed === true) changes.termsOfServiceAgreed = true;
    account = await updateAccount(ctx.db, account, changes, ctx.clientIp);
  }
  return { status: 200, location: ctx.links.account(account.id), body: toAccountJson(account, ctx.links) };
}
