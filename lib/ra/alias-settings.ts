// An alias's name and every field of its configuration (spec "ACME Alias Configuration"), with
// each default and rule. Pure (no storage), so the console's forms validate with it in the
// browser. Settings are stored as JSON on the Alias row and parsed by this schema on every read,
// so a row written by an older version gets the defaults of fields added since.
import { z } from "zod";
import { ACME_PATH_WORDS } from "@/lib/acme/paths";
import { formatDurationSeconds, parseDurationSeconds } from "./durations";

// An alias of a resource's name would make /acme/<name> ambiguous; case-insensitively, so that
// no alias name differs from a resource name by case alone.
const RESERVED = new Set([...ACME_PATH_WORDS].map((n) => n.toLowerCase()));
// Spec: "1 to 250 alphanumeric non-blank characters case-sensitive including minus '-' and underscore '_'".
const ALIAS_NAME = /^[A-Za-z0-9_-]{1,250}$/;

/** Why `name` cannot be an alias name, or null when it can. */
export function aliasNameProblem(name: string): string | null {
  if (!ALIAS_NAME.test(name)) {
    return "An alias name is 1 to 250 letters, digits, '-' or '_'";
  }
  if (RESERVED.has(name.toLowerCase())) return `"${name}" is the name of an ACME resource`;
  return null;
}

// Spec "DNSSEC Trust Anchor": the ICANN root KSK-2017 DS record (IANA root-anchors.xml).
export const ICANN_ROOT_TRUST_ANCHOR =
  ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D";

const optionalUrl = z
  .union([z.url({ protocol: /^https?$/, error: "Enter an http(s) URL" }).max(2048), z.literal(""), z.null()])
  .transform((v) => v || null)
  .default(null);

const PORT_MESSAGE = "A port is a whole number from 1 to 65535";
const port = z
  .number({ error: PORT_MESSAGE })
  .int(PORT_MESSAGE)
  .min(1, PORT_MESSAGE)
  .max(65535, PORT_MESSAGE);

/** The largest value a rate limit (alias setting or per-account override) may take. */
export const MAX_RATE_LIMIT = 10_000_000;
const RATE_LIMIT_MESSAGE = `A whole number from 0 (no limit) to ${MAX_RATE_LIMIT}`;
export const rateLimitValueSchema = z
  .number({ error: RATE_LIMIT_MESSAGE })
  .int(RATE_LIMIT_MESSAGE)
  .min(0, RATE_LIMIT_MESSAGE)
  .max(MAX_RATE_LIMIT, RATE_LIMIT_MESSAGE);

export const orderValiditySchema = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const seconds = parseDurationSeconds(text);
    if (seconds === null || seconds < 1 || seconds > 365 * 86_400) {
      ctx.addIssue({
        code: "custom",
        message: 'Use units d, h, m, s, e.g. "10d 12h" or "30s 30m 1h" (1s to 365d)',
      });
      return z.NEVER;
    }
    return formatDurationSeconds(seconds);
  });

