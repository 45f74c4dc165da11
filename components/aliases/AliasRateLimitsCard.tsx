"use client";
// The alias's rate limits at a glance: each limit with its value and window, the busiest
// addresses, accounts and registered domains counted against it now (a bar per key, the numbers
// beside it), and the per-account overrides, which administrators add and remove.
import { useState } from "react";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Dialog } from "@/components/ui/Dialog";
import { Field, FormError, Select, TextInput } from "@/components/ui/Field";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { useSchemaForm } from "@/components/ui/useSchemaForm";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import {
  useAliasRateLimitsQuery,
  useClearRateLimitOverrideMutation,
  useSetRateLimitOverrideMutation,
} from "@/lib/console/client/queries";
import type { AliasRateLimits, RateLimitOverrideView, RateLimitUsageView } from "@/lib/console/rate-limits";
import { setRateLimitOverrideBodySchema } from "@/lib/console/schemas/rate-limits";

const number = new Intl.NumberFormat("en");

function valueText(value: number, window: string): string {
  if (value === 0) return "no limit";
  return `${number.format(value)} ${window === "at once" ? "at once" : `per ${window}`}`;
}

const BAR_WIDTH = 80;

/**
 * A key's share of its limit as a bar (SVG attributes: the console's CSP allows no inline
 * styles); amber from 80 %, red at the limit. The numbers stand beside it.
 */
function UsageBar({ count, limit }: { count: number; limit: number }) {
  const share = limit === 0 ? 0 : Math.min(1, count / limit);
  const tone = share >= 1 ? "fill-red-500" : share >= 0.8 ? "fill-amber-500" : "fill-indigo-500";
  const width = count === 0 ? 0 : Math.max(share * BAR_WIDTH, 2);
  return (
    <svg width={BAR_WIDTH} height={6} aria-hidden="true" className="shrink-0">
      <rect width={BAR_WIDTH} height={6} rx={3} className="fill-slate-100" />
      <rect width={width} height={6} rx={3} className={tone} />
    </svg>
  );
}

function UsageList({ limit }: { limit: RateLimitUsageView }) {
  if (limit.top.length === 0) return <span className="text-slate-500">none in this window</span>;
  return (
    <ul className="space-y-1">
      {limit.top.map((t) => (
        <li
          key={`${t.key} ${t.name ?? ""}`}
          className="flex flex-wrap items-center gap-2"
          data-testid="rate-limit-usage"
        >
          <UsageBar count={t.count} limit={t.limit} />
          <span className="font-mono text-xs text-slate-800">
            {t.key}
            {t.name ? ` · ${t.name}` : ""}
          </span>
          {t.accountContact && <span className="text-xs text-slate-500">{t.accountContact}</span>}
          <span className="text-xs tabular-nums text-slate-500">
            {number.format(t.count)}
            {t.limit ? ` of ${number.format(t.limit)}` : " (no limit)"}
          </span>
          {t.overridden && <Badge tone="indigo">override</Badge>}
        </li>
      ))}
    </ul>
  );
}

