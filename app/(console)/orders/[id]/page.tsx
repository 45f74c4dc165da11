// One ACME order: identifiers, status, outcome (certificate or error), and each authorization
// with its challenges: which was tried, its status and error, and the validation records (the
// resolver asked, the addresses and URLs tried, what was served or found).
import Link from "next/link";
import { notFound } from "next/navigation";
import { StatusBadge } from "@/components/orders/OrderStatusBadge";
import { ProblemText } from "@/components/orders/ProblemText";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { requirePermission } from "@/lib/auth/guard";
import { getOrder, type OrderDetail } from "@/lib/console/orders";
import { isAcmeProblem } from "@/lib/problem";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Order ${(await params).id} · Keyward` };
}

function recordValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(", ");
  if (value === null) return "none";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePermission("console.read", `/orders/${encodeURIComponent(id)}`);
  let order: OrderDetail;
  try {
    order = await getOrder({ actor, id });
  } catch (err) {
    if (isAcmeProblem(err) && err.status === 404) notFound();
    throw err;
  }
  return (
    <>
      <PageHeader
        breadcrumb={
          <Link href="/orders" className="hover:underline">
            Orders
          </Link>
        }
        title={
          <span className="flex flex-wrap items-center gap-3">
            <span data-testid="order-title">{order.identifiers.map((i) => i.value).join(", ")}</span>
            <StatusBadge status={order.effectiveStatus} />
          </span>
        }
        description={
          <>
            Order <span className="font-mono text-xs">{order.id}</span> on alias{" "}
            <Link href={`/aliases/${encodeURIComponent(order.alias)}`} className="hover:underline">
              {order.alias}
            </Link>{" "}
            by account{" "}
            <Link href={`/accounts/${order.accountId}`} className="font-mono text-xs hover:underline">
              {order.accountId}
            </Link>{" "}
            · created <RelativeTime iso={order.createdAt} /> · expires <RelativeTime iso={order.expiresAt} />
          </>
        }
      />
      <Card className="mb-6">
        <CardHeader title="Outcome" />
        <CardBody className="text-sm">
          {order.certificate ? (
            <p>
              Issued certificate{" "}
              <Link
                href={`/certificates/${order.certificate.id}`}
                className="font-mono text-xs text-indigo-700 hover:underline"
              >
                {order.certificate.serialHex}
              </Link>{" "}
              <StatusBadge status={order.certificate.status} />
            </p>
          ) : order.error ? (
            <ProblemText problem={order.error} />
          ) : order.effectiveStatus !== order.status ? (
            <p>
              Stored as {order.status}; a client fetching it now sees <strong>{order.effectiveStatus}</strong>{" "}
              (RFC 8555 §7.1.6: it expired or an authorization failed).
            </p>
          ) : (
            <p className="text-slate-600">No certificate yet: the order is {order.status}.</p>
          )}
        </CardBody>
      </Card>
      <div className="space-y-6">
        {order.authorizations.map((authz) => (
          <Card key={authz.id}>
            <CardHeader
              title={
                <span className="flex items-center gap-2">
                  <span data-testid="authorization-identifier">{authz.identifier.value}</span>
                  <StatusBadge status={authz.status} />
                </span>
              }
              description={
                <>
                  Authorization <span className="font-mono">{authz.id}</span> · {authz.identifier.type} ·
                  expires <RelativeTime iso={authz.expiresAt} />
                </>
              }
            />
            <CardBody className="space-y-4">
              {authz.challenges.map((c) => {
                const tried = c.status !== "pending";
                return (
                  <section
                    key={c.id}
                    className="rounded-md border border-slate-200 p-3"
                    aria-label={`${c.type} challenge`}
                  >
                    <div className="flex flex-wrap items-center gap-2 text-sm">
                      <span className="font-mono font-medium">{c.type}</span>
                      <StatusBadge status={c.status} />
                      {c.validatedAt ? (
                        <span className="text-slate-500">
                          validated <RelativeTime iso={c.validatedAt} />
                        </span>
                      ) : tried ? (
                        <span className="text-slate-500">
                          tried <RelativeTime iso={c.updatedAt} />
                        </span>
                      ) : (
                        <span className="text-slate-500">not tried</span>
                      )}
                    </div>
                    {c.error && (
                      <div className="mt-2">
                        <ProblemText problem={c.error} />
                      </div>
                    )}
                    {c.validationRecords.length > 0 && (
                      <div className="mt-2 space-y-2">
                        <p className="text-xs font-medium uppercase tracking-wide text-slate-500">
                          What the validation saw
                        </p>
                        {c.validationRecords.map((record, i) => (
                          <dl
                            // Records are an ordered list without ids; their position is their identity.
                            // biome-ignore lint/suspicious/noArrayIndexKey: see above
                            key={i}
                            className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 rounded bg-slate-50 p-2 font-mono text-xs"
                            data-testid="validation-record"
                          >
                            {Object.entries(record).map(([k, v]) => (
                              <div key={k} className="contents">
                                <dt className="text-slate-500">{k}</dt>
                                <dd className="break-all text-slate-800">{recordValue(v)}</dd>
                              </div>
                            ))}
                          </dl>
                        ))}
                      </div>
                    )}
                  </section>
                );
              })}
            </CardBody>
          </Card>
        ))}
      </div>
    </>
  );
}
