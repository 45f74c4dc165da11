"use client";

/** Before/after of an audit event, folded away until asked for; long values wrap, never cut off. */
export function AuditDetails({ details }: { details: unknown }) {
  if (details === null || details === undefined) return <span className="text-xs text-slate-500">—</span>;
  const d = details as { before?: unknown; after?: unknown };
  const hasDiff = typeof details === "object" && ("before" in d || "after" in d);
  return (
    <details className="max-w-xl text-xs">
      <summary className="cursor-pointer text-indigo-700 hover:underline">
        {hasDiff ? "before / after" : "details"}
      </summary>
      {hasDiff ? (
        <div className="mt-2 grid gap-2 md:grid-cols-2">
          <div>
            <p className="mb-1 font-medium text-slate-500">Before</p>
            <pre className="rounded bg-slate-50 p-2 text-[11px] break-all whitespace-pre-wrap text-slate-700">
              {JSON.stringify(d.before ?? null, null, 2)}
            </pre>
          </div>
          <div>
            <p className="mb-1 font-medium text-slate-500">After</p>
            <pre className="rounded bg-slate-50 p-2 text-[11px] break-all whitespace-pre-wrap text-slate-700">
              {JSON.stringify(d.after ?? null, null, 2)}
            </pre>
          </div>
        </div>
      ) : (
        <pre className="mt-2 rounded bg-slate-50 p-2 text-[11px] break-all whitespace-pre-wrap text-slate-700">
          {JSON.stringify(details, null, 2)}
        </pre>
      )}
    </details>
  );
}
