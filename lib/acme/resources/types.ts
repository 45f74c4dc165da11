// What a resource receives and returns. Resources never see Request/Response or build headers.

import type { FlattenedJws, JwsAlgorithm, ProtectedHeader } from "@/lib/acme/wire/jws";
import type { AcmeLinks } from "@/lib/acme/wire/links";
import type { ClientCertificateCheck } from "@/lib/ca/client-certificates";
import type { AccountJwk } from "@/lib/crypto/jwk";
import type { Db } from "@/lib/db/client";
import type { AccountRecord } from "@/lib/ra/accounts";
import type { ResolvedAlias } from "@/lib/ra/aliases";
import type { GlobalSettings } from "@/lib/ra/global-settings";

export type AcmeContext = {
  db: Db;
  alias: ResolvedAlias;
  globals: GlobalSettings;
  links: AcmeLinks;
  now: Date;
  /** Path parameters of the matched route, e.g. { id } for acct/:id. */
  params: Record<string, string>;
  /** The URL the request was sent to, as the JWS "url" must name it (RFC 8555 §6.4). */
  requestUrl: string;
  clientIp?: string;
  /** The TLS client certificate as the server verified it; absent when none was presented. */
  clientCertificate?: ClientCertificateCheck;
};

/** A request whose JWS signature, nonce and url have been checked (only serve.ts makes one). */
export type VerifiedJws = {
  readonly header: ProtectedHeader;
  readonly alg: JwsAlgorithm;
  readonly jws: FlattenedJws;
} & (
  | {
      readonly auth: "jwk";
      readonly jwk: AccountJwk;
      readonly thumbprint: string;
      readonly account?: undefined;
    }
  | {
      readonly auth: "kid";
      readonly account: AccountRecord;
      readonly jwk?: undefined;
      readonly thumbprint?: undefined;
    }
);

export type AcmeReply = {
  status: number;
  body?: unknown;
  location?: string;
  links?: { url: string; rel: string }[];
  retryAfterSeconds?: number;
  /** Set for non-JSON bodies (certificate chains); body must then be a string or bytes. */
  contentType?: string;
};

export type RequestTarget = { ctx: AcmeContext; verified: VerifiedJws };
