// The route table: every ACME resource with its methods, its authentication and its payload.
// Adding a resource is one row here and one file in lib/acme/resources (smallstep route()).
// Each row is built by `post()`, which ties the payload's parsed type to the handler's
// parameter: a finalize schema on the newOrder row does not compile.
import type { z } from "zod";
import { ACME_RESOURCE_PATTERNS, type AcmeResource } from "@/lib/acme/paths";
import { postAccount } from "@/lib/acme/resources/account";
import { postAuthorization } from "@/lib/acme/resources/authz";
import { getCertificate } from "@/lib/acme/resources/certificate";
import { postChallenge } from "@/lib/acme/resources/challenge";
import { getDirectory } from "@/lib/acme/resources/directory";
import { keyChange } from "@/lib/acme/resources/key-change";
import { newAccount } from "@/lib/acme/resources/new-account";
import { newAuthz } from "@/lib/acme/resources/new-authz";
import { newNonce } from "@/lib/acme/resources/new-nonce";
import { newOrder } from "@/lib/acme/resources/new-order";
import { finalize, getOrder } from "@/lib/acme/resources/order";
import { getAccountOrders } from "@/lib/acme/resources/orders";
import { revokeCert } from "@/lib/acme/resources/revoke-cert";
import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import {
  accountUpdatePayloadSchema,
  authorizationUpdatePayloadSchema,
  challengeResponsePayloadSchema,
  finalizePayloadSchema,
  newAccountPayloadSchema,
  newAuthzPayloadSchema,
  newOrderPayloadSchema,
  revokeCertPayloadSchema,
} from "@/lib/acme/wire/payloads";
import { AcmeProblem, firstIssue } from "@/lib/problem";
import { isResourceId } from "@/lib/ra/ids";

export type RouteAuth = "jwk" | "kid" | "jwk-or-kid";
type VerifiedFor<A extends RouteAuth> = A extends "jwk-or-kid" ? VerifiedJws : VerifiedJws & { auth: A };
type Extra = { method: string; query: URLSearchParams };

/** How a route reads its JWS payload (RFC 8555 §6.3: POST-as-GET is exactly the empty string). */
export type PayloadReader<T> = { readonly postAsGetOnly?: boolean; read(text: string): T };

/** POST-as-GET only: the payload must be empty. */
export const EMPTY_PAYLOAD: PayloadReader<null> = {
  postAsGetOnly: true,
  read(text) {
    if (text !== "")
      throw AcmeProblem.malformed("This resource takes POST-as-GET: the payload must be empty");
    return null;
  },
};

/** The payload as text, unparsed (keyChange's inner JWS). */
export const RAW_PAYLOAD: PayloadReader<string> = {
  read(text) {
    if (text === "") throw AcmeProblem.malformed("The payload must not be empty");
    return text;
  },
};

