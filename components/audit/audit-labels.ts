// Object types of the audit log as people say them ("EAB key", not "eabKey"): known ones by
// name, others by splitting the camelCase the code records.
const TYPE_LABELS: Record<string, string> = {
  api: "API",
  eabKey: "EAB key",
  token: "API token",
  ServerTlsCertificate: "server TLS certificate",
  settings: "global settings",
};

export function auditTypeLabel(type: string): string {
  return TYPE_LABELS[type] ?? type.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}
