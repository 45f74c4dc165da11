// The one error type of Keyward (RFC 8555 §6.7 problem documents), a shared leaf: it imports
// nothing, and every layer may throw it. lib/ra, lib/va and lib/ca throw AcmeProblem for anything
// a client should see; lib/acme/http/serve.ts renders it as application/problem+json (RFC 7807),
// and the console API renders the same class. Any other error becomes serverInternal with a
// fixed detail, and its message goes to the log only.

import type { z } from "zod";
// zod's messages for people ("At most 250 characters") in every invalidParams (issue 16 item 5).
import "./zod-messages";

/** RFC 8555 §6.7 error names, in the RFC's order, plus the extensions Keyward uses. */
export const ACME_ERRORS = {
  accountDoesNotExist: { status: 400, detail: "No account exists with the provided key" },
  alreadyRevoked: { status: 400, detail: "The certificate has already been revoked" },
  badCSR: { status: 400, detail: "The CSR is unacceptable" },
  badNonce: { status: 400, detail: "The client sent an unacceptable anti-replay nonce" },
  badPublicKey: { status: 400, detail: "The JWS was signed by a public key the server does not support" },
  badRevocationReason: { status: 400, detail: "The revocation reason provided is not allowed by the server" },
  badSignatureAlgorithm: {
    status: 400,
    detail: "The JWS was signed with an algorithm the server does not support",
  },
  caa: { status: 403, detail: "Certification Authority Authorization (CAA) records forbid issuance" },
  compound: { status: 400, detail: "Specific error conditions are indicated in the subproblems array" },
  connection: { status: 400, detail: "The server could not connect to the validation target" },
  dns: { status: 400, detail: "There was a problem with a DNS query during identifier validation" },
  externalAccountRequired: {
    status: 400,
    detail: "The request must include a value for the externalAccountBinding field",
  },
  incorrectResponse: {
    status: 403,
    detail: "The response received did not match the challenge's requirements",
  },
  invalidContact: { status: 400, detail: "A contact URL for an account was invalid" },
  malformed: { status: 400, detail: "The request message was malformed" },
  orderNotReady: {
    status: 403,
    detail: "The request attempted to finalize an order that is not ready to be finalized",
  },
  rateLimited: { status: 429, detail: "The request exceeds a rate limit" },
  rejectedIdentifier: { status: 400, detail: "The server will not issue certificates for the identifier" },
  serverInternal: { status: 500, detail: "The server experienced an internal error" },
  tls: { status: 400, detail: "The server received a TLS error during validation" },
  unauthorized: { status: 403, detail: "The client lacks sufficient authorization" },
  unsupportedContact: {
    status: 400,
    detail: "A contact URL for an account used an unsupported protocol scheme",
  },
  unsupportedIdentifier: { status: 400, detail: "An identifier is of an unsupported type" },
  userActionRequired: { status: 403, detail: 'Visit the "instance" URL and take actions specified there' },
} as const satisfies Record<string, { status: number; detail: string }>;

export type AcmeErrorType = keyof typeof ACME_ERRORS;

export const ACME_ERROR_PREFIX = "urn:ietf:params:acme:error:";

/** How soon a client should retry after a 503 (RFC 9110 §10.2.3 Retry-After). */
const TEMPORARILY_UNAVAILABLE_RETRY_SECONDS = 2;

export type AcmeIdentifier = { type: string; value: string };

/** RFC 8555 §6.7.1 */
export type AcmeSubproblem = { type: AcmeErrorType; detail: string; identifier?: AcmeIdentifier };

export type AcmeProblemOptions = {
  status?: number;
  subproblems?: AcmeSubproblem[];
  identifier?: AcmeIdentifier;
  /** RFC 8555 §6.6 (rateLimited) and §7.3.3 (userActionRequired): headers the reply must carry. */
  retryAfterSeconds?: number;
  location?: string;
  links?: { url: string; rel: string }[];
  /** Extension members, e.g. `algorithms` for badSignatureAlgorithm (§6.2) or `instance` (§7.3.3). */
  extra?: Record<string, unknown>;
  cause?: unknown;
};

export class AcmeProblem extends Error {
  readonly type: AcmeErrorType;
  readonly status: number;
  readonly detail: string;
  readonly options: AcmeProblemOptions;

