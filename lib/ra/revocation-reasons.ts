// Revocation reasons (RFC 5280 §5.3.1 CRLReason) as data. Pure, so the console's revoke dialog
// offers exactly the reasons lib/ra/certificates.ts accepts from an operator.

/** RFC 5280 §5.3.1: every CRLReason code and its name (7 is not assigned). */
export const CRL_REASON_NAMES: Record<number, string> = {
  0: "unspecified",
  1: "keyCompromise",
  2: "cACompromise",
  3: "affiliationChanged",
  4: "superseded",
  5: "cessationOfOperation",
  6: "certificateHold",
  8: "removeFromCRL",
  9: "privilegeWithdrawn",
  10: "aACompromise",
};

/**
 * The reasons an operator may give when revoking a subscriber certificate from the console: the
 * CA/Browser Forum Baseline Requirements §7.2.2 list for subscriber certificates. cACompromise and
 * aACompromise concern CAs, certificateHold and removeFromCRL are forbidden there.
 */
export const OPERATOR_REVOCATION_REASONS = [
  { code: 0, name: "unspecified", label: "Unspecified" },
  { code: 1, name: "keyCompromise", label: "Key compromise: the private key is known to others" },
  { code: 3, name: "affiliationChanged", label: "Affiliation changed: names or organisation changed" },
  { code: 4, name: "superseded", label: "Superseded: replaced by a new certificate" },
  { code: 5, name: "cessationOfOperation", label: "Cessation of operation: the names are no longer used" },
  { code: 9, name: "privilegeWithdrawn", label: "Privilege withdrawn: the subscriber may no longer hold it" },
] as const;

export type OperatorRevocationReason = (typeof OPERATOR_REVOCATION_REASONS)[number]["code"];

export const OPERATOR_REVOCATION_REASON_CODES: readonly number[] = OPERATOR_REVOCATION_REASONS.map(
  (r) => r.code,
);

export function crlReasonName(code: number | null | undefined): string | null {
  if (code === null || code === undefined) return null;
  return CRL_REASON_NAMES[code] ?? `reason ${code}`;
}
