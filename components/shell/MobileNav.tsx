"use client";
// Below the sidebar's breakpoint (md) the navigation opens from a menu button in the header, as
// a modal drawer on the native <dialog>: focus moves into it and stays there, Escape closes it,
// and it closes by itself once a link has been followed.
import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import type { Permission } from "@/lib/auth/permissions";
import { ConsoleNav } from "./ConsoleNav";

export function MobileNav({ permissions }: { permissions: readonly Permission[] }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const pathname = usePathname();
  // biome-ignore lint/correctness/useExhaustiveDependencies: closes on every navigation, whatever the path became
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <>
      <button
        type="button"
        className="inline-flex items-center gap-1.5 rounded-md px-2 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 md:hidden"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen(true)}
        data-testid="menu-button"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="currentColor">
          <path d="M3 5h14v2H3zM3 9h14v2H3zM3 13h14v2H3z" />
        </svg>
        Menu
      </button>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: a backdrop click is the mouse's Escape; the keyboard has Escape and the Close button */}
      <dialog
        ref={ref}
        aria-labelledby={titleId}
        onClose={() => setOpen(false)}
        onCancel={(e) => {
          e.preventDefault();
          setOpen(false);
        }}
        onClick={(e) => {
          // A click on the backdrop (the dialog element itself, outside the panel) or on a link
          // (even to the page already shown) closes it.
          if (e.target === e.currentTarget || (e.target as Element).closest("a")) setOpen(false);
        }}
        className="m-0 h-full max-h-none w-72 max-w-[85vw] bg-slate-900 p-0 backdrop:bg-slate-900/50 md:hidden"
      >
        {open && (
          <div className="flex h-full flex-col overflow-y-auto px-3 py-4">
            <div className="mb-5 flex items-center justify-between px-3">
              <h2 id={titleId} className="text-base font-semibold text-white">
                Keyward
              </h2>
              <button
                type="button"
                onClick={() => setOpen(false)}
                className="rounded-md px-2 py-1 text-sm text-slate-200 ring-1 ring-inset ring-slate-600 hover:bg-slate-800"
              >
                Close
              </button>
            </div>
            <ConsoleNav permissions={permissions} />
          </div>
        )}
      </dialog>
    </>
  );
}
