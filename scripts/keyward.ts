// Keyward's command line, for bootstrap without a browser and for scripts on the CA's host:
//
//   npm run keyward -- user create --username <name> --role <administrator|approver|auditor> [--password <p>]
//   npm run keyward -- user list
//   npm run keyward -- user reset-password --username <name>
//   npm run keyward -- user unlock --username <name>
//   npm run keyward -- acme enable | disable | status
//   npm run keyward -- alias list
//   npm run keyward -- alias apply --file <alias.json>      { "name": "...", "settings": { ... } }
//   npm run keyward -- token create --name <n> --role <role> --user <username> [--expires-days <d>]
//                      (a role allowing nothing the user's own role does not)
//   npm run keyward -- ratelimit list --alias <alias>
//   npm run keyward -- ratelimit set --alias <alias> --account <id> --limit <name> --value <n> [--note <text>]
//   npm run keyward -- ratelimit clear --alias <alias> --account <id> --limit <name>
//
// It changes the database through the same lib/console services as the console and its API, so
// it refuses what they refuse, and every change is audited (actor "system"). The database is
// DATABASE_URL, or the embedded one in KEYWARD_DATA_DIR when unset (through the running server's
// socket when the server is up, since only one process can open the directory).
// Exit codes: 0 done, 1 refused or failed, 2 wrong usage.
import fs from "node:fs/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { CLI_ACTOR } from "@/lib/auth/actor";
import { ROLES } from "@/lib/auth/permissions";
import { applyAlias, listAliases } from "@/lib/console/aliases";
import { createApiToken } from "@/lib/console/api-tokens";
import { clearRateLimitOverride, getAliasRateLimits, setRateLimitOverride } from "@/lib/console/rate-limits";
import { applyAliasFileSchema } from "@/lib/console/schemas/aliases";
import { accountRateLimitNameSchema } from "@/lib/console/schemas/rate-limits";
import { getProtocolState, setProtocolEnabled } from "@/lib/console/settings";
import { createUser, listUsers, updateUser } from "@/lib/console/users";
import { secretBox } from "@/lib/crypto/master-key";
import { closeDb, db } from "@/lib/db/client";
import { type EmbeddedDatabase, openEmbeddedDatabase } from "@/lib/db/embedded";
import { applyMigrations, MIGRATIONS_DIR } from "@/lib/db/migrate";
import { adoptDatabaseUrl, env } from "@/lib/env";
import { isAcmeProblem, zodProblem } from "@/lib/problem";
import { ACCOUNT_RATE_LIMIT_NAMES } from "@/lib/ra/alias-settings";
import { ensureBootstrapAlias } from "@/lib/ra/aliases";
import { ensureGlobalSettings } from "@/lib/ra/global-settings";

const EXIT_REFUSED = 1;
const EXIT_USAGE = 2;

const USAGE = `Usage: npm run keyward -- <command>

  user create --username <name> --role <${ROLES.join("|")}> [--password <password>]
                         a user; without --password a one-time password is printed
  user list
  user reset-password --username <name>
  user unlock --username <name>
                         lifts a sign-in lock after too many wrong passwords
                         a new one-time password, to be changed at the next sign-in
  acme enable | acme disable | acme status
                         the ACME protocol switch (disabled on a new installation)
  alias list
  alias apply --file <alias.json>
                         create or update an alias from { "name": "...", "settings": { ... } }
                         and store it (fields left out keep their value, or the default)
  token create --name <name> --role <role> --user <username> [--expires-days <days>]
                         an API token for the console's JSON API, printed once; its role may
                         allow nothing the user's role does not, and it acts with no more than
                         the user's current role allows
  ratelimit list --alias <alias>
                         each rate limit of the alias with its value, window and busiest keys
                         now, and the per-account overrides
  ratelimit set --alias <alias> --account <id> --limit <name> --value <n> [--note <text>]
                         one limit for one account (0: no limit for it); limits: ${ACCOUNT_RATE_LIMIT_NAMES.join(", ")}
  ratelimit clear --alias <alias> --account <id> --limit <name>
                         the alias's value applies to that account again

Options: --json prints the result as JSON.
Database: DATABASE_URL, or the embedded database in KEYWARD_DATA_DIR (default ./data).`;

class UsageError extends Error {}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

let embedded: EmbeddedDatabase | undefined;

