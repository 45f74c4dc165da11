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

/**
 * A download written while it is read: each line is sent as soon as it is produced, so a large
 * export neither waits for its last row nor sits in memory; a client that goes away stops it.
 */
export function streamedFileResponse(file: {
  filename: string;
  contentType: string;
  lines: AsyncIterable<string>;
}): Response {
  const iterator = file.lines[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": file.contentType,
      // The name is built from [A-Za-z0-9._-] only, so it needs no quoting rules.
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "no-store",
    },
  });
}
