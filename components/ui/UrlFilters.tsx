"use client";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "./Button";
import { Select, TextInput } from "./Field";

export type UrlFilterField =
  | {
      name: string;
      label: string;
      type: "text" | "date";
      placeholder?: string;
      /** Values offered as the user types (a datalist); any other text is still allowed. */
      suggestions?: readonly string[];
    }
  | { name: string; label: string; type: "select"; any: string; options: { value: string; label: string }[] };

/**
 * A list's search form whose values live in the URL, so a search can be shared and paged. Values
 * not shown as fields (the sort) are kept; a new search starts at page 1. Every list page with
 * more than a name search uses it (orders, certificates, accounts, audit log, approvals).
 */
export function UrlFilters({
  fields,
  initial,
  keep = {},
  idPrefix,
}: {
  fields: UrlFilterField[];
  initial: Record<string, string | undefined>;
  /** Parameters carried over unchanged (sort, order). */
  keep?: Record<string, string | undefined>;
  idPrefix: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [values, setValues] = useState<Record<string, string | undefined>>(initial);
  const apply = (next: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...keep, ...next })) if (v?.trim()) q.set(k, v.trim());
    const s = q.toString();
    router.push(s ? `${pathname}?${s}` : pathname);
  };
  return (
    <form
      className="grid grid-cols-1 gap-3 border-b border-slate-200 px-4 py-3 md:grid-cols-4"
      onSubmit={(e) => {
        e.preventDefault();
        apply(values);
      }}
    >
      {fields.map((field) => {
        const id = `${idPrefix}-${field.name}`;
        const onChange = (e: { target: { value: string } }) =>
          setValues((v) => ({ ...v, [field.name]: e.target.value }));
        return (
          <div key={field.name}>
            <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-600">
              {field.label}
            </label>
            {field.type === "select" ? (
              <Select id={id} value={values[field.name] ?? ""} onChange={onChange}>
                <option value="">{field.any}</option>
                {field.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </Select>
            ) : (
              <>
                <TextInput
                  id={id}
                  type={field.type}
                  placeholder={field.type === "text" ? field.placeholder : undefined}
                  value={values[field.name] ?? ""}
                  list={field.suggestions ? `${id}-list` : undefined}
                  onChange={onChange}
                />
                {field.suggestions && (
                  <datalist id={`${id}-list`}>
                    {field.suggestions.map((s) => (
                      <option key={s} value={s} />
                    ))}
                  </datalist>
                )}
              </>
            )}
          </div>
        );
      })}
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
