// RFC 8555 §7.2: HEAD → 200, GET → 204, and POST-as-GET (§6.3) → 200 as Boulder answers it; the
// nonce itself is added to every response by serve.ts.
import type { AcmeReply } from "@/lib/acme/resources/types";

export async function newNonce(method: string): Promise<AcmeReply> {
  return { status: method === "GET" ? 204 : 200 };
}
