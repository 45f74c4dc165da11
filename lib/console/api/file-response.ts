// A download from the console API: the file's bytes with its type and a name to save it under.
import "server-only";
import type { CertificateFile } from "@/lib/console/certificates";

export function fileResponse(file: CertificateFile): Response {
  return new Response(typeof file.body === "string" ? file.body : new Uint8Array(file.body), {
    headers: {
      "content-type": file.contentType,
      // The name is built from hex and [A-Za-z0-9._-] only, so it needs no quoting rules.
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "no-store",
    },
  });
}
