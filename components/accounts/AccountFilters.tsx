"use client";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Select, TextInput } from "@/components/ui/Field";
import { ACCOUNT_STATUSES } from "@/lib/console/schemas/accounts";

export type AccountFilterValues = { alias?: string; status?: string; contact?: string; thumbprint?: string };

/** The account search; its values live in the URL, so a search can be shared. */
export function AccountFilters({ initial, aliases }: { initial: AccountFilterValues; aliases: string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const [values, setValues] = useState<AccountFilterValues>(initial);
  const apply = (next: AccountFilterValues) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v?.trim()) q.set(k, v.trim());
    const s = q.toString();
    router.push(s ? `${pathname}?${s}` : pathname);
  };
  const set = (key: keyof AccountFilterValues) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.target.value }));
  return (
    <form
      className="grid gap-3 border-b border-slate-200 px-4 py-3 md:grid-cols-5"
      onSubmit={(e) => {
        e.preventDefault();
        apply(values);
      }}
    >
      <div>
        <label htmlFor="accounts-alias" className="mb-1 block text-xs font-medium text-slate-600">
          Alias
        </label>
        <Select id="accounts-alias" value={values.alias ?? ""} onChange={set("alias")}>
          <option value="">All aliases</option>
          {aliases.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </Select>
      </div>
      <div>
        <label htmlFor="accounts-status" className="mb-1 block text-xs font-medium text-slate-600">
          Status
        </label>
        <Select id="accounts-status" value={values.status ?? ""} onChange={set("status")}>
          <option value="">Any status</option>
          {ACCOUNT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
      </div>
      <div>
        <label htmlFor="accounts-contact" className="mb-1 block text-xs font-medium text-slate-600">
          Contact
        </label>
        <TextInput
          id="accounts-contact"
          placeholder="ops@example.com, or part of it"
          value={values.contact ?? ""}
          onChange={set("contact")}
        />
      </div>
      <div>
        <label htmlFor="accounts-thumbprint" className="mb-1 block text-xs font-medium text-slate-600">
          Key thumbprint
        </label>
        <TextInput
          id="accounts-thumbprint"
          placeholder="prefix, e.g. uFJdG7Vm"
          value={values.thumbprint ?? ""}
          onChange={set("thumbprint")}
        />
      </div>
      <div className="flex items-end gap-2">
        <Button type="submit">Search</Button>
        <Button
          variant="ghost"
          onClick={() => {
            setValues({});
            apply({});
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}
