// ACME alias input, shared by the console's forms, the console API and the CLI: names (spec
// "URL Endpoints and Aliases") and every field of the alias configuration, whose rules and
// defaults live in lib/ra/alias-settings.ts. Forms send lists as text ("22, 25, 80") and empty
// optional fields as ""; the schema accepts both that and JSON's own shapes.
import { z } from "zod";
import { aliasNameProblem, aliasSettingsSchema } from "@/lib/ra/alias-settings";
import { listQuerySchema, sortSchema } from "./common";

export const aliasNameSchema = z.string({ error: "Enter an alias name" }).superRefine((name, ctx) => {
  const problem = aliasNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const createAliasBodySchema = z.strictObject({ name: aliasNameSchema });
export const renameAliasBodySchema = z.strictObject({ newName: aliasNameSchema });
export const cloneAliasBodySchema = z.strictObject({ newName: aliasNameSchema });

export const aliasParamsSchema = z.object({ alias: z.string().min(1).max(250) });

/** The aliases list: search by name, sort by a column, page. */
export const ALIAS_SORT_COLUMNS = ["name", "status", "accounts"] as const;
export const aliasListQuerySchema = listQuerySchema.extend(
  sortSchema(ALIAS_SORT_COLUMNS, { sort: "name", dir: "asc" }).shape,
);
export type AliasListQuery = z.infer<typeof aliasListQuerySchema>;

const LIST_FIELDS = ["authorizedRedirectPorts", "caaIdentities"] as const;
const NULLABLE_TEXT_FIELDS = [
  "endEntityProfile",
  "websiteUrl",
  "termsOfServiceUrl",
  "termsOfServiceChangeUrl",
  "dnsResolver",
  "registrationApprovalProfile",
  "keyChangeApprovalProfile",
] as const;

function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** Text lists to arrays (ports to numbers), "" to null for optional fields. */
export function normalizeAliasSettingsInput(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of LIST_FIELDS) {
    const v = out[field];
    if (typeof v === "string") {
      const items = splitList(v);
      out[field] =
        field === "authorizedRedirectPorts" ? items.map((t) => (/^\d{1,6}$/.test(t) ? Number(t) : t)) : items;
    }
  }
  for (const field of NULLABLE_TEXT_FIELDS) {
    if (typeof out[field] === "string" && (out[field] as string).trim() === "") out[field] = null;
  }
  return out;
}

/** Every alias field, unknown fields refused: what a store of an alias's settings must pass. */
export const aliasSettingsInputSchema = z.preprocess(
  normalizeAliasSettingsInput,
  aliasSettingsSchema.strict(),
);

/** PATCH /api/console/aliases/{alias}: fields given replace the stored ones; the alias is then stored. */
export const storeAliasBodySchema = z.strictObject({
  settings: z.record(z.string(), z.unknown(), { error: "settings must be an object of alias fields" }),
});

/** `alias apply --file`: the alias's name and its fields; fields left out keep their value. */
export const applyAliasFileSchema = z.strictObject({
  name: aliasNameSchema,
  settings: z
    .record(z.string(), z.unknown(), { error: "settings must be an object of alias fields" })
    .default({}),
});