export function AliasRateLimitsCard({
  name,
  initial,
  canManage,
}: {
  name: string;
  initial: AliasRateLimits;
  canManage: boolean;
}) {
  const { data } = useAliasRateLimitsQuery(name, initial);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<RateLimitOverrideView | null>(null);
  const clear = useClearRateLimitOverrideMutation(name);
  const titleOf = (limitName: string) => data.limits.find((l) => l.name === limitName)?.title ?? limitName;
  return (
    <Card className="mb-6">
      <div data-testid="rate-limits-card">
        <CardHeader
          title="Rate limits"
          description={
            <>
              Counted across every instance from what Keyward stores; the busiest keys as of{" "}
              <RelativeTime iso={data.at} />. The values are alias settings (Rate limits, below).
            </>
          }
          actions={
            canManage && (
              <Button size="sm" onClick={() => setAdding(true)} data-testid="rate-limit-override-add">
                Add override
              </Button>
            )
          }
        />
        <Table label="Rate limits">
          <thead>
            <tr>
              <Th>Limit</Th>
              <Th>Value</Th>
              <Th>Busiest now</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {data.limits.map((l) => (
              <Tr key={l.name}>
                <Td className="align-top">
                  <div className="font-medium text-slate-900">{l.title}</div>
                  <div className="font-mono text-xs text-slate-500">{l.name}</div>
                </Td>
                <Td className="align-top whitespace-nowrap" data-testid={`rate-limit-value-${l.name}`}>
                  {valueText(l.value, l.window)}
                  <div className="text-xs text-slate-500">Let's Encrypt: {l.letsEncrypt}</div>
                </Td>
                <Td className="align-top" data-testid={`rate-limit-top-${l.name}`}>
                  <UsageList limit={l} />
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
        <CardBody className="border-t border-slate-200">
          <h3 className="mb-2 text-sm font-semibold text-slate-900">Overrides for single accounts</h3>
          {data.overrides.length === 0 ? (
            <p className="text-sm text-slate-500" data-testid="rate-limit-overrides-empty">
              No overrides: every account has the alias's limits.
              {canManage ? " Add one to lift (or tighten) a limit for one account." : ""}
            </p>
          ) : (
            <Table label="Rate limit overrides">
              <thead>
                <tr>
                  <Th>Account</Th>
                  <Th>Limit</Th>
                  <Th>Value</Th>
                  <Th>Note</Th>
                  <Th>Set</Th>
                  {canManage && (
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  )}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {data.overrides.map((o) => (
                  <Tr key={`${o.accountId} ${o.limit}`}>
                    <Td>
                      <div className="font-mono text-xs" data-testid="rate-limit-override-account">
                        {o.accountId}
                      </div>
                      {o.accountContact && <div className="text-xs text-slate-500">{o.accountContact}</div>}
                    </Td>
                    <Td>{titleOf(o.limit)}</Td>
                    <Td className="tabular-nums">{o.value === 0 ? "no limit" : number.format(o.value)}</Td>
                    <Td className="max-w-xs truncate" title={o.note}>
                      {o.note || <span className="text-slate-500">—</span>}
                    </Td>
                    <Td className="whitespace-nowrap text-xs">
                      {o.setBy}, <RelativeTime iso={o.updatedAt} />
                    </Td>
                    {canManage && (
                      <Td className="text-right">
                        <Button
                          size="sm"
                          variant="ghost"
                          className="text-red-700 hover:bg-red-50"
                          onClick={() => setRemoving(o)}
                        >
                          Remove
                        </Button>
                      </Td>
                    )}
                  </Tr>
                ))}
              </tbody>
            </Table>
          )}
        </CardBody>
      </div>
      {canManage && (
        <OverrideDialog
          name={name}
          open={adding}
          onClose={() => setAdding(false)}
          limits={data.limits.filter((l) => l.perAccount)}
        />
      )}
      <ConfirmDialog
        open={removing !== null}
        onClose={() => {
          clear.reset();
          setRemoving(null);
        }}
        title={
          removing
            ? `Remove the override of ${titleOf(removing.limit)} for account ${removing.accountId}?`
            : ""
        }
        confirmLabel="Remove override"
        pending={clear.isPending}
        error={clear.error ? errorMessage(clear.error) : null}
        onConfirm={() =>
          removing &&
          clear.mutate(
            { accountId: removing.accountId, limit: removing.limit },
            { onSuccess: () => setRemoving(null) },
          )
        }
      >
        The alias's value (
        {removing
          ? valueText(
              data.limits.find((l) => l.name === removing.limit)?.value ?? 0,
              data.limits.find((l) => l.name === removing.limit)?.window ?? "",
            )
          : ""}
        ) applies to this account again.
      </ConfirmDialog>
    </Card>
  );
}

function OverrideDialog({
  name,
  open,
  onClose,
  limits,
}: {
  name: string;
  open: boolean;
  onClose: () => void;
  limits: RateLimitUsageView[];
}) {
  const mutation = useSetRateLimitOverrideMutation(name);
  const [formError, setFormError] = useState<string | null>(null);
  const { values, input, parsed, errorOf, set, setServerErrors, touchAll, reset } = useSchemaForm({
    initial: { accountId: "", limit: limits[0]?.name ?? "", value: "", note: "" },
    schema: setRateLimitOverrideBodySchema,
    // A non-numeric value is passed on as it is, so that the schema names the field.
    toInput: (v) => ({
      accountId: v.accountId,
      limit: v.limit,
      value: /^\d+$/.test(v.value.trim()) ? Number(v.value.trim()) : v.value,
      note: v.note,
    }),
  });
  const close = () => {
    reset();
    mutation.reset();
    setFormError(null);
    onClose();
  };
  const chosen = limits.find((l) => l.name === values.limit);
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Override a rate limit for one account"
      description="The account gets this value instead of the alias's; 0 lifts the limit for it. Audited."
      footer={
        <>
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" form="rate-limit-override-form" disabled={mutation.isPending}>
            {mutation.isPending ? "Saving…" : "Save override"}
          </Button>
        </>
      }
    >
      <form
        id="rate-limit-override-form"
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          touchAll();
          if (!parsed.success) return;
          setFormError(null);
          mutation.mutate(input, {
            onSuccess: close,
            onError: (err) => {
              if (err instanceof ApiError && err.invalidParams.length) setServerErrors(err.fieldErrors());
              else setFormError(errorMessage(err));
            },
          });
        }}
      >
        <Field
          id="override-account"
          label="Account id"
          help="The id at the end of the account's URL (…/acct/<id>), as the busiest accounts above show it."
          error={errorOf("accountId")}
        >
          <TextInput
            id="override-account"
            autoComplete="off"
            value={values.accountId}
            invalid={!!errorOf("accountId")}
            onChange={set("accountId")}
          />
        </Field>
        <Field id="override-limit" label="Limit" error={errorOf("limit")}>
          <Select id="override-limit" value={values.limit} onChange={set("limit")}>
            {limits.map((l) => (
              <option key={l.name} value={l.name}>
                {l.title}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          id="override-value"
          label={
            chosen ? `Value (${chosen.window === "at once" ? "at once" : `per ${chosen.window}`})` : "Value"
          }
          help={
            chosen
              ? `The alias's value: ${valueText(chosen.value, chosen.window)}. 0: no limit for this account.`
              : undefined
          }
          error={errorOf("value")}
        >
          <TextInput
            id="override-value"
            inputMode="numeric"
            value={values.value}
            invalid={!!errorOf("value")}
            onChange={set("value")}
          />
        </Field>
        <Field
          id="override-note"
          label="Note"
          help="Why, for whoever reads this later."
          error={errorOf("note")}
        >
          <TextInput
            id="override-note"
            value={values.note}
            invalid={!!errorOf("note")}
            onChange={set("note")}
          />
        </Field>
        <FormError message={formError} />
      </form>
    </Dialog>
  );
}
