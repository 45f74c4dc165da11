// The console API's OpenAPI 3.1 document. Public: it describes, it grants nothing.
import { consoleOpenApiDocument } from "@/lib/console/openapi";

export function GET(req: Request): Response {
  return Response.json(consoleOpenApiDocument(new URL(req.url).origin), {
    headers: { "cache-control": "no-store" },
  });
}
