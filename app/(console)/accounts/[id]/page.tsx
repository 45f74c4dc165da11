// One ACME account: status, contacts, key, terms agreed, its orders, certificates and approval
// requests; administrators can deactivate it (with a confirmation naming it).
import Link from "next/link";
import { notFound } from "next/navigation";
import { AccountStatusBadge, TermsAgreement } from "@/components/accounts/AccountBadges";
import { AccountDeactivateButton } from "@/components/accounts/AccountDeactivateButton";
import { Badge } from "@/components/ui/Badge";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { CopyField } from "@/components/ui/CopyButton";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { type AccountDetail, getAccount } from "@/lib/console/accounts";
import { isAcmeProblem } from "@/lib/problem";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Account ${(await params).id} · Keyward` };
}

export default async function AccountPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePermission("console.read", `/accounts/${encodeURIComponent(id)}`);
  let account: AccountDetail;
  try {
    account = await getAccount({ actor, id });
  } catch (err) {
    if (isAcmeProblem(err) && err.status === 404) notFound();
    throw err;
  }
  const canManage = actorCan(actor, "accounts.manage") && account.status === "valid";
  return (
    <>
      <PageHeader
        breadcrumb={
          <Link href="/accounts" className="hover:underline">
            Accounts
          </Link>
        }
        title={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <span className="break-all font-mono text-xl" data-testid="account-title">
              {account.id}
            </span>
            <AccountStatusBadge status={account.status} />
          </span>
        }
        description={
          <>
            Alias{" "}
            <Link href={`/aliases/${encodeURIComponent(account.alias)}`} className="hover:underline">
              {account.alias}
            </Link>{" "}
            · created <RelativeTime iso={account.createdAt} />
          </>
        }
        actions={canManage && <AccountDeactivateButton id={account.id} alias={account.alias} />}
      />
      <Card className="mb-6">
        <CardBody className="grid grid-cols-1 gap-4 text-sm md:grid-cols-3">
          <div>
            <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Contacts</p>
            {account.contact.length ? account.contact.map((c) => <div key={c}>{c}</div>) : "—"}
          </div>
          <div>
            <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
              Terms of service
            </p>
            <TermsAgreement account={account} />
          </div>
          <div>
            <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
              Key thumbprint (RFC 7638)
            </p>
            <CopyField value={account.keyThumbprint} />
          </div>
        </CardBody>
      </Card>
      <div className="space-y-6">
        <Card>
          <div id="orders">
            <CardHeader title={`Orders (${account.orderCount})`} description="The latest 50, newest first" />
          </div>
          {account.orders.length === 0 ? (
            <EmptyState title="No orders" />
          ) : (
            <Table label="Orders of this account">
              <thead>
                <tr>
                  <Th>Order</Th>
                  <Th>Identifiers</Th>
                  <Th>Status</Th>
                  <Th>Created</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {account.orders.map((o) => (
                  <Tr key={o.id}>
                    <Td className="font-mono text-xs">
                      <Link href={`/orders/${o.id}`} className="text-indigo-700 hover:underline">
                        {o.id}
                      </Link>
                    </Td>
                    <Td className="text-xs">{o.identifiers.join(", ")}</Td>
                    <Td>
                      <Badge tone={o.status === "valid" ? "green" : o.status === "invalid" ? "red" : "amber"}>
                        {o.status}
                      </Badge>
                    </Td>
                    <Td className="whitespace-nowrap">
                      <RelativeTime iso={o.createdAt} />
                    </Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
        <Card>
          <div id="certificates">
            <CardHeader
              title={`Certificates (${account.certificateCount})`}
              description="The latest 50, newest first"
            />
          </div>
          {account.certificates.length === 0 ? (
            <EmptyState title="No certificates" />
          ) : (
            <Table label="Certificates of this account">
              <thead>
                <tr>
                  <Th>Serial</Th>
                  <Th>Names</Th>
                  <Th>Status</Th>
                  <Th>Expires</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {account.certificates.map((c) => (
                  <Tr key={c.id}>
                    <Td className="max-w-32 truncate font-mono text-xs" title={c.serialHex}>
                      <Link href={`/certificates/${c.id}`} className="text-indigo-700 hover:underline">
                        {c.serialHex}
                      </Link>
                    </Td>
                    <Td className="text-xs">{c.names.map((n) => n.replace(/^(dns|ip):/, "")).join(", ")}</Td>
                    <Td>
                      <Badge tone={c.status === "valid" ? "green" : "red"}>{c.status}</Badge>
                    </Td>
                    <Td className="whitespace-nowrap">
                      <RelativeTime iso={c.notAfter} />
                    </Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
      </div>
      {account.approvalRequests.length > 0 && (
        <Card className="mt-6">
          <CardHeader title="Approval requests" description="Registration and key changes of this account" />
          <CardBody className="space-y-1 text-sm">
            {account.approvalRequests.map((r) => (
              <div key={r.id}>
                #{r.id} {r.kind === "registration" ? "registration" : "key change"} · {r.status} ·{" "}
                <RelativeTime iso={r.createdAt} />
              </div>
            ))}
          </CardBody>
        </Card>
      )}
    </>
  );
}
