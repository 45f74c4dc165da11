// Identifier policy for orders (RFC 8555 §7.1.4, §7.4; RFC 8738 for IP addresses), in two steps
// as Boulder's policy authority does: wellFormed (syntax any CA would refuse) and willingToIssue
// (what this alias allows). Every refused identifier becomes a subproblem naming it (§6.7.1).
import { canonicalIpAddress, dnsNameProblem } from "@/lib/names";
import { AcmeProblem, type AcmeSubproblem } from "@/lib/problem";
import type { AliasSettings } from "./alias-settings";

/** Let's Encrypt's limit; large enough for any real certificate, small enough to bound work. */
export const MAX_IDENTIFIERS_PER_ORDER = 100;
export type IdentifierType = "dns" | "ip";
export type Identifier = { type: IdentifierType; value: string };
/** An identifier as stored on an authorization: wildcards keep their base name (§7.1.4). */
export type AuthorizationIdentifier = Identifier & { wildcard: boolean };

export function toAuthorizationIdentifier(identifier: Identifier): AuthorizationIdentifier {
  return identifier.type === "dns" && identifier.value.startsWith("*.")
    ? { type: "dns", value: identifier.value.slice(2), wildcard: true }
    : { ...identifier, wildcard: false };
}

/**
 * RFC 6761 §6.3: "localhost" and the names under it resolve to the loopback address of whoever
 * asks, so a certificate for one proves nothing. Other special-use names (.internal, .test…)
 * stay an alias's choice: operators of internal CAs certify them.
 */
function specialUseNameProblem(name: string): string | null {
  return name === "localhost" || name.endsWith(".localhost")
    ? 'is under the special-use name "localhost" (RFC 6761 §6.3)'
    : null;
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
        (base.includes("*") ? "has a wildcard that is not the whole leftmost label" : null) ??
        specialUseNameProblem(base);
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
      const value = canonicalIpAddress(raw.value);
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
