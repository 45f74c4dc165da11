// The rule of an alias with "Require client certificate" (spec "ACME with Client
// Authentication": "an ACME client requires a valid client certificate for HTTPs client
// authentication and sufficient access rules for certificate enrollment or revocation and other
// functions available with ACME"). The front end runs it for every request, once it knows the
// alias and the resource, before it reads the JWS; the certificate comes verified from
// lib/ca/client-certificates.ts through the request context, never as a header.
import type { AcmeResource } from "@/lib/acme/paths";
import { loadIssuingAuthority } from "@/lib/ca/chains";
import type { ClientCertificateCheck } from "@/lib/ca/client-certificates";
import type { Db } from "@/lib/db/client";
import { AcmeProblem } from "@/lib/problem";
import {
  ACME_OPERATIONS,
  accessRuleLabel,
  OPERATION_OF_RESOURCE,
  requiredAccessRules,
} from "./access-rights";
import type { ResolvedAlias } from "./aliases";
import { findMatchingAccessRules } from "./client-access-rules";
import { issuancePolicyOf } from "./profiles";

/** The spec's message, word for word: "requests to ACME resources will fail with the user message …". */
export const CLIENT_CERTIFICATE_REQUIRED_DETAIL =
  "This ACME endpoint requires client certificate authentication";

export type ClientAuthenticationRequest = {
  alias: ResolvedAlias;
  resource: AcmeResource;
  /** Absent: the request carried no certificate (the plain ports, the Next route, no proxy header). */
  clientCertificate?: ClientCertificateCheck;
  /** The alias's directory where clients authenticate with a certificate: the refusal points there. */
  clientAuthDirectoryUrl: string;
};

/**
 * Refuses a request the alias's client-certificate rule does not allow:
 *   1. an alias without "Require client certificate" allows everything here;
 *   2. its directory answers everyone, so that clients can discover the alias (and the refusal
 *      below says where to go);
 *   3. anything else needs a valid certificate — none, unreadable, expired, revoked or from no
 *      trust anchor is refused with the spec's message (type unauthorized, RFC 8555 §6.7), and a
 *      Link (rel="alternate") to the directory on the client-authenticated URL;
 *   4. registered for this alias (an access rule covers it), else the same refusal;
 *   5. granted every rule the operation needs (lib/ra/access-rights.ts): the function rules, the
 *      rule of the CA the alias's end entity profile issues from and, with a profile, that
 *      profile's rules; else a refusal naming the first missing rule, for this operation only.
 */
export async function authorizeClientCertificate(
  db: Db,
  request: ClientAuthenticationRequest,
): Promise<void> {
  // 1.
  if (!request.alias.settings.requireClientCertificate) return;
  // 2.
  const operation = OPERATION_OF_RESOURCE[request.resource];
  if (operation === "discover") return;
  const required = () =>
    AcmeProblem.unauthorized(CLIENT_CERTIFICATE_REQUIRED_DETAIL, {
      links: [{ url: request.clientAuthDirectoryUrl, rel: "alternate" }],
    });
  // 3.
  const check = request.clientCertificate;
  if (check?.status !== "verified") throw required();
  // 4.
  const rules = await findMatchingAccessRules(db, request.alias.id, check.certificate);
  if (rules.length === 0) throw required();
  // 5.
  const granted = new Set(rules.flatMap((rule) => rule.rights));
  // The CA this alias's certificates come from (issue 12 item 3: its end entity profile decides),
  // and that profile's own rules (spec "ACME with Client Authentication": /endentityprofilesrules/…).
  const policy = await issuancePolicyOf(db, request.alias.settings);
  const ca = await loadIssuingAuthority(db, policy.caId);
  const missing = requiredAccessRules(operation, ca.name, policy.endEntityProfileName).find(
    (rule) => !granted.has(rule),
  );
  if (missing) {
    throw AcmeProblem.unauthorized(
      `The client certificate is not granted the access rule ${missing} (${accessRuleLabel(missing)}), which ${ACME_OPERATIONS[operation].label} needs`,
      { extra: { missingAccessRule: missing } },
    );
  }
}
