import Link from "next/link";
import type { ReactNode } from "react";
import { buttonClasses } from "./Button";
import { EmptyState } from "./EmptyState";
import { type ListParams, listHref } from "./list-url";

type PageInfo = { page: number; pageSize: number; total: number };

function pageCount({ pageSize, total }: PageInfo): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** A page number past the last page of a list that has rows (?page=999 of 19 rows). */
export function isPastTheEnd(info: PageInfo): boolean {
  return info.total > 0 && info.page > pageCount(info);
}

/**
 * The body of a list page without rows: on a page past the end, says so and links to the last
 * page (never "No aliases yet" when there are some); otherwise the list's own empty state.
 */
export function ListEmptyState({
  info,
  basePath,
  params,
  children,
}: {
  info: PageInfo;
  basePath: string;
  params: ListParams;
  /** The list's empty state, for a list with no rows at all. */
  children: ReactNode;
}) {
  if (!isPastTheEnd(info)) return <>{children}</>;
  const last = pageCount(info);
  return (
    <div data-testid="page-out-of-range">
      <EmptyState title={`No results on page ${info.page}`}>
        There {last === 1 ? "is 1 page" : `are ${last} pages`} of {info.total}.{" "}
        <Link
          href={listHref(basePath, params, { page: last })}
          className="font-medium text-indigo-700 underline"
        >
          Go to the last page
        </Link>
      </EmptyState>
    </div>
  );
}

/** Previous/next links that keep the other query parameters (filters and order live in the URL). */
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
  params: ListParams;
}) {
  const pages = pageCount({ page, pageSize, total });
  const href = (p: number) => listHref(basePath, params, { page: p });
  const pastTheEnd = isPastTheEnd({ page, pageSize, total });
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const previous = pastTheEnd ? pages : page - 1;
  return (
    <nav
      className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 px-4 py-3 text-sm text-slate-600"
      aria-label="Pagination"
    >
      <p data-testid="pagination-summary">
        {total === 0 ? (
          "No results"
        ) : pastTheEnd ? (
          <>
            Page {page} is past the end: {total} result{total === 1 ? "" : "s"} on {pages} page
            {pages === 1 ? "" : "s"}
          </>
        ) : (
          <>
            Showing <span className="font-medium">{first}</span>–<span className="font-medium">{last}</span>{" "}
            of <span className="font-medium">{total}</span>
            {pages > 1 && (
              <span className="text-slate-500">
                {" "}
                · page {page} of {pages}
              </span>
            )}
          </>
        )}
      </p>
      <div className="flex gap-2">
        {previous >= 1 && total > 0 ? (
          <Link className={buttonClasses("secondary", "sm")} href={href(previous)} rel="prev">
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
