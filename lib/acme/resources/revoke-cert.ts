// RFC 8555 §7.6: revocation, signed by an account (kid) or by the certificate's key (jwk).
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import type { RevokeCertPayload } from "@/lib/acme/wire/payloads";
import { revokeCertificate } from "@/lib/ra/certificates";

export async function revokeCert(
  ctx: AcmeContext,
  verified: VerifiedJws,
  payload: RevokeCertPayload,
): Promise<AcmeReply> {
  await revokeCertificate(ctx.db, {
    alias: ctx.alias.name,
    certificate: payload.certificate,
    reason: payload.reason,
    requester: verified.auth === "kid" ? { account: verified.account } : { jwk: verified.jwk },
    now: ctx.now,
    ip: ctx.clientIp,
  });
  return { status: 200 };
}
