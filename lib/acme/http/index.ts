// The process's ACME handler over DATABASE_URL, built on first use. server.ts and the Next route
// both call serveAcme; each gets the same behaviour (the nonce key comes from the database, so
// any instance accepts another's nonces).
import { secretBox } from "@/lib/crypto/master-key";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { loadNonceKey } from "@/lib/ra/global-settings";
import { NonceService } from "./nonces";
import { type AcmeServerDeps, createAcmeHandler, type RequestEvent, type ServeOptions } from "./serve";

let handler: Promise<ReturnType<typeof createAcmeHandler>> | undefined;
let nonceService: NonceService | undefined;

export function logRequestEvent(event: RequestEvent): void {
  const { error, ...rest } = event;
  if (error !== undefined) console.error(`[acme] ${event.method} ${event.path} failed:`, error);
  if (env().KEYWARD_LOG_REQUESTS) console.log(JSON.stringify({ acme: rest }));
}

async function build() {
  const database = db();
  nonceService = new NonceService(await loadNonceKey(database, secretBox()), database);
  const deps: AcmeServerDeps = { db: database, nonces: nonceService, log: logRequestEvent };
  return createAcmeHandler(deps);
}

export async function serveAcme(req: Request, opts?: ServeOptions): Promise<Response> {
  handler ??= build().catch((err) => {
    handler = undefined;
    throw err;
  });
  return (await handler)(req, opts);
}

/** Deletes redemption records of expired nonces (called on a timer by the server). */
export async function pruneNonces(): Promise<number> {
  return nonceService ? nonceService.prune() : 0;
}
