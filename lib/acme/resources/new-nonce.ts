// RFC 8555 §7.2: HEAD → 200, GET → 204; the nonce itself is added to every response by serve.ts.
import type { AcmeReply } from "@/lib/acme/http/types";

export async function newNonce(method: string): Promise<AcmeReply> {
  return { status: method === "HEAD" ? 200 : 204 };
}
