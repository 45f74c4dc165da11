// RFC 8555 §7.4.2: certificate download as application/pem-certificate-chain.
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { getCertificateChainForAccount } from "@/lib/ra/certificates";

export async function getCertificate(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
): Promise<AcmeReply> {
  const chain = await getCertificateChainForAccount(ctx.db, ctx.params.id as string, verified.account.id);
  return { status: 200, body: chain, contentType: "application/pem-certificate-chain" };
}