  constructor(type: AcmeErrorType, detail?: string, options: AcmeProblemOptions = {}) {
    const resolved = detail ?? ACME_ERRORS[type].detail;
    super(resolved, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AcmeProblem";
    this.type = type;
    this.status = options.status ?? ACME_ERRORS[type].status;
    this.detail = resolved;
    this.options = options;
  }

  /** The problem document (RFC 7807). The URN prefix is added only here. */
  toJSON(): Record<string, unknown> {
    const doc: Record<string, unknown> = {
      type: ACME_ERROR_PREFIX + this.type,
      detail: this.detail,
      status: this.status,
    };
    if (this.options.identifier) doc.identifier = this.options.identifier;
    if (this.options.subproblems?.length) {
      doc.subproblems = this.options.subproblems.map((s) => ({ ...s, type: ACME_ERROR_PREFIX + s.type }));
    }
    return { ...doc, ...this.options.extra };
  }

  static malformed(detail: string, options?: AcmeProblemOptions) {
    return new AcmeProblem("malformed", detail, options);
  }
  /** A resource that does not exist, or that the requester may not see (pebble, Boulder: 404 malformed). */
  static notFound(what: string) {
    return new AcmeProblem("malformed", `${what} not found`, { status: 404 });
  }
  static unauthorized(detail: string, options?: AcmeProblemOptions) {
    return new AcmeProblem("unauthorized", detail, options);
  }
  static badNonce(detail: string) {
    return new AcmeProblem("badNonce", detail);
  }
  static serverInternal(detail: string = ACME_ERRORS.serverInternal.detail, options?: AcmeProblemOptions) {
    return new AcmeProblem("serverInternal", detail, options);
  }
  /** 503 with Retry-After: a condition that passes (the database is restarting), for a client to retry. */
  static temporarilyUnavailable(cause: unknown) {
    return new AcmeProblem("serverInternal", "The service is temporarily unavailable; retry shortly", {
      status: 503,
      retryAfterSeconds: TEMPORARILY_UNAVAILABLE_RETRY_SECONDS,
      cause,
    });
  }
}

export function isAcmeProblem(err: unknown): err is AcmeProblem {
  return err instanceof AcmeProblem;
}

/** The first issue of a zod error as "path: message", for a problem's detail. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
  return `${where}${issue.message}`;
}

// The console's refusals are the same problem type with an invalidParams extension naming the
// fields a form must mark (formbricks' invalid_params); lib/ra raises them for alias and
// settings rules, lib/console for its own input.

export type InvalidParam = { name: string; reason: string };

/** 422: the request was understood but some fields are not acceptable. */
export function invalidParamsProblem(invalidParams: InvalidParam[], detail?: string): AcmeProblem {
  const first = invalidParams[0];
  const summary = !first
    ? "The request is invalid"
    : invalidParams.length === 1
      ? `${first.name}: ${first.reason}`
      : `${invalidParams.length} fields are invalid: ${[...new Set(invalidParams.map((p) => p.name))].join(", ")}`;
  return AcmeProblem.malformed(detail ?? summary, {
    status: 422,
    extra: { invalidParams },
  });
}

/** Every zod issue as a named field; the path is dotted (settings.dnsPort, authorizedRedirectPorts.2). */
export function zodIssuesToInvalidParams(error: z.ZodError, prefix?: string): InvalidParam[] {
  const name = (path: PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join(".") || "body";
  return error.issues.flatMap((issue) =>
    // An unknown field is reported at the object; name the field itself instead.
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ name: name([...issue.path, key]), reason: "Unknown field" }))
      : [{ name: name(issue.path), reason: issue.message }],
  );
}

export function zodProblem(error: z.ZodError, prefix?: string): AcmeProblem {
  return invalidParamsProblem(zodIssuesToInvalidParams(error, prefix));
}

/** 409: the change collides with the current state (a duplicate name, a last administrator). */
export function conflictProblem(detail: string, field?: string): AcmeProblem {
  return AcmeProblem.malformed(detail, {
    status: 409,
    extra: field ? { invalidParams: [{ name: field, reason: detail }] } : undefined,
  });
}

export function notFoundProblem(what: string): AcmeProblem {
  return AcmeProblem.malformed(`${what} does not exist`, { status: 404 });
}
