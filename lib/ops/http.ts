// The operations endpoints on the console's listeners (issue 17): /healthz, /readyz and /metrics.
// Plain functions from a standard Request to a Response, served by server.ts before Next (as
// lib/acme/http is), so a probe costs what a bare Node handler costs.
import { db } from "@/lib/db/client";
import { checkReadiness } from "./health";

const OPERATIONS_PATHS = new Set(["/healthz", "/readyz"]);

/** Whether `path` (without query) is one of the operations endpoints. */
export function isOperationsPath(path: string): boolean {
  return OPERATIONS_PATHS.has(path);
}

const NO_STORE = { "cache-control": "no-store" };

function json(status: number, body: unknown, extra: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...extra } });
}

export type OperationsRequest = {
  /** The request's path, without its query. */
  path: string;
  /** The method as received. */
  method: string;
  /** The client's address as server.ts resolved it (lib/forwarded.ts). */
  clientIp: string | undefined;
  scheme: "http" | "https";
};

/** Answers an operations request. */
export async function serveOperations(req: Request, o: OperationsRequest): Promise<Response> {
  if (o.method !== "GET" && o.method !== "HEAD") {
    return json(405, { error: `Method ${o.method} is not allowed here` }, { allow: "GET, HEAD" });
  }
  switch (o.path) {
    case "/healthz":
      return json(200, { status: "ok" });
    case "/readyz": {
      const readiness = await checkReadiness(db());
      const notReady = Object.entries(readiness.checks)
        .filter(([, state]) => state !== "ok")
        .map(([name]) => name);
      return readiness.ready
        ? json(200, { status: "ready", checks: readiness.checks })
        : json(503, { status: "not ready", notReady, checks: readiness.checks }, { "retry-after": "5" });
    }
    default:
      return json(404, { error: "Not found" });
  }
}
