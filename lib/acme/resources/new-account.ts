// RFC 8555 §7.3: newAccount, signed with the account key itself (jwk).
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { toAccountJson } from "@/lib/acme/wire/objects";
import type { NewAccountPayload } from "@/lib/acme/wire/payloads";
import { registerOrFindAccount } from "@/lib/ra/registration";

export async function newAccount(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "jwk" },
  payload: NewAccountPayload,
): Promise<AcmeReply> {
  const { account, created } = await registerOrFindAccount(ctx.db, {
    alias: ctx.alias,
    jwk: verified.jwk,
    thumbprint: verified.thumbprint,
    ...payload,
    ip: ctx.clientIp,
    now: ctx.now,
  });
  // §7.3: 201 with the new account; §7.3.1: 200 with the existing one.
  return {
    status: created ? 201 : 200,
    location: ctx.links.account(account.id),
    body: toAccountJson(account, ctx.links),
  };
}
