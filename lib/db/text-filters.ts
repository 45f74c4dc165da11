// Prisma's `contains` and `startsWith` become SQL LIKE patterns in which "%" and "_" are
// wildcards and "\" escapes: a search typed into the console is text, so those characters are
// escaped and match only themselves ("50%" finds "50%", not "50" followed by anything).
import type { Prisma } from "./generated/client";

/** `value` with LIKE's wildcards and its escape character escaped (PostgreSQL's default "\"). */
export function escapeLikePattern(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Rows whose column contains `text` as typed, ignoring case. */
export function containsText(text: string): Prisma.StringFilter {
  return { contains: escapeLikePattern(text), mode: "insensitive" };
}

/** Rows whose column starts with `text` as typed. */
export function startsWithText(text: string): Prisma.StringFilter {
  return { startsWith: escapeLikePattern(text) };
}
