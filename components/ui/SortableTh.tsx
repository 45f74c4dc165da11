import Link from "next/link";
import { cn } from "./cn";
import { type ListParams, listHref } from "./list-url";

type Direction = "asc" | "desc";

/**
 * A column header that sorts the list by its column on the server: a link to the same list with
 * ?sort=<column>&dir=…, back to page 1. The sorted column says so to screen readers (aria-sort)
 * and to the eye (an arrow); a second click reverses the order.
 */
export function SortableTh({
  column,
  label,
  sort,
  dir,
  basePath,
  params,
  firstDir = "asc",
  className,
}: {
  column: string;
  label: string;
  /** The list's current order. */
  sort: string;
  dir: Direction;
  basePath: string;
  /** The list's other parameters (search, filters), kept. */
  params: ListParams;
  /** The order of a first click (newest first suits dates and counts). */
  firstDir?: Direction;
  className?: string;
}) {
  const active = sort === column;
  const next: Direction = active ? (dir === "asc" ? "desc" : "asc") : firstDir;
  return (
    <th
      scope="col"
      aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : undefined}
      className={cn(
        "bg-slate-50 px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-600",
        className,
      )}
    >
      <Link
        href={listHref(basePath, params, { sort: column, dir: next, page: undefined })}
        className={cn("inline-flex items-center gap-1 hover:text-slate-900", active && "text-slate-900")}
        data-testid={`sort-${column}`}
      >
        {label}
        <span aria-hidden="true" className={active ? "" : "text-slate-300"}>
          {active ? (dir === "asc" ? "▲" : "▼") : "↕"}
        </span>
        <span className="sr-only">
          {active ? `, sorted ${dir === "asc" ? "ascending" : "descending"}; ` : ", "}
          sort {next === "asc" ? "ascending" : "descending"}
        </span>
      </Link>
    </th>
  );
}
