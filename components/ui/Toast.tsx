"use client";
// Confirmations that stay long enough to be read: a toast stays TOAST_DURATION_MS (longer while
// the pointer or focus is on it) or until dismissed, and lives above the page, so a re-render
// of the form that raised it (router.refresh()) does not take it away. The region is always in
// the document with role="status", so screen readers announce each message as it is added.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";
import { cn } from "./cn";

/** Long enough to read two lines (WCAG 2.2.1 lets the user extend it: hover or focus pauses). */
export const TOAST_DURATION_MS = 6000;

export type ToastTone = "success" | "error" | "info";
export type ToastInput = { message: string; tone?: ToastTone; testId?: string };
type Toast = ToastInput & { id: number };

const ToastContext = createContext<((toast: ToastInput) => void) | null>(null);

/** Shows a confirmation: `toast({ message: "Alias stored" })`. */
export function useToast(): (toast: ToastInput) => void {
  const show = useContext(ToastContext);
  if (!show) throw new Error("useToast needs a <ToastProvider> above it");
  return show;
}

const TONES: Record<ToastTone, string> = {
  success: "border-emerald-200 bg-emerald-50 text-emerald-900",
  error: "border-red-200 bg-red-50 text-red-900",
  info: "border-slate-200 bg-white text-slate-900",
};

const MARKS: Record<ToastTone, string> = { success: "✓", error: "!", info: "i" };

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const show = useCallback((toast: ToastInput) => {
    const id = nextId.current++;
    // The same message twice in a row (two saves) is one toast that starts its time again.
    setToasts((all) => [...all.filter((t) => t.message !== toast.message), { ...toast, id }].slice(-3));
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <section
        aria-label="Notifications"
        className="pointer-events-none fixed inset-x-0 top-14 z-50 flex flex-col items-center gap-2 p-4 sm:items-end"
      >
        <div role="status" aria-live="polite" className="flex flex-col items-center gap-2 sm:items-end">
          {toasts.map((t) => (
            <ToastItem key={t.id} toast={t} onDismiss={() => dismiss(t.id)} />
          ))}
        </div>
      </section>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: () => void }) {
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(onDismiss, TOAST_DURATION_MS);
    return () => clearTimeout(timer);
  }, [paused, onDismiss]);
  const tone = toast.tone ?? "success";
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: pausing on hover/focus only extends the time; the dismiss button is the control
    <div
      className={cn(
        "pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg",
        TONES[tone],
      )}
      data-testid={toast.testId ?? "toast"}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
    >
      <span aria-hidden="true" className="font-semibold">
        {MARKS[tone]}
      </span>
      <p className="flex-1 font-medium">{toast.message}</p>
      <button
        type="button"
        onClick={onDismiss}
        className="-my-1 rounded px-1.5 py-0.5 text-xs font-medium underline-offset-2 hover:underline focus-visible:outline-2"
      >
        Dismiss
      </button>
    </div>
  );
}
