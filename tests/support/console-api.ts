// The console's JSON API as the integration tests call it: with an API token, JSON in and out.
import { keyward } from "./keyward";

// biome-ignore lint/suspicious/noExplicitAny: problem documents and JSON answers, asserted field by field
export type ApiAnswer = { status: number; body: any; contentType: string | null };

export async function consoleApi(
  method: string,
  pathname: string,
  opts: { token: string; body?: unknown },
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.token}` };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${keyward().httpUrl}${pathname}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    contentType: res.headers.get("content-type"),
  };
}
