// The ACME front end: a plain function from a standard Request to a Response, with no Next.js
// import, so that both the Next route (app/acme/[[...path]]/route.ts) and Keyward's own server
// (server.ts) serve /acme through it. It runs the checks in RFC order and returns the first
// problem: alias and protocol → route and method (405) → Content-Type (415, §6.2) → flattened
// JWS → jwk/kid → key → algorithm → signature → nonce (§6.5) → url (§6.4) → payload → resource.

import { AcmeProblem, isAcmeProblem } from "@/lib/acme/problem";
import type { Db } from "@/lib/db/client";
import { type AccountRecord, findAccountById } from "@/lib/ra/accounts";
import { loadRequestContext } from "@/lib/ra/request-context";
import {
  type AccountJwk,
  assertAcceptableAccountKey,
  assertKeyMatchesAlgorithm,
  firstIssue,
  importAccountKey,
  type JwsAlgorithm,
  jwkThumbprint,
  parseFlattenedJws,
  parseProtectedHeader,
  verifyJwsSignature,
} from "./jws";
import { AcmeLinks, type UrlForm } from "./links";
import type { NonceService } from "./nonces";
import { type CommonHeaders, methodNotAllowed, problemToResponse, replyToResponse } from "./respond";
import { matchRoute, type PostRoute, RESOURCE_ROOTS } from "./routes";
import type { AcmeContext, AcmeReply, VerifiedJws } from "./types";

/** Larger than any legitimate ACME request (a CSR with hundreds of names is ~30 KB). */
export const MAX_REQUEST_BYTES = 128 * 1024;
const KEY_CACHE_SIZE = 10_000;

export type AcmeServerDeps = {
  db: Db;
  nonces: NonceService;
  /** One structured record per request (Boulder's RequestEvent). */
  log?: (event: RequestEvent) => void;
};

export type RequestEvent = {
  method: string;
  path: string;
  alias?: string;
  status: number;
  problem?: string;
  accountId?: string;
  ms: number;
  error?: unknown;
};

export type ServeOptions = { clientIp?: string };

