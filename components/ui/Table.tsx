import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";
import { cn } from "./cn";

/**
 * A table that scrolls sideways inside itself on a narrow screen, never the whole page: the
 * wrapper is the scroll container (and the containing block of anything absolutely positioned
 * in a cell), focusable so that keyboard users can scroll it too (WCAG 2.1.1).
 */
export function Table({ children, label }: { children: ReactNode; label: string }) {
  return (
    <section
      className="relative overflow-x-auto focus-visible:outline-2 focus-visible:outline-indigo-600"
      aria-label={`${label} (scrolls sideways on narrow screens)`}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll container must be reachable by keyboard (axe scrollable-region-focusable)
      tabIndex={0}
    >
      <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label={label}>
        {children}
      </table>
    </section>
  );
}

export function Th({ className, ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope="col"
      className={cn(
        "bg-slate-50 px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-500",
        className,
      )}
      {...props}
    />
  );
}

export function Td({ className, ...props }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cn("px-4 py-3 align-middle text-slate-700", className)} {...props} />;
}

export function Tr({ children, className }: { children: ReactNode; className?: string }) {
  return <tr className={cn("hover:bg-slate-50/60", className)}>{children}</tr>;
}
