// Text Keyward can store and show: no NUL character (PostgreSQL's text and jsonb refuse it) and no
// unpaired UTF-16 surrogate (it has no UTF-8 encoding). Input that breaks either is refused at
// the edge, naming the field (issue 15 item 9: such input gave 500s). A shared leaf, safe in the
// browser: the console's forms check the same.

export const UNSTORABLE_TEXT_REASON = "Must not contain NUL characters or unpaired surrogates";

export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && value.isWellFormed();
}

/**
 * The dotted path of the first string in `value` (an object, array or string, as parsed from
 * JSON or a query string) that is not storable text, or null when every string is.
 */
export function findUnstorableText(value: unknown, path: string[] = []): string | null {
  if (typeof value === "string") return isStorableText(value) ? null : path.join(".") || "value";
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnstorableText(item, [...path, String(i)]);
      if (found) return found;
    }
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) return [...path, "(key)"].join(".");
      const found = findUnstorableText(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