/** Opens the database the server would use, with migrations applied and first-start rows in place. */
async function openDatabase(): Promise<void> {
  let url = env().DATABASE_URL;
  if (!url) {
    const { dataDir } = env();
    // While the server runs, its embedded database is used through the server's socket.
    embedded = await openEmbeddedDatabase({ dataDir });
    url = embedded.url;
    adoptDatabaseUrl(url);
  }
  if (!(await isSchemaCurrent(url))) await applyMigrations(url);
  await ensureGlobalSettings(db(), secretBox());
  await ensureBootstrapAlias(db());
}

/** Every migration folder recorded as applied: then the schema engine (seconds to start) is not needed. */
async function isSchemaCurrent(url: string): Promise<boolean> {
  const folders = (await fs.readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return folders.every((f) => applied.has(f));
  } catch {
    return false; // no _prisma_migrations table yet: a new database
  } finally {
    await client.end().catch(() => {});
  }
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      username: { type: "string" },
      role: { type: "string" },
      password: { type: "string" },
      file: { type: "string" },
      name: { type: "string" },
      user: { type: "string" },
      "expires-days": { type: "string" },
      alias: { type: "string" },
      account: { type: "string" },
      limit: { type: "string" },
      value: { type: "string" },
      note: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [group, command] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return;
  }
  const print = (human: string, data: unknown) =>
    console.log(values.json ? JSON.stringify(data, null, 2) : human);
  const actor = CLI_ACTOR;

  // Validate what can be validated before opening a database (a typo costs no start-up).
  let aliasFile: { name: string; settings: Record<string, unknown> } | undefined;
  if (group === "alias" && command === "apply") {
    const file = required(values, "file");
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch (err) {
      throw new Error(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = applyAliasFileSchema.safeParse(json);
    if (!parsed.success) throw zodProblem(parsed.error);
    aliasFile = parsed.data;
  }
  const known: Record<string, string[]> = {
    user: ["create", "list", "reset-password", "unlock"],
    acme: ["enable", "disable", "status"],
    alias: ["list", "apply"],
    token: ["create"],
    ratelimit: ["list", "set", "clear"],
  };
  if (!known[group]?.includes(command ?? ""))
    throw new UsageError(`Unknown command: ${[group, command].filter(Boolean).join(" ")}`);

  await openDatabase();

  switch (`${group} ${command}`) {
    case "user create": {
      const input = {
        username: required(values, "username"),
        role: required(values, "role"),
        ...(values.password ? { password: values.password } : {}),
      };
      const { user, oneTimePassword } = await createUser({ actor, input });
      print(
        oneTimePassword
          ? `Created ${user.role} "${user.username}".\nOne-time password (shown once, to be changed at first sign-in): ${oneTimePassword}`
          : `Created ${user.role} "${user.username}".`,
        { user, oneTimePassword },
      );
      return;
    }
    case "user list": {
      const page = await listUsers({ actor, pageSize: 100 });
      print(
        page.items.map((u) => `${u.username}\t${u.role}${u.disabled ? "\tdisabled" : ""}`).join("\n") ||
          "No users.",
        page.items,
      );
      return;
    }
    case "user reset-password": {
      const { user, oneTimePassword } = await updateUser({
        actor,
        username: required(values, "username"),
        input: { resetPassword: true },
      });
      print(`New one-time password for "${user.username}" (shown once): ${oneTimePassword}`, {
        user,
        oneTimePassword,
      });
      return;
    }
    case "user unlock": {
      const { user } = await updateUser({
        actor,
        username: required(values, "username"),
        input: { unlockSignIn: true },
      });
      print(`Sign-in unlocked for "${user.username}".`, { user });
      return;
    }
    case "acme enable":
    case "acme disable": {
      const state = await setProtocolEnabled({ actor, enabled: command === "enable" });
      print(`ACME is ${state.acmeEnabled ? "enabled" : "disabled"}.`, state);
      return;
    }
    case "acme status": {
      const state = await getProtocolState({ actor });
      print(
        [
          `ACME: ${state.acmeEnabled ? "enabled" : "disabled"}`,
          `Default alias: ${state.defaultAlias ? state.defaultAlias.name : "none"}`,
          `Replay nonce validity: ${state.replayNonceValidityMs} ms`,
        ].join("\n"),
        state,
      );
      return;
    }
    case "alias list": {
      const page = await listAliases({ actor, pageSize: 100 });
      print(
        page.items
          .map(
            (a) =>
              `${a.name}${a.isDefault ? "\t(default)" : ""}\t${a.configured ? "stored" : "not stored yet"}`,
          )
          .join("\n") || "No aliases.",
        page.items,
      );
      return;
    }
    case "alias apply": {
      const file = aliasFile as { name: string; settings: Record<string, unknown> };
      const { created, alias } = await applyAlias({ actor, name: file.name, settings: file.settings });
      // Fields of the file that are stored but change nothing yet: said, so none looks like protection.
      const notEnforced = alias.notEnforced.filter((f) => f.field in file.settings);
      print(
        [
          `${created ? "Created" : "Updated"} and stored alias "${alias.name}"${alias.isDefault ? " (the default alias)" : ""}.`,
          ...notEnforced.map((f) => `Not enforced yet: ${f.field}: ${f.reason}`),
        ].join("\n"),
        alias,
      );
      return;
    }
    case "ratelimit list": {
      const limits = await getAliasRateLimits({ actor, name: required(values, "alias") });
      print(formatRateLimits(limits), limits);
      return;
    }
    case "ratelimit set": {
      const value = required(values, "value");
      const limits = await setRateLimitOverride({
        actor,
        name: required(values, "alias"),
        input: {
          accountId: required(values, "account"),
          limit: required(values, "limit"),
          value: /^\d+$/.test(value) ? Number(value) : value,
          ...(values.note !== undefined ? { note: values.note } : {}),
        },
      });
      print(
        `Set ${values.limit} = ${value} for account ${values.account} on alias "${limits.alias}".`,
        limits,
      );
      return;
    }
    case "ratelimit clear": {
      const limit = accountRateLimitNameSchema.safeParse(required(values, "limit"));
      if (!limit.success) throw zodProblem(limit.error, "limit");
      const limits = await clearRateLimitOverride({
        actor,
        name: required(values, "alias"),
        accountId: required(values, "account"),
        limit: limit.data,
      });
      print(
        `Cleared the override of ${limit.data} for account ${values.account}: alias "${limits.alias}"'s value applies.`,
        limits,
      );
      return;
    }
    case "token create": {
      const days = values["expires-days"];
      const input = {
        name: required(values, "name"),
        role: required(values, "role"),
        ...(days !== undefined ? { expiresInDays: /^\d+$/.test(days) ? Number(days) : days } : {}),
      };
      const { token, apiToken } = await createApiToken({
        actor,
        input,
        ownerUsername: required(values, "user"),
      });
      print(
        `Created ${apiToken.role} token "${apiToken.name}" for ${apiToken.createdBy}. Shown once:\n${token}`,
        { token, apiToken },
      );
      return;
    }
  }
}

/** `ratelimit list` for people: one block per limit, then the overrides. */
function formatRateLimits(r: Awaited<ReturnType<typeof getAliasRateLimits>>): string {
  const lines = [`Rate limits of alias "${r.alias}" (0: no limit), usage at ${r.at}:`];
  for (const l of r.limits) {
    const value =
      l.value === 0
        ? "no limit"
        : `${l.value} ${l.counts} ${l.window === "at once" ? "at once" : `per ${l.window}`}`;
    lines.push(`  ${l.name}: ${value} (Let's Encrypt: ${l.letsEncrypt})`);
    for (const t of l.top) {
      const who = t.name ? `${t.key} ${t.name}` : t.key;
      lines.push(
        `    ${t.count}${t.limit ? `/${t.limit}` : ""}\t${who}${t.overridden ? "\t(override)" : ""}`,
      );
    }
  }
  lines.push(r.overrides.length ? "Overrides:" : "No overrides.");
  for (const o of r.overrides) {
    lines.push(
      `  ${o.accountId}\t${o.limit} = ${o.value}\tby ${o.setBy} ${o.updatedAt}${o.note ? `\t${o.note}` : ""}`,
    );
  }
  return lines.join("\n");
}

async function main() {
  let code = 0;
  try {
    await run(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      code = EXIT_USAGE;
    } else if (isAcmeProblem(err)) {
      console.error(`Refused: ${err.detail}`);
      const params = (err.options.extra?.invalidParams ?? []) as { name: string; reason: string }[];
      for (const p of params) console.error(`  ${p.name}: ${p.reason}`);
      code = EXIT_REFUSED;
    } else if (
      err instanceof Error &&
      err.name === "TypeError" &&
      /parseArgs|Unknown option|ERR_PARSE_ARGS/.test(`${(err as NodeJS.ErrnoException).code} ${err.message}`)
    ) {
      console.error(`${err.message}\n\n${USAGE}`);
      code = EXIT_USAGE;
    } else {
      console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
      code = EXIT_REFUSED;
    }
  } finally {
    await closeDb().catch(() => {});
    await embedded?.stop().catch(() => {});
  }
  // The schema engine leaves a timer running (STACK.md): exit explicitly.
  process.exit(code);
}

void main();
