// The one wrapper of every console API route (formbricks' withV3ApiWrapper, dub's
// requiredPermissions): authentication (API token or session), permission, CSRF checks for
// cookie-authenticated writes, zod parsing of params, query and body, and errors as
// application/problem+json with an invalidParams extension. A route file declares these and
// calls one lib/console service.
import "server-only";
import type { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { actorCanAny, auditActorOf, type ConsoleActor, permissionDeniedProblem } from "@/lib/auth/actor";
import { authenticateRequest, type SessionActor } from "@/lib/auth/guard";
import type { Permission } from "@/lib/auth/permissions";
import { announceChange } from "@/lib/db/changes";
import { db } from "@/lib/db/client";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { forwardedHost } from "@/lib/forwarded";
import { AcmeProblem, invalidParamsProblem, isAcmeProblem, zodProblem } from "@/lib/problem";
import { findUnstorableText, UNSTORABLE_TEXT_REASON } from "@/lib/text";

// Bodies are small JSON documents; anything bigger is a mistake or an attack.
const MAX_BODY_BYTES = 256 * 1024;

type RouteContext = { params: Promise<unknown> };

export type ConsoleRouteOptions<B, Q, P> = {
  /**
   * Required permission (a list: any one of them); null: any authenticated caller (e.g. changing
   * one's own password).
   */
  permission: Permission | readonly Permission[] | null;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** The audit action the handler's service records; a refused attempt is audited as access.denied. */
  audit?: string;
  /** Allowed while the signed-in user must still change a one-time password. */
  allowPasswordChange?: boolean;
  /** Status of a successful answer with a body (default 200). */
  successStatus?: number;
};

export type ConsoleRouteInput<B, Q, P> = { req: Request; actor: ConsoleActor; body: B; query: Q; params: P };

export function withConsole<B = undefined, Q = undefined, P = undefined>(
  options: ConsoleRouteOptions<B, Q, P>,
  handler: (input: ConsoleRouteInput<B, Q, P>) => Promise<unknown>,
) {
  return async (req: Request, ctx: RouteContext): Promise<Response> => {
    try {
      const actor = await authenticateRequest(req);
      if (!actor) {
        throw new AcmeProblem(
          "unauthorized",
          'Sign in, or send an API token as "Authorization: Bearer kw_…"',
          { status: 401 },
        );
      }
      if (actor.kind === "user") assertSameOrigin(req);
      if ((actor as SessionActor).mustChangePassword && !options.allowPasswordChange) {
        throw AcmeProblem.unauthorized("Change your one-time password first (/change-password)");
      }
      // A token's permissions are already cut down to what its owner's current role allows.
      const required = typeof options.permission === "string" ? [options.permission] : options.permission;
      if (required && !actorCanAny(actor, required)) {
        await recordDenied(actor, options, req);
        throw permissionDeniedProblem(actor, required[0] as Permission);
      }
      const params = options.params
        ? parseWith(options.params, await ctx.params, "params")
        : (undefined as P);
      const query = options.query
        ? parseWith(options.query, Object.fromEntries(new URL(req.url).searchParams), "query")
        : (undefined as Q);
      const body = options.body ? parseWith(options.body, await readJsonBody(req)) : (undefined as B);
      let result: unknown;
      try {
        result = await handler({ req, actor, body, query, params });
      } finally {
        // A change here is seen by this process's ACME caches at once; other processes hear of it
        // from the database's notification (lib/db/changes.ts).
        if (req.method !== "GET" && req.method !== "HEAD") announceChange("settings");
      }
      if (result instanceof Response) return result;
      if (result === undefined)
        return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
      return Response.json(result, {
        status: options.successStatus ?? 200,
        headers: { "cache-control": "no-store" },
      });
    } catch (err) {
      return problemResponse(err, req);
    }
  };
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix?: string): T {
  // Text PostgreSQL cannot store (NUL, unpaired surrogates) is refused here for every route,
  // naming the field, rather than failing in a query as a 500 (issue 15 item 9).
  const unstorable = findUnstorableText(value);
  if (unstorable !== null) {
    if (prefix === "params") throw AcmeProblem.notFound("The requested object");
    throw invalidParamsProblem([
      {
        name: [prefix === "query" ? undefined : prefix, unstorable].filter(Boolean).join("."),
        reason: UNSTORABLE_TEXT_REASON,
      },
    ]);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    // An unknown id or name in the path is "not found", not a form error.
    if (prefix === "params") throw AcmeProblem.notFound("The requested object");
    throw zodProblem(parsed.error, prefix === "query" ? undefined : prefix);
  }
  return parsed.data;
}

async function readJsonBody(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw AcmeProblem.malformed("Send the body as JSON (Content-Type: application/json)", { status: 415 });
  }
  const text = await req.text();
  if (text.length > MAX_BODY_BYTES) throw AcmeProblem.malformed("The body is too large", { status: 413 });
  try {
    return JSON.parse(text || "{}");
  } catch {
    throw invalidParamsProblem(
      [{ name: "body", reason: "The body is not valid JSON" }],
      "The body is not valid JSON",
    );
  }
}

/**
 * Cookie-authenticated writes must come from the console's own pages. SameSite=Lax cookies
 * already keep cross-site form posts out; this also refuses cross-origin fetches, whose Origin
 * browsers always send on non-GET requests.
 */
function assertSameOrigin(req: Request): void {
  if (req.method === "GET" || req.method === "HEAD") return;
  const origin = req.headers.get("origin");
  // The host server.ts resolved: a trusted proxy's X-Forwarded-Host, else Host (lib/forwarded.ts).
  const host = forwardedHost(req.headers);
  if (origin) {
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = null;
    }
    if (originHost !== host) throw AcmeProblem.unauthorized("Cross-origin requests are refused");
  } else if (req.headers.get("sec-fetch-site") === "cross-site") {
    throw AcmeProblem.unauthorized("Cross-site requests are refused");
  }
}

async function recordDenied(
  actor: ConsoleActor,
  options: ConsoleRouteOptions<unknown, unknown, unknown>,
  req: Request,
) {
  if (!options.audit) return;
  await recordAudit(db(), {
    actor: auditActorOf(actor),
    action: "access.denied",
    targetType: "api",
    targetId: new URL(req.url).pathname.slice(0, 250),
    details: {
      attempted: options.audit,
      method: req.method,
      role: actor.role,
      ...(actor.owner ? { ownerRole: actor.owner.role } : {}),
      required: options.permission,
    },
    ip: actor.ip,
  });
}

export function problemResponse(err: unknown, req?: Request): Response {
  let problem: AcmeProblem;
  if (isAcmeProblem(err)) problem = err;
  else {
    console.error(`[console] ${req?.method ?? ""} ${req ? new URL(req.url).pathname : ""} failed:`, err);
    problem = isDatabaseUnavailable(err)
      ? AcmeProblem.temporarilyUnavailable(err)
      : AcmeProblem.serverInternal();
  }
  const headers = new Headers({ "content-type": "application/problem+json", "cache-control": "no-store" });
  if (problem.status === 401) headers.set("www-authenticate", 'Bearer realm="keyward"');
  if (problem.options.retryAfterSeconds)
    headers.set("retry-after", String(problem.options.retryAfterSeconds));
  return new Response(JSON.stringify(problem.toJSON()), { status: problem.status, headers });
}
