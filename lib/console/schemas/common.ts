// Query-string shapes shared by the console's lists: paging and a free-text search.
import { z } from "zod";
import { isStorableText } from "@/lib/text";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export const pagingSchema = z.object({
  page: z.coerce.number().int().min(1, "Pages start at 1").max(100_000).default(1),
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE, `At most ${MAX_PAGE_SIZE} per page`)
    .default(DEFAULT_PAGE_SIZE),
});

// A search or filter from a page's URL: text that cannot be stored (a NUL byte) cannot match
// anything, and is dropped rather than sent to the database (issue 15 item 9).
export const searchSchema = z
  .string()
  .trim()
  .max(250)
  .optional()
  .transform((v) => (v && isStorableText(v) ? v : undefined));

export const listQuerySchema = pagingSchema.extend({ q: searchSchema });
export type ListQuery = z.infer<typeof listQuerySchema>;

export const SORT_DIRECTIONS = ["asc", "desc"] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/**
 * `?sort=<column>&dir=asc|desc` of a list whose sortable columns are `columns`: the order lives
 * in the URL (shareable) and is applied by the database, across every page.
 */
export function sortSchema<const C extends readonly [string, ...string[]]>(
  columns: C,
  defaults: { sort: C[number]; dir: SortDirection },
) {
  return z.object({
    sort: z.enum(columns, { error: `Sort by one of: ${columns.join(", ")}` }).default(defaults.sort),
    dir: z.enum(SORT_DIRECTIONS, { error: "Sort direction is asc or desc" }).default(defaults.dir),
  });
}

export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };
