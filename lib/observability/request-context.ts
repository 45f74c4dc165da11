// The request a piece of work belongs to (issue 17 item 3): its id, which the server returns as
// X-Request-Id, writes on the request's log line and the audit log writes on every record the
// request causes, so an operator can go from one to the other. Carried by AsyncLocalStorage, so
// no layer passes it by hand; kept on globalThis so the Next app's bundle sees the same store.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

export type RequestContext = {
  readonly requestId: string;
  /** Set by the ACME front end once it knows the alias (for the request's log line). */
  alias?: string;
};

const STORE_KEY = Symbol.for("keyward.request-context");

function storage(): AsyncLocalStorage<RequestContext> {
  const holder = globalThis as { [STORE_KEY]?: AsyncLocalStorage<RequestContext> };
  holder[STORE_KEY] ??= new AsyncLocalStorage();
  return holder[STORE_KEY];
}

// What a proxy's X-Request-Id may look like to be kept: short, printable, no separators a log
// line could be confused by.
const REQUEST_ID_SHAPE = /^[A-Za-z0-9._:-]{8,128}$/;

/** A proxy's request id when it is well-formed, else a new one. */
export function chooseRequestId(fromTrustedProxy: string | undefined): string {
  return fromTrustedProxy && REQUEST_ID_SHAPE.test(fromTrustedProxy) ? fromTrustedProxy : randomUUID();
}

export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage().run(context, fn);
}

/** The current request's context, or undefined outside a request (timers, the CLI). */
export function currentRequest(): RequestContext | undefined {
  return storage().getStore();
}
