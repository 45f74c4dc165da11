"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Field, FormError, TextInput } from "@/components/ui/Field";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { useChangePasswordMutation } from "@/lib/console/client/queries";
import { changePasswordBodySchema } from "@/lib/console/schemas/users";

export function ChangePasswordForm() {
  const [client] = useState(() => new QueryClient());
  return (
    <QueryClientProvider client={client}>
      <ChangePasswordFields />
    </QueryClientProvider>
  );
}

function ChangePasswordFields() {
  const [values, setValues] = useState({ currentPassword: "", newPassword: "" });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const mutation = useChangePasswordMutation();
  const parsed = changePasswordBodySchema.safeParse(values);
  const clientErrors: Record<string, string> = {};
  if (!parsed.success) for (const i of parsed.error.issues) clientErrors[String(i.path[0])] ??= i.message;
  const errorOf = (f: string) => serverErrors[f] ?? (touched[f] ? clientErrors[f] : undefined);
  const set = (f: keyof typeof values) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [f]: e.target.value }));
    setTouched((t) => ({ ...t, [f]: true }));
    setServerErrors((s) => ({ ...s, [f]: undefined as unknown as string }));
  };
  return (
    <form
      className="mt-5 space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched({ currentPassword: true, newPassword: true });
        if (!parsed.success) return;
        setFormError(null);
        mutation.mutate(values, {
          onSuccess: () => window.location.assign("/"),
          onError: (err) => {
            if (err instanceof ApiError && err.invalidParams.length) setServerErrors(err.fieldErrors());
            else setFormError(errorMessage(err));
          },
        });
      }}
    >
      <Field id="currentPassword" label="Current password" error={errorOf("currentPassword")}>
        <TextInput
          id="currentPassword"
          type="password"
          autoComplete="current-password"
          value={values.currentPassword}
          invalid={!!errorOf("currentPassword")}
          onChange={set("currentPassword")}
        />
      </Field>
      <Field
        id="newPassword"
        label="New password"
        help="At least 12 characters."
        error={errorOf("newPassword")}
      >
        <TextInput
          id="newPassword"
          type="password"
          autoComplete="new-password"
          value={values.newPassword}
          invalid={!!errorOf("newPassword")}
          onChange={set("newPassword")}
        />
      </Field>
      <FormError message={formError} />
      <Button type="submit" className="w-full" disabled={mutation.isPending}>
        {mutation.isPending ? "Saving…" : "Change password"}
      </Button>
    </form>
  );
}
