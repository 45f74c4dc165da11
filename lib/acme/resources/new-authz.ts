// RFC 8555 §7.4.1: pre-authorization, only where the alias allows it (spec "Pre-Authorization Allowed").
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import type { NewAuthzPayload } from "@/lib/acme/wire/payloads";
import { AcmeProblem } from "@/lib/problem";
import { createPreAuthorization } from "@/lib/ra/authorizations";
import { authorizationReply } from "./authz";

export async function newAuthz(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
  payload: NewAuthzPayload,
): Promise<AcmeReply> {
  if (!ctx.alias.settings.preAuthorizationAllowed)
    throw AcmeProblem.notFound("Resource newAuthz (pre-authorization is not allowed)");
  const authz = await createPreAuthorization(ctx.db, {
    account: verified.account,
    alias: ctx.alias,
    identifier: payload.identifier,
    now: ctx.now,
  });
  return authorizationReply(ctx, authz, 201);
}