export const aliasSettingsSchema = z.object({
  // Naming
  raNameGenScheme: z
    .enum(["DN", "RANDOM", "FIXED", "USERNAME"], { error: "One of DN, RANDOM, FIXED, USERNAME" })
    .default("RANDOM"),
  raNameGenParams: z.string().max(250).default("CN"),
  raNameGenPrefix: z.string().max(250).default(""),
  raNameGenPostfix: z.string().max(250).default(""),
  // Profile: the name of an end entity profile (lib/ra/profiles.ts; it must exist when the alias
  // is stored), or null for the built-in profiles and Keyward's issuing CA.
  endEntityProfile: z.string().max(250).nullable().default(null),
  // Identifiers and challenges
  preAuthorizationAllowed: z.boolean().default(false),
  wildcardCertificateIssuanceAllowed: z.boolean().default(false),
  wildcardWithHttp01ChallengeAllowed: z.boolean().default(true),
  dnsIdentifierChallengeTypes: z
    .enum(["any", "http-01", "dns-01", "tls-alpn-01"], { error: "One of any, http-01, dns-01, tls-alpn-01" })
    .default("any"),
  // Terms of service and meta (RFC 8555 §7.1.1)
  websiteUrl: optionalUrl,
  termsOfServiceUrl: optionalUrl,
  termsOfServiceChangeUrl: optionalUrl,
  termsOfServiceRequireNewApproval: z.boolean().default(true),
  agreeToNewTermsOfServiceAllowed: z.boolean().default(true),
  caaIdentities: z.array(z.string().trim().toLowerCase().min(1).max(253)).max(20).default([]),
  // Keyward addition (issue 12 item 8): check CAA (RFC 8659, RFC 8657) before a name is authorized.
  // It runs only when caaIdentities is not empty: those are the issuer domain names of this CA.
  caaCheck: z.boolean().default(true),
  // DNS: null resolver = the system's resolver (/etc/resolv.conf).
  dnsResolver: z
    .union([z.ipv4(), z.ipv6(), z.null()], {
      error: "Enter an IPv4 or IPv6 address (empty: the system resolver)",
    })
    .default(null),
  dnsPort: port.default(53),
  dnssecTrustAnchor: z.string().max(4096).default(ICANN_ROOT_TRUST_ANCHOR),
  // Keyward addition: dns-01 answers must be DNSSEC-authenticated (AD bit from the resolver).
  requireDnssec: z.boolean().default(false),
  retryAfterSeconds: z
    .number({ error: "Enter a number of seconds" })
    .int("Enter a whole number of seconds")
    .min(0, "0 to 86400 seconds")
    .max(86_400, "0 to 86400 seconds")
    .default(0),
  // Empty = no restriction (spec "Authorized Redirect Ports").
  authorizedRedirectPorts: z.array(port).max(100, "At most 100 ports").default([22, 25, 80, 443]),
  orderValidity: orderValiditySchema.default("1h"),
  // Approvals: the name of an approval profile (lib/ra/approval-profiles.ts; it must exist when
  // the alias is stored), or null for none.
  registrationApprovalProfile: z.string().max(250).nullable().default(null),
  keyChangeApprovalProfile: z.string().max(250).nullable().default(null),
  // Security and chains
  requireClientCertificate: z.boolean().default(false),
  // Spec "Preferred Root CA subject DN": "default" (or empty) serves the CA's own chain with its
  // cross-certified chains as RFC 8555 §7.4.2 alternates; a root's subject DN serves only the chain
  // to that root. It must name an existing root when the alias is stored (lib/ca/chains.ts).
  preferredRootCaSubjectDn: z.string().max(1024).default("default"),
  requireExternalAccountBinding: z.boolean().default(false),
  // Rate limits (Keyward addition, issue 14 item 10): how many of each may happen per window; 0 =
  // no limit. The windows and what each counts are in lib/ra/rate-limits.ts; the defaults are
  // generous on purpose (a private CA's clients are few and busy) and compared with Let's
  // Encrypt's in the README.
  rateLimitNewAccountsPerIpAddress: rateLimitValueSchema.default(10_000),
  rateLimitNewAccountsPerIpv6Range: rateLimitValueSchema.default(50_000),
  rateLimitNewOrdersPerAccount: rateLimitValueSchema.default(10_000),
  rateLimitPendingAuthorizationsPerAccount: rateLimitValueSchema.default(10_000),
  rateLimitFailedValidationsPerAccountAndName: rateLimitValueSchema.default(100),
  rateLimitCertificatesPerRegisteredDomain: rateLimitValueSchema.default(50_000),
});

/**
 * The rate limits an operator can set for one account, overriding the alias's value (the
 * new-account limits count addresses, which have no account yet). The rules are in
 * lib/ra/rate-limits.ts; the names are here, pure, so the console's forms can check them.
 */
export const ACCOUNT_RATE_LIMIT_NAMES = [
  "newOrdersPerAccount",
  "pendingAuthorizationsPerAccount",
  "failedValidationsPerAccountAndName",
  "certificatesPerRegisteredDomain",
] as const;
export type AccountRateLimitName = (typeof ACCOUNT_RATE_LIMIT_NAMES)[number];

export type AliasSettings = z.output<typeof aliasSettingsSchema>;
export type AliasSettingsInput = z.input<typeof aliasSettingsSchema>;

export const DEFAULT_ALIAS_SETTINGS: AliasSettings = aliasSettingsSchema.parse({});

export type AliasSettingsField = keyof AliasSettings;

/**
 * Fields that are stored, validated and shown, but that nothing on the ACME side (lib/acme,
 * lib/ra, lib/va, lib/ca) reads yet, so setting them changes no behaviour. This list is the one
 * place that says so: the alias form badges each "Not enforced yet" with its reason, the alias
 * list shows no flag for it, the console API's alias JSON carries it as `notEnforced`, and the
 * OpenAPI document describes it. The work that makes a field real removes its entry here
 * (tests/unit/ra/alias-enforcement.test.ts checks the list against the ACME-side code).
 */
export const NOT_ENFORCED_ALIAS_FIELDS = [
  {
    field: "dnssecTrustAnchor",
    reason:
      "Keyward does not validate DNSSEC itself: “Require DNSSEC” trusts the resolver's AD bit, and the resolver's own trust anchor applies.",
  },
] as const satisfies readonly { field: AliasSettingsField; reason: string }[];

export type NotEnforcedAliasField = { field: AliasSettingsField; reason: string };

/** Why `field` changes nothing yet, or null when the ACME side enforces it. */
export function notEnforcedReason(field: AliasSettingsField): string | null {
  return NOT_ENFORCED_ALIAS_FIELDS.find((f) => f.field === field)?.reason ?? null;
}

/** Settings stored on a row; fields added since it was written take their defaults. */
export function readAliasSettings(stored: unknown): AliasSettings {
  const parsed = aliasSettingsSchema.safeParse(stored ?? {});
  // A row that no longer parses (hand-edited) must not take ACME down: fall back field by field.
  if (parsed.success) return parsed.data;
  const merged: Record<string, unknown> = { ...(stored as object) };
  for (const issue of parsed.error.issues) delete merged[String(issue.path[0])];
  return aliasSettingsSchema.parse(merged);
}

export function orderValiditySeconds(settings: AliasSettings): number {
  return parseDurationSeconds(settings.orderValidity) ?? 3600;
}
