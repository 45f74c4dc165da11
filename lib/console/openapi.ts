// The console API as an OpenAPI 3.1 document, served at /api/console/openapi.json. Request
// bodies and query strings are generated from the same zod schemas the routes parse with
// (zod 4's z.toJSONSchema), so the document cannot drift from what the server accepts.
import { z } from "zod";
import { ROLES } from "@/lib/auth/permissions";
import { aliasSettingsSchema } from "@/lib/ra/alias-settings";
import { cloneAliasBodySchema, createAliasBodySchema, renameAliasBodySchema } from "./schemas/aliases";
import { createApiTokenBodySchema } from "./schemas/api-tokens";
import { auditQuerySchema } from "./schemas/audit";
import { listQuerySchema, pagingSchema } from "./schemas/common";
import { globalSettingsBodySchema, protocolBodySchema } from "./schemas/settings";
import { changePasswordBodySchema, createUserBodySchema, updateUserBodySchema } from "./schemas/users";

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema;
  return rest;
}

function queryParameters(schema: z.ZodObject): Record<string, unknown>[] {
  const json = schemaOf(schema) as { properties?: Record<string, JsonSchema> };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: false,
    schema: s,
  }));
}

const problem = { $ref: "#/components/responses/Problem" };
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), problem]));
const json = (schema: JsonSchema) => ({ content: { "application/json": { schema } } });
const body = (schema: z.ZodType) => ({ required: true, ...json(schemaOf(schema)) });
const ok = (description: string, schema: JsonSchema = { type: "object" }) => ({
  description,
  ...json(schema),
});
const pathParam = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});

