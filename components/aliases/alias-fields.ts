// How the alias form shows each field of an ACME alias configuration: grouped as the spec groups
// them, with the spec's help text (spec "ACME Alias Configuration") and the default. The rules
// and defaults themselves live in lib/ra/alias-settings.ts, and so does the list of fields that
// are not enforced yet (NOT_ENFORCED_ALIAS_FIELDS); this file only describes them.
import { type AliasSettings, DEFAULT_ALIAS_SETTINGS } from "@/lib/ra/alias-settings";

export type AliasFieldKind =
  | { type: "text"; placeholder?: string }
  | { type: "textarea" }
  | { type: "number" }
  | { type: "list"; placeholder?: string }
  | { type: "checkbox" }
  | { type: "select"; options: { value: string; label: string }[] }
  // One of the approval profiles that exist (the form is given their names), or none.
  | { type: "approvalProfile" }
  | { type: "endEntityProfile" }
  // One of the root CAs that exist (the form is given them), by subject DN, or "default".
  | { type: "preferredRoot" }
  // Shown, not edited here: changed by the action the note names.
  | { type: "readonly"; note: string };

export type AliasFieldSpec = { name: keyof AliasSettings; label: string; help: string; kind: AliasFieldKind };
export type AliasFieldGroup = { id: string; title: string; description: string; fields: AliasFieldSpec[] };

