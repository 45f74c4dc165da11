// The browser's side of the console API: fetch with JSON in and out, and problem documents
// turned into an ApiError that forms read field by field. Client-safe: no server imports.
export type InvalidParam = { name: string; reason: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly invalidParams: InvalidParam[] = [],
  ) {
    super(detail);
    this.name = "ApiError";
  }

  /** Field → message, for the fields a form shows; `prefix` strips e.g. "settings.". */
  fieldErrors(prefix = ""): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of this.invalidParams) {
      const name = prefix && p.name.startsWith(prefix) ? p.name.slice(prefix.length) : p.name;
      const field = name.split(".")[0] as string;
      out[field] ??= p.reason;
    }
    return out;
  }
}

export async function apiRequest<T>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers:
      body === undefined
        ? { accept: "application/json" }
        : { "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const problem = (json ?? {}) as { detail?: string; invalidParams?: InvalidParam[] };
    if (res.status === 401 && typeof window !== "undefined") {
      window.location.assign(`/login?callbackUrl=${encodeURIComponent(window.location.pathname)}`);
    }
    throw new ApiError(
      res.status,
      problem.detail ?? `Request failed (${res.status})`,
      problem.invalidParams ?? [],
    );
  }
  return json as T;
}

export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.detail : err instanceof Error ? err.message : "Something went wrong";
}