export function createAcmeHandler(deps: AcmeServerDeps) {
  // Imported account keys by thumbprint: importing a JWK costs more than verifying (STACK.md).
  // A stored account key is checked against the key policy once per process as well: an account
  // registered before a rule existed must not keep signing with a key the rule refuses.
  const keyCache = new Map<string, CryptoKey>();
  const cachedKey = async (jwk: AccountJwk, alg: JwsAlgorithm, thumbprint: string) => {
    const cacheKey = `${alg}:${thumbprint}`;
    let key = keyCache.get(cacheKey);
    if (!key) {
      assertAcceptableAccountKey(jwk);
      key = await importAccountKey(jwk, alg);
      if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
      keyCache.set(cacheKey, key);
    }
    return key;
  };

  return async function serveAcme(req: Request, opts: ServeOptions = {}): Promise<Response> {
    const started = performance.now();
    const url = new URL(req.url);
    const method = req.method.toUpperCase();
    const common: CommonHeaders = { nonce: deps.nonces.issue() };
    const event: RequestEvent = { method, path: url.pathname, status: 0, ms: 0 };
    let response: Response;
    try {
      response = await handle();
    } catch (err) {
      const problem = isAcmeProblem(err) ? err : AcmeProblem.serverInternal();
      if (!isAcmeProblem(err) || problem.status >= 500)
        event.error = isAcmeProblem(err) ? err.options.cause : err;
      event.problem = problem.type;
      response = problemToResponse(problem, common, method);
    }
    event.status = response.status;
    event.ms = Math.round((performance.now() - started) * 10) / 10;
    deps.log?.(event);
    return response;

    async function handle(): Promise<Response> {
      // 1. Which alias, in which URL form; is the protocol on; is the alias usable.
      const target = splitAcmePath(url);
      // A POST's body is read now so that the account its kid names comes back in the same query
      // as the alias; a problem with the body is kept and raised at its own step (3 and 4).
      const early = isJosePost(req, method)
        ? await readBody(req).then(
            (body) => ({ body }),
            (error: unknown) => ({ error }),
          )
        : null;
      const kidAccountId = early && "body" in early ? peekKidAccountId(early.body) : null;
      const {
        globals,
        alias,
        account: kidAccount,
      } = await loadRequestContext(deps.db, target.aliasName, kidAccountId);
      const links = alias && new AcmeLinks(url.origin, target.form, alias.name);
      if (links) common.indexUrl = links.directory;
      if (!globals.acmeEnabled) {
        throw AcmeProblem.unauthorized(
          "The ACME protocol is disabled on this server; an administrator can enable it in the console",
        );
      }
      if (!alias || !links) {
        throw target.aliasName === null
          ? AcmeProblem.malformed("No default ACME alias is configured", { status: 404 })
          : AcmeProblem.malformed(`ACME alias "${target.aliasName}" does not exist`, { status: 404 });
      }
      event.alias = alias.name;
      if (!alias.configured) {
        throw AcmeProblem.unauthorized(
          `ACME alias "${alias.name}" has not been stored yet; an administrator must edit and store it first`,
        );
      }

      // 2. Route and method.
      const match = matchRoute(target.segments);
      if (!match) throw AcmeProblem.notFound("Resource");
      const { route, params } = match;
      if (!(route.methods as readonly string[]).includes(method)) {
        return methodNotAllowed(
          [...route.methods],
          common,
          AcmeProblem.malformed(`Method ${method} is not allowed here`, { status: 405 }),
        );
      }
      const ctx: AcmeContext = {
        db: deps.db,
        alias,
        globals,
        links,
        now: new Date(),
        params,
        requestUrl: url.href,
        clientIp: opts.clientIp,
      };
      if (route.auth === "none") return replyToResponse(await route.handle(ctx, method), common, method);

      // 3. §6.2: Content-Type application/jose+json (routes with a JWS take POST only), bounded size.
      if (!early) throw AcmeProblem.malformed("Content-Type must be application/jose+json", { status: 415 });
      if ("error" in early) throw early.error;
      const verified = await verifyRequest(ctx, route, early.body, globals.replayNonceValidityMs, kidAccount);
      event.accountId = verified.account?.id;
      const payloadText = Buffer.from(verified.payloadBytes).toString("utf8");
      const reply = await dispatch(ctx, route, verified, payloadText, url.searchParams, method);
      return replyToResponse(reply, common, method);
    }
  };

  async function verifyRequest(
    ctx: AcmeContext,
    route: PostRoute,
    body: string,
    nonceValidityMs: number,
    prefetchedAccount: AccountRecord | null,
  ): Promise<VerifiedJws & { payloadBytes: Uint8Array }> {
    // 4. Flattened JWS and its protected header (alg allowlist, exactly one of jwk/kid).
    const jws = parseFlattenedJws(body);
    const header = parseProtectedHeader(jws);
    const alg = header.alg as JwsAlgorithm;

    // 5. The key: embedded (jwk) or the account's (kid), as the route requires (§6.2).
    let key: CryptoKey;
    let account: AccountRecord | undefined;
    let thumbprint: string | undefined;
    if (route.auth === "jwk" || (route.auth === "jwk-or-kid" && header.jwk)) {
      if (!header.jwk) throw AcmeProblem.malformed("This resource must be signed with a jwk, not a kid");
      thumbprint = await jwkThumbprint(header.jwk);
      key = await cachedKey(header.jwk, alg, thumbprint);
    } else {
      if (!header.kid)
        throw AcmeProblem.malformed("This resource must be signed with a kid (the account URL), not a jwk");
      account = await accountForKid(ctx, header.kid, prefetchedAccount);
      // The account's key cannot have made a signature of another algorithm.
      assertKeyMatchesAlgorithm(account.jwk, alg);
      key = await cachedKey(account.jwk, alg, account.keyThumbprint);
    }

    // 6. The signature.
    const payloadBytes = await verifyJwsSignature(jws, key, alg);

    // 7. §6.5: a nonce this deployment issued, unused and young enough.
    if (header.nonce === undefined) throw AcmeProblem.badNonce("JWS has no nonce");
    const verdict = await deps.nonces.redeem(header.nonce, nonceValidityMs);
    if (verdict !== "ok") {
      const reason = {
        unknown: "was not issued by this server",
        expired: "has expired",
        reused: "has already been used",
      }[verdict];
      throw AcmeProblem.badNonce(`JWS nonce ${reason}`);
    }

    // 8. §6.4: the url header names the URL the request was sent to.
    if (header.url !== ctx.requestUrl) {
      throw AcmeProblem.unauthorized(
        `JWS url "${header.url}" does not match the request URL "${ctx.requestUrl}"`,
      );
    }

    // 9. §7.3.6: "If a server receives a POST or POST-as-GET from a deactivated account, it MUST
    //    return an error response with status code 401 (Unauthorized)".
    if (account && account.status !== "valid") {
      throw AcmeProblem.unauthorized(`Account is ${account.status}`, { status: 401 });
    }

    return account
      ? { auth: "kid", header, alg, jws, account, payloadBytes }
      : {
          auth: "jwk",
          header,
          alg,
          jws,
          jwk: header.jwk as AccountJwk,
          thumbprint: thumbprint as string,
          payloadBytes,
        };
  }

  async function accountForKid(
    ctx: AcmeContext,
    kid: string,
    prefetched: AccountRecord | null,
  ): Promise<AccountRecord> {
    // §6.2: the kid is the account URL, exactly as this server gives it in the URL form, scheme
    // and host the client uses; another host, a query string or any other variation names no
    // account here.
    const id = accountIdFromKid(kid);
    if (id === null || kid !== ctx.links.account(id)) {
      throw AcmeProblem.malformed(
        `JWS kid "${kid}" is not an account URL of this ACME alias (${ctx.links.account("<id>")})`,
      );
    }
    const account = prefetched?.id === id ? prefetched : await findAccountById(deps.db, id);
    // An account of another alias does not exist for this one.
    if (!account || account.aliasId !== ctx.alias.id) {
      throw new AcmeProblem("accountDoesNotExist", `No account exists at "${kid}"`, { status: 400 });
    }
    return account;
  }
}

