// The route table: every ACME resource with its methods, its authentication and its payload.
// Adding a resource is one row here and one file in lib/acme/resources (smallstep route()).
import type { z } from "zod";
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
import { RESERVED_ALIAS_NAMES } from "@/lib/ra/aliases";
import type { AcmeContext, AcmeReply, VerifiedJws } from "./types";

/**
 * Names that may start a resource path right after /acme/; anything else is an alias name.
 * The same list is what alias names may not be (lib/ra/aliases.ts), so the two cannot drift.
 */
export const RESOURCE_ROOTS: ReadonlySet<string> = new Set(RESERVED_ALIAS_NAMES);

type Handler<V, P> = (
  ctx: AcmeContext,
  verified: V,
  payload: P,
  extra: { method: string; query: URLSearchParams },
) => Promise<AcmeReply>;

export type GetRoute = {
  pattern: string;
  methods: readonly ("GET" | "HEAD")[];
  auth: "none";
  handle: (ctx: AcmeContext, method: string) => Promise<AcmeReply>;
};

/**
 * A POST route. `payload` says what the JWS payload must be: "empty" (POST-as-GET only, §6.3),
 * "raw" (handed over as text: keyChange's inner JWS), or a zod schema; with `postAsGet: true`
 * an empty payload is also accepted and passed as null.
 */
export type PostRoute = {
  pattern: string;
  methods: readonly ["POST"];
} & (
  | {
      auth: "jwk";
      payload: z.ZodType;
      postAsGet?: false;
      handle: Handler<VerifiedJws & { auth: "jwk" }, never>;
    }
  | { auth: "kid"; payload: "empty"; handle: Handler<VerifiedJws & { auth: "kid" }, null> }
  | { auth: "kid"; payload: "raw"; handle: Handler<VerifiedJws & { auth: "kid" }, string> }
  | {
      auth: "kid";
      payload: z.ZodType;
      postAsGet: boolean;
      handle: Handler<VerifiedJws & { auth: "kid" }, never>;
    }
  | { auth: "jwk-or-kid"; payload: z.ZodType; postAsGet?: false; handle: Handler<VerifiedJws, never> }
);

export type Route = GetRoute | PostRoute;

export const ROUTES: Route[] = [
  { pattern: "directory", methods: ["GET", "HEAD"], auth: "none", handle: (ctx) => getDirectory(ctx) },
  { pattern: "newNonce", methods: ["HEAD", "GET"], auth: "none", handle: (_ctx, method) => newNonce(method) },
  {
    pattern: "newAccount",
    methods: ["POST"],
    auth: "jwk",
    payload: newAccountPayloadSchema,
    handle: (ctx, v, p) => newAccount(ctx, v, p),
  },
  {
    pattern: "acct/:id",
    methods: ["POST"],
    auth: "kid",
    payload: accountUpdatePayloadSchema,
    postAsGet: true,
    handle: (ctx, v, p) => postAccount(ctx, v, p),
  },
  {
    pattern: "acct/:id/orders",
    methods: ["POST"],
    auth: "kid",
    payload: "empty",
    handle: (ctx, v, _p, { query }) => getAccountOrders(ctx, v, query.get("cursor")),
  },
  {
    pattern: "keyChange",
    methods: ["POST"],
    auth: "kid",
    payload: "raw",
    handle: (ctx, v, p) => keyChange(ctx, v, p),
  },
  {
    pattern: "newOrder",
    methods: ["POST"],
    auth: "kid",
    payload: newOrderPayloadSchema,
    postAsGet: false,
    handle: (ctx, v, p) => newOrder(ctx, v, p),
  },
  {
    pattern: "newAuthz",
    methods: ["POST"],
    auth: "kid",
    payload: newAuthzPayloadSchema,
    postAsGet: false,
    handle: (ctx, v, p) => newAuthz(ctx, v, p),
  },
  {
    pattern: "order/:id",
    methods: ["POST"],
    auth: "kid",
    payload: "empty",
    handle: (ctx, v) => getOrder(ctx, v),
  },
  {
    pattern: "order/:id/finalize",
    methods: ["POST"],
    auth: "kid",
    payload: finalizePayloadSchema,
    postAsGet: false,
    handle: (ctx, v, p) => finalize(ctx, v, p),
  },
  {
    pattern: "authz/:id",
    methods: ["POST"],
    auth: "kid",
    payload: authorizationUpdatePayloadSchema,
    postAsGet: true,
    handle: (ctx, v, p) => postAuthorization(ctx, v, p),
  },
  {
    pattern: "chall/:id",
    methods: ["POST"],
    auth: "kid",
    payload: challengeResponsePayloadSchema,
    postAsGet: true,
    handle: (ctx, v, p) => postChallenge(ctx, v, p),
  },
  {
    pattern: "cert/:id",
    methods: ["POST"],
    auth: "kid",
    payload: "empty",
    handle: (ctx, v) => getCertificate(ctx, v),
  },
  {
    pattern: "revokeCert",
    methods: ["POST"],
    auth: "jwk-or-kid",
    payload: revokeCertPayloadSchema,
    handle: (ctx, v, p) => revokeCert(ctx, v, p),
  },
];

export type RouteMatch = { route: Route; params: Record<string, string> };

export function matchRoute(segments: string[]): RouteMatch | null {
  for (const route of ROUTES) {
    const parts = route.pattern.split("/");
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const part = parts[i] as string;
      const seg = segments[i] as string;
      if (part.startsWith(":")) {
        // Ids are base64url (lib/ra); anything else cannot name a resource.
        if (!/^[A-Za-z0-9_-]{1,128}$/.test(seg)) ok = false;
        else params[part.slice(1)] = seg;
      } else if (part !== seg) ok = false;
    }
    if (ok) return { route, params };
  }
  return null;
}
