"use client";
import { CopyField } from "@/components/ui/CopyButton";

/** A secret shown once, with the warning that it cannot be shown again. */
export function SecretOnce({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3">
      <p className="text-sm font-medium text-amber-900">{label}</p>
      <CopyField value={value} testId={testId} />
      <p className="text-xs text-amber-800">It is shown only now: copy it before closing.</p>
    </div>
  );
}
