"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Field, FormError, TextInput } from "@/components/ui/Field";
import { useSchemaForm } from "@/components/ui/useSchemaForm";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { useChangePasswordMutation } from "@/lib/console/client/queries";
import { changePasswordFormSchema } from "@/lib/console/schemas/users";

export function ChangePasswordForm() {
  const [client] = useState(() => new QueryClient());
  return (
    <QueryClientProvider client={client}>
      <ChangePasswordFields />
    </QueryClientProvider>
  );
}

function ChangePasswordFields() {
  const [formError, setFormError] = useState<string | null>(null);
  const mutation = useChangePasswordMutation();
  const { values, input, parsed, errorOf, set, setServerErrors, touchAll } = useSchemaForm({
    initial: { currentPassword: "", newPassword: "", repeatPassword: "" },
    schema: changePasswordFormSchema,
    toInput: (v) => v,
  });
  return (
    <form
      className="mt-5 space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        touchAll();
        if (!parsed.success) return;
        setFormError(null);
        mutation.mutate(
          { currentPassword: input.currentPassword, newPassword: input.newPassword },
          {
            onSuccess: () => window.location.assign("/"),
            onError: (err) => {
              if (err instanceof ApiError && err.invalidParams.length) setServerErrors(err.fieldErrors());
              else setFormError(errorMessage(err));
            },
          },
        );
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
      <Field id="repeatPassword" label="Repeat the new password" error={errorOf("repeatPassword")}>
        <TextInput
          id="repeatPassword"
          type="password"
          autoComplete="new-password"
          value={values.repeatPassword}
          invalid={!!errorOf("repeatPassword")}
          onChange={set("repeatPassword")}
        />
      </Field>
      <FormError message={formError} />
      <Button type="submit" className="w-full" disabled={mutation.isPending}>
        {mutation.isPending ? "Saving…" : "Change password"}
      </Button>
    </form>
  );
}