/** 10. The payload, as the route declares it (§6.3 POST-as-GET: exactly the empty string). */
async function dispatch(
  ctx: AcmeContext,
  route: PostRoute,
  verified: VerifiedJws,
  payloadText: string,
  query: URLSearchParams,
  method: string,
): Promise<AcmeReply> {
  const extra = { method, query };
  const v = verified as never;
  if (route.payload === "empty") {
    if (payloadText !== "")
      throw AcmeProblem.malformed("This resource takes POST-as-GET: the payload must be empty");
    return route.handle(ctx, v, null, extra);
  }
  if (route.payload === "raw") {
    if (payloadText === "") throw AcmeProblem.malformed("The payload must not be empty");
    return route.handle(ctx, v, payloadText, extra);
  }
  if (payloadText === "") {
    if (route.postAsGet) return route.handle(ctx, v, null as never, extra);
    throw AcmeProblem.malformed(
      "The payload must be a JSON object, not empty (POST-as-GET is not allowed here)",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch {
    throw AcmeProblem.malformed("The JWS payload is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw AcmeProblem.malformed("The JWS payload must be a JSON object");
  }
  const parsed = route.payload.safeParse(json);
  if (!parsed.success) throw AcmeProblem.malformed(`Invalid payload: ${firstIssue(parsed.error)}`);
  return route.handle(ctx, v, parsed.data as never, extra);
}

type AcmeTarget = { form: UrlForm; aliasName: string | null; segments: string[] };

/**
 * /acme/<resource>…                     → the default alias ("default" form)
 * /acme/<resource>…?configurationId=<a> → alias a ("query" form)
 * /acme/<alias>/<resource>…             → alias ("path" form)
 */
export function splitAcmePath(url: URL): AcmeTarget {
  const rest = url.pathname.replace(/^\/acme\/?/, "");
  let segments: string[];
  try {
    segments = rest === "" ? [] : rest.split("/").map(decodeURIComponent);
  } catch {
    throw AcmeProblem.malformed("The request path is not valid", { status: 404 });
  }
  const first = segments[0];
  if (first === undefined || first === "") throw AcmeProblem.notFound("Resource");
  if (RESOURCE_ROOTS.has(first)) {
    const configurationId = url.searchParams.get("configurationId");
    return configurationId !== null
      ? { form: "query", aliasName: configurationId, segments }
      : { form: "default", aliasName: null, segments };
  }
  return { form: "path", aliasName: first, segments: segments.slice(1) };
}

function isJosePost(req: Request, method: string): boolean {
  return (
    method === "POST" &&
    req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() === "application/jose+json"
  );
}

/** The account id a body's kid names, read without any checks (they come later), or null. */
function peekKidAccountId(body: string): string | null {
  try {
    const protectedHeader = (JSON.parse(body) as { protected?: unknown }).protected;
    if (typeof protectedHeader !== "string") return null;
    const kid = (JSON.parse(Buffer.from(protectedHeader, "base64url").toString("utf8")) as { kid?: unknown })
      .kid;
    return typeof kid === "string" ? accountIdFromKid(kid) : null;
  } catch {
    return null;
  }
}

/** The account id from a kid URL (…/acct/<id>), or null. */
export function accountIdFromKid(kid: string): string | null {
  let path: string;
  try {
    path = new URL(kid).pathname;
  } catch {
    return null;
  }
  const match = /\/acct\/([A-Za-z0-9_-]{1,128})$/.exec(path);
  return match?.[1] ?? null;
}

async function readBody(req: Request): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (declared > MAX_REQUEST_BYTES)
    throw AcmeProblem.malformed(`Request body exceeds ${MAX_REQUEST_BYTES} bytes`, { status: 413 });
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
      throw AcmeProblem.malformed(`Request body exceeds ${MAX_REQUEST_BYTES} bytes`, { status: 413 });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
