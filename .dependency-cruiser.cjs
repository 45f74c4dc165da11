// The layers of DESIGN.md, checked on every `npm run lint`. Imports point one way, downward:
//
//   app, server.ts, lib/bootstrap.ts                         (entry points and composition)
//     → lib/acme/http → lib/acme/resources, lib/acme/wire → lib/ra → lib/va, lib/ca → lib/db
//     → lib/console → lib/auth → lib/ra, lib/ca → lib/db
//   shared leaves, below everything: lib/problem.ts, lib/env.ts, lib/names.ts, lib/text.ts,
//     lib/data-dir.ts, lib/forwarded.ts, lib/acme/paths.ts, lib/crypto/**, lib/audit/**,
//     lib/observability/** (metrics instruments, the logger, the request id)
//   lib/ops (health, readiness, /metrics) → lib/auth, lib/ca, lib/db; server.ts imports it, and
//     lib/console reads readiness (lib/ops/health.ts) for the overview
//   components/ → only what runs in a browser: lib/console/schemas, lib/console/client,
//     lib/auth/permissions, lib/ra/alias-settings, lib/ra/eab-algorithms,
//     lib/ra/approval-profile-fields and lib/ra/access-rights (pure), and type-only imports of
//     view types.
//
// A layer may skip layers below it (the front end reads the alias context from lib/ra and the
// nonce table through lib/db), never import one above or beside it. The README's architecture
// section shows the same picture.

/** Folders by layer, as path regular expressions. */
const LEAF =
  "^lib/(problem|env|names|text|data-dir|forwarded)\\.ts$|^lib/acme/paths\\.ts$|^lib/crypto/|^lib/audit/|^lib/observability/";
const DB = "^lib/db/";
const VA = "^lib/va/";
const CA = "^lib/ca/";
const RA = "^lib/ra/";
const WIRE = "^lib/acme/wire/";
const RESOURCES = "^lib/acme/resources/";
const HTTP = "^lib/acme/http/";
const AUTH = "^lib/auth/";
const CONSOLE = "^lib/console/";
const ENTRY = "^(app/|server\\.ts$|lib/bootstrap\\.ts$)";
// Operations endpoints (health, readiness, metrics): composed at the top, called by server.ts only.
const OPS = "^lib/ops/";
const COMPONENTS = "^components/";
const BROWSER_SAFE =
  "^lib/console/(schemas|client)/|^lib/auth/permissions\\.ts$|^lib/ra/(alias-settings|approval-profile-fields|profile-fields|durations|eab-algorithms|access-rights|revocation-reasons)\\.ts$|^lib/acme/paths\\.ts$|^lib/text\\.ts$|^lib/zod-messages\\.ts$|^components/";

const any = (...paths) => paths.join("|");

/** `from` may import nothing of `to` (type-only imports included: a type is a dependency too). */
const forbid = (name, comment, from, to) => ({
  name,
  comment,
  severity: "error",
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "Import cycles make the layers meaningless; break them with a module both sides import.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    forbid(
      "leaves-import-leaves",
      "Shared leaves (problem, env, names, crypto, audit, acme/paths) import nothing above them; they may name lib/db types.",
      LEAF,
      any(VA, CA, RA, WIRE, RESOURCES, HTTP, AUTH, CONSOLE, ENTRY, COMPONENTS),
    ),
    forbid(
      "db-knows-no-rules",
      "lib/db is storage only: it imports nothing of the layers that hold rules.",
      DB,
      any(VA, CA, RA, WIRE, RESOURCES, HTTP, AUTH, CONSOLE, ENTRY, COMPONENTS),
    ),
    forbid(
      "va-and-ca-stay-below-ra",
      "lib/va and lib/ca never call lib/ra or each other; lib/ra calls them.",
      any(VA, CA),
      any(RA, WIRE, RESOURCES, HTTP, AUTH, CONSOLE, ENTRY, COMPONENTS),
    ),
    forbid("va-not-ca", "Validation does not depend on the CA.", VA, CA),
    forbid("ca-not-va", "The CA does not depend on validation.", CA, VA),
    forbid(
      "ra-knows-no-http",
      "lib/ra holds policy: no ACME front end, resources, console or auth.",
      RA,
      any(WIRE, RESOURCES, HTTP, AUTH, CONSOLE, ENTRY, COMPONENTS),
    ),
    forbid(
      "wire-below-resources",
      "lib/acme/wire (payload schemas, objects, JWS, links) is used by resources and the front end.",
      WIRE,
      any(RESOURCES, HTTP, AUTH, CONSOLE, ENTRY, COMPONENTS),
    ),
    forbid(
      "resources-below-http",
      "A resource gets a typed context and returns a reply; it never sees the front end.",
      RESOURCES,
      any(HTTP, AUTH, CONSOLE, ENTRY, COMPONENTS),
    ),
    forbid(
      "http-not-console",
      "The ACME front end knows nothing of the console.",
      HTTP,
      any(AUTH, CONSOLE, ENTRY, COMPONENTS),
    ),
    forbid(
      "auth-below-console",
      "lib/auth (who is asking, which role) and lib/console depend one way only: console → auth.",
      AUTH,
      any(CONSOLE, HTTP, RESOURCES, WIRE, ENTRY, COMPONENTS),
    ),
    forbid(
      "console-not-acme",
      "The console changes ACME configuration through lib/ra only.",
      CONSOLE,
      any(HTTP, RESOURCES, ENTRY, COMPONENTS),
    ),
    forbid(
      "ops-at-the-top",
      "lib/ops (health, readiness, metrics endpoints) is called by server.ts; only the console's overview reads readiness from it.",
      "^lib/(?!ops/|console/)|^components/",
      OPS,
    ),
    forbid(
      "console-reads-readiness-only",
      "The console shows readiness (lib/ops/health.ts); the endpoints themselves are server.ts's.",
      CONSOLE,
      "^lib/ops/(?!health\\.ts$)",
    ),
    {
      name: "components-run-in-the-browser",
      comment:
        "components/ imports only browser-safe modules (schemas, the console's client API, permissions); server modules only for their types.",
      severity: "error",
      from: { path: COMPONENTS },
      to: { path: "^lib/", pathNot: BROWSER_SAFE, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "browser-safe-stays-safe",
      comment: "What components import must not pull server code into the browser bundle.",
      severity: "error",
      from: { path: BROWSER_SAFE },
      to: { path: "^lib/", pathNot: BROWSER_SAFE, dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^lib/db/generated/" },
    // Type-only imports are dependencies too (issue 5: lib/ra imported the JWK type upward).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