export function consoleOpenApiDocument(serverUrl?: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Keyward console API",
      version: "1",
      description:
        "Everything the console configures, for automation. Authenticate with an API token (`Authorization: Bearer kw_…`, created by an administrator on the API tokens page or with `npm run keyward -- token create`), or with the console's session cookie. Errors are RFC 7807 problem documents (application/problem+json) with an `invalidParams` extension naming the refused fields. 401: no or unknown credentials; 403: the role does not allow it.",
    },
    servers: serverUrl ? [{ url: serverUrl }] : [],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API token: kw_ followed by 43 base64url characters.",
        },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "next-auth.session-token",
          description: "The console's sign-in session (__Secure- prefixed over HTTPS).",
        },
      },
      schemas: {
        AliasSettings: schemaOf(aliasSettingsSchema),
        Role: { type: "string", enum: [...ROLES] },
        Problem: {
          type: "object",
          required: ["type", "detail", "status"],
          properties: {
            type: { type: "string", examples: ["urn:ietf:params:acme:error:malformed"] },
            detail: { type: "string" },
            status: { type: "integer" },
            invalidParams: {
              type: "array",
              items: {
                type: "object",
                required: ["name", "reason"],
                properties: { name: { type: "string" }, reason: { type: "string" } },
              },
            },
          },
        },
      },
      responses: {
        Problem: {
          description: "A problem document",
          content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
        },
      },
    },
    paths: {
      "/api/console/me": {
        get: {
          summary: "Who the caller is and what its role allows",
          responses: { "200": ok("The caller"), ...errors(401) },
        },
      },
      "/api/console/protocol": {
        get: {
          summary: "Protocol state and global settings",
          responses: { "200": ok("State"), ...errors(401, 403) },
        },
        put: {
          summary: "Enable or disable ACME (administrator)",
          requestBody: body(protocolBodySchema),
          responses: { "200": ok("New state"), ...errors(401, 403, 415, 422) },
        },
      },
      "/api/console/settings": {
        get: { summary: "Global ACME settings", responses: { "200": ok("Settings"), ...errors(401, 403) } },
        put: {
          summary: "Change the default alias and/or the replay nonce validity (administrator)",
          requestBody: body(globalSettingsBodySchema),
          responses: { "200": ok("New settings"), ...errors(401, 403, 415, 422) },
        },
      },
      "/api/console/aliases": {
        get: {
          summary: "List aliases",
          parameters: queryParameters(listQuerySchema),
          responses: { "200": ok("A page of aliases"), ...errors(401, 403) },
        },
        post: {
          summary:
            "Create an alias (administrator). It serves ACME only after its settings are stored once (PATCH).",
          requestBody: body(createAliasBodySchema),
          responses: { "201": ok("The alias"), ...errors(401, 403, 409, 415, 422) },
        },
      },
      "/api/console/aliases/{alias}": {
        parameters: [pathParam("alias", "Alias name (case-sensitive)")],
        get: {
          summary: "An alias with all its settings",
          responses: { "200": ok("The alias"), ...errors(401, 403, 404) },
        },
        patch: {
          summary:
            "Store an alias's settings (administrator): fields given replace the stored ones, others keep their value; the alias then serves ACME",
          requestBody: {
            required: true,
            ...json({
              type: "object",
              required: ["settings"],
              additionalProperties: false,
              properties: { settings: { $ref: "#/components/schemas/AliasSettings" } },
            }),
          },
          responses: { "200": ok("The stored alias"), ...errors(401, 403, 404, 415, 422) },
        },
        delete: {
          summary: "Delete an alias (administrator); refused while ACME accounts use it",
          responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404, 409) },
        },
      },
      "/api/console/aliases/{alias}/rename": {
        parameters: [pathParam("alias", "Alias name")],
        post: {
          summary: "Rename an alias (administrator)",
          requestBody: body(renameAliasBodySchema),
          responses: { "200": ok("The renamed alias"), ...errors(401, 403, 404, 409, 422) },
        },
      },
      "/api/console/aliases/{alias}/clone": {
        parameters: [pathParam("alias", "Alias name")],
        post: {
          summary: "Clone an alias (administrator)",
          requestBody: body(cloneAliasBodySchema),
          responses: { "201": ok("The copy"), ...errors(401, 403, 404, 409, 422) },
        },
      },
      "/api/console/users": {
        get: {
          summary: "List users (administrator, auditor)",
          parameters: queryParameters(listQuerySchema),
          responses: { "200": ok("A page of users"), ...errors(401, 403) },
        },
        post: {
          summary: "Create a user (administrator); without a password a one-time password is returned once",
          requestBody: body(createUserBodySchema),
          responses: { "201": ok("The user and its one-time password"), ...errors(401, 403, 409, 422) },
        },
      },
      "/api/console/users/{username}": {
        parameters: [pathParam("username", "Username")],
        patch: {
          summary: "Change a user's role, disable or enable it, or reset its password (administrator)",
          requestBody: body(updateUserBodySchema),
          responses: { "200": ok("The user"), ...errors(401, 403, 404, 409, 422) },
        },
      },
      "/api/console/me/password": {
        post: {
          summary: "Change one's own password (signed-in users)",
          requestBody: body(changePasswordBodySchema),
          responses: { "204": { description: "Changed" }, ...errors(401, 422) },
        },
      },
      "/api/console/tokens": {
        get: {
          summary: "List API tokens (administrator)",
          parameters: queryParameters(pagingSchema),
          responses: { "200": ok("A page of tokens"), ...errors(401, 403) },
        },
        post: {
          summary: "Create an API token (administrator); the token is in the answer's `token`, once",
          requestBody: body(createApiTokenBodySchema),
          responses: { "201": ok("The token"), ...errors(401, 403, 422) },
        },
      },
      "/api/console/tokens/{id}": {
        parameters: [pathParam("id", "Token id")],
        delete: {
          summary: "Revoke an API token (administrator)",
          responses: { "200": ok("The revoked token"), ...errors(401, 403, 404, 409) },
        },
      },
      "/api/console/audit": {
        get: {
          summary: "The audit log, newest first (administrator, auditor)",
          parameters: queryParameters(auditQuerySchema),
          responses: { "200": ok("A page of events"), ...errors(401, 403) },
        },
      },
      "/api/console/overview": {
        get: {
          summary: "Counts and per-day series of the overview",
          responses: { "200": ok("The overview"), ...errors(401, 403) },
        },
      },
    },
  };
}
