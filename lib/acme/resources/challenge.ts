// RFC 8555 §7.5.1: POST {} starts validation; POST-as-GET reads the challenge.
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { toChallengeJson } from "@/lib/acme/wire/objects";
import { getChallengeForAccount, respondToChallenge } from "@/lib/ra/challenges";

export async function postChallenge(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
  payload: object | null,
): Promise<AcmeReply> {
  const id = ctx.params.id as string;
  const challenge =
    payload === null
      ? await getChallengeForAccount(ctx.db, id, verified.account.id)
      : await respondToChallenge(ctx.db, {
          account: verified.account,
          alias: ctx.alias,
          challengeId: id,
          now: ctx.now,
        });
  return {
    status: 200,
    body: toChallengeJson(challenge, ctx.links),
    // §7.5.1: the challenge's authorization is the resource to poll.
    links: [{ url: ctx.links.url(`authz/${challenge.authorizationId}`), rel: "up" }],
    retryAfterSeconds: challenge.status === "processing" ? ctx.alias.settings.retryAfterSeconds : undefined,
  };
}
