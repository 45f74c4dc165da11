// dns-01 (RFC 8555 §8.4): the client publishes base64url(SHA-256(key authorization)) in a TXT
// record at _acme-challenge.<name>; we ask the alias's resolver for it.
import { AcmeProblem, isAcmeProblem } from "@/lib/problem";
import {
  DnsQueryError,
  dnsServerFor,
  formatDnsServer,
  queryDns,
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
} from "./dns-client";
import { dns01TxtValue } from "./key-authorization";
import type { ValidationOutcome, ValidationRecord } from "./outcome";
import { type DnsResolverSettings, describeRcode } from "./resolver";

/** RFC 8555 §8.4: "_acme-challenge" prepended to the domain name being validated. */
export const DNS01_LABEL = "_acme-challenge";

export type Dns01Options = {
  /** The domain name being validated; for a wildcard identifier, the base name without "*." (§8.4). */
  name: string;
  keyAuthorization: string;
  dns: DnsResolverSettings;
};

export async function validateDns01(options: Dns01Options): Promise<ValidationOutcome> {
  const challengeName = `${DNS01_LABEL}.${options.name.replace(/\.$/, "")}`;
  const server = await dnsServerFor(options.dns.resolver, options.dns.port);
  const resolver = formatDnsServer(server);
  const record: ValidationRecord = { challengeType: "dns-01", hostname: challengeName, resolver };
  const records = [record];
  try {
    let response: Awaited<ReturnType<typeof queryDns>>;
    try {
      response = await queryDns(challengeName, "TXT", {
        server,
        timeoutMs: options.dns.timeoutMs,
        attempts: options.dns.attempts,
        // RFC 6840 §5.7: ask for AD so a validating resolver tells us the answer is authenticated.
        requestAuthenticatedData: true,
      });
    } catch (err) {
      if (err instanceof DnsQueryError) {
        throw new AcmeProblem("dns", `DNS problem: ${err.message} looking up TXT for ${challengeName}`);
      }
      throw err;
    }

    const txtValues = response.records.flatMap((r) => (r.type === "TXT" ? [r.text] : []));
    record.dnsRcode = response.rcodeName;
    record.dnssecAuthenticated = response.authenticatedData;
    record.txtValues = txtValues;
    if (response.cnameChain.length > 0) record.cnameChain = response.cnameChain;

    if (response.rcode === RCODE_NXDOMAIN) {
      throw new AcmeProblem(
        "dns",
        `No TXT record found at ${challengeName}: the name does not exist (NXDOMAIN from resolver ${resolver})`,
      );
    }
    if (response.rcode !== RCODE_NOERROR) {
      throw new AcmeProblem(
        "dns",
        `DNS problem: ${describeRcode(response)} looking up TXT for ${challengeName} from resolver ${resolver}`,
      );
    }
    // Keyward's requireDnssec: without AD (RFC 4035 §3.2.3) the resolver did not authenticate the
    // answer, so nothing in it counts — checked before the values so a spoofable match never passes.
    if (options.dns.requireDnssec && !response.authenticatedData) {
      throw new AcmeProblem(
        "dns",
        `The DNS answer for TXT ${challengeName} from resolver ${resolver} was not DNSSEC-authenticated (AD bit not set); this alias requires DNSSEC`,
      );
    }
    if (txtValues.length === 0) {
      throw new AcmeProblem("incorrectResponse", `No TXT record found at ${challengeName}`);
    }
    // RFC 8555 §8.4: "Verify that the contents of one of the TXT records match the digest value."
    if (txtValues.includes(dns01TxtValue(options.keyAuthorization))) return { valid: true, records };

    const [first] = txtValues;
    const more = txtValues.length > 1 ? ` (and ${txtValues.length - 1} more)` : "";
    throw new AcmeProblem(
      "incorrectResponse",
      `Incorrect TXT record ${JSON.stringify(preview(first ?? ""))}${more} found at ${challengeName}`,
    );
  } catch (err) {
    if (isAcmeProblem(err)) return { valid: false, problem: err, records };
    throw err;
  }
}

/** Problem details stay readable: a TXT record can be kilobytes long. */
function preview(text: string): string {
  return text.length > 128 ? `${text.slice(0, 128)}…` : text;
}
