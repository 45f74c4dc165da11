"use client";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { TextInput } from "@/components/ui/Field";

type Filters = { actor?: string; action?: string; targetType?: string; targetId?: string };

const FIELDS: { key: keyof Filters; label: string; placeholder: string }[] = [
  { key: "actor", label: "Actor", placeholder: "username, user:<id>, token:<id>, system" },
  { key: "action", label: "Action", placeholder: "alias.updated, or alias. for all" },
  { key: "targetType", label: "Object type", placeholder: "alias, user, token, protocol" },
  { key: "targetId", label: "Object id", placeholder: "id" },
];

/** `actions`: every action the log holds, offered as suggestions for the action filter. */
export function AuditFilters({ initial, actions }: { initial: Filters; actions: readonly string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const [values, setValues] = useState<Filters>(initial);
  const apply = (next: Filters) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v?.trim()) q.set(k, v.trim());
    const s = q.toString();
    router.push(s ? `${pathname}?${s}` : pathname);
  };
  return (
    <form
      className="grid gap-3 border-b border-slate-200 px-4 py-3 md:grid-cols-5"
      onSubmit={(e) => {
        e.preventDefault();
        apply(values);
      }}
    >
      {FIELDS.map((f) => (
        <div key={f.key}>
          <label htmlFor={`audit-${f.key}`} className="mb-1 block text-xs font-medium text-slate-600">
            {f.label}
          </label>
          <TextInput
            id={`audit-${f.key}`}
            placeholder={f.placeholder}
            value={values[f.key] ?? ""}
            list={f.key === "action" ? "audit-action-list" : undefined}
            onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
          />
        </div>
      ))}
      <datalist id="audit-action-list">
        {actions.map((action) => (
          <option key={action} value={action} />
        ))}
      </datalist>
      <div className="flex items-end gap-2">
        <Button type="submit">Filter</Button>
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
