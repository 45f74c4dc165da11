// The CRL of one CA (RFC 5280 §5) at the cRLDistributionPoints URL of the certificates it issues:
// GET /ca/crl/<ca id> → DER, application/pkix-crl (RFC 2585 §4.2). Public material only.
import { getCurrentCrl } from "@/lib/ca/crl";
import { db } from "@/lib/db/client";

export const dynamic = "force-dynamic";

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const der = await getCurrentCrl(db(), (await params).id);
  if (!der) return new Response("Not found\n", { status: 404 });
  // Short enough that a new revocation reaches relying parties within minutes of the next CRL.
  return new Response(new Uint8Array(der), {
    headers: { "Content-Type": "application/pkix-crl", "Cache-Control": "public, max-age=300" },
  });
}
