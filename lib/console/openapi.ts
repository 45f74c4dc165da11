// The console API as an OpenAPI 3.1 document, served at /api/console/openapi.json. Request
// bodies and query strings are generated from the same zod schemas the routes parse with
// (zod 4's z.toJSONSchema), so the document cannot drift from what the server accepts.
import { z } from "zod";
import { ROLES } from "@/lib/auth/permissions";
import {
  ACCOUNT_RATE_LIMIT_NAMES,
  aliasSettingsSchema,
  NOT_ENFORCED_ALIAS_FIELDS,
} from "@/lib/ra/alias-settings";
import { cloneAliasBodySchema, createAliasBodySchema, renameAliasBodySchema } from "./schemas/aliases";
import { createApiTokenBodySchema } from "./schemas/api-tokens";
import { auditQuerySchema } from "./schemas/audit";
import { listQuerySchema, pagingSchema } from "./schemas/common";
import { setRateLimitOverrideBodySchema } from "./schemas/rate-limits";
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

/** The alias fields as JSON Schema; each field nothing enforces yet says so in its description. */
function aliasSettingsJsonSchema(): JsonSchema {
  const json = schemaOf(aliasSettingsSchema) as { properties: Record<string, JsonSchema> };
  for (const { field, reason } of NOT_ENFORCED_ALIAS_FIELDS) {
    const property = json.properties[field];
    if (property) property.description = `Not enforced yet: ${reason}`;
  }
  return json;
}

const ALIAS_SUMMARY_PROPERTIES = {
  id: { type: "string" },
  name: { type: "string" },
  configured: { type: "boolean", description: "Stored at least once: only then does the alias serve ACME" },
  isDefault: { type: "boolean" },
  flags: {
    type: "array",
    description:
      "Protections in force for this alias. A field that is not enforced yet (see an alias's notEnforced) never raises a flag, whatever is stored.",
    items: { type: "string", enum: ["eab", "approvals", "client-certificate"] },
  },
  accountCount: { type: "integer" },
  updatedAt: { type: "string", format: "date-time" },
};

const ALIAS = { $ref: "#/components/schemas/Alias" };
const RATE_LIMITS = { $ref: "#/components/schemas/RateLimits" };

