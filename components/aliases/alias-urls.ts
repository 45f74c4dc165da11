// The URL forms of an alias's directory (spec "URL Endpoints and Aliases"), on the console's own
// origin (without client authentication) and on the mutual-TLS origin (with client
// authentication: lib/env.ts clientAuthOrigin, the mutual-TLS port or KEYWARD_MTLS_URL).
export type AliasDirectoryUrls = { path: string; query: string; default: string | null };

export function aliasDirectoryUrls(origin: string, name: string, isDefault: boolean): AliasDirectoryUrls {
  return {
    path: `${origin}/acme/${encodeURIComponent(name)}/directory`,
    query: `${origin}/acme/directory?configurationId=${encodeURIComponent(name)}`,
    default: isDefault ? `${origin}/acme/directory` : null,
  };
}

/** Both sets of the spec's URLs: "with client authentication" and "without client authentication". */
export function aliasUrlSets(
  origins: { origin: string; clientAuthOrigin: string },
  name: string,
  isDefault: boolean,
): { withoutClientAuth: AliasDirectoryUrls; withClientAuth: AliasDirectoryUrls } {
  return {
    withoutClientAuth: aliasDirectoryUrls(origins.origin, name, isDefault),
    withClientAuth: aliasDirectoryUrls(origins.clientAuthOrigin, name, isDefault),
  };
}
