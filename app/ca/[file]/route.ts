// The CA certificates at stable public URLs: /ca/root.pem, /ca/root.der, /ca/issuing.pem,
// /ca/issuing.der and /ca/chain.pem (issuing then root). Public material only.
import { getPublicCaCertificates } from "@/lib/ca/authorities";
import { db } from "@/lib/db/client";

export const dynamic = "force-dynamic";

const FILE = /^(root|issuing|chain)\.(pem|der)$/;

export async function GET(_req: Request, { params }: { params: Promise<{ file: string }> }) {
  const match = FILE.exec((await params).file);
  if (!match || (match[1] === "chain" && match[2] === "der"))
    return new Response("Not found\n", { status: 404 });
  const [, which, format] = match as unknown as [string, "root" | "issuing" | "chain", "pem" | "der"];
  const cas = await getPublicCaCertificates(db());
  const root = cas.find((c) => c.role === "root");
  const issuing = cas.find((c) => c.role === "issuing");
  if (!root || !issuing) return new Response("The CA has not been created yet\n", { status: 503 });
  const headers = { "Cache-Control": "public, max-age=300" };
  if (which === "chain") {
    return new Response(issuing.pem + root.pem, {
      headers: { ...headers, "Content-Type": "application/pem-certificate-chain" },
    });
  }
  const ca = which === "root" ? root : issuing;
  return format === "pem"
    ? new Response(ca.pem, { headers: { ...headers, "Content-Type": "application/x-pem-file" } })
    : new Response(new Uint8Array(ca.der), {
        headers: { ...headers, "Content-Type": "application/pkix-cert" },
      });
}
