// The validation authority's one entry point. lib/va/jobs.ts calls validateChallenge for a
// challenge a client has declared ready (RFC 8555 §7.5.1) and stores the outcome; nothing here
// knows about orders, authorizations or the database.
//
// Contract: a network condition — refused, timed out, wrong answer, DNS failure — always comes back
// as { valid: false, problem }, never as a throw, so a durable job can store it and move on. Only
// programming errors (a key authorization that does not belong to the token) throw.
import net from "node:net";
import { MAX_DNS_NAME_LENGTH } from "@/lib/names";
import { AcmeProblem } from "@/lib/problem";
import { checkCaa } from "./caa";
import { validateDns01 } from "./dns-01";
import { validateHttp01 } from "./http-01";
import { isBase64UrlToken } from "./key-authorization";
import type { ChallengeType, ValidationOutcome } from "./outcome";
import { validateTlsAlpn01 } from "./tls-alpn-01";

// The outcome types live in outcome.ts so the validators share them without importing this file;
// callers of the VA (lib/ra) read them here, beside validateChallenge.
export type { ChallengeType, ValidationOutcome, ValidationRecord } from "./outcome";

/** Timeouts and sizes; the defaults are the production values, tests pass small ones. */
export type ValidationLimits = {
  /** http-01: the whole fetch including redirects (default 10 s). */
  httpTimeoutMs?: number;
  /** http-01: body octets read before giving up (default 8 KiB). */
  httpMaxBodyBytes?: number;
  /** http-01: redirects followed (default 10). */
  httpMaxRedirects?: number;
  /** tls-alpn-01: connect and handshake (default 10 s). */
  tlsTimeoutMs?: number;
  /** Each DNS query attempt (default 5 s) and the number of attempts (default 2). */
  dnsTimeoutMs?: number;
  dnsAttempts?: number;
};

export type ValidationInput = {
  type: ChallengeType;
  identifier: { type: "dns" | "ip"; value: string };
  /** RFC 8555 §7.1.3: the authorization is for the base name of a "*." identifier. */
  wildcard: boolean;
  token: string;
  keyAuthorization: string;
  /** KEYWARD_VA_HTTP01_PORT (RFC 8555 §8.3: 80). */
  http01Port: number;
  /** KEYWARD_VA_TLSALPN01_PORT (RFC 8737 §3: 443). */
  tlsAlpn01Port: number;
  dns: { resolver: string | null; port: number; requireDnssec: boolean };
  /** Alias setting; empty = any port. */
  authorizedRedirectPorts: number[];
  /**
   * CAA (RFC 8659, RFC 8657) after the challenge succeeded, for DNS names; absent: not checked
   * (the alias turned it off, or has no CAA identities).
   */
  caa?: { caaIdentities: readonly string[]; isAccountUri: (uri: string) => boolean };
  limits?: ValidationLimits;
};

export async function validateChallenge(input: ValidationInput): Promise<ValidationOutcome> {
  const outcome = await validateChallengeResponse(input);
  if (!outcome.valid || !input.caa || input.identifier.type !== "dns") return outcome;
  // Boulder's order: CAA is checked once control is proven, in the same job, through the same
  // resolver; a forbidding policy makes the challenge (and so the authorization) invalid.
  const limits = input.limits ?? {};
  const caa = await checkCaa({
    name: baseIdentifierValue(input.identifier.value),
    wildcard: input.wildcard || input.identifier.value.startsWith("*."),
    caaIdentities: input.caa.caaIdentities,
    isAccountUri: input.caa.isAccountUri,
    validationMethod: input.type,
    dns: { ...input.dns, timeoutMs: limits.dnsTimeoutMs, attempts: limits.dnsAttempts },
  });
  const records = [...outcome.records, caa.record];
  return caa.problem ? { valid: false, problem: caa.problem, records } : { valid: true, records };
}

async function validateChallengeResponse(input: ValidationInput): Promise<ValidationOutcome> {
  // The caller derives the key authorization from this token (RFC 8555 §8.1); a mismatch is a bug.
  if (!isBase64UrlToken(input.token) || !input.keyAuthorization.startsWith(`${input.token}.`)) {
    throw new TypeError(
      "keyAuthorization must be token || '.' || thumbprint for a base64url token (RFC 8555 §8.1)",
    );
  }
  const limits = input.limits ?? {};
  const dns = { ...input.dns, timeoutMs: limits.dnsTimeoutMs, attempts: limits.dnsAttempts };
  const identifier = { type: input.identifier.type, value: baseIdentifierValue(input.identifier.value) };

  const rejection = identifierRejection(input.type, identifier);
  if (rejection) return { valid: false, problem: rejection, records: [] };

  switch (input.type) {
    case "http-01":
      return validateHttp01({
        identifier,
        token: input.token,
        keyAuthorization: input.keyAuthorization,
        port: input.http01Port,
        dns,
        authorizedRedirectPorts: input.authorizedRedirectPorts,
        timeoutMs: limits.httpTimeoutMs,
        maxBodyBytes: limits.httpMaxBodyBytes,
        maxRedirects: limits.httpMaxRedirects,
      });
    case "dns-01":
      return validateDns01({ name: identifier.value, keyAuthorization: input.keyAuthorization, dns });
    case "tls-alpn-01":
      return validateTlsAlpn01({
        identifier,
        keyAuthorization: input.keyAuthorization,
        port: input.tlsAlpn01Port,
        dns,
        timeoutMs: limits.tlsTimeoutMs,
      });
    default: {
      const unknown: never = input.type;
      throw new TypeError(`unknown challenge type ${String(unknown)}`);
    }
  }
}

const DNS_NAME_PATTERN = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9_-]{1,63}(?<!-))*\.?$/;

/** RFC 8555 §7.1.3 / §8.4: validation is of the base name; tolerate callers passing "*.name". */
function baseIdentifierValue(value: string): string {
  return value.startsWith("*.") ? value.slice(2) : value;
}

function identifierRejection(
  type: ChallengeType,
  identifier: { type: "dns" | "ip"; value: string },
): AcmeProblem | null {
  if (identifier.type === "ip") {
    // RFC 8738 §7: dns-01 cannot prove control of an address.
    if (type === "dns-01")
      return AcmeProblem.malformed("dns-01 cannot validate an IP identifier (RFC 8738 §7)");
    if (net.isIP(identifier.value) === 0)
      return AcmeProblem.malformed(`"${identifier.value}" is not an IP address`);
    return null;
  }
  if (net.isIP(identifier.value) !== 0) {
    return AcmeProblem.malformed(`"${identifier.value}" is an IP address, not a DNS name (RFC 8738 §3)`);
  }
  // RFC 8555 §7.1.4: identifiers are A-labels; lib/ra checks policy, this only keeps URLs and
  // queries well-formed whatever reaches us.
  if (!DNS_NAME_PATTERN.test(identifier.value) || identifier.value.length > MAX_DNS_NAME_LENGTH) {
    return AcmeProblem.malformed(`"${identifier.value}" is not a DNS name`);
  }
  return null;
}
