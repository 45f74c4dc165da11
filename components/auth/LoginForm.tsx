"use client";
import { getSession, signIn } from "next-auth/react";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Field, FormError, TextInput } from "@/components/ui/Field";
import { homePathOf } from "@/lib/auth/permissions";

/** Signs in, then goes to `callbackUrl`, or without one to the home page of the user's role. */
export function LoginForm({ callbackUrl }: { callbackUrl: string | null }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  return (
    <form
      className="mt-5 space-y-4"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        setPending(true);
        // next-auth fetches its CSRF token and posts it with the credentials.
        const result = await signIn("credentials", { username, password, redirect: false });
        if (!result || result.error) {
          setPending(false);
          setError("Wrong username or password, or the user is disabled.");
          return;
        }
        window.location.assign(callbackUrl ?? homePathOf((await getSession())?.user.role));
      }}
    >
      <Field id="username" label="Username">
        <TextInput
          id="username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
      </Field>
      <Field id="password" label="Password">
        <TextInput
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      <FormError message={error} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
