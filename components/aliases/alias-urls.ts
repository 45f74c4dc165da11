// The three URL forms of an alias's directory (spec "URL Endpoints and Aliases").
export function aliasDirectoryUrls(origin: string, name: string, isDefault: boolean) {
  return {
    path: `${origin}/acme/${encodeURIComponent(name)}/directory`,
    query: `${origin}/acme/directory?configurationId=${encodeURIComponent(name)}`,
    default: isDefault ? `${origin}/acme/directory` : null,
  };
}
