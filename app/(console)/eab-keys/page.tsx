// External account binding keys, per alias (spec "Managing ACME External Account Bindings (EAB)"):
// identifier, type, created, expires, the accounts each bound, state. Administrators create,
// disable and delete; everyone else who reads the console sees identifiers only — no one sees a
// MAC key after the dialog that created it is closed.
import Link from "next/link";
import { notFound } from "next/navigation";
import { aliasDirectoryUrls } from "@/components/aliases/alias-urls";
import { EabAliasPicker } from "@/components/eab-keys/EabAliasPicker";
import { EabKeyCreateDialog } from "@/components/eab-keys/EabKeyCreateDialog";
import { EabKeyRowActions } from "@/components/eab-keys/EabKeyRowActions";
import { Badge, type BadgeTone } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
import { CopyField } from "@/components/ui/CopyButton";
import { EmptyState } from "@/components/ui/EmptyState";
import { listState } from "@/components/ui/list-url";
import { PageHeader } from "@/components/ui/PageHeader";
import { ListEmptyState, Pagination } from "@/components/ui/Pagination";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { SearchBox } from "@/components/ui/SearchBox";
import { SortableTh } from "@/components/ui/SortableTh";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { listAliases } from "@/lib/console/aliases";
import { type EabKeyList, listEabKeys } from "@/lib/console/eab-keys";
import { requestOrigin } from "@/lib/console/request-origin";
import { DEFAULT_PAGE_SIZE } from "@/lib/console/schemas/common";
import { eabKeyListQuerySchema } from "@/lib/console/schemas/eab-keys";
import { isAcmeProblem } from "@/lib/problem";
import type { EabKeyState } from "@/lib/ra/eab-algorithms";

export const metadata = { title: "EAB keys · Keyward" };

const STATE: Record<EabKeyState, { tone: BadgeTone; label: string }> = {
  active: { tone: "green", label: "active" },
  disabled: { tone: "slate", label: "disabled" },
  expired: { tone: "amber", label: "expired" },
  used: { tone: "blue", label: "used" },
};

