// An account's status and its agreement to the alias's terms, as badges with text.
import { Badge } from "@/components/ui/Badge";
import type { AccountSummary } from "@/lib/console/accounts";

export function AccountStatusBadge({ status }: { status: AccountSummary["status"] }) {
  return (
    <Badge tone={status === "valid" ? "green" : status === "deactivated" ? "slate" : "red"}>{status}</Badge>
  );
}

/** "v2", marked when the alias has published newer terms the account has not agreed to. */
export function TermsAgreement({
  account,
}: {
  account: Pick<
    AccountSummary,
    "termsOfServiceVersion" | "currentTermsOfServiceVersion" | "termsOfServiceAgreed"
  >;
}) {
  const { termsOfServiceVersion: agreed, currentTermsOfServiceVersion: current } = account;
  if (current === null)
    return <span className="text-slate-500">{account.termsOfServiceAgreed ? "agreed" : "—"}</span>;
  if (agreed !== null && agreed >= current) return <Badge tone="green">v{agreed} (current)</Badge>;
  return (
    <Badge tone="amber">
      {agreed === null ? "none" : `v${agreed}`} · current is v{current}
    </Badge>
  );
}
