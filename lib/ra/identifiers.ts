// Identifier policy for orders (RFC 8555 §7.1.4, §7.4; RFC 8738 for IP addresses), in two steps
// as Boulder's policy authority does: wellFormed (syntax any CA would refuse) and willingToIssue
// (what this alias allows). Every refused identifier becomes a subproblem naming it (§6.7.1).
import { isIPv4, isIPv6 } from "node:net";
import { AcmeProblem, type AcmeSubproblem } from "@/lib/problem";
import type { AliasSettings } from "./alias-settings";

/** Let's Encrypt's limit; large enough for any real certificate, small enough to bound work. */
export const MAX_IDENTIFIERS_PER_ORDER = 100;
// RFC 1035 §2.3.4
const MAX_DNS_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export type IdentifierType = "dns" | "ip";
export type Identifier = { type: IdentifierType; value: string };
/** An identifier as stored on an authorization: wildcards keep their base name (§7.1.4). */
export type AuthorizationIdentifier = Identifier & { wildcard: boolean };

export function toAuthorizationIdentifier(identifier: Identifier): AuthorizationIdentifier {
  return identifier.type === "dns" && identifier.value.startsWith("*.")
    ? { type: "dns", value: identifier.value.slice(2), wildcard: true }
    : { ...identifier, wildcard: false };
}

/** A well-formed DNS name in lower case, or the reason it is not one. */
export function dnsNameProblem(name: string): string | null {
  if (name.length === 0) return "is empty";
  if (name.endsWith(".")) return "ends in a dot";
  if (name.length > MAX_DNS_NAME_LENGTH) return `is longer than ${MAX_DNS_NAME_LENGTH} characters`;
  if (isIPv4(name) || isIPv6(name)) return 'is an IP address: use an identifier of type "ip"';
  const labels = name.split(".");
  if (labels.length < 2) return "has a single label: a certificate cannot name a bare TLD or host name";
  for (const label of labels) {
    if (label.length === 0) return "has an empty label";
    if (label.length > MAX_LABEL_LENGTH) return `has a label longer than ${MAX_LABEL_LENGTH} characters`;
    if (!LABEL.test(label)) return `has an invalid label "${label}" (letters, digits and inner hyphens only)`;
  }
  if (/^\d+$/.test(labels.at(-1) as string)) return "has an all-numeric top-level label";
  return null;
}

/** The canonical text of an IP address: IPv4 dotted quad, IPv6 in RFC 5952 form. */
export function canonicalIp(value: string): string | null {
  if (isIPv4(value)) return value.split(".").map(Number).join(".");
  if (isIPv6(value) && !value.includes("%")) {
    // The WHATWG URL parser prints IPv6 hosts in RFC 5952 compressed lower-case form.
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  }
  return null;
}

/**
 * Checks and normalises the identifiers of a newOrder or newAuthz request. Returns them
 * de-duplicated and sorted, or throws one problem whose subproblems name every bad identifier.
 */
export function checkIdentifiers(
  input: { type: string; value: string }[],
  settings: AliasSettings,
  opts: { allowWildcard?: boolean } = {},
): Identifier[] {
  if (input.length === 0) throw AcmeProblem.malformed("An order must have at least one identifier");
  if (input.length > MAX_IDENTIFIERS_PER_ORDER) {
    throw new AcmeProblem(
      "rejectedIdentifier",
      `An order may have at most ${MAX_IDENTIFIERS_PER_ORDER} identifiers`,
    );
  }
  const subproblems: AcmeSubproblem[] = [];
  const accepted = new Map<string, Identifier>();
  for (const raw of input) {
    const identifier = { type: raw.type, value: raw.value };
    if (raw.type === "dns") {
      const value = raw.value.toLowerCase();
      const wildcard = value.startsWith("*.");
      const base = wildcard ? value.slice(2) : value;
      const problem =
        dnsNameProblem(base) ??
        (base.includes("*") ? "has a wildcard that is not the whole leftmost label" : null);
      if (problem) {
        subproblems.push({
          type: "rejectedIdentifier",
          detail: `DNS name "${raw.value}" ${problem}`,
          identifier,
        });
      } else if (wildcard && !(settings.wildcardCertificateIssuanceAllowed && opts.allowWildcard !== false)) {
        subproblems.push({
          type: "rejectedIdentifier",
          detail:
            opts.allowWildcard === false
              ? `"${raw.value}": wildcard identifiers cannot be pre-authorized (RFC 8555 §7.4.1)`
              : `"${raw.value}": this CA does not issue wildcard certificates`,
          identifier,
        });
      } else {
        accepted.set(`dns:${value}`, { type: "dns", value });
      }
    } else if (raw.type === "ip") {
      const value = canonicalIp(raw.value);
      if (!value)
        subproblems.push({ type: "malformed", detail: `"${raw.value}" is not an IP address`, identifier });
      else accepted.set(`ip:${value}`, { type: "ip", value });
    } else {
      subproblems.push({
        type: "unsupportedIdentifier",
        detail: `Identifier type "${raw.type}" is not supported (dns, ip)`,
        identifier,
      });
    }
  }
  if (subproblems.length > 0) {
    const types = new Set(subproblems.map((s) => s.type));
    const type = types.size === 1 ? (subproblems[0] as AcmeSubproblem).type : "rejectedIdentifier";
    const detail =
      subproblems.length === 1
        ? (subproblems[0] as AcmeSubproblem).detail
        : `Cannot issue for ${subproblems.length} identifiers: ${subproblems.map((s) => `"${s.identifier?.value}"`).join(", ")}`;
    throw new AcmeProblem(type, detail, { subproblems });
  }
  return [...accepted.values()].sort((a, b) => (a.type + a.value).localeCompare(b.type + b.value));
}

/**
 * Challenge types offered for an identifier (RFC 8555 §8; RFC 8738 §7: no dns-01 for IP
 * addresses; wildcards are validated by dns-01 and, where the alias allows it, http-01 —
 * spec "Wildcard Certificate with http-01 Challenge Allowed").
 */
export function challengeTypesFor(identifier: AuthorizationIdentifier, settings: AliasSettings): string[] {
  if (identifier.type === "ip") return ["http-01", "tls-alpn-01"];
  const configured =
    settings.dnsIdentifierChallengeTypes === "any"
      ? ["http-01", "dns-01", "tls-alpn-01"]
      : [settings.dnsIdentifierChallengeTypes];
  if (!identifier.wildcard) return configured;
  const wildcardTypes = settings.wildcardWithHttp01ChallengeAllowed ? ["dns-01", "http-01"] : ["dns-01"];
  return configured.filter((t) => wildcardTypes.includes(t));
}
