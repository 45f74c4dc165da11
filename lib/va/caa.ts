// CAA (RFC 8659, with RFC 8657's accounturi and validationmethods): may this CA issue for a name?
// Checked, as Boulder checks it, by the validation job right after a challenge succeeded
// (lib/va/validate.ts), through the alias's resolver, so an authorization is valid only when the
// name's CAA policy allows this CA, this account and the method that validated it.
//
// Steps (RFC 8659 §3): find the relevant RRset by asking for CAA at the name, then at each parent
// up to the top-level domain, stopping at the first non-empty answer (the resolver follows CNAMEs).
// No records anywhere: issuance is allowed. Then (§4): an issuer-critical record with a tag we do
// not know forbids issuance; for a wildcard, issuewild records decide if there are any, else issue
// records; with no such record issuance is allowed; otherwise one record must name one of the
// alias's CAA identities and its parameters must allow the request.
import { AcmeProblem } from "@/lib/problem";
import {
  DnsQueryError,
  type DnsRecord,
  dnsServerFor,
  formatDnsServer,
  queryDns,
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
} from "./dns-client";
import type { ChallengeType, ValidationRecord } from "./outcome";
import { type DnsResolverSettings, describeRcode } from "./resolver";

/** RFC 8659 §4.1: bit 0 of the flags octet (value 128). */
export const CAA_ISSUER_CRITICAL_FLAG = 0x80;
/** Tags this CA understands (RFC 8659 §4.2-4.4); an unknown one marked critical forbids issuance. */
const KNOWN_TAGS = new Set(["issue", "issuewild", "iodef"]);

export type CaaRecord = { flags: number; tag: string; value: string };

export type CaaRequest = {
  /** RFC 8659 §4.3: a wildcard identifier is checked against issuewild first. */
  wildcard: boolean;
  /** The alias's CAA identities (issuer domain names this CA answers to), lowercase. */
  caaIdentities: readonly string[];
  /** RFC 8657 §3: whether an accounturi parameter names the requesting account. */
  isAccountUri: (uri: string) => boolean;
  /** RFC 8657 §4: the challenge type that validated the name. */
  validationMethod: ChallengeType;
};

export type CaaDecision = { permitted: true; reason: string } | { permitted: false; reason: string };

/** An issue or issuewild value (RFC 8659 §4.2): the issuer domain name and its parameters. */
export type IssueValue = { issuerDomainName: string | null; parameters: Map<string, string> };

const LABEL = "[A-Za-z0-9](?:-*[A-Za-z0-9])*";
const ISSUER_DOMAIN_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const PARAMETER_TAG = /^[A-Za-z0-9](?:-*[A-Za-z0-9])*$/;
const PARAMETER_VALUE = /^[\x21-\x3a\x3c-\x7e]*$/;

/** RFC 8659 §4.2's grammar; null when the value does not follow it. */
export function parseIssueValue(value: string): IssueValue | null {
  const semicolon = value.indexOf(";");
  const domainPart = (semicolon === -1 ? value : value.slice(0, semicolon)).trim();
  if (domainPart !== "" && !ISSUER_DOMAIN_NAME.test(domainPart)) return null;
  const parameters = new Map<string, string>();
  if (semicolon !== -1) {
    const rest = value.slice(semicolon + 1).trim();
    if (rest !== "") {
      for (const part of rest.split(";")) {
        const eq = part.indexOf("=");
        if (eq === -1) return null;
        const tag = part.slice(0, eq).trim();
        const parameterValue = part.slice(eq + 1).trim();
        if (!PARAMETER_TAG.test(tag) || !PARAMETER_VALUE.test(parameterValue)) return null;
        parameters.set(tag.toLowerCase(), parameterValue);
      }
    }
  }
  return { issuerDomainName: domainPart === "" ? null : domainPart.toLowerCase(), parameters };
}

