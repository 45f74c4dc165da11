// The only builder of ACME URLs. Every URL Keyward returns keeps the form the client used
// (spec "URL Endpoints and Aliases"): /acme/<alias>/<resource>, /acme/<resource>?configurationId=<alias>,
// or /acme/<resource> for the default alias.

export type UrlForm = "path" | "query" | "default";

export class AcmeLinks {
  constructor(
    readonly origin: string,
    readonly form: UrlForm,
    readonly aliasName: string,
  ) {}

  /** `resource` is a path below the alias root, e.g. "newAccount" or "acct/abc/orders". */
  url(resource: string, query: Record<string, string> = {}): string {
    const params = new URLSearchParams(query);
    switch (this.form) {
      case "path":
        return withQuery(`${this.origin}/acme/${encodeURIComponent(this.aliasName)}/${resource}`, params);
      case "query":
        params.set("configurationId", this.aliasName);
        return withQuery(`${this.origin}/acme/${resource}`, params);
      case "default":
        return withQuery(`${this.origin}/acme/${resource}`, params);
    }
  }

  get directory(): string {
    return this.url("directory");
  }
  account(id: string): string {
    return this.url(`acct/${id}`);
  }
  accountOrders(id: string, cursor?: string): string {
    return this.url(`acct/${id}/orders`, cursor ? { cursor } : {});
  }
  order(id: string): string {
    return this.url(`order/${id}`);
  }
}

function withQuery(base: string, params: URLSearchParams): string {
  const q = params.toString();
  return q ? `${base}?${q}` : base;
}
