"use client";
// Form state for console dialogs: string field values, validation as you type with the zod
// schema the server uses (errors shown once a field was touched), and the server's refusals per
// field, each shown until that field is edited again.
import { useState } from "react";
import type { z } from "zod";
// The same human messages as the server's invalidParams ("At most 250 characters").
import "@/lib/zod-messages";

export function useSchemaForm<V extends Record<string, string>, I, T>(o: {
  initial: V;
  schema: z.ZodType<T>;
  /** The request body the values stand for (e.g. a number field parsed, an empty field left out). */
  toInput: (values: V) => I;
}) {
  const [values, setValues] = useState<V>(o.initial);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const input = o.toInput(values);
  const parsed = o.schema.safeParse(input);
  const clientErrors: Record<string, string> = {};
  const setValue = (field: keyof V & string, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    setTouched((t) => ({ ...t, [field]: true }));
    setServerErrors(({ [field]: _edited, ...others }) => others);
  };
  if (!parsed.success)
    for (const issue of parsed.error.issues) clientErrors[String(issue.path[0])] ??= issue.message;

  return {
    values,
    input,
    parsed,
    errorOf: (field: keyof V & string) =>
      serverErrors[field] ?? (touched[field] ? clientErrors[field] : undefined),
    set:
      (field: keyof V & string) =>
      (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
        setValue(field, e.target.value),
    /** A value from elsewhere than the field itself (a file read into a text area). */
    setValue,
    setServerErrors,
    /** On submit: show every field's error, touched or not. */
    touchAll: () => setTouched(Object.fromEntries(Object.keys(values).map((field) => [field, true]))),
    reset: () => {
      setValues(o.initial);
      setTouched({});
      setServerErrors({});
    },
  };
}
