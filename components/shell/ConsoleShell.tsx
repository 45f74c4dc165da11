import Link from "next/link";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/Badge";
import { type Permission, ROLE_LABELS, type Role } from "@/lib/auth/permissions";
import { ConsoleNav } from "./ConsoleNav";
import { MobileNav } from "./MobileNav";
import { SignOutButton } from "./SignOutButton";

/**
 * The console's frame: navigation on the left (a menu button opens it on narrow screens), the
 * signed-in user and role at the top. The sidebar and the header stay in view however long the
 * page is; a skip link lets keyboard users go straight to the page's content.
 */
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
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-indigo-700 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <aside className="sticky top-0 hidden h-screen w-60 shrink-0 flex-col overflow-y-auto bg-slate-900 px-3 py-5 md:flex">
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
        <p className="mt-auto px-3 pt-6 text-xs text-slate-400">ACME certificate authority</p>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center justify-between gap-3 border-b border-slate-200 bg-white px-4 sm:px-6">
          <div className="flex min-w-0 items-center gap-2 text-sm text-slate-600">
            <MobileNav permissions={permissions} />
            <span className="hidden font-semibold text-slate-900 sm:inline md:hidden">Keyward</span>
            <span>ACME</span>
            <Badge tone={acmeEnabled ? "green" : "amber"}>{acmeEnabled ? "enabled" : "disabled"}</Badge>
          </div>
          <div className="flex min-w-0 items-center gap-3">
            <div className="min-w-0 text-right leading-tight">
              <p className="truncate text-sm font-medium text-slate-900" data-testid="current-user">
                {username}
              </p>
              <p className="text-xs text-slate-500" data-testid="current-role">
                {ROLE_LABELS[role]}
              </p>
            </div>
            <SignOutButton />
          </div>
        </header>
        <main
          id="main"
          tabIndex={-1}
          className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 focus:outline-none sm:px-6 sm:py-8"
        >
          {children}
        </main>
      </div>
    </div>
  );
}
