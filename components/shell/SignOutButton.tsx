"use client";
import { signOut } from "next-auth/react";
import { useState } from "react";

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      className="whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-600 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
      onClick={async () => {
        setPending(true);
        await signOut({ redirect: false });
        window.location.assign("/login");
      }}
    >
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
