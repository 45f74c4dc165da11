import Link from "next/link";
import { buttonClasses } from "./Button";

/** Previous/next links that keep the other query parameters (filters live in the URL). */
export function Pagination({
  page,
  pageSize,
  total,
  basePath,
  params,
}: {
  page: number;
  pageSize: number;
  total: number;
  basePath: string;
  params: Record<string, string | undefined>;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const href = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    if (p > 1) q.set("page", String(p));
    const s = q.toString();
    return s ? `${basePath}?${s}` : basePath;
  };
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav
      className="flex items-center justify-between border-t border-slate-200 px-4 py-3 text-sm text-slate-600"
      aria-label="Pagination"
    >
      <p>
        {total === 0 ? (
          "No results"
        ) : (
          <>
            Showing <span className="font-medium">{first}</span>–<span className="font-medium">{last}</span>{" "}
            of <span className="font-medium">{total}</span>
          </>
        )}
      </p>
      <div className="flex gap-2">
        {page > 1 ? (
          <Link className={buttonClasses("secondary", "sm")} href={href(page - 1)} rel="prev">
            Previous
          </Link>
        ) : (
          <span className={`${buttonClasses("secondary", "sm")} opacity-50`} aria-disabled="true">
            Previous
          </span>
        )}
        {page < pages ? (
          <Link className={buttonClasses("secondary", "sm")} href={href(page + 1)} rel="next">
            Next
          </Link>
        ) : (
          <span className={`${buttonClasses("secondary", "sm")} opacity-50`} aria-disabled="true">
            Next
          </span>
        )}
      </div>
    </nav>
  );
}
