// The console API as an OpenAPI 3.1 document, served at /api/console/openapi.json. Request
// bodies and query strings are generated from the same zod schemas the routes parse with
// (zod 4's z.toJSONSchema), so the document cannot drift from what the server accepts.
import { z } from "zod";
import { ROLES } from "@/lib/auth/permissions";
import { FUNCTION_ACCESS_RULES } from "@/lib/ra/access-rights";
import {
  ACCOUNT_RATE_LIMIT_NAMES,
  aliasSettingsSchema,
  NOT_ENFORCED_ALIAS_FIELDS,
} from "@/lib/ra/alias-settings";
import {
  EAB_KEY_STATES,
  EAB_KEY_TYPES,
  EAB_SIGNATURE_ALGORITHMS,
  MAC_ALGORITHMS,
} from "@/lib/ra/eab-algorithms";
import { accessRuleBodySchema } from "./schemas/access-rules";
import { accountListQuerySchema } from "./schemas/accounts";
import { cloneAliasBodySchema, createAliasBodySchema, renameAliasBodySchema } from "./schemas/aliases";
import { apiTokenListQuerySchema, createApiTokenBodySchema } from "./schemas/api-tokens";
import {
  createApprovalProfileBodySchema,
  updateApprovalProfileBodySchema,
} from "./schemas/approval-profiles";
import { approvalDecisionBodySchema, approvalListQuerySchema } from "./schemas/approvals";
import { auditExportQuerySchema, auditQuerySchema } from "./schemas/audit";
import {
  caDownloadQuerySchema,
  createCaBodySchema,
  crossCertifyCaBodySchema,
  externalChainBodySchema,
  importCaBodySchema,
  renewCaBodySchema,
} from "./schemas/authorities";
import {
  certificateDownloadQuerySchema,
  certificateListQuerySchema,
  revokeCertificateBodySchema,
} from "./schemas/certificates";
import { listQuerySchema } from "./schemas/common";
import {
  createEabKeyBodySchema,
  eabKeyListQuerySchema,
  inspectEabPublicKeyBodySchema,
  updateEabKeyBodySchema,
} from "./schemas/eab-keys";
import { endEntityListQuerySchema } from "./schemas/end-entities";
import { orderListQuerySchema } from "./schemas/orders";
import {
  createCertificateProfileBodySchema,
  createEndEntityProfileBodySchema,
  updateCertificateProfileBodySchema,
  updateEndEntityProfileBodySchema,
} from "./schemas/profiles";
import { setRateLimitOverrideBodySchema } from "./schemas/rate-limits";
import { globalSettingsBodySchema, protocolBodySchema } from "./schemas/settings";
import { publishTermsBodySchema, termsListQuerySchema } from "./schemas/terms";
import { trustAnchorBodySchema, trustAnchorListQuerySchema } from "./schemas/trust-anchors";
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
const EAB_KEY = { $ref: "#/components/schemas/EabKey" };
const nullable = (schema: JsonSchema) => ({ anyOf: [schema, { type: "null" }] });

