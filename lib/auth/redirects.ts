// Where the console may send a browser after sign-in: a path of its own origin only. The check
// resolves the target as a browser does (the WHATWG URL parser drops tabs and newlines and reads
// "/\\" and "//" as another host), so "/%09/evil.example/" cannot become "//evil.example/".

/** `target` as an absolute URL of `base`'s origin, or null when it would leave it. */
export function sameOriginPath(target: string, base: string): string | null {
  let resolved: URL;
  let origin: string;
  try {
    origin = new URL(base).origin;
    resolved = new URL(target, base);
  } catch {
    return null;
  }
  return resolved.origin === origin ? resolved.href : null;
}

/** A console path to go to after sign-in ("/" when `value` is missing or leaves the console). */
export function safeCallbackPath(value: string | undefined): string {
  const placeholder = "http://console.keyward.invalid";
  const href = value ? sameOriginPath(value, placeholder) : null;
  if (!href) return "/";
  const { pathname, search, hash } = new URL(href);
  return pathname.startsWith("/login") ? "/" : `${pathname}${search}${hash}`;
}
