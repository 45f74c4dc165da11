import type { ReactNode } from "react";

export const dynamic = "force-dynamic";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen items-center justify-center bg-gradient-to-b from-slate-100 to-slate-200 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2">
          <span
            className="grid size-9 place-items-center rounded-lg bg-indigo-600 text-lg font-bold text-white"
            aria-hidden="true"
          >
            K
          </span>
          <span className="text-xl font-semibold tracking-tight text-slate-900">Keyward</span>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">{children}</div>
        <p className="mt-4 text-center text-xs text-slate-500">ACME certificate authority · console</p>
      </div>
    </div>
  );
}