export const ALIAS_FIELD_GROUPS: AliasFieldGroup[] = [
  {
    id: "naming",
    title: "Naming",
    description: "How the end entity of each enrolment is named (RA name generation).",
    fields: [
      {
        name: "raNameGenScheme",
        label: "RA name generation scheme",
        help: "How each enrolment's end entity is named. DN: a part of the request DN, with fall-backs (e.g. UID;SN;CN: first UID, else SN, else CN). RANDOM: the order's id, so every order is its own end entity. FIXED: the parameters, one username for every enrolment. USERNAME: the entire request DN. The request DN is the CSR's subject, with the certificate's CN when the CSR has none. Any scheme but RANDOM needs batch generation in the end entity profile.",
        kind: {
          type: "select",
          options: [
            { value: "RANDOM", label: "RANDOM" },
            { value: "DN", label: "DN" },
            { value: "FIXED", label: "FIXED" },
            { value: "USERNAME", label: "USERNAME" },
          ],
        },
      },
      {
        name: "raNameGenParams",
        label: "RA name generation parameters",
        help: "For DN: the DN attributes to try, separated by semicolons, the first present wins (e.g. UID;SN;CN; as in EJBCA, SN is the serial number and SURNAME the surname). For FIXED: the username itself. Not used by RANDOM and USERNAME.",
        kind: { type: "text", placeholder: "CN" },
      },
      {
        name: "raNameGenPrefix",
        label: "RA name generation prefix",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal placeholder operators type
        help: "A prefix to the generated username. '${RANDOM}' gives 12 random characters.",
        kind: { type: "text" },
      },
      {
        name: "raNameGenPostfix",
        label: "RA name generation postfix",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal placeholder operators type
        help: "A postfix to the generated username. '${RANDOM}' gives 12 random characters.",
        kind: { type: "text" },
      },
    ],
  },
  {
    id: "profile",
    title: "Profile",
    description:
      "Which end entity profile enrols through this alias; its default CA signs and its default certificate profile applies.",
    fields: [
      {
        name: "endEntityProfile",
        label: "End entity profile",
        help: "The end entity profile for end entities enrolled with this alias: its default CA signs and its default certificate profile decides the key, validity and usages. Identifiers go into the SAN; at least one is written into the subject DN. None: Keyward's issuing CA with the built-in profile (90 days, serverAuth).",
        kind: { type: "endEntityProfile" },
      },
    ],
  },
  {
    id: "identifiers",
    title: "Identifiers and challenges",
    description: "Which identifiers may be ordered and how they are validated.",
    fields: [
      {
        name: "preAuthorizationAllowed",
        label: "Pre-authorization allowed",
        help: "RFC 8555 §7.4.1: the client may authorize identifiers before it creates an order (newAuthz in the directory).",
        kind: { type: "checkbox" },
      },
      {
        name: "wildcardCertificateIssuanceAllowed",
        label: "Wildcard certificate issuance allowed",
        help: "Whether certificates with wildcard DNS names in their SANs may be issued (RFC 8555 §7.1.3).",
        kind: { type: "checkbox" },
      },
      {
        name: "wildcardWithHttp01ChallengeAllowed",
        label: "Wildcard certificate with http-01 challenge allowed",
        help: "If disabled, no http-01 challenge is generated for wildcard identifiers. Only active if wildcard issuance is allowed.",
        kind: { type: "checkbox" },
      },
      {
        name: "dnsIdentifierChallengeTypes",
        label: "DNS identifier challenge types",
        help: "Any type creates every challenge type; otherwise only the one chosen.",
        kind: {
          type: "select",
          options: [
            { value: "any", label: "Any type" },
            { value: "http-01", label: "http-01 only" },
            { value: "dns-01", label: "dns-01 only" },
            { value: "tls-alpn-01", label: "tls-alpn-01 only" },
          ],
        },
      },
      {
        name: "authorizedRedirectPorts",
        label: "Authorized redirect ports",
        help: "Ports an http-01 validation may follow redirects to, separated by commas. Leave empty for no restriction.",
        kind: { type: "list", placeholder: "22, 25, 80, 443" },
      },
      {
        name: "orderValidity",
        label: "Order validity",
        help: 'The time within which the challenges of an order\'s identifiers must be completed: units d, h, m, s with second precision, e.g. "10d 12h" or "30s 30m 1h". Normalised when stored.',
        kind: { type: "text", placeholder: "1h" },
      },
      {
        name: "retryAfterSeconds",
        label: "Retry after (seconds)",
        help: "Tells clients to poll an authorization again after this many seconds; mainly for clients such as cert-manager that poll while the server prepares the challenge. 0: no Retry-After.",
        kind: { type: "number" },
      },
    ],
  },
  {
    id: "dns",
    title: "DNS",
    description: "How dns-01 and tls-alpn-01 challenges resolve names.",
    fields: [
      {
        name: "dnsResolver",
        label: "DNS resolver",
        help: "The resolver used for dns-01 and tls-alpn-01 challenges (an IPv4 or IPv6 address). Empty: the system's resolver.",
        kind: { type: "text", placeholder: "system resolver" },
      },
      {
        name: "dnsPort",
        label: "DNS port",
        help: "Port used for DNS communications.",
        kind: { type: "number" },
      },
      {
        name: "dnssecTrustAnchor",
        label: "DNSSEC trust anchor",
        help: "The ICANN trust anchor, configurable should it ever change.",
        kind: { type: "textarea" },
      },
      {
        name: "requireDnssec",
        label: "Require DNSSEC for dns-01",
        help: "Keyward addition: a dns-01 answer counts only when the resolver authenticated it with DNSSEC.",
        kind: { type: "checkbox" },
      },
    ],
  },
  {
    id: "terms",
    title: "Terms of service and directory",
    description:
      "What the directory's meta tells clients (RFC 8555 §7.1.1) and how changed terms are handled.",
    fields: [
      {
        name: "websiteUrl",
        label: "Site URL",
        help: "URL of a website describing this CA. Optional (RFC 8555 §7.1.1).",
        kind: { type: "text", placeholder: "https://" },
      },
      {
        name: "termsOfServiceUrl",
        label: "Terms of service URL",
        help: "URL of your terms of service for ACME (RFC 8555 §7.1.1). A new URL is a new version of the terms, recorded with the time it took effect.",
        kind: {
          type: "readonly",
          note: "Change it with “Publish new terms” in the Terms of service card above.",
        },
      },
      {
        name: "termsOfServiceChangeUrl",
        label: "Changes of terms of service URL",
        help: "URL that advises how to handle changes of your terms of service (RFC 8555 §7.3.1).",
        kind: { type: "text", placeholder: "https://" },
      },
      {
        name: "termsOfServiceRequireNewApproval",
        label: "Require client approval for terms of service changes",
        help: "Whether clients must approve the new version when the terms of service URL changes: until an account agrees, every request it signs is refused with userActionRequired (RFC 8555 §7.3.3), naming the changes URL as the place to learn how.",
        kind: { type: "checkbox" },
      },
      {
        name: "agreeToNewTermsOfServiceAllowed",
        label: "Agree to new terms of service allowed",
        help: "Whether clients may agree to changed terms with an account update (termsOfServiceAgreed: true); if not, they must register a new account with new keys. Only active when approval of changes is required.",
        kind: { type: "checkbox" },
      },
      {
        name: "caaIdentities",
        label: "CAA identities",
        help: "Domain names this CA recognises in CAA records (RFC 8659 issuer domain names), advertised in the directory's meta (RFC 8555 §7.1.1). Separated by commas. With “Check CAA”, a name is authorized only if its CAA records allow one of these.",
        kind: { type: "list", placeholder: "ca.example.com" },
      },
      {
        name: "caaCheck",
        label: "Check CAA",
        help: "After a challenge succeeds, look up the name's CAA records through this alias's DNS resolver (RFC 8659: the name, then each parent) and refuse with a caa problem unless an issue (issuewild for a wildcard) record names one of the CAA identities above, with RFC 8657 accounturi and validationmethods respected; an unknown critical property refuses too. Checked only when CAA identities are set.",
        kind: { type: "checkbox" },
      },
    ],
  },
  {
    id: "approvals",
    title: "Approvals",
    description: "Requests an approver must accept before they take effect.",
    fields: [
      {
        name: "registrationApprovalProfile",
        label: "Require approval for account registration",
        help: "Approval profile applied to ACME account registration: newAccount answers 500 serverInternal with the request's state and RequestID until approvers accept it. None: accounts register at once.",
        kind: { type: "approvalProfile" },
      },
      {
        name: "keyChangeApprovalProfile",
        label: "Require approval for account key change",
        help: "Approval profile applied to ACME account key change: keyChange answers 500 serverInternal with the request's state and RequestID until approvers accept it; an expired request is renewed when the client asks again. None: keys change at once.",
        kind: { type: "approvalProfile" },
      },
    ],
  },
  {
    id: "security",
    title: "Security",
    description: "What a client must present besides its account key.",
    fields: [
      {
        name: "requireClientCertificate",
        label: "Require client certificate",
        help: "The ACME client must authenticate with a valid client certificate (on the URLs with client authentication) that is registered under “Client certificates” on this page with sufficient access rules; otherwise every request but the directory fails with 'This ACME endpoint requires client certificate authentication'. Certificates are checked against the client trust anchors (PKI → Client trust anchors).",
        kind: { type: "checkbox" },
      },
      {
        name: "requireExternalAccountBinding",
        label: "Require external account binding",
        help: "External account binding (RFC 8555 §7.3.4): a new account must carry a binding made with one of this alias's EAB keys (ACME → EAB keys): without one, newAccount fails with externalAccountRequired; with a key that is unknown, disabled, expired, used up or wrong, with unauthorized. The directory announces it (meta.externalAccountRequired). Without a usable key every registration is refused; existing accounts keep working. Unticked, an alias with keys still verifies a binding a client sends.",
        kind: { type: "checkbox" },
      },
    ],
  },
  {
    id: "chains",
    title: "Chains",
    description: "Which certificate chain clients receive when the CA has cross-signed chains.",
    fields: [
      {
        name: "preferredRootCaSubjectDn",
        label: "Preferred root CA subject DN",
        help: 'If there are cross-certificate chains for the issuing CA, this mandates a single chain for every client of this alias. "default": the CA\'s own chain is served, and the certificate response links each cross-certified chain as an alternate (RFC 8555 §7.4.2, Link rel="alternate"). A root\'s subject DN: only the chain to that root is served, with no alternates (the CA\'s own chain if no chain leads to that root).',
        kind: { type: "preferredRoot" },
      },
    ],
  },
  // Issue 14 item 10: the rate limits, a Keyward addition (lib/ra/rate-limits.ts holds the rules).
  {
    id: "rate-limits",
    title: "Rate limits",
    description:
      "How much one client may do on this alias, counted across every Keyward instance; a client past a limit gets 429 rateLimited with Retry-After and the limit named. 0: no limit. The defaults are generous: a fleet behind one address never reaches them. Overrides for single accounts and the current usage are in the Rate limits card above.",
    fields: [
      {
        name: "rateLimitNewAccountsPerIpAddress",
        label: "New accounts per IP address (per 3 hours)",
        help: "Accounts created on this alias from one address within 3 hours (newAccount). Let's Encrypt: 10.",
        kind: { type: "number" },
      },
      {
        name: "rateLimitNewAccountsPerIpv6Range",
        label: "New accounts per IPv6 /48 (per 3 hours)",
        help: "Accounts created from one IPv6 /48, a whole site's range, within 3 hours. Let's Encrypt: 500.",
        kind: { type: "number" },
      },
      {
        name: "rateLimitNewOrdersPerAccount",
        label: "New orders per account (per 3 hours)",
        help: "Orders one account creates within 3 hours (newOrder). Let's Encrypt: 300.",
        kind: { type: "number" },
      },
      {
        name: "rateLimitPendingAuthorizationsPerAccount",
        label: "Pending authorizations per account (at once)",
        help: "Authorizations of one account awaiting validation at the same time (newOrder, newAuthz). They free up when validated, deactivated or expired.",
        kind: { type: "number" },
      },
      {
        name: "rateLimitFailedValidationsPerAccountAndName",
        label: "Failed validations per account and name (per hour)",
        help: "Failed validations of one name by one account within an hour; past it, new orders for that name are refused until the hour has passed. Let's Encrypt: 5.",
        kind: { type: "number" },
      },
      {
        name: "rateLimitCertificatesPerRegisteredDomain",
        label: "Certificates per registered domain (per 7 days)",
        help: "Certificates issued on this alias within 7 days naming a registered domain (example.com for www.example.com, by the Public Suffix List), checked at newOrder and finalize. Let's Encrypt: 50.",
        kind: { type: "number" },
      },
    ],
  },
];

/** The default of a field as the form shows it. */
/**
 * Fields that matter only while another checkbox is ticked (the spec: "Only active if …"): the
 * form disables them with a note saying which, so that none looks like it does something.
 */
export const ALIAS_FIELD_DEPENDS_ON: Partial<Record<keyof AliasSettings, keyof AliasSettings>> = {
  wildcardWithHttp01ChallengeAllowed: "wildcardCertificateIssuanceAllowed",
  agreeToNewTermsOfServiceAllowed: "termsOfServiceRequireNewApproval",
};

/** The label of a field, for notes that name it. */
export function aliasFieldLabel(name: keyof AliasSettings): string {
  return ALIAS_FIELD_GROUPS.flatMap((g) => g.fields).find((f) => f.name === name)?.label ?? name;
}

export function defaultHint(name: keyof AliasSettings): string {
  const value = DEFAULT_ALIAS_SETTINGS[name];
  if (typeof value === "boolean") return value ? "enabled" : "disabled";
  if (value === null) return "empty";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "empty";
  if (value === "") return "empty";
  const text = String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
