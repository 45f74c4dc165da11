// The body of an ACME POST, read with a bound (STYLE: bound every input).
import { AcmeProblem } from "@/lib/problem";

/** Larger than any legitimate ACME request (a CSR with hundreds of names is ~30 KB). */
export const MAX_REQUEST_BYTES = 128 * 1024;

export const bodyTooLarge = () =>
  AcmeProblem.malformed(`Request body exceeds ${MAX_REQUEST_BYTES} bytes`, { status: 413 });

/** The body as text; 413 as soon as it (or its declared length) passes MAX_REQUEST_BYTES. */
export async function readBody(req: Request): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (declared > MAX_REQUEST_BYTES) throw bodyTooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_REQUEST_BYTES) {
      await reader.cancel();
      throw bodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function isJoseContentType(req: Request): boolean {
  return req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() === "application/jose+json";
}
