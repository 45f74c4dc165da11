// One CA certificate at the authorityInfoAccess caIssuers URL of the certificates it issues
// (RFC 5280 §4.2.2.1): GET /ca/cert/<ca id> → DER, application/pkix-cert (RFC 2585 §4.1).
import { getPublicCaCertificates } from "@/lib/ca/authorities";
import { db } from "@/lib/db/client";

export const dynamic = "force-dynamic";

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const id = (await params).id;
  const ca = (await getPublicCaCertificates(db())).find((candidate) => candidate.id === id);
  if (!ca) return new Response("Not found\n", { status: 404 });
  return new Response(new Uint8Array(ca.der), {
    headers: { "Content-Type": "application/pkix-cert", "Cache-Control": "public, max-age=3600" },
  });
}
