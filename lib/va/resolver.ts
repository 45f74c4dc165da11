// Name resolution for http-01 and tls-alpn-01: A and AAAA through the alias's resolver (never the
// process's own resolver, so an alias pointed at a test DNS server or an internal resolver sees
// what its clients see), and the address handling both challenges share.
import net from "node:net";
import { canonicalIpAddress } from "@/lib/names";
import { AcmeProblem } from "@/lib/problem";
import {
  DnsQueryError,
  type DnsResponse,
  dnsServerFor,
  formatDnsServer,
  queryDns,
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
} from "./dns-client";

/** The DNS part of an alias's settings (lib/ra/alias-settings.ts), plus test-sized limits. */
export type DnsResolverSettings = {
  /** IP address of the resolver; null = the first nameserver of /etc/resolv.conf, port 53. */
  resolver: string | null;
  port: number;
  requireDnssec: boolean;
  timeoutMs?: number;
  attempts?: number;
};

export type ResolvedAddresses = {
  /** host:port of the resolver that answered, for the validation record. */
  resolver: string;
  ipv4: string[];
  ipv6: string[];
};

/**
 * A and AAAA for `name`, asked in parallel. Succeeds when either family has an address (one
 * family failing is normal: many names have no AAAA, some resolvers SERVFAIL on it); otherwise
 * throws a "dns" AcmeProblem that names what went wrong. `deadline` (epoch ms) caps the lookups
 * to the caller's remaining budget.
 */
export async function resolveAddresses(
  name: string,
  dns: DnsResolverSettings,
  deadline?: number,
): Promise<ResolvedAddresses> {
  const server = await dnsServerFor(dns.resolver, dns.port);
  const resolver = formatDnsServer(server);
  const options = {
    server,
    timeoutMs: dns.timeoutMs,
    attempts: dns.attempts,
    requestAuthenticatedData: true,
    deadline,
  };
  const [a, aaaa] = await Promise.allSettled([queryDns(name, "A", options), queryDns(name, "AAAA", options)]);
  for (const lookup of [a, aaaa]) {
    if (lookup.status === "rejected" && !(lookup.reason instanceof DnsQueryError)) throw lookup.reason;
  }
  const addressesOf = (lookup: PromiseSettledResult<DnsResponse>) =>
    lookup.status === "fulfilled" && lookup.value.rcode === RCODE_NOERROR
      ? lookup.value.records.flatMap((r) => (r.type === "A" || r.type === "AAAA" ? [r.address] : []))
      : [];
  const ipv4 = addressesOf(a);
  const ipv6 = addressesOf(aaaa);
  if (ipv4.length > 0 || ipv6.length > 0) return { resolver, ipv4, ipv6 };

  // Nothing to connect to: report the A lookup's failure first, as it is the one most names have.
  for (const [lookup, type] of [
    [a, "A"],
    [aaaa, "AAAA"],
  ] as const) {
    if (lookup.status === "rejected") {
      throw new AcmeProblem(
        "dns",
        `DNS problem: ${(lookup.reason as DnsQueryError).message} looking up ${type} for ${name}`,
      );
    }
    if (lookup.value.rcode === RCODE_NXDOMAIN) {
      throw new AcmeProblem(
        "dns",
        `DNS problem: NXDOMAIN looking up ${type} for ${name} from resolver ${resolver} - check that a DNS record exists for this domain`,
      );
    }
    if (lookup.value.rcode !== RCODE_NOERROR) {
      throw new AcmeProblem(
        "dns",
        `DNS problem: ${describeRcode(lookup.value)} looking up ${type} for ${name} from resolver ${resolver}`,
      );
    }
  }
  throw new AcmeProblem(
    "dns",
    `DNS problem: no A or AAAA record found for ${name} from resolver ${resolver}`,
  );
}

/** "SERVFAIL (Extended DNS Error 6: DNSSEC Bogus)", so an operator sees why a resolver failed. */
export function describeRcode(response: DnsResponse): string {
  const extended = response.extendedErrors.map(
    (e) => `Extended DNS Error ${e.infoCode}${e.text ? `: ${e.text}` : ""}`,
  );
  return extended.length > 0 ? `${response.rcodeName} (${extended.join("; ")})` : response.rcodeName;
}

/**
 * What http-01 and tls-alpn-01 connect to for `host`: an IP address as it is (RFC 8738 §4-6: an
 * IP identifier is not resolved), a name through the alias's resolver (`addressesToDial`), with
 * the resolver and every address it returned noted in the validation record.
 */
export async function addressesToConnect(
  host: string,
  dns: DnsResolverSettings,
  record: { resolver?: string; addressesResolved?: string[] },
  deadline: number,
): Promise<string[]> {
  if (net.isIP(host) !== 0) return [host];
  const resolved = await resolveAddresses(host, dns, deadline);
  record.resolver = resolved.resolver;
  record.addressesResolved = [...resolved.ipv6, ...resolved.ipv4];
  return addressesToDial(resolved);
}

/**
 * The addresses to try, in order: the first IPv6 address, then the first IPv4 address if the
 * IPv6 connection cannot be made. This is Boulder's choice (va.go, "happy eyeballs" reduced to
 * one fallback): IPv6 first because a host that publishes AAAA must serve on it, one address per
 * family because trying every address would let a name multiply the VA's work.
 */
export function addressesToDial(resolved: { ipv4: string[]; ipv6: string[] }): string[] {
  return [resolved.ipv6[0], resolved.ipv4[0]].filter((a): a is string => a !== undefined);
}

/** RFC 8738 §6: the reverse-mapping name (RFC 1035 §3.5, RFC 3596 §2.5) an IP identifier's SNI uses. */
export function reverseDnsName(address: string): string {
  if (net.isIPv4(address)) return `${address.split(".").map(Number).reverse().join(".")}.in-addr.arpa`;
  if (!net.isIPv6(address)) throw new TypeError(`not an IP address: ${address}`);
  const canonical = canonicalIpAddress(address) as string;
  const [head = "", tail = ""] = canonical.includes("::") ? canonical.split("::") : [canonical, ""];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const zeros = Array(8 - headGroups.length - tailGroups.length).fill("0");
  const hex = [...headGroups, ...zeros, ...tailGroups].map((g) => g.padStart(4, "0")).join("");
  return `${hex.split("").reverse().join(".")}.ip6.arpa`;
}

/** The host part of a URL or an address for messages: IPv6 in brackets (RFC 3986 §3.2.2). */
export function hostForUrl(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}
