// The operations endpoints on the console's listeners (issue 17): /healthz, /readyz and /metrics.
// Plain functions from a standard Request to a Response, served by server.ts before Next (as
// lib/acme/http is), so a probe costs what a bare Node handler costs.
import { db } from "@/lib/db/client";
import { AcmeProblem } from "@/lib/problem";
import { checkReadiness } from "./health";
import { checkMetricsAccess, renderMetrics } from "./metrics";

const OPERATIONS_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** Whether `path` (without query) is one of the operations endpoints. */
export function isOperationsPath(path: string): boolean {
  return OPERATIONS_PATHS.has(path);
}

const NO_STORE = { "cache-control": "no-store" };

/** Refusals are problem documents, as everywhere else (lib/problem.ts). */
function problem(p: AcmeProblem, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p.toJSON()), {
    status: p.status,
    headers: { ...NO_STORE, "content-type": "application/problem+json", ...extra },
  });
}

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
    return problem(AcmeProblem.malformed(`Method ${o.method} is not allowed here`, { status: 405 }), {
      allow: "GET, HEAD",
    });
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
    case "/metrics": {
      const access = await checkMetricsAccess({
        authorization: req.headers.get("authorization"),
        clientIp: o.clientIp,
        scheme: o.scheme,
      });
      if (!access.allowed) {
        return problem(
          AcmeProblem.unauthorized(access.detail, { status: access.status }),
          access.status === 401 ? { "www-authenticate": 'Bearer realm="keyward"' } : {},
        );
      }
      const { body, contentType } = await renderMetrics();
      return new Response(body, { status: 200, headers: { ...NO_STORE, "content-type": contentType } });
    }
    default:
      return problem(AcmeProblem.notFound("Resource"));
  }
}
