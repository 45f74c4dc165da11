// The syntax of the names Keyward certifies and connects to: DNS names (RFC 1035 §2.3.4, RFC 1123
// §2.1, IDNA A-labels per RFC 5890) and IP addresses in one canonical spelling (RFC 5952). A
// shared leaf: identifier policy (lib/ra), CSRs and certificates (lib/ca) and validation
// (lib/va) all compare names through it, so they agree on what is the same name.
import net from "node:net";
import { domainToASCII, domainToUnicode } from "node:url";

// RFC 1035 §2.3.4
export const MAX_DNS_NAME_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// RFC 5890 §2.3.1: an A-label starts with the ACE prefix.
const ACE_PREFIX = "xn--";

/**
 * Why `name` (lower case, no trailing dot, no wildcard) is not a DNS name a certificate can
 * carry, or null when it is one. Each reason reads after the name: `"a..b" has an empty label`.
 */
export function dnsNameProblem(name: string): string | null {
  if (name.length === 0) return "is empty";
  if (name.endsWith(".")) return "ends in a dot";
  if (name.length > MAX_DNS_NAME_LENGTH) return `is longer than ${MAX_DNS_NAME_LENGTH} characters`;
  if (net.isIP(name)) return 'is an IP address: use an identifier of type "ip"';
  const labels = name.split(".");
  if (labels.length < 2) return "has a single label: a certificate cannot name a bare TLD or host name";
  for (const label of labels) {
    if (label.length === 0) return "has an empty label";
    if (label.length > MAX_LABEL_LENGTH) return `has a label longer than ${MAX_LABEL_LENGTH} characters`;
    if (!LABEL.test(label)) return `has an invalid label "${label}" (letters, digits and inner hyphens only)`;
    const idn = aLabelProblem(label);
    if (idn) return `has a label "${label}" that ${idn}`;
  }
  if (/^\d+$/.test(labels.at(-1) as string)) return "has an all-numeric top-level label";
  return null;
}

/**
 * RFC 5891 §5.4 and RFC 3492: a label with the ACE prefix must be the A-label of a Unicode
 * label: punycode that decodes (no overflow, no invalid digits) to something that is not plain
 * ASCII, and that encodes back to exactly itself. Node's IDNA implementation (UTS #46) decodes.
 */
function aLabelProblem(label: string): string | null {
  if (!label.startsWith(ACE_PREFIX)) {
    // RFC 5891 §4.2.3.1: "--" in the third and fourth positions is reserved for such prefixes.
    return label.slice(2, 4) === "--" ? 'has "--" in positions 3 and 4 without being an A-label' : null;
  }
  const unicode = domainToUnicode(label);
  if (unicode === "" || /^[\p{ASCII}]*$/u.test(unicode)) return "is not valid punycode (RFC 3492)";
  if (domainToASCII(unicode) !== label) return "is not the canonical A-label of its Unicode form";
  return null;
}

/**
 * RFC 1123 §2.1 host name syntax in lower case, a single label ("localhost") included, with an
 * optional leading "*." wildcard label (RFC 8555 §7.1.3): what a certificate SAN may spell. ACME
 * identifiers pass the stricter dnsNameProblem first.
 */
export function isHostName(name: string): boolean {
  const base = name.startsWith("*.") ? name.slice(2) : name;
  if (base.length === 0 || base.length > MAX_DNS_NAME_LENGTH) return false;
  return base.split(".").every((label) => label.length <= MAX_LABEL_LENGTH && LABEL.test(label));
}

/** Lower case, no trailing dot: the form names are compared in (RFC 4343 §3). */
export function normalizeDnsName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/**
 * One spelling per address, so identifiers, SANs and connections compare equal: IPv4 in dotted
 * decimal, IPv6 in RFC 5952 form (lower case, longest zero run compressed), or null when `text`
 * is not an address. A zone index ("fe80::1%eth0") cannot appear in a certificate and is refused.
 */
export function canonicalIpAddress(text: string): string | null {
  if (net.isIPv4(text)) return text.split(".").map(Number).join(".");
  // The WHATWG URL serializer implements RFC 5952 §4.
  if (net.isIPv6(text) && !text.includes("%")) return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  return null;
}
