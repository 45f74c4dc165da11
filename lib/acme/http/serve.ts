// The ACME front end: a plain function from a standard Request to a Response, with no Next.js
// import, so that both the Next route (app/acme/[[...path]]/route.ts) and Keyward's own server
// (server.ts) serve /acme through it. A request passes the steps below in the order RFC 8555
// states them, and the first that fails answers with its problem document:
//
//   1. alias       which alias, in which URL form; protocol enabled; alias stored
//   2. route       resource and method (404, 405 with Allow)
//  2a. client      the alias's client-certificate rule for this resource (lib/ra)
//   3. transport   Content-Type application/jose+json (415, §6.2) and a bounded body (413)
//   4. JWS         flattened JWS, protected header: alg allowlist, exactly one of jwk and kid
//   5. key         the embedded jwk, or the account the kid names (exactly its URL)
//   6. algorithm   alg fits the key (badSignatureAlgorithm)
//   7. signature
//   8. nonce       issued here, unused, young enough (§6.5)
//   9. url         the url header names this request's URL (§6.4)
//  10. account     a deactivated account signs nothing any more (§7.3.6)
//  11. terms       an account that must agree to new terms of service does nothing else (§7.3.3)
//  12. payload     as the route reads it (routes.ts), then the resource

import type { AcmeContext, VerifiedJws } from "@/lib/acme/resources/types";
import {
  assertKeyMatchesAlgorithm,
  importAccountKey,
  type JwsAlgorithm,
  parseFlattenedJws,
  parseProtectedHeader,
  verifyJwsSignature,
} from "@/lib/acme/wire/jws";
import { AcmeLinks } from "@/lib/acme/wire/links";
import type { ClientCertificateCheck } from "@/lib/ca/client-certificates";
import { type AccountJwk, assertAcceptableAccountKey, jwkThumbprint } from "@/lib/crypto/jwk";
import type { Db } from "@/lib/db/client";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { clientAuthOrigin } from "@/lib/env";
import { AcmeProblem, isAcmeProblem } from "@/lib/problem";
import { type AccountRecord, findAccountForRequest } from "@/lib/ra/accounts";
import { authorizeClientCertificate } from "@/lib/ra/client-authentication";
import { loadAliasContext } from "@/lib/ra/request-context";
import { assertAgreedToCurrentTerms } from "@/lib/ra/terms";
import { bodyTooLarge, isJoseContentType, readBody } from "./body";
import type { NonceService } from "./nonces";
import { type CommonHeaders, methodNotAllowed, problemToResponse, replyToResponse } from "./respond";
import { allowedMethods, matchRoute, type PostRoute } from "./routes";
import { splitAcmePath } from "./target";

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
  /** The route's resource (lib/acme/paths.ts), once matched. */
  resource?: string;
  status: number;
  problem?: string;
  accountId?: string;
  /** The client certificate's subject and whether it passed (never its refusal in the response). */
  clientCertificate?: string;
  ms: number;
  /** The JWS nonce was accepted (and so used up). */
  nonceRedeemed?: boolean;
  error?: unknown;
};

export type ServeOptions = {
  clientIp?: string;
  /**
   * The client certificate, verified by server.ts (lib/ca/client-certificates.ts): from the
   * mutual-TLS port's handshake, or from a trusted proxy's header. Never read from the request:
   * the Next route cannot see one, so aliases that require one refuse what it serves.
   */
  clientCertificate?: ClientCertificateCheck;
  /** Set by server.ts when it stopped reading a body at the limit (the rest is drained, unread). */
  bodyTooLarge?: boolean;
  /** The method as received, when the Request cannot carry it (the Fetch standard forbids TRACE). */
  method?: string;
};