export default async function EabKeysPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("console.read", "/eab-keys");
  const raw = await searchParams;
  const requested = raw.alias;
  const parsed = eabKeyListQuerySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : eabKeyListQuerySchema.parse({});
  const [aliases, origin] = await Promise.all([listAliases({ actor, pageSize: 100 }), requestOrigin()]);
  const names = aliases.items.map((a) => a.name);
  const current =
    (typeof requested === "string" && requested) || aliases.items.find((a) => a.isDefault)?.name || names[0];
  const canManage = actorCan(actor, "eab.manage");
  const header = (actions?: React.ReactNode) => (
    <PageHeader
      title="EAB keys"
      description="External account binding (RFC 8555 §7.3.4): a key the CA gives out ties an ACME account to someone the CA knows. An alias that requires it refuses registrations without a valid binding; an alias with keys verifies every binding it is sent."
      actions={actions}
    />
  );
  if (!current) {
    return (
      <>
        {header()}
        <Card>
          <EmptyState title="No aliases yet">
            EAB keys belong to an alias:{" "}
            <Link href="/aliases" className="text-indigo-700 hover:underline">
              create one
            </Link>{" "}
            first.
          </EmptyState>
        </Card>
      </>
    );
  }
  let list: EabKeyList;
  try {
    list = await listEabKeys({ actor, alias: current, ...query });
  } catch (err) {
    if (isAcmeProblem(err) && err.status === 404) notFound();
    throw err;
  }
  const directoryUrl = aliasDirectoryUrls(origin, current, false).path;
  const { params, sorting } = listState(
    "/eab-keys",
    query,
    { alias: current, q: query.q },
    DEFAULT_PAGE_SIZE,
  );
  return (
    <>
      {header(
        <>
          <EabAliasPicker aliases={names.includes(current) ? names : [current, ...names]} current={current} />
          {canManage && <EabKeyCreateDialog alias={current} directoryUrl={directoryUrl} />}
        </>,
      )}
      {list.warning && (
        <div
          className="mb-6 rounded-lg border border-amber-200 bg-amber-50 px-5 py-4 text-sm text-amber-900"
          data-testid="eab-warning"
          role="status"
        >
          {list.warning}
        </div>
      )}
      <Card>
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-4 py-3 text-sm">
          <span>
            Alias{" "}
            <Link
              href={`/aliases/${encodeURIComponent(current)}`}
              className="font-medium text-indigo-700 hover:underline"
            >
              {current}
            </Link>{" "}
            {list.required ? (
              <Badge tone="blue">requires external account binding</Badge>
            ) : (
              <Badge tone="slate">binding optional</Badge>
            )}
          </span>
          <div className="min-w-0 max-w-md">
            <CopyField value={directoryUrl} testId="eab-directory-url" />
          </div>
        </div>
        <div className="border-b border-slate-200 px-4 py-3">
          <SearchBox placeholder="Search key identifiers" label="Search EAB keys by key identifier" />
        </div>
        {list.items.length === 0 && query.q ? (
          <ListEmptyState info={list} basePath="/eab-keys" params={params}>
            <EmptyState title={`No key identifier of "${current}" contains "${query.q}"`} />
          </ListEmptyState>
        ) : list.items.length === 0 ? (
          <ListEmptyState info={list} basePath="/eab-keys" params={params}>
            <EmptyState title={`Alias "${current}" has no EAB keys`}>
              {canManage ? "Create one to hand to a client's operator." : "An administrator can create one."}{" "}
              Without keys, a binding a client sends is ignored
              {list.required
                ? "; with “Require external account binding” on, every registration is refused"
                : ""}
              .
            </EmptyState>
          </ListEmptyState>
        ) : (
          <Table label="EAB keys">
            <thead>
              <tr>
                <SortableTh column="keyIdentifier" label="Key identifier" {...sorting} />
                <SortableTh column="type" label="Type" {...sorting} />
                <SortableTh column="created" label="Created" firstDir="desc" {...sorting} />
                <SortableTh column="expires" label="Expires" {...sorting} />
                <SortableTh column="accounts" label="Bound accounts" firstDir="desc" {...sorting} />
                <Th>State</Th>
                {canManage && (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.items.map((k) => (
                <Tr key={k.id}>
                  <Td className="max-w-xs" data-testid={`eab-key-${k.keyIdentifier}`}>
                    <CopyField value={k.keyIdentifier} />
                  </Td>
                  <Td>
                    {k.type === "mac" ? (
                      <Badge tone="indigo" className="whitespace-nowrap">
                        MAC {k.macAlgorithm}
                      </Badge>
                    ) : (
                      <Badge tone="indigo" className="whitespace-nowrap">
                        {k.publicKeyKind === "certificate" ? "certificate" : "public key"}{" "}
                        {k.signatureAlgorithm}
                      </Badge>
                    )}
                    <div className="mt-1 text-xs text-slate-500">
                      binds {k.binds === "one" ? "one account" : "many"}
                    </div>
                  </Td>
                  <Td>
                    <RelativeTime iso={k.createdAt} />
                    <div className="text-xs text-slate-500">by {k.createdBy}</div>
                  </Td>
                  <Td>
                    <RelativeTime iso={k.expiresAt} empty="never" />
                  </Td>
                  <Td data-testid={`eab-accounts-${k.keyIdentifier}`}>
                    {k.boundAccountCount === 0 ? (
                      <span className="text-slate-500">none</span>
                    ) : (
                      <details>
                        <summary className="cursor-pointer tabular-nums">
                          {k.boundAccountCount} account{k.boundAccountCount === 1 ? "" : "s"}
                        </summary>
                        <ul className="mt-1 space-y-1 text-xs">
                          {k.boundAccounts.map((a) => (
                            <li key={a.id}>
                              <code className="font-mono">{a.id}</code>{" "}
                              <span className="text-slate-500">{a.contact.join(", ")}</span>{" "}
                              {a.status !== "valid" && <Badge>{a.status}</Badge>}{" "}
                              <RelativeTime iso={a.createdAt} />
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </Td>
                  <Td>
                    <Badge tone={STATE[k.state].tone}>{STATE[k.state].label}</Badge>
                  </Td>
                  {canManage && (
                    <Td className="text-right">
                      <EabKeyRowActions
                        alias={current}
                        id={k.id}
                        keyIdentifier={k.keyIdentifier}
                        disabled={k.disabledAt !== null}
                        boundAccountCount={k.boundAccountCount}
                      />
                    </Td>
                  )}
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pagination
          page={list.page}
          pageSize={list.pageSize}
          total={list.total}
          basePath="/eab-keys"
          params={params}
        />
      </Card>
    </>
  );
}
