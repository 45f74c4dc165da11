// The process's ACME handler over DATABASE_URL. server.ts builds it at start (prepareAcme); the
// Next route builds it on first use. Both call serveAcme and get the same behaviour (the nonce
// key comes from the database, so any instance accepts another's nonces). A handler that cannot
// be built yet (the database is away) answers with a problem document, and the next request
// tries again.
import { secretBox } from "@/lib/crypto/master-key";
import { db } from "@/lib/db/client";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { env } from "@/lib/env";
import { logger } from "@/lib/observability/logger";
import { countAcmeRequest } from "@/lib/observability/metrics";
import { currentRequest } from "@/lib/observability/request-context";
import { AcmeProblem } from "@/lib/problem";
import { loadNonceKey } from "@/lib/ra/global-settings";
import { NonceService } from "./nonces";
import { problemToResponse } from "./respond";
import { type AcmeServerDeps, createAcmeHandler, type RequestEvent, type ServeOptions } from "./serve";

let handler: Promise<ReturnType<typeof createAcmeHandler>> | undefined;
let nonceService: NonceService | undefined;

/** The front end's one call when it has answered: metrics, the request's log line, errors. */
export function logRequestEvent(event: RequestEvent): void {
  countAcmeRequest(event);
  const request = currentRequest();
  if (request) request.alias = event.alias;
  const { error, ...rest } = event;
  if (error !== undefined)
    logger().error({ err: error, acme: rest }, `ACME ${event.method} ${event.path} failed`);
  else if (env().KEYWARD_LOG_REQUESTS) logger().info({ acme: rest }, "ACME request");
}

async function build() {
  const database = db();
  nonceService = new NonceService(await loadNonceKey(database, secretBox()), database);
  const deps: AcmeServerDeps = { db: database, nonces: nonceService, log: logRequestEvent };
  return createAcmeHandler(deps);
}

function handlerOnce(): Promise<ReturnType<typeof createAcmeHandler>> {
  handler ??= build().catch((err) => {
    handler = undefined;
    throw err;
  });
  return handler;
}

/** Builds the handler now, so that the first request does not wait for (or fail on) the database. */
export async function prepareAcme(): Promise<void> {
  await handlerOnce();
}

export async function serveAcme(req: Request, opts?: ServeOptions): Promise<Response> {
  let serve: ReturnType<typeof createAcmeHandler>;
  try {
    serve = await handlerOnce();
  } catch (err) {
    logger().error({ err }, "the ACME handler could not be built");
    const problem = isDatabaseUnavailable(err)
      ? AcmeProblem.temporarilyUnavailable(err)
      : AcmeProblem.serverInternal();
    return problemToResponse(problem, {}, req.method);
  }
  return serve(req, opts);
}

/** Deletes redemption records of expired nonces (called on a timer by the server). */
export async function pruneNonces(): Promise<number> {
  return nonceService ? nonceService.prune() : 0;
}
