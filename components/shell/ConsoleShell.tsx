import Link from "next/link";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/Badge";
import { type Permission, ROLE_LABELS, type Role } from "@/lib/auth/permissions";
import { ConsoleNav } from "./ConsoleNav";
import { SignOutButton } from "./SignOutButton";

/** The console's frame: navigation on the left, the signed-in user and role at the top. */
export function ConsoleShell({
  username,
  role,
  permissions,
  acmeEnabled,
  children,
}: {
  username: string;
  role: Role;
  permissions: readonly Permission[];
  acmeEnabled: boolean;
  children: ReactNode;
}) {
  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-60 shrink-0 flex-col bg-slate-900 px-3 py-5 md:flex">
        <Link href="/" className="mb-7 flex items-center gap-2 px-3">
          <span
            className="grid size-7 place-items-center rounded-md bg-indigo-500 text-sm font-bold text-white"
            aria-hidden="true"
          >
            K
          </span>
          <span className="text-base font-semibold tracking-tight text-white">Keyward</span>
        </Link>
        <ConsoleNav permissions={permissions} />
        <p className="mt-auto px-3 pt-6 text-xs text-slate-500">ACME certificate authority</p>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-between gap-4 border-b border-slate-200 bg-white px-6">
          <div className="flex items-center gap-2 text-sm text-slate-600">
            <span className="md:hidden font-semibold text-slate-900">Keyward</span>
            <span>ACME</span>
            <Badge tone={acmeEnabled ? "green" : "amber"}>{acmeEnabled ? "enabled" : "disabled"}</Badge>
          </div>
          <div className="flex items-center gap-3">
            <div className="text-right leading-tight">
              <p className="text-sm font-medium text-slate-900" data-testid="current-user">
                {username}
              </p>
              <p className="text-xs text-slate-500" data-testid="current-role">
                {ROLE_LABELS[role]}
              </p>
            </div>
            <SignOutButton />
          </div>
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 px-6 py-8">{children}</main>
      </div>
    </div>
  );
}
