// RFC 8555 §7.3: newAccount, signed with the account key itself (jwk).
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { toAccountJson } from "@/lib/acme/wire/objects";
import type { NewAccountPayload } from "@/lib/acme/wire/payloads";
import { AcmeProblem } from "@/lib/problem";
import { findAccountByKey, registerAccount, validateContacts } from "@/lib/ra/accounts";

export async function newAccount(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "jwk" },
  payload: NewAccountPayload,
): Promise<AcmeReply> {
  const existing = await findAccountByKey(ctx.db, ctx.alias.id, verified.thumbprint);
  if (existing) {
    // §7.3.6: a deactivated account's key is refused everywhere, newAccount included.
    if (existing.status !== "valid") {
      throw AcmeProblem.unauthorized(`Account is ${existing.status}`, { status: 401 });
    }
    // §7.3.1: the existing account, 200 and its URL.
    return {
      status: 200,
      location: ctx.links.account(existing.id),
      body: toAccountJson(existing, ctx.links),
    };
  }
  // §7.3.1: onlyReturnExisting never creates an account.
  if (payload.onlyReturnExisting) throw new AcmeProblem("accountDoesNotExist");

  const settings = ctx.alias.settings;
  // §7.3: with terms of service in the directory, registration requires agreeing to them.
  if (settings.termsOfServiceUrl && payload.termsOfServiceAgreed !== true) {
    throw new AcmeProblem(
      "userActionRequired",
      `You must agree to the terms of service at ${settings.termsOfServiceUrl}`,
      {
        links: [{ url: settings.termsOfServiceUrl, rel: "terms-of-service" }],
        extra: { instance: settings.termsOfServiceUrl },
      },
    );
  }
  // §7.3.4: with externalAccountRequired, a binding is mandatory. Keyward has no EAB keys for
  // this alias yet, so no binding can verify (EAB keys are a later capability).
  if (settings.requireExternalAccountBinding) {
    throw new AcmeProblem(
      "externalAccountRequired",
      payload.externalAccountBinding === undefined
        ? "This alias requires an external account binding (externalAccountBinding)"
        : "The external account binding does not match a key of this alias",
      { status: payload.externalAccountBinding === undefined ? 400 : 401 },
    );
  }
  const contact = validateContacts(payload.contact ?? []);
  const { account, created } = await registerAccount(ctx.db, {
    alias: ctx.alias,
    jwk: verified.jwk,
    thumbprint: verified.thumbprint,
    contact,
    termsOfServiceAgreed: payload.termsOfServiceAgreed === true,
    ip: ctx.clientIp,
  });
  return {
    status: created ? 201 : 200,
    location: ctx.links.account(account.id),
    body: toAccountJson(account, ctx.links),
  };
}
