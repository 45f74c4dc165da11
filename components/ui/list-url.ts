// The URL of a list page with its filters, order and page: what the sortable headers and the
// pager link to, so that a list's state is always in its address (shareable, back-button safe).

export type ListParams = Record<string, string | number | undefined | null>;

/** `basePath` with `params` (empty values and page 1 left out) and `changes` applied. */
export function listHref(basePath: string, params: ListParams, changes: ListParams = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, ...changes })) {
    if (value === undefined || value === null || value === "") continue;
    if (key === "page" && Number(value) <= 1) continue;
    query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${basePath}?${text}` : basePath;
}

/**
 * What every link of a sorted list keeps — its filters, its order and a page size other than the
 * default — and the props its SortableTh headers share.
 */
export function listState<S extends string>(
  basePath: string,
  query: { sort: S; dir: "asc" | "desc"; pageSize: number },
  filters: ListParams,
  defaultPageSize: number,
) {
  const params: ListParams = {
    ...filters,
    sort: query.sort,
    dir: query.dir,
    pageSize: query.pageSize === defaultPageSize ? undefined : query.pageSize,
  };
  return { params, sorting: { sort: query.sort as string, dir: query.dir, basePath, params } };
}