export function createAcmeHandler(deps: AcmeServerDeps) {
  const keys = new AccountKeyCache(KEY_CACHE_SIZE);

  return async function serveAcme(req: Request, opts: ServeOptions = {}): Promise<Response> {
    const started = performance.now();
    const url = new URL(req.url);
    const method = (opts.method ?? req.method).toUpperCase();
    const common: CommonHeaders = { nonce: deps.nonces.issue() };
    const event: RequestEvent = { method, path: url.pathname, status: 0, ms: 0 };
    let response: Response;
    try {
      response = await handle(req, url, method, opts, common, event);
    } catch (err) {
      const problem = isAcmeProblem(err)
        ? err
        : isDatabaseUnavailable(err)
          ? AcmeProblem.temporarilyUnavailable(err)
          : AcmeProblem.serverInternal();
      if (!isAcmeProblem(err) || problem.status >= 500)
        event.error = isAcmeProblem(err) ? err.options.cause : err;
      event.problem = problem.type;
      response = problemToResponse(problem, common, method);
    }
    event.status = response.status;
    event.ms = Math.round((performance.now() - started) * 10) / 10;
    deps.log?.(event);
    return response;
  };

  async function handle(
    req: Request,
    url: URL,
    method: string,
    opts: ServeOptions,
    common: CommonHeaders,
    event: RequestEvent,
  ): Promise<Response> {
    // 1. alias
    const target = splitAcmePath(url);
    const { globals, alias } = await loadAliasContext(deps.db, target.aliasName);
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

    // 2. route
    const match = matchRoute(target.segments);
    if (!match) throw AcmeProblem.notFound("Resource");
    const { resource, route, params } = match;
    event.resource = resource;
    const ctx: AcmeContext = {
      db: deps.db,
      alias,
      globals,
      links,
      now: new Date(),
      params,
      requestUrl: url.href,
      clientIp: opts.clientIp,
      clientCertificate: opts.clientCertificate,
    };

    // 2a. client certificate (spec "ACME with Client Authentication")
    const certificate = opts.clientCertificate;
    if (certificate) {
      event.clientCertificate =
        certificate.status === "verified"
          ? `verified: ${certificate.certificate.subjectDn}`
          : `refused (${certificate.reason}): ${certificate.subjectDn ?? ""} ${certificate.detail}`.trim();
    }
    await authorizeClientCertificate(deps.db, {
      alias,
      resource,
      clientCertificate: certificate,
      clientAuthDirectoryUrl: new AcmeLinks(clientAuthOrigin(url.hostname), target.form, alias.name)
        .directory,
    });

    if ((method === "GET" || method === "HEAD") && route.get) {
      return replyToResponse(await route.get(ctx, method), common, method);
    }
    if (method !== "POST" || !route.post) {
      const problem = AcmeProblem.malformed(`Method ${method} is not allowed here`, { status: 405 });
      return methodNotAllowed(allowedMethods(route), common, problem);
    }

    // 3. transport
    if (!isJoseContentType(req)) {
      throw AcmeProblem.malformed("Content-Type must be application/jose+json", { status: 415 });
    }
    if (opts.bodyTooLarge) throw bodyTooLarge();
    const body = await readBody(req);

    // 4.–11.
    const verified = await verifyRequest(ctx, route.post, body, () => {
      event.nonceRedeemed = true;
    });
    event.accountId = verified.account?.id;

    // 12. payload and resource
    const payloadText = Buffer.from(verified.payloadBytes).toString("utf8");
    const reply = await route.post.run(ctx, verified, payloadText, { method, query: url.searchParams });
    return replyToResponse(reply, common, method);
  }

  async function verifyRequest(
    ctx: AcmeContext,
    route: PostRoute,
    body: string,
    nonceRedeemed: () => void,
  ): Promise<VerifiedJws & { payloadBytes: Uint8Array }> {
    // 4. JWS
    const jws = parseFlattenedJws(body);
    const header = parseProtectedHeader(jws);
    const alg = header.alg as JwsAlgorithm;

    // 5. key, as the route requires it (§6.2), and 6. algorithm
    let key: CryptoKey;
    let account: AccountRecord | undefined;
    let thumbprint: string | undefined;
    if (route.auth === "jwk" || (route.auth === "jwk-or-kid" && header.jwk)) {
      if (!header.jwk) throw AcmeProblem.malformed("This resource must be signed with a jwk, not a kid");
      // parseProtectedHeader checked the jwk against the key policy and the algorithm.
      thumbprint = await jwkThumbprint(header.jwk);
      key = await keys.get(header.jwk, alg, thumbprint);
    } else {
      if (!header.kid)
        throw AcmeProblem.malformed("This resource must be signed with a kid (the account URL), not a jwk");
      account = await accountForKid(ctx, header.kid);
      assertKeyMatchesAlgorithm(account.jwk, alg);
      key = await keys.get(account.jwk, alg, account.keyThumbprint);
    }

    // 7. signature
    const payloadBytes = await verifyJwsSignature(jws, key, alg);

    // 8. nonce
    if (header.nonce === undefined) throw AcmeProblem.badNonce("JWS has no nonce");
    const verdict = await deps.nonces.redeem(header.nonce, ctx.globals.replayNonceValidityMs);
    if (verdict !== "ok") {
      const reason = {
        unknown: "was not issued by this server",
        expired: "has expired",
        reused: "has already been used",
      }[verdict];
      throw AcmeProblem.badNonce(`JWS nonce ${reason}`);
    }
    nonceRedeemed();

    // 9. url
    if (header.url !== ctx.requestUrl) {
      throw AcmeProblem.unauthorized(
        `JWS url "${header.url}" does not match the request URL "${ctx.requestUrl}"`,
      );
    }

    // 10. account: §7.3.6 "If a server receives a POST or POST-as-GET from a deactivated
    //     account, it MUST return an error response with status code 401 (Unauthorized)".
    if (account && account.status !== "valid") {
      throw AcmeProblem.unauthorized(`Account is ${account.status}`, { status: 401 });
    }

    // 11. terms: spec "Terms of Service": with "Require client approval for Terms of Service
    //     changes" on and newer terms published, "requesting ACME resources except the newAccount
    //     resource will fail" for an account that has not agreed to them (403 userActionRequired,
    //     RFC 8555 §7.3.3). The check is a step here rather than in each resource's lib/ra call:
    //     it is a property of the account, not of a resource, so one step covers every resource
    //     (those added later too) and runs before any of them changes anything, as the
    //     deactivated-account check above does. newAccount is signed with a jwk and never gets
    //     here; the account resource checks it itself (routes.ts checksTermsItself), because an
    //     account agrees to new terms there.
    if (account && !route.checksTermsItself) assertAgreedToCurrentTerms(ctx.alias, account);

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

  async function accountForKid(ctx: AcmeContext, kid: string): Promise<AccountRecord> {
    // §6.2: the kid is the account URL, exactly as this server gives it in the URL form, scheme
    // and host the client uses; another host, a query string or any other variation names no
    // account here.
    const id = accountIdFromKid(kid);
    if (id === null || kid !== ctx.links.account(id)) {
      throw AcmeProblem.malformed(
        `JWS kid "${kid}" is not an account URL of this ACME alias (${ctx.links.account("<id>")})`,
      );
    }
    const account = await findAccountForRequest(deps.db, id);
    // An account of another alias does not exist for this one.
    if (!account || account.aliasId !== ctx.alias.id) {
      throw new AcmeProblem("accountDoesNotExist", `No account exists at "${kid}"`, { status: 400 });
    }
    return account;
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
  return /\/acct\/([A-Za-z0-9_-]{1,128})$/.exec(path)?.[1] ?? null;
}

/**
 * Imported account keys by algorithm and thumbprint: importing a JWK costs more than verifying
 * (STACK.md). A key enters only after the key policy accepted it, so a stored account key from
 * before a rule existed is checked once per process too.
 */
class AccountKeyCache {
  readonly #keys = new Map<string, CryptoKey>();
  constructor(readonly size: number) {}

  async get(jwk: AccountJwk, alg: JwsAlgorithm, thumbprint: string): Promise<CryptoKey> {
    const cacheKey = `${alg}:${thumbprint}`;
    let key = this.#keys.get(cacheKey);
    if (!key) {
      assertAcceptableAccountKey(jwk);
      key = await importAccountKey(jwk, alg);
      if (this.#keys.size >= this.size) this.#keys.delete(this.#keys.keys().next().value as string);
      this.#keys.set(cacheKey, key);
    }
    return key;
  }
}