const EAB_KEY_PROPERTIES = {
  id: { type: "string", format: "uuid" },
  alias: { type: "string" },
  type: {
    type: "string",
    enum: [...EAB_KEY_TYPES],
    description: "mac: a shared MAC key (RFC 8555 §7.3.4); signature: a certificate or public key",
  },
  keyIdentifier: {
    type: "string",
    description: "What clients send: the kid of a MAC key, the fingerprint (cf) of a signature key",
  },
  macAlgorithm: nullable({ type: "string", enum: [...MAC_ALGORITHMS] }),
  signatureAlgorithm: nullable({ type: "string", enum: [...EAB_SIGNATURE_ALGORITHMS] }),
  publicKeyKind: nullable({ type: "string", enum: ["certificate", "publicKey"] }),
  binds: { type: "string", enum: ["one", "many"], description: "How many accounts the key may bind" },
  boundAccountCount: { type: "integer" },
  boundAccounts: {
    type: "array",
    description: "The accounts the key bound, oldest first (at most 100)",
    items: {
      type: "object",
      properties: {
        id: { type: "string" },
        status: { type: "string" },
        contact: { type: "array", items: { type: "string" } },
        createdAt: { type: "string", format: "date-time" },
      },
    },
  },
  state: {
    type: "string",
    enum: [...EAB_KEY_STATES],
    description: "active: can bind an account; otherwise why it cannot",
  },
  expiresAt: nullable({ type: "string", format: "date-time" }),
  disabledAt: nullable({ type: "string", format: "date-time" }),
  createdAt: { type: "string", format: "date-time" },
  createdBy: { type: "string" },
};
const ACCESS_RULE = { $ref: "#/components/schemas/AccessRule" };
const TRUST_ANCHOR = { $ref: "#/components/schemas/TrustAnchor" };
const itemsOf = (schema: JsonSchema) => ({
  type: "object",
  properties: { items: { type: "array", items: schema } },
});
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
            warnings: {
              type: "array",
              description:
                'Stored settings with a consequence to know of, e.g. "Require external account binding" with no usable EAB key: every registration is refused.',
              items: {
                type: "object",
                required: ["field", "message"],
                properties: { field: { type: "string" }, message: { type: "string" } },
              },
            },
            createdAt: { type: "string", format: "date-time" },
          },
        },
        EabKey: { type: "object", properties: EAB_KEY_PROPERTIES },
        AccessRule: {
          type: "object",
          description:
            "A client certificate registered for an alias (match certificate: exactly this certificate; match subject: any certificate of issuerDn whose subject matches subjectPattern) and the access rules granted to it.",
          properties: {
            id: { type: "string", format: "uuid" },
            match: { type: "string", enum: ["certificate", "subject"] },
            issuerDn: { type: "string" },
            subjectPattern: { type: "string" },
            certificateSha256: { type: ["string", "null"] },
            certificatePem: { type: ["string", "null"] },
            rights: {
              type: "array",
              description: `The spec's access rules: ${FUNCTION_ACCESS_RULES.map((r) => r.rule).join(", ")}, and /ca/<CA name>/ per CA. End entity profile rules (/endentityprofilesrules/…) are refused until Keyward has end entity profiles.`,
              items: { type: "string" },
            },
            description: { type: "string" },
            createdAt: { type: "string", format: "date-time" },
          },
        },
        TrustAnchor: {
          type: "object",
          properties: {
            id: { type: "string", format: "uuid" },
            subjectDn: { type: "string" },
            sha256: { type: "string" },
            notBefore: { type: "string", format: "date-time" },
            notAfter: { type: "string", format: "date-time" },
            source: { type: "string", enum: ["keyward", "imported"] },
            pem: { type: "string" },
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
      "/api/console/aliases/{alias}/eab-keys": {
        parameters: [pathParam("alias", "Alias name")],
        get: {
          summary:
            "A page of the alias's external account binding keys: identifiers, policy, state and the accounts each bound (never a secret)",
          parameters: queryParameters(eabKeyListQuerySchema),
          responses: {
            "200": ok("The keys", {
              type: "object",
              properties: {
                alias: { type: "string" },
                required: { type: "boolean", description: 'The alias\'s "Require external account binding"' },
                warning: nullable({ type: "string" }),
                items: { type: "array", items: EAB_KEY },
              },
            }),
            ...errors(401, 403, 404),
          },
        },
        post: {
          summary:
            "Create an EAB key (administrator). type mac: generated when neither key nor keyFile is given (random, as long as the MAC algorithm's hash; kid = base64url(SHA-1(key)) unless keyIdentifier is given); the key is in the answer's `secret.hmacKey`, once. type signature: publicKey (PEM) or publicKeyFile (base64 of PEM or DER); fingerprint defaults to base64url(SHA-256(DER)), signatureAlgorithm to the certificate's.",
          requestBody: body(createEabKeyBodySchema),
          responses: {
            "201": ok("The key, and for a MAC key its secret (shown once)", {
              type: "object",
              properties: {
                key: EAB_KEY,
                secret: nullable({
                  type: "object",
                  properties: {
                    keyIdentifier: { type: "string" },
                    macAlgorithm: { type: "string", enum: [...MAC_ALGORITHMS] },
                    hmacKey: {
                      type: "string",
                      description: "base64url, as certbot --eab-hmac-key and lego --hmac take it",
                    },
                  },
                }),
              },
            }),
            ...errors(401, 403, 404, 409, 415, 422),
          },
        },
      },
      "/api/console/aliases/{alias}/eab-keys/{id}": {
        parameters: [pathParam("alias", "Alias name"), pathParam("id", "EAB key id")],
        patch: {
          summary:
            "Disable an EAB key (it binds no account from now on; accounts it bound keep working), or enable it again (administrator)",
          requestBody: body(updateEabKeyBodySchema),
          responses: { "200": ok("The key", EAB_KEY), ...errors(401, 403, 404, 409, 422) },
        },
        delete: {
          summary:
            "Delete an EAB key (administrator); accounts it bound keep working and keep its identifier",
          responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404) },
        },
      },
      "/api/console/eab-keys/inspect": {
        post: {
          summary:
            "What an uploaded certificate or public key holds — kind, key, default fingerprint, signature algorithm — before it is stored (administrator)",
          requestBody: body(inspectEabPublicKeyBodySchema),
          responses: { "200": ok("The key's description"), ...errors(401, 403, 422) },
        },
      },
      "/api/console/aliases/{alias}/terms": {
        parameters: [pathParam("alias", "Alias name")],
        get: {
          summary:
            "The alias's terms-of-service versions, newest first, with the accounts that agreed to each",
          responses: { "200": ok("The terms"), ...errors(401, 403, 404) },
        },
        post: {
          summary:
            "Publish new terms of service (administrator): the directory names the new URL from now on, and accounts that have not agreed to it are refused (403 userActionRequired) where the alias requires approval of changes",
          requestBody: body(publishTermsBodySchema),
          responses: { "201": ok("The terms"), ...errors(401, 403, 404, 422) },
        },
      },
      "/api/console/terms": {
        get: {
          summary:
            "A page of aliases with their terms of service: versions, when each took effect, accounts that agreed",
          parameters: queryParameters(termsListQuerySchema),
          responses: { "200": ok("Terms per alias"), ...errors(401, 403) },
        },
      },
      "/api/console/approval-profiles": {
        get: {
          summary: "Approval profiles, each with the aliases that use it",
          responses: { "200": ok("The profiles"), ...errors(401, 403) },
        },
        post: {
          summary: "Create an approval profile (administrator)",
          requestBody: body(createApprovalProfileBodySchema),
          responses: { "201": ok("The profile"), ...errors(401, 403, 409, 422) },
        },
      },
      "/api/console/approval-profiles/{name}": {
        parameters: [pathParam("name", "Profile name")],
        get: {
          summary: "An approval profile",
          responses: { "200": ok("The profile"), ...errors(401, 403, 404) },
        },
        patch: {
          summary:
            "Change an approval profile's fields (administrator); open requests keep the rules they were made with",
          requestBody: body(updateApprovalProfileBodySchema),
          responses: { "200": ok("The profile"), ...errors(401, 403, 404, 422) },
        },
        delete: {
          summary: "Delete an approval profile (administrator); refused while an alias names it",
          responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404, 409) },
        },
      },
      "/api/console/certificate-profiles": {
        get: {
          summary: "Certificate profiles (issue 12), each with the end entity profiles that use it",
          responses: { "200": ok("The profiles"), ...errors(401, 403) },
        },
        post: {
          summary:
            "Create a certificate profile (administrator): key algorithms, ECDSA curves, RSA bit lengths, validity, key usages, extended key usages, available CAs, EAB namespace",
          requestBody: body(createCertificateProfileBodySchema),
          responses: { "201": ok("The profile"), ...errors(401, 403, 409, 422) },
        },
      },
      "/api/console/certificate-profiles/{name}": {
        parameters: [pathParam("name", "Profile name")],
        get: {
          summary: "A certificate profile",
          responses: { "200": ok("The profile"), ...errors(401, 403, 404) },
        },
        patch: {
          summary: "Change a certificate profile's fields (administrator); applies to the next finalize",
          requestBody: body(updateCertificateProfileBodySchema),
          responses: { "200": ok("The profile"), ...errors(401, 403, 404, 422) },
        },
        delete: {
          summary:
            "Delete a certificate profile (administrator); refused while an end entity profile names it",
          responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404, 409) },
        },
      },
      "/api/console/end-entity-profiles": {
        get: {
          summary: "End entity profiles (issue 12), each with the aliases that use it",
          responses: { "200": ok("The profiles"), ...errors(401, 403) },
        },
        post: {
          summary:
            "Create an end entity profile (administrator): subject DN attributes, SAN DNS and IP counts, default certificate profile, default CA, batch generation",
          requestBody: body(createEndEntityProfileBodySchema),
          responses: { "201": ok("The profile"), ...errors(401, 403, 409, 422) },
        },
      },
      "/api/console/end-entity-profiles/{name}": {
        parameters: [pathParam("name", "Profile name")],
        get: {
          summary: "An end entity profile",
          responses: { "200": ok("The profile"), ...errors(401, 403, 404) },
        },
        patch: {
          summary: "Change an end entity profile's fields (administrator)",
          requestBody: body(updateEndEntityProfileBodySchema),
          responses: { "200": ok("The profile"), ...errors(401, 403, 404, 422) },
        },
        delete: {
          summary: "Delete an end entity profile (administrator); refused while an alias names it",
          responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404, 409) },
        },
      },
      "/api/console/approvals": {
        get: {
          summary:
            "Approval requests: view=pending (open, oldest first) or view=history (decided and expired, newest first). Each says whether the caller may decide it (canDecide, cannotDecideReason)",
          parameters: queryParameters(approvalListQuerySchema),
          responses: { "200": ok("A page of requests"), ...errors(401, 403) },
        },
      },
      "/api/console/approvals/{id}": {
        parameters: [pathParam("id", "The RequestID")],
        get: {
          summary: "One approval request",
          responses: { "200": ok("The request"), ...errors(401, 403, 404) },
        },
      },
      "/api/console/approvals/{id}/decision": {
        parameters: [pathParam("id", "The RequestID")],
        post: {
          summary:
            "Approve or reject a request (approvers; administrators where the profile allows). A person decides a request once, and not one whose contacts name them unless the profile allows it; a rejection needs a comment",
          requestBody: body(approvalDecisionBodySchema),
          responses: { "200": ok("The request after the decision"), ...errors(401, 403, 404, 409, 422) },
        },
      },
      "/api/console/accounts": {
        get: {
          summary: "ACME accounts, newest first, searched by alias, status, contact and key thumbprint",
          parameters: queryParameters(accountListQuerySchema),
          responses: { "200": ok("A page of accounts"), ...errors(401, 403) },
        },
      },
      "/api/console/accounts/{id}": {
        parameters: [pathParam("id", "Account id")],
        get: {
          summary: "An ACME account with its orders, certificates and approval requests",
          responses: { "200": ok("The account"), ...errors(401, 403, 404) },
        },
      },
      "/api/console/accounts/{id}/deactivate": {
        parameters: [pathParam("id", "Account id")],
        post: {
          summary: "Deactivate an ACME account (administrator; irreversible, RFC 8555 §7.3.6)",
          responses: { "200": ok("The account"), ...errors(401, 403, 404, 409) },
        },
      },
      "/api/console/certificates": {
        get: {
          summary:
            "Issued certificates, searched by serial (hex prefix), name (part of a SAN or the subject; % and _ match themselves), account, alias, status (valid, revoked, expired) and expiry window, sorted by issued, expires or serial",
          parameters: queryParameters(certificateListQuerySchema),
          responses: { "200": ok("A page of certificates"), ...errors(401, 403, 422) },
        },
      },
      "/api/console/certificates/{id}": {
        parameters: [pathParam("id", "Certificate id")],
        get: {
          summary:
            "One certificate decoded (subject, SANs, issuer, serial, validity, key, key usage, extended key usage, fingerprints) with its account, order, issuing chain and CRL",
          responses: { "200": ok("The certificate"), ...errors(401, 403, 404) },
        },
      },
      "/api/console/certificates/{id}/download": {
        parameters: [pathParam("id", "Certificate id")],
        get: {
          summary:
            "The certificate as a file: pem (the certificate), chain (it and its issuers, RFC 8555 §9.1) or der",
          parameters: queryParameters(certificateDownloadQuerySchema),
          responses: { "200": { description: "The file" }, ...errors(401, 403, 404, 422) },
        },
      },
      "/api/console/certificates/{id}/revoke": {
        parameters: [pathParam("id", "Certificate id")],
        post: {
          summary:
            "Revoke a certificate (administrator) with an RFC 5280 §5.3.1 reason the Baseline Requirements allow for subscriber certificates; audited, and the issuing CA's CRL lists it at once",
          requestBody: body(revokeCertificateBodySchema),
          responses: { "200": ok("The certificate, revoked"), ...errors(401, 403, 404, 409, 415, 422) },
        },
      },
      "/api/console/end-entities": {
        get: {
          summary:
            "End entities (RA mode, issue 12 item 4), searched by q (part of the username or subject; % and _ match themselves), status (NEW, GENERATED) and alias, sorted by updated or username",
          parameters: queryParameters(endEntityListQuerySchema),
          responses: { "200": ok("A page of end entities"), ...errors(401, 403, 422) },
        },
      },
      "/api/console/end-entities/{id}": {
        parameters: [pathParam("id", "End entity id (UUID)")],
        get: {
          summary:
            "One end entity: username, status, subject, SANs, alias, profiles and CA of its latest enrolment, and its certificates, newest first",
          responses: { "200": ok("The end entity"), ...errors(401, 403, 404) },
        },
      },
      "/api/console/orders": {
        get: {
          summary:
            "ACME orders, newest first, searched by identifier (part of its value; % and _ match themselves), account, alias and status",
          parameters: queryParameters(orderListQuerySchema),
          responses: { "200": ok("A page of orders"), ...errors(401, 403, 422) },
        },
      },
      "/api/console/orders/{id}": {
        parameters: [pathParam("id", "Order id")],
        get: {
          summary:
            "One order with its authorizations, each challenge's status and error, and the validation records (what the validation authority asked and saw)",
          responses: { "200": ok("The order"), ...errors(401, 403, 404) },
        },
      },
      "/api/console/certificate-authorities": {
        get: {
          summary:
            "Keyward's certificate authorities: subject, issuer, validity, key, SHA-256 fingerprint, whether imported or the default issuing CA, successor after a new-key renewal, chains and cross-certificates",
          responses: { "200": ok("The CAs"), ...errors(401, 403) },
        },
        post: {
          summary:
            "Create a root CA, or a sub-CA signed by a Keyward root (administrator): key algorithm, subject DN (a CN is required) and validity in days (default 20 years for a root, 10 for a sub-CA, clamped to the parent's). Audited as ca.created",
          requestBody: body(createCaBodySchema),
          responses: { "201": ok("The new CA"), ...errors(401, 403, 409, 415, 422) },
        },
      },
      "/api/console/certificate-authorities/import": {
        post: {
          summary:
            "Import an external CA (administrator): its certificate and unencrypted PKCS#8 private key, each PEM or base64 of the DER. The key must belong to the certificate, which must be a CA certificate; the key is sealed with the master key and never shown again. Self-signed: a root; otherwise an issuing CA (under the Keyward root that signed it, if any). For an issuing CA signed outside Keyward, externalChain is the PEM chain above it (its issuer first, up to the external self-signed root): each certificate must sign the one before it, be a CA certificate and be valid now, else 422 naming externalChain; ACME clients then receive the CA's certificates with that chain. Audited as ca.imported",
          requestBody: body(importCaBodySchema),
          responses: { "201": ok("The imported CA"), ...errors(401, 403, 409, 415, 422) },
        },
      },
      "/api/console/certificate-authorities/{id}": {
        parameters: [pathParam("id", "CA id")],
        delete: {
          summary:
            "Delete a CA (administrator) that has issued no certificate and that nothing refers to: not the default issuing CA, not the parent or cross-certifier of another CA, not part of a new-key renewal, not a profile's default or available CA, not an alias's preferred root, not in a client certificate's access rules. Its sealed key and cross-certificates go with it. Otherwise 409 naming every reference; a CA that has issued must be left to its certificates' revocation or expiry. Audited as ca.deleted",
          responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404, 409) },
        },
      },
      "/api/console/certificate-authorities/{id}/external-chain": {
        parameters: [pathParam("id", "CA id")],
        put: {
          summary:
            "Add or replace the external chain above an imported CA signed outside Keyward (administrator): PEM, its issuer first, up to the external self-signed root; verified as at import (order, signatures, basicConstraints cA, validity), else 422 naming externalChain. Audited as ca.externalChainSet",
          requestBody: body(externalChainBodySchema),
          responses: { "200": ok("The CA"), ...errors(401, 403, 404, 409, 415, 422) },
        },
      },
      "/api/console/certificate-authorities/{id}/renew": {
        parameters: [pathParam("id", "CA id")],
        post: {
          summary:
            "Renew a CA (administrator). newKey false: a new certificate for the same key and subject, the CA keeps its id. newKey true: a successor CA with a new key and the same subject issues in its place (end entity profiles that chose the CA follow it); the old CA keeps its CRL. A root is self-signed again, a sub-CA signed by its root. Audited as ca.renewed",
          requestBody: body(renewCaBodySchema),
          responses: {
            "200": ok("The CA that issues after the renewal"),
            ...errors(401, 403, 404, 409, 415, 422),
          },
        },
      },
      "/api/console/certificate-authorities/{id}/cross-certificates": {
        parameters: [pathParam("id", "CA id")],
        post: {
          summary:
            "Cross-certify an issuing CA under another Keyward root (administrator): a second certificate for its subject and key, so its certificates have one more chain, served as an RFC 8555 §7.4.2 alternate. Audited as ca.crossCertified",
          requestBody: body(crossCertifyCaBodySchema),
          responses: { "201": ok("The CA with its cross-certificates"), ...errors(401, 403, 404, 415, 422) },
        },
      },
      "/api/console/certificate-authorities/{id}/download": {
        parameters: [pathParam("id", "CA id")],
        get: {
          summary:
            "A CA certificate as a file: pem, der, or chain (it and the certificates above it, root included). chain=0: the CA's own certificate; chain=1…: its cross-certificates, oldest first",
          parameters: queryParameters(caDownloadQuerySchema),
          responses: { "200": { description: "The file" }, ...errors(401, 403, 404, 422) },
        },
      },
      "/api/console/aliases/{alias}/access-rules": {
        parameters: [pathParam("alias", "Alias name")],
        get: {
          summary: "The client certificates registered for an alias and the access rules granted to each",
          responses: { "200": ok("The access rules", itemsOf(ACCESS_RULE)), ...errors(401, 403, 404) },
        },
        post: {
          summary:
            "Register a client certificate for an alias (administrator): an uploaded certificate, or an issuer and a subject pattern (`*` inside a value, or `*` alone for any subject), with the access rules it is granted",
          requestBody: body(accessRuleBodySchema),
          responses: { "201": ok("The access rule", ACCESS_RULE), ...errors(401, 403, 404, 409, 415, 422) },
        },
      },
      "/api/console/aliases/{alias}/access-rules/{id}": {
        parameters: [pathParam("alias", "Alias name"), pathParam("id", "Access rule id")],
        delete: {
          summary: "Remove an access rule (administrator)",
          responses: { "204": { description: "Removed" }, ...errors(401, 403, 404) },
        },
      },
      "/api/console/trust-anchors": {
        get: {
          summary: "A page of the CA certificates ACME client certificates may chain to",
          parameters: queryParameters(trustAnchorListQuerySchema),
          responses: { "200": ok("The trust anchors", itemsOf(TRUST_ANCHOR)), ...errors(401, 403) },
        },
        post: {
          summary: "Import a CA certificate as a client trust anchor (administrator)",
          requestBody: body(trustAnchorBodySchema),
          responses: { "201": ok("The trust anchor", TRUST_ANCHOR), ...errors(401, 403, 409, 415, 422) },
        },
      },
      "/api/console/trust-anchors/{id}": {
        parameters: [pathParam("id", "Trust anchor id")],
        delete: {
          summary: "Remove a client trust anchor (administrator)",
          responses: { "204": { description: "Removed" }, ...errors(401, 403, 404) },
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
          parameters: queryParameters(apiTokenListQuerySchema),
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
          summary: "The audit log, newest first by default (administrator, auditor)",
          parameters: queryParameters(auditQuerySchema),
          responses: { "200": ok("A page of events"), ...errors(401, 403) },
        },
      },
      "/api/console/audit/export": {
        get: {
          summary:
            "Every event the filters select, newest first, streamed as CSV or JSON lines (administrator, auditor)",
          parameters: queryParameters(auditExportQuerySchema),
          responses: {
            "200": {
              description: "The events, as an attachment",
              content: {
                "text/csv": { schema: { type: "string" } },
                "application/jsonl": { schema: { type: "string" } },
              },
            },
            ...errors(401, 403, 422),
          },
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
