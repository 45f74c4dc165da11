// RFC 8555 §7.4.2: certificate download as application/pem-certificate-chain, with the other
// chains of the certificate linked rel="alternate" (spec "Preferred Root CA subject DN" decides
// which chain is served and whether alternates are offered).
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import { getCertificateChainForAccount } from "@/lib/ra/certificates";

export async function getCertificate(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
): Promise<AcmeReply> {
  const id = ctx.params.id as string;
  const { pem, alternates } = await getCertificateChainForAccount(ctx.db, id, verified.account.id, {
    chain: ctx.params.chain,
    preferredRootCaSubjectDn: ctx.alias.settings.preferredRootCaSubjectDn,
  });
  return {
    status: 200,
    body: pem,
    contentType: "application/pem-certificate-chain",
    links: alternates.map((index) => ({
      url: ctx.links.url(index === 0 ? `cert/${id}` : `cert/${id}/${index}`),
      rel: "alternate",
    })),
  };
}
