// RFC 8555 §7.5 (POST-as-GET of an authorization) and §7.5.2 (deactivation).
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { toAuthorizationJson } from "@/lib/acme/wire/objects";
import type { AuthorizationUpdatePayload } from "@/lib/acme/wire/payloads";
import {
  type AuthorizationWithChallenges,
  deactivateAuthorization,
  getAuthorizationForAccount,
} from "@/lib/ra/authorizations";

export function authorizationReply(
  ctx: AcmeContext,
  authz: AuthorizationWithChallenges,
  status = 200,
): AcmeReply {
  return {
    status,
    location: ctx.links.url(`authz/${authz.id}`),
    body: toAuthorizationJson(authz, ctx.links),
    retryAfterSeconds: authz.status === "pending" ? ctx.alias.settings.retryAfterSeconds : undefined,
  };
}

export async function postAuthorization(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
  payload: AuthorizationUpdatePayload | null,
): Promise<AcmeReply> {
  let authz = await getAuthorizationForAccount(ctx.db, ctx.params.id as string, verified.account.id, ctx.now);
  if (payload?.status === "deactivated") authz = await deactivateAuthorization(ctx.db, authz);
  return authorizationReply(ctx, authz);
}
