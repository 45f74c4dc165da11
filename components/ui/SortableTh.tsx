import Link from "next/link";
import { Th } from "./Table";

/**
 * A column header that sorts the list by its column: the sort lives in the URL with the filters.
 * Clicking the current column flips the order; another column starts descending.
 */
export function SortableTh({
  label,
  column,
  sort,
  order,
  basePath,
  params,
}: {
  label: string;
  column: string;
  sort: string;
  order: "asc" | "desc";
  basePath: string;
  params: Record<string, string | undefined>;
}) {
  const active = sort === column;
  const nextOrder = active && order === "desc" ? "asc" : "desc";
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  q.set("sort", column);
  q.set("order", nextOrder);
  return (
    <Th aria-sort={active ? (order === "asc" ? "ascending" : "descending") : undefined}>
      <Link
        href={`${basePath}?${q.toString()}`}
        className="inline-flex items-center gap-1 hover:text-slate-800"
      >
        {label}
        <span aria-hidden="true">{active ? (order === "asc" ? "▲" : "▼") : "↕"}</span>
        <span className="sr-only">
          {active ? `sorted ${order === "asc" ? "ascending" : "descending"}` : "sort"}
        </span>
      </Link>
    </Th>
  );
}