/** A JSON object checked by `schema`; with `postAsGet`, an empty payload reads as null. */
export function jsonPayload<S extends z.ZodType>(schema: S): PayloadReader<z.output<S>>;
export function jsonPayload<S extends z.ZodType>(
  schema: S,
  opts: { postAsGet: true },
): PayloadReader<z.output<S> | null>;
export function jsonPayload<S extends z.ZodType>(
  schema: S,
  opts: { postAsGet?: boolean } = {},
): PayloadReader<z.output<S> | null> {
  return {
    read(text) {
      if (text === "") {
        if (opts.postAsGet) return null;
        throw AcmeProblem.malformed(
          "The payload must be a JSON object, not empty (POST-as-GET is not allowed here)",
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw AcmeProblem.malformed("The JWS payload is not JSON");
      }
      if (typeof json !== "object" || json === null || Array.isArray(json)) {
        throw AcmeProblem.malformed("The JWS payload must be a JSON object");
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw AcmeProblem.malformed(`Invalid payload: ${firstIssue(parsed.error)}`);
      return parsed.data;
    },
  };
}

/** A POST route as serve.ts runs it: the payload is read and handed to the typed handler. */
export type PostRoute = {
  readonly auth: RouteAuth;
  /**
   * The resource's lib/ra call checks the account's agreement to the terms of service itself,
   * instead of the front end's terms step (only the account resource: agreeing happens there).
   */
  readonly checksTermsItself?: true;
  run(ctx: AcmeContext, verified: VerifiedJws, payloadText: string, extra: Extra): Promise<AcmeReply>;
};

function post<A extends RouteAuth, T>(def: {
  auth: A;
  payload: PayloadReader<T>;
  checksTermsItself?: true;
  handle: (ctx: AcmeContext, verified: VerifiedFor<A>, payload: T, extra: Extra) => Promise<AcmeReply>;
}): PostRoute {
  return {
    auth: def.auth,
    checksTermsItself: def.checksTermsItself,
    run(ctx, verified, payloadText, extra) {
      // serve.ts verifies with the key kind the route names; this only tells the type system.
      if (def.auth !== "jwk-or-kid" && verified.auth !== def.auth) {
        throw new Error(`route wants ${def.auth} authentication, the request has ${verified.auth}`);
      }
      return def.handle(ctx, verified as VerifiedFor<A>, def.payload.read(payloadText), extra);
    },
  };
}

export type Route = {
  /** GET and HEAD (§6.3: only the directory and newNonce answer unauthenticated requests). */
  readonly get?: (ctx: AcmeContext, method: string) => Promise<AcmeReply>;
  readonly post?: PostRoute;
};

/** The methods a route answers, for 405's Allow header. */
export function allowedMethods(route: Route): string[] {
  return [...(route.get ? ["GET", "HEAD"] : []), ...(route.post ? ["POST"] : [])];
}

/** One row per resource of lib/acme/paths.ts: the record type makes the table complete. */
const ROUTES: Readonly<Record<AcmeResource, Route>> = {
  directory: {
    get: (ctx) => getDirectory(ctx),
    // §6.3: "The server MUST allow GET requests for the directory and newNonce resources ... in
    // addition to POST-as-GET requests for these resources."
    post: post({ auth: "kid", payload: EMPTY_PAYLOAD, handle: (ctx) => getDirectory(ctx) }),
  },
  newNonce: {
    get: (_ctx, method) => newNonce(method),
    post: post({
      auth: "kid",
      payload: EMPTY_PAYLOAD,
      handle: (_ctx, _v, _p, { method }) => newNonce(method),
    }),
  },
  newAccount: {
    post: post({ auth: "jwk", payload: jsonPayload(newAccountPayloadSchema), handle: newAccount }),
  },
  account: {
    post: post({
      auth: "kid",
      payload: jsonPayload(accountUpdatePayloadSchema, { postAsGet: true }),
      // Agreeing to new terms of service is an account update (lib/ra/registration.ts).
      checksTermsItself: true,
      handle: postAccount,
    }),
  },
  accountOrders: {
    post: post({
      auth: "kid",
      payload: EMPTY_PAYLOAD,
      handle: (ctx, v, _p, { query }) => getAccountOrders(ctx, v, query.get("cursor")),
    }),
  },
  keyChange: { post: post({ auth: "kid", payload: RAW_PAYLOAD, handle: keyChange }) },
  newOrder: { post: post({ auth: "kid", payload: jsonPayload(newOrderPayloadSchema), handle: newOrder }) },
  newAuthz: { post: post({ auth: "kid", payload: jsonPayload(newAuthzPayloadSchema), handle: newAuthz }) },
  order: { post: post({ auth: "kid", payload: EMPTY_PAYLOAD, handle: getOrder }) },
  finalize: { post: post({ auth: "kid", payload: jsonPayload(finalizePayloadSchema), handle: finalize }) },
  authorization: {
    post: post({
      auth: "kid",
      payload: jsonPayload(authorizationUpdatePayloadSchema, { postAsGet: true }),
      handle: postAuthorization,
    }),
  },
  challenge: {
    post: post({
      auth: "kid",
      payload: jsonPayload(challengeResponsePayloadSchema, { postAsGet: true }),
      handle: postChallenge,
    }),
  },
  certificate: { post: post({ auth: "kid", payload: EMPTY_PAYLOAD, handle: getCertificate }) },
  certificateChain: { post: post({ auth: "kid", payload: EMPTY_PAYLOAD, handle: getCertificate }) },
  revokeCert: {
    post: post({ auth: "jwk-or-kid", payload: jsonPayload(revokeCertPayloadSchema), handle: revokeCert }),
  },
};

const COMPILED = (Object.keys(ROUTES) as AcmeResource[]).map((resource) => ({
  resource,
  route: ROUTES[resource],
  parts: ACME_RESOURCE_PATTERNS[resource].split("/"),
}));

export type RouteMatch = { resource: AcmeResource; route: Route; params: Record<string, string> };

export function matchRoute(segments: readonly string[]): RouteMatch | null {
  for (const { resource, route, parts } of COMPILED) {
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = parts.every((part, i) => {
      const segment = segments[i] as string;
      if (!part.startsWith(":")) return part === segment;
      params[part.slice(1)] = segment;
      // Ids are base64url (lib/ra/ids.ts); anything else cannot name a resource.
      return isResourceId(segment);
    });
    if (matches) return { resource, route, params };
  }
  return null;
}