/** RFC 8659 §4 and RFC 8657 applied to the relevant RRset. Pure. */
export function evaluateCaa(records: readonly CaaRecord[], request: CaaRequest): CaaDecision {
  // §4.1: an issuer-critical property we do not understand forbids issuance.
  const unknownCritical = records.find(
    (r) => (r.flags & CAA_ISSUER_CRITICAL_FLAG) !== 0 && !KNOWN_TAGS.has(r.tag.toLowerCase()),
  );
  if (unknownCritical)
    return {
      permitted: false,
      reason: `the critical property "${unknownCritical.tag}" is not understood by this CA`,
    };

  const issue = records.filter((r) => r.tag.toLowerCase() === "issue");
  const issuewild = records.filter((r) => r.tag.toLowerCase() === "issuewild");
  // §4.3: for a wildcard, issuewild takes precedence over issue when present.
  const [relevant, tag] =
    request.wildcard && issuewild.length > 0 ? [issuewild, "issuewild"] : [issue, "issue"];
  if (relevant.length === 0) return { permitted: true, reason: `no ${tag} property restricts issuance` };

  const identities = new Set(request.caaIdentities.map((i) => i.toLowerCase().replace(/\.$/, "")));
  const reasons: string[] = [];
  for (const record of relevant) {
    const parsed = parseIssueValue(record.value);
    if (!parsed) {
      reasons.push(`"${record.value}" is not a valid ${tag} value`);
      continue;
    }
    if (!parsed.issuerDomainName || !identities.has(parsed.issuerDomainName)) continue;
    // RFC 8657 §3: the account URI must be the requesting account's.
    const accountUri = parsed.parameters.get("accounturi");
    if (accountUri !== undefined && !request.isAccountUri(accountUri)) {
      reasons.push(`${tag} "${record.value}" is limited to another account`);
      continue;
    }
    // RFC 8657 §4: the method that validated the name must be listed.
    const methods = parsed.parameters.get("validationmethods");
    if (
      methods !== undefined &&
      !methods
        .split(",")
        .map((m) => m.trim())
        .includes(request.validationMethod)
    ) {
      reasons.push(`${tag} "${record.value}" does not allow validation by ${request.validationMethod}`);
      continue;
    }
    return { permitted: true, reason: `${tag} "${record.value}" names this CA` };
  }
  if (reasons.length > 0) return { permitted: false, reason: reasons.join("; ") };
  return {
    permitted: false,
    reason:
      identities.size === 0
        ? `the ${tag} properties name other CAs`
        : `no ${tag} property names this CA (${[...identities].join(", ")})`,
  };
}

export type CaaCheckInput = CaaRequest & {
  /** The name validated; for a wildcard identifier its base name (without "*."). */
  name: string;
  dns: DnsResolverSettings;
};

export type CaaCheckResult = { problem: AcmeProblem | null; record: ValidationRecord };

/**
 * Looks up the relevant CAA RRset through the alias's resolver and decides. A DNS failure (other
 * than NXDOMAIN, which is an empty answer) forbids issuance as RFC 8659 §3 requires, as a dns
 * problem; a policy that forbids it is a caa problem naming the identifier.
 */
export async function checkCaa(input: CaaCheckInput): Promise<CaaCheckResult> {
  const server = await dnsServerFor(input.dns.resolver, input.dns.port);
  const resolver = formatDnsServer(server);
  const identifierValue = input.wildcard ? `*.${input.name}` : input.name;
  const identifier = { type: "dns", value: identifierValue };
  const record: ValidationRecord = { challengeType: input.validationMethod, hostname: input.name, resolver };
  const labels = input.name.replace(/\.$/, "").toLowerCase().split(".");
  let found: { name: string; records: CaaRecord[] } | null = null;
  // §3: the name, then each parent, up to (not including) the root.
  for (let i = 0; i < labels.length && !found; i++) {
    const name = labels.slice(i).join(".");
    let answer: Awaited<ReturnType<typeof queryDns>>;
    try {
      answer = await queryDns(name, "CAA", {
        server,
        timeoutMs: input.dns.timeoutMs,
        attempts: input.dns.attempts,
      });
    } catch (err) {
      if (!(err instanceof DnsQueryError)) throw err;
      return {
        problem: new AcmeProblem("dns", `DNS problem: ${err.message} looking up CAA for ${name}`, {
          identifier,
        }),
        record,
      };
    }
    if (answer.rcode !== RCODE_NOERROR && answer.rcode !== RCODE_NXDOMAIN) {
      return {
        problem: new AcmeProblem(
          "dns",
          `DNS problem: ${describeRcode(answer)} looking up CAA for ${name} from resolver ${resolver}`,
          { identifier },
        ),
        record,
      };
    }
    const records = answer.records.flatMap((r: DnsRecord) =>
      r.type === "CAA" ? [{ flags: r.flags, tag: r.tag, value: r.value }] : [],
    );
    if (records.length > 0) found = { name, records };
  }
  record.caaDomain = found?.name ?? null;
  record.caaRecords = found?.records.map((r) => `${r.flags} ${r.tag} "${r.value}"`) ?? [];
  if (!found) return { problem: null, record };
  const decision = evaluateCaa(found.records, input);
  if (decision.permitted) return { problem: null, record };
  return {
    problem: new AcmeProblem(
      "caa",
      `CAA records for ${found.name} forbid issuance for ${identifierValue}: ${decision.reason}`,
      { identifier },
    ),
    record,
  };
}
