// Between an alias's settings and the form's inputs: every input holds text or a boolean; the
// shared schema (lib/console/schemas/aliases.ts) turns text lists and numbers back.
import { type AliasSettings, DEFAULT_ALIAS_SETTINGS } from "@/lib/ra/alias-settings";

export type AliasFormValues = Record<keyof AliasSettings, string | boolean>;

export function settingsToFormValues(settings: AliasSettings): AliasFormValues {
  const out = {} as AliasFormValues;
  for (const [key, value] of Object.entries(settings) as [keyof AliasSettings, unknown][]) {
    if (typeof value === "boolean") out[key] = value;
    else if (Array.isArray(value)) out[key] = value.join(", ");
    else if (value === null) out[key] = "";
    else out[key] = String(value);
  }
  return out;
}

// Every field whose value is a number (ports, seconds, rate limits), by its default.
const NUMBER_FIELDS = new Set(
  (Object.keys(DEFAULT_ALIAS_SETTINGS) as (keyof AliasSettings)[]).filter(
    (key) => typeof DEFAULT_ALIAS_SETTINGS[key] === "number",
  ),
);

/** What the form sends: numbers where the schema wants numbers (text that isn't one stays text, and is refused). */
export function formValuesToSettingsInput(values: AliasFormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values) as [keyof AliasSettings, string | boolean][]) {
    if (NUMBER_FIELDS.has(key) && typeof value === "string")
      out[key] = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
    else out[key] = value;
  }
  return out;
}