const RATE_LIMITS_SCHEMA = {
  type: "object",
  properties: {
    alias: { type: "string" },
    at: { type: "string", format: "date-time", description: "When the counts were taken" },
    limits: {
      type: "array",
      items: {
        type: "object",
        properties: {
          name: {
            type: "string",
            description: "The limit's name, as a rateLimited problem's detail names it",
          },
          setting: { type: "string", description: "The alias setting holding its value" },
          value: { type: "integer", description: "The alias's value; 0: no limit" },
          window: { type: "string", examples: ["3 hours", "at once"] },
          counts: { type: "string", examples: ["new orders"] },
          per: {
            type: "string",
            enum: ["address", "ipv6Range", "account", "accountAndName", "registeredDomain"],
          },
          perAccount: { type: "boolean", description: "Whether an override can set it for one account" },
          letsEncrypt: { type: "string", description: "Let's Encrypt's published limit, for comparison" },
          top: {
            type: "array",
            description: "The busiest keys now, most used first",
            items: {
              type: "object",
              properties: {
                key: { type: "string", description: "Address, IPv6 /48, account id or registered domain" },
                name: { type: ["string", "null"], description: "The failing name (failed validations)" },
                count: { type: "integer" },
                limit: { type: "integer", description: "The limit in force for this key (0: none)" },
                overridden: { type: "boolean" },
                accountContact: { type: ["string", "null"] },
              },
            },
          },
        },
      },
    },
    overrides: {
      type: "array",
      items: {
        type: "object",
        properties: {
          accountId: { type: "string" },
          accountContact: { type: ["string", "null"] },
          limit: { type: "string", enum: [...ACCOUNT_RATE_LIMIT_NAMES] },
          value: { type: "integer" },
          note: { type: "string" },
          setBy: { type: "string" },
          createdAt: { type: "string", format: "date-time" },
          updatedAt: { type: "string", format: "date-time" },
        },
      },
    },
  },
};
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
        "Everything the console configures, for automation. Authenticate with an API token (`Authorization: Bearer kw_…`, created by an administrator on the API tokens page or with `npm run keyward -- token create`), or with the console's session cookie. Errors are RFC 7807 problem documents (application/problem+json) with an `invalidParams` extension naming the refused fields. 401: no or unknown credentials; 403: the role does not allow it (a token acts with no more than its owner's current role allows). Alias fields that are stored but not enforced yet are listed in each alias's `notEnforced` and described as such below.",
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
        AliasSettings: aliasSettingsJsonSchema(),
        AliasSummary: { type: "object", properties: ALIAS_SUMMARY_PROPERTIES },
        Alias: {
          type: "object",
          properties: {
            ...ALIAS_SUMMARY_PROPERTIES,
            settings: { $ref: "#/components/schemas/AliasSettings" },
            notEnforced: {
              type: "array",
              description:
                "Fields of settings that are stored but change nothing yet, each with the reason. Entries disappear as Keyward enforces them.",
              items: {
                type: "object",
                required: ["field", "reason"],
                properties: { field: { type: "string" }, reason: { type: "string" } },
              },
            },
            createdAt: { type: "string", format: "date-time" },
          },
        },
        RateLimits: RATE_LIMITS_SCHEMA,
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
          summary:
            "Who the caller is and what it may do now: a token's `permissions` are what both its `role` and its `owner`'s current role allow",
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
          responses: {
            "200": ok("A page of aliases", {
              type: "object",
              properties: {
                items: { type: "array", items: { $ref: "#/components/schemas/AliasSummary" } },
                total: { type: "integer" },
                page: { type: "integer" },
                pageSize: { type: "integer" },
              },
            }),
            ...errors(401, 403),
          },
        },
        post: {
          summary:
            "Create an alias (administrator). It serves ACME only after its settings are stored once (PATCH).",
          requestBody: body(createAliasBodySchema),
          responses: { "201": ok("The alias", ALIAS), ...errors(401, 403, 409, 415, 422) },
        },
      },
      "/api/console/aliases/{alias}": {
        parameters: [pathParam("alias", "Alias name (case-sensitive)")],
        get: {
          summary: "An alias with all its settings",
          responses: { "200": ok("The alias", ALIAS), ...errors(401, 403, 404) },
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
          responses: { "200": ok("The stored alias", ALIAS), ...errors(401, 403, 404, 415, 422) },
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
          responses: { "200": ok("The renamed alias", ALIAS), ...errors(401, 403, 404, 409, 422) },
        },
      },
      "/api/console/aliases/{alias}/clone": {
        parameters: [pathParam("alias", "Alias name")],
        post: {
          summary: "Clone an alias (administrator)",
          requestBody: body(cloneAliasBodySchema),
          responses: { "201": ok("The copy", ALIAS), ...errors(401, 403, 404, 409, 422) },
        },
      },
      "/api/console/aliases/{alias}/rate-limits": {
        parameters: [pathParam("alias", "Alias name")],
        get: {
          summary:
            "The alias's rate limits: each limit's value (an alias setting, 0 = no limit), window and the busiest addresses, accounts and registered domains counted against it now, and the per-account overrides",
          responses: { "200": ok("The rate limits", RATE_LIMITS), ...errors(401, 403, 404) },
        },
      },
      "/api/console/aliases/{alias}/rate-limits/overrides": {
        parameters: [pathParam("alias", "Alias name")],
        post: {
          summary:
            "Set one per-account limit for one account of the alias, replacing an earlier override of it (administrator; audited). value 0: no limit for that account.",
          requestBody: body(setRateLimitOverrideBodySchema),
          responses: { "200": ok("The rate limits", RATE_LIMITS), ...errors(401, 403, 404, 415, 422) },
        },
      },
      "/api/console/aliases/{alias}/rate-limits/overrides/{accountId}/{limit}": {
        parameters: [
          pathParam("alias", "Alias name"),
          pathParam("accountId", "ACME account id"),
          pathParam("limit", `One of ${ACCOUNT_RATE_LIMIT_NAMES.join(", ")}`),
        ],
        delete: {
          summary:
            "Remove one account's override of one limit: the alias's value applies again (administrator; audited)",
          responses: { "200": ok("The rate limits", RATE_LIMITS), ...errors(401, 403, 404) },
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
          summary:
            "Create an API token (administrator); the token is in the answer's `token`, once. Its role may not allow anything its owner's role does not (422 naming `role`); it then acts with only what both its role and its owner's current role allow.",
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
