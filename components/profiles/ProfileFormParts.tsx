"use client";
// Pieces the certificate profile and end entity profile dialogs share: a group of checkboxes for
// a list field, and the form state (values, errors per field from the zod schema the server uses
// and from the server's refusal).
import { useState } from "react";
import type { z } from "zod";
import { Badge } from "@/components/ui/Badge";
import { ApiError, errorMessage } from "@/lib/console/client/api";

/** A list field as checkboxes: a fieldset whose legend names it, every choice labelled. */
export function ChoiceGroup<T extends string | number>({
  id,
  legend,
  help,
  choices,
  selected,
  error,
  caveat,
  onChange,
}: {
  id: string;
  legend: string;
  help?: string;
  choices: readonly T[];
  selected: readonly T[];
  error?: string;
  caveat?: string;
  onChange: (next: T[]) => void;
}) {
  return (
    <fieldset aria-describedby={`${id}-help`}>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      {caveat && (
        <p className="mt-1 text-xs leading-relaxed text-amber-900">
          <Badge tone="amber" className="mr-1.5">
            Not enforced yet
          </Badge>
          {caveat}
        </p>
      )}
      <div className="mt-1.5 flex flex-wrap gap-x-4 gap-y-1">
        {choices.map((choice) => {
          const choiceId = `${id}-${String(choice)}`;
          return (
            <label key={String(choice)} htmlFor={choiceId} className="flex items-center gap-1.5 text-sm">
              <input
                id={choiceId}
                type="checkbox"
                className="size-4 rounded border-slate-300 accent-indigo-600"
                checked={selected.includes(choice)}
                onChange={(e) =>
                  onChange(
                    e.target.checked
                      ? choices.filter((c) => c === choice || selected.includes(c))
                      : selected.filter((c) => c !== choice),
                  )
                }
              />
              {String(choice)}
            </label>
          );
        })}
      </div>
      {error && (
        <p className="mt-1.5 text-sm text-red-600" data-field-error={id}>
          {error}
        </p>
      )}
      {help && (
        <p id={`${id}-help`} className="mt-1.5 text-xs leading-relaxed text-slate-500">
          {help}
        </p>
      )}
    </fieldset>
  );
}

/** Values, client errors (first issue per top-level field) and the server's, for one dialog. */
export function useProfileForm<V extends Record<string, unknown>>(
  initial: V,
  schema: z.ZodType,
  /** The request body the values stand for (e.g. a number field's text as a number). */
  toInput: (values: V) => Record<string, unknown> = (values) => values,
) {
  const [values, setValues] = useState<V>(initial);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const input = toInput(values);
  const parsed = schema.safeParse(input);
  const clientErrors: Record<string, string> = {};
  if (!parsed.success)
    for (const issue of parsed.error.issues) clientErrors[String(issue.path[0])] ??= issue.message;
  return {
    values,
    input,
    parsed,
    formError,
    set: <K extends keyof V>(field: K, value: V[K]) => {
      setValues((v) => ({ ...v, [field]: value }));
      setServerErrors(({ [field as string]: _edited, ...others }) => others);
    },
    errorOf: (field: keyof V & string) =>
      serverErrors[field] ?? (submitted ? clientErrors[field] : undefined),
    submit: () => {
      setSubmitted(true);
      setFormError(null);
      return parsed.success;
    },
    fail: (err: unknown) => {
      if (err instanceof ApiError && err.invalidParams.length) setServerErrors(err.fieldErrors());
      else setFormError(errorMessage(err));
    },
    reset: () => {
      setValues(initial);
      setServerErrors({});
      setFormError(null);
      setSubmitted(false);
    },
  };
}
