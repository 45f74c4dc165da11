// What every validator returns and what validate.ts hands back to lib/ra: the outcome of one
// challenge validation and the records of what the VA saw. A leaf of lib/va: the validators and
// their entry point (validate.ts) all import it, and it imports none of them.
import type { AcmeProblem } from "@/lib/problem";

export type ChallengeType = "http-01" | "dns-01" | "tls-alpn-01";

/**
 * What the VA saw, one record per connection or lookup (http-01: one per redirect hop), for the
 * console and the audit trail. Plain JSON; fields that do not apply are absent. Boulder's
 * core.ValidationRecord carries the same facts.
 */
export type ValidationRecord = {
  challengeType: ChallengeType;
  /** http-01: the URL fetched in this hop. */
  url?: string;
  /** The name (or IP) connected to or, for dns-01, the name queried. */
  hostname?: string;
  port?: number;
  /** host:port of the DNS resolver asked. */
  resolver?: string;
  addressesResolved?: string[];
  /** Addresses a connection was attempted to, in order (IPv6 first, then IPv4 as fallback). */
  addressesTried?: string[];
  addressUsed?: string;
  /** http-01 */
  httpStatus?: number;
  redirectLocation?: string;
  /** Up to 128 characters of a body that did not match, to show the operator what was served. */
  responseBodyPreview?: string;
  /** dns-01 */
  dnsRcode?: string;
  cnameChain?: string[];
  txtValues?: string[];
  /** The AD bit of the answer (RFC 4035 §3.2.3). */
  dnssecAuthenticated?: boolean;
  /** tls-alpn-01 */
  sni?: string;
  alpnProtocol?: string | null;
  /** "dns:example.test", "ip:192.0.2.1": the certificate's subjectAltName entries. */
  certificateSubjectAltNames?: string[];
  /** CAA (RFC 8659): where the relevant RRset was found (null: nowhere up to the TLD) and its records. */
  caaDomain?: string | null;
  caaRecords?: string[];
};

export type ValidationOutcome =
  | { valid: true; records: ValidationRecord[] }
  | { valid: false; problem: AcmeProblem; records: ValidationRecord[] };
