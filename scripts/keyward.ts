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
//   npm run keyward -- eab create --alias <a> [--type mac|signature] [options]   (prints a MAC key once)
//   npm run keyward -- eab list --alias <a>
//   npm run keyward -- eab disable|delete --alias <a> --kid <key identifier or fingerprint>
//   npm run keyward -- approval list [--history] [--alias <alias>]
//   npm run keyward -- approval approve <id> --user <username> [--comment <text>]
//   npm run keyward -- approval reject <id> --user <username> --comment <text>
//   npm run keyward -- approval-profile list
//   npm run keyward -- approval-profile apply --file <profile.json>   { "name": "...", ... }
//   npm run keyward -- certificate-profile list | apply --file <profile.json>
//   npm run keyward -- end-entity-profile list | apply --file <profile.json>
//   npm run keyward -- access-rule list --alias <a>
//   npm run keyward -- access-rule add --alias <a> (--certificate <file> | --issuer <dn> --subject <pattern>)
//                      [--right <rule>]… [--all-rights] [--description <text>]
//   npm run keyward -- access-rule remove --alias <a> --id <id>
//   npm run keyward -- trust-anchor list | import --file <ca.pem> | remove --id <id>
//   npm run keyward -- ca list | create | import | renew | cross-certify | download | chain | delete
//   npm run keyward -- ratelimit list --alias <alias>
//   npm run keyward -- ratelimit set --alias <alias> --account <id> --limit <name> --value <n> [--note <text>]
//   npm run keyward -- ratelimit clear --alias <alias> --account <id> --limit <name>
//   npm run keyward -- certificate list [--name <part>] [--serial <hex>] [--alias <a>] [--account <id>] [--status <s>]
//   npm run keyward -- certificate revoke --id <certificate id> --reason <RFC 5280 code>
//   npm run keyward -- backup --out <file> [--include-master-key] [--passphrase-file <file>]
//   npm run keyward -- backup verify <file> [--passphrase-file <file>]
//   npm run keyward -- restore <file> [--force] [--passphrase-file <file>]
//
// It changes the database through the same lib/console services as the console and its API, so
// it refuses what they refuse, and every change is audited (actor "system"). The database is
// DATABASE_URL, or the embedded one in KEYWARD_DATA_DIR when unset (through the running server's
// socket when the server is up, since only one process can open the directory).
// Exit codes: 0 done, 1 refused or failed, 2 wrong usage.
import fs from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { CLI_ACTOR } from "@/lib/auth/actor";
import { ROLES } from "@/lib/auth/permissions";
import {
  addAccessRule,
  getAccessRuleChoices,
  listAccessRules,
  removeAccessRule,
} from "@/lib/console/access-rules";
import { applyAlias, listAliases } from "@/lib/console/aliases";
import { createApiToken } from "@/lib/console/api-tokens";
import { applyApprovalProfile, listApprovalProfiles } from "@/lib/console/approval-profiles";
import { type ApprovalRequestView, decideApproval, listApprovals } from "@/lib/console/approvals";
import {
  createCa,
  crossCertifyCa,
  deleteCa,
  downloadCertificateAuthority,
  importCa,
  listCertificateAuthorities,
  renewCa,
  setCaExternalChain,
} from "@/lib/console/authorities";
import { listCertificates, revokeCertificate } from "@/lib/console/certificates";
import {
  createEabKey,
  deleteEabKey,
  type EabKeyView,
  listEabKeys,
  updateEabKey,
} from "@/lib/console/eab-keys";
import {
  applyCertificateProfile,
  applyEndEntityProfile,
  listCertificateProfiles,
  listEndEntityProfiles,
} from "@/lib/console/profiles";
import { clearRateLimitOverride, getAliasRateLimits, setRateLimitOverride } from "@/lib/console/rate-limits";
import { accessRuleBodySchema } from "@/lib/console/schemas/access-rules";
import { applyAliasFileSchema } from "@/lib/console/schemas/aliases";
import { applyApprovalProfileFileSchema } from "@/lib/console/schemas/approval-profiles";
import { approvalParamsSchema } from "@/lib/console/schemas/approvals";
import {
  CA_KEY_ALGORITHMS,
  type CreateCaBody,
  caDownloadQuerySchema,
  createCaBodySchema,
  crossCertifyCaBodySchema,
  externalChainBodySchema,
  importCaBodySchema,
  renewCaBodySchema,
} from "@/lib/console/schemas/authorities";
import {
  type CertificateListQuery,
  certificateListQuerySchema,
  revokeCertificateBodySchema,
} from "@/lib/console/schemas/certificates";
import { applyProfileFileSchema } from "@/lib/console/schemas/profiles";
import { accountRateLimitNameSchema } from "@/lib/console/schemas/rate-limits";
import { trustAnchorBodySchema } from "@/lib/console/schemas/trust-anchors";
import { getProtocolState, setProtocolEnabled } from "@/lib/console/settings";
import { importTrustAnchor, listTrustAnchors, removeTrustAnchor } from "@/lib/console/trust-anchors";
import { cliActorForUser, createUser, listUsers, updateUser } from "@/lib/console/users";
import {
  installMasterKeyFile,
  masterKeyLocation,
  readMasterKeyIfPresent,
  secretBox,
} from "@/lib/crypto/master-key";
import { ensurePrivateDirectory } from "@/lib/data-dir";
import { closeDb, db } from "@/lib/db/client";
import {
  type EmbeddedDatabase,
  openEmbeddedDatabase,
  runningEmbeddedDatabaseUrl,
  startEmbeddedDatabase,
} from "@/lib/db/embedded";
import { applyMigrations, MIGRATIONS_DIR } from "@/lib/db/migrate";
import { adoptDatabaseUrl, env } from "@/lib/env";
import {
  BackupError,
  createBackup,
  describeManifest,
  MIN_PASSPHRASE_LENGTH,
  openMasterKey,
  readBackup,
  restoreBackup,
} from "@/lib/ops/backup";
import { isAcmeProblem, notFoundProblem, zodProblem } from "@/lib/problem";
import { ACCOUNT_RATE_LIMIT_NAMES } from "@/lib/ra/alias-settings";
import { ensureBootstrapAlias } from "@/lib/ra/aliases";
import { ensureGlobalSettings } from "@/lib/ra/global-settings";
import { OPERATOR_REVOCATION_REASONS } from "@/lib/ra/revocation-reasons";

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
  eab create --alias <alias> [--type mac|signature] [--binds one|many] [--expires-days <days>]
      mac (default):     [--mac-algorithm HS256|HS384|HS512] [--kid <key identifier>]
                         [--key <base64url> | --key-file <PEM, DER or raw file>]
                         without --key/--key-file a key is generated; the key is printed once
      signature:         --public-key-file <certificate or public key, PEM or DER>
                         [--fingerprint <base64url>] [--signature-algorithm <algorithm>]
  eab list --alias <alias>
  eab disable --alias <alias> --kid <key identifier or fingerprint>
  eab delete --alias <alias> --kid <key identifier or fingerprint>
                         external account binding keys (RFC 8555 §7.3.4) of an alias
  approval list [--history] [--alias <alias>]
                         open approval requests, oldest first (--history: decided and expired)
  approval approve <id> --user <username> [--comment <text>]
  approval reject <id> --user <username> --comment <text>
                         decide a request as that user (a decision is a person's: approvers, or
                         administrators where the request's approval profile allows)
  approval-profile list
  approval-profile apply --file <profile.json>
                         create or change an approval profile from { "name": "...",
                         "approvalsRequired": 1-5, "administratorsMayApprove": false,
                         "selfApprovalAllowed": false, "requestValidity": "7d" }
  certificate-profile list
  certificate-profile apply --file <profile.json>
                         create or change a certificate profile from { "name": "...",
                         "keyAlgorithms": ["RSA","ECDSA"], "ecdsaCurves": ["P-256"],
                         "rsaBitLengths": [2048,4096], "validity": "90d", "keyUsages": [...],
                         "extendedKeyUsages": ["serverAuth"], "availableCas": ["<CA name>"],
                         "eabNamespace": null } (fields left out keep their value)
  end-entity-profile list
  end-entity-profile apply --file <profile.json>
                         create or change an end entity profile from { "name": "...",
                         "subjectDnAttributes": ["O"], "maxDnsNames": 100, "maxIpAddresses": 100,
                         "defaultCertificateProfile": "<name>", "defaultCa": "<CA name>" }
  access-rule list --alias <alias>
  access-rule add --alias <alias> (--certificate <file.pem> | --issuer <dn> --subject <pattern>)
                  [--right <access rule>]... [--all-rights] [--description <text>]
                         register a client certificate for an alias that requires one; --right
                         grants one of the spec's access rules (/ra_functionality/view_end_entity/,
                         /ca/<CA name>/ …), --all-rights every function rule and the issuing CA
  access-rule remove --alias <alias> --id <id>
  trust-anchor list
  trust-anchor import --file <ca.pem>
                         a CA certificate that client certificates may chain to
  trust-anchor remove --id <id>
  ratelimit list --alias <alias>
                         each rate limit of the alias with its value, window and busiest keys
                         now, and the per-account overrides
  ratelimit set --alias <alias> --account <id> --limit <name> --value <n> [--note <text>]
                         one limit for one account (0: no limit for it); limits: ${ACCOUNT_RATE_LIMIT_NAMES.join(", ")}
  ratelimit clear --alias <alias> --account <id> --limit <name>
                         the alias's value applies to that account again
  ca list
                         the certificate authorities with their chains and cross-certificates
  ca create --kind root|sub --subject <dn> [--parent <root CA id>] [--algorithm <${CA_KEY_ALGORITHMS.join("|")}>]
            [--validity-days <days>]
                         a root CA, or a sub-CA signed by a Keyward root (default 20 / 10 years)
  ca import --certificate <file> --key-file <file> [--chain-file <file>]
                         an external CA: its certificate and unencrypted PKCS#8 key, PEM or DER
                         (the key must match; it is sealed with the master key); for a CA signed
                         outside Keyward, --chain-file is the PEM chain above it, up to the root
  ca renew --id <CA id> [--new-key] [--validity-days <days>]
                         a new certificate for the same key, or (--new-key) a successor CA
  ca cross-certify --id <issuing CA id> --issuer <root CA id> [--validity-days <days>]
                         a second chain for the CA, to another root (RFC 8555 §7.4.2 alternates)
  ca download --id <CA id> [--format pem|chain|der] [--chain <n>]
                         a CA certificate (chain 1…: a cross-certificate) or its chain, to stdout
  ca chain --id <CA id> --chain-file <file>
                         add or replace the external chain (PEM, issuer first, up to the root)
                         of an imported CA signed outside Keyward
  ca delete <CA name>
                         delete a CA that has issued nothing and that nothing refers to (its key
                         goes with it); a CA that has issued stays until its certificates expire
  certificate list [--name <part of a name>] [--serial <hex prefix>] [--alias <alias>]
                   [--account <id>] [--status valid|revoked|expired]
                         issued certificates, newest first (at most 100)
  certificate revoke --id <certificate id> --reason <code>
                         revoke (audited; the CRL lists it at once); reasons: ${OPERATOR_REVOCATION_REASONS.map((r) => `${r.code} ${r.name}`).join(", ")}
  backup --out <file> [--include-master-key] [--passphrase-file <file>]
                         one archive of the whole database at one moment, while Keyward serves;
                         the master key only with --include-master-key, encrypted with the
                         passphrase (${MIN_PASSPHRASE_LENGTH}+ characters) from --passphrase-file or KEYWARD_BACKUP_PASSPHRASE
  backup verify <file> [--passphrase-file <file>]
                         checks the archive (checksums, CA certificates; the passphrase, if
                         given) and prints its manifest
  restore <file> [--force] [--passphrase-file <file>]
                         into an empty database (DATABASE_URL or the embedded one, Keyward
                         stopped), installing the backup's master key when none exists here;
                         --force wipes a database that is not empty (drops everything in its
                         schema) and replaces it with the backup

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
      type: { type: "string" },
      kid: { type: "string" },
      key: { type: "string" },
      "key-file": { type: "string" },
      "public-key-file": { type: "string" },
      "mac-algorithm": { type: "string" },
      fingerprint: { type: "string" },
      "signature-algorithm": { type: "string" },
      binds: { type: "string" },
      comment: { type: "string" },
      history: { type: "boolean", default: false },
      id: { type: "string" },
      certificate: { type: "string" },
      issuer: { type: "string" },
      subject: { type: "string" },
      right: { type: "string", multiple: true },
      "all-rights": { type: "boolean", default: false },
      description: { type: "string" },
      account: { type: "string" },
      limit: { type: "string" },
      value: { type: "string" },
      note: { type: "string" },
      serial: { type: "string" },
      status: { type: "string" },
      reason: { type: "string" },
      out: { type: "string" },
      "include-master-key": { type: "boolean", default: false },
      "passphrase-file": { type: "string" },
      force: { type: "boolean", default: false },
      kind: { type: "string" },
      parent: { type: "string" },
      algorithm: { type: "string" },
      "validity-days": { type: "string" },
      "new-key": { type: "boolean", default: false },
      format: { type: "string" },
      chain: { type: "string" },
      "chain-file": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [group, command, argument] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return;
  }
  const print = (human: string, data: unknown) =>
    console.log(values.json ? JSON.stringify(data, null, 2) : human);
  const actor = CLI_ACTOR;

  if (group === "backup" || group === "restore") {
    await runBackupCommand(group, positionals.slice(1), values, print);
    return;
  }

  // Validate what can be validated before opening a database (a typo costs no start-up).
  let eabInput: Record<string, unknown> | undefined;
  if (group === "eab" && command === "create") eabInput = await eabCreateInput(values);
  let aliasFile: { name: string; settings: Record<string, unknown> } | undefined;
  if (group === "alias" && command === "apply") {
    const parsed = applyAliasFileSchema.safeParse(await readJsonFile(required(values, "file")));
    if (!parsed.success) throw zodProblem(parsed.error);
    aliasFile = parsed.data;
  }
  let profileFile: ({ name: string } & Record<string, unknown>) | undefined;
  if (group === "approval-profile" && command === "apply") {
    const parsed = applyApprovalProfileFileSchema.safeParse(await readJsonFile(required(values, "file")));
    if (!parsed.success) throw zodProblem(parsed.error);
    profileFile = parsed.data;
  }
  if ((group === "certificate-profile" || group === "end-entity-profile") && command === "apply") {
    const parsed = applyProfileFileSchema.safeParse(await readJsonFile(required(values, "file")));
    if (!parsed.success) throw zodProblem(parsed.error);
    profileFile = parsed.data;
  }
  let approvalId: number | undefined;
  if (group === "approval" && (command === "approve" || command === "reject")) {
    const parsed = approvalParamsSchema.safeParse({ id: argument });
    if (!parsed.success)
      throw new UsageError(`approval ${command} needs the request's id, e.g. approval ${command} 12`);
    approvalId = parsed.data.id;
    required(values, "user");
  }
  let certificateQuery: CertificateListQuery | undefined;
  if (group === "certificate" && command === "list") {
    const parsed = certificateListQuerySchema.safeParse({
      name: values.name,
      serial: values.serial,
      alias: values.alias,
      account: values.account,
      status: values.status,
      pageSize: 100,
    });
    if (!parsed.success) throw zodProblem(parsed.error);
    certificateQuery = parsed.data;
  }
  let revocationReason: number | undefined;
  if (group === "certificate" && command === "revoke") {
    const reason = required(values, "reason");
    const parsed = revokeCertificateBodySchema.safeParse({
      reason: /^\d+$/.test(reason) ? Number(reason) : reason,
    });
    if (!parsed.success) throw zodProblem(parsed.error);
    revocationReason = parsed.data.reason;
    required(values, "id");
  }
  const known: Record<string, string[]> = {
    user: ["create", "list", "reset-password", "unlock"],
    acme: ["enable", "disable", "status"],
    alias: ["list", "apply"],
    token: ["create"],
    eab: ["create", "list", "disable", "delete"],
    approval: ["list", "approve", "reject"],
    "approval-profile": ["list", "apply"],
    "certificate-profile": ["list", "apply"],
    "end-entity-profile": ["list", "apply"],
    "access-rule": ["list", "add", "remove"],
    "trust-anchor": ["list", "import", "remove"],
    ratelimit: ["list", "set", "clear"],
    certificate: ["list", "revoke"],
    ca: ["list", "create", "import", "renew", "cross-certify", "download", "chain", "delete"],
  };
  if (!known[group]?.includes(command ?? ""))
    throw new UsageError(`Unknown command: ${[group, command].filter(Boolean).join(" ")}`);

  // Files named by options are read (and their input checked) before the database opens, too.
  const readText = async (file: string) => {
    try {
      return await fs.readFile(file, "utf8");
    } catch (err) {
      throw new Error(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  };
  const certificatePem =
    values.certificate === undefined || group === "ca" ? undefined : await readText(values.certificate);
  // Issue 12: CA input is checked with the console API's schemas before the database opens.
  const validityDays = values["validity-days"] === undefined ? undefined : Number(values["validity-days"]);
  let caCreate: CreateCaBody | undefined;
  if (group === "ca" && command === "create") {
    const parsed = createCaBodySchema.safeParse({
      kind: values.kind,
      parentId: values.parent,
      subjectDn: values.subject,
      keyAlgorithm: values.algorithm,
      validityDays,
    });
    if (!parsed.success) throw zodProblem(parsed.error);
    caCreate = parsed.data;
  }
  let caImport: { certificate: string; privateKey: string; externalChain?: string } | undefined;
  if (group === "ca" && command === "import") {
    // PEM as text; DER as base64 (the form the API takes for binary).
    const readPemOrDer = async (file: string) => {
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch (err) {
        throw new Error(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
      const text = bytes.toString("utf8");
      return text.includes("-----BEGIN") ? text : bytes.toString("base64");
    };
    const parsed = importCaBodySchema.safeParse({
      certificate: await readPemOrDer(required(values, "certificate")),
      privateKey: await readPemOrDer(required(values, "key-file")),
      externalChain: values["chain-file"] === undefined ? undefined : await readText(values["chain-file"]),
    });
    if (!parsed.success) throw zodProblem(parsed.error);
    caImport = parsed.data;
  }
  if (group === "ca" && (command === "renew" || command === "cross-certify")) {
    const parsed =
      command === "renew"
        ? renewCaBodySchema.safeParse({ newKey: values["new-key"], validityDays })
        : crossCertifyCaBodySchema.safeParse({ issuerId: values.issuer, validityDays });
    if (!parsed.success) throw zodProblem(parsed.error);
    required(values, "id");
  }
  let caDownload: { format: "pem" | "chain" | "der"; chain: number } | undefined;
  if (group === "ca" && command === "download") {
    const parsed = caDownloadQuerySchema.safeParse({ format: values.format, chain: values.chain });
    if (!parsed.success) throw zodProblem(parsed.error);
    caDownload = parsed.data;
    required(values, "id");
  }
  let caChain: string | undefined;
  if (group === "ca" && command === "chain") {
    const parsed = externalChainBodySchema.safeParse({
      externalChain: await readText(required(values, "chain-file")),
    });
    if (!parsed.success) throw zodProblem(parsed.error);
    caChain = parsed.data.externalChain;
    required(values, "id");
  }
  if (group === "ca" && command === "delete" && !argument) {
    throw new UsageError("Name the CA to delete: ca delete <CA name> (ca list shows the names)");
  }
  const anchorPem =
    group === "trust-anchor" && command === "import" ? await readText(required(values, "file")) : undefined;

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
          ...alias.warnings.map((w) => `Warning: ${w.field}: ${w.message}`),
        ].join("\n"),
        alias,
      );
      return;
    }
    case "eab create": {
      const alias = required(values, "alias");
      const { key, secret } = await createEabKey({ actor, alias, input: eabInput });
      print(
        secret
          ? [
              `Created ${secret.macAlgorithm} EAB key for alias "${alias}". Shown once:`,
              `  key identifier (kid): ${secret.keyIdentifier}`,
              `  HMAC key:             ${secret.hmacKey}`,
              `It binds ${key.binds === "one" ? "one account" : "any number of accounts"}${key.expiresAt ? `, until ${key.expiresAt}` : ""}.`,
              "certbot: --eab-kid <kid> --eab-hmac-key <key>; lego: --eab --kid <kid> --hmac <key>",
            ].join("\n")
          : `Created signature EAB key for alias "${alias}": fingerprint (cf) ${key.keyIdentifier}, ${key.signatureAlgorithm}.`,
        { key, secret },
      );
      return;
    }
    case "eab list": {
      const list = await listEabKeys({ actor, alias: required(values, "alias") });
      print(
        [
          ...(list.warning ? [`Warning: ${list.warning}`] : []),
          list.items
            .map(
              (k) =>
                `${k.keyIdentifier}\t${k.type}\t${k.macAlgorithm ?? k.signatureAlgorithm}\t${k.state}\t${k.boundAccountCount} account${k.boundAccountCount === 1 ? "" : "s"}\tbinds ${k.binds}${k.expiresAt ? `\texpires ${k.expiresAt}` : ""}`,
            )
            .join("\n") || `Alias "${list.alias}" has no EAB keys.`,
        ].join("\n"),
        list,
      );
      return;
    }
    case "eab disable":
    case "eab delete": {
      const alias = required(values, "alias");
      const key = await eabKeyByIdentifier(alias, required(values, "kid"));
      if (command === "disable") {
        const updated = await updateEabKey({ actor, alias, id: key.id, input: { disabled: true } });
        print(`Disabled EAB key "${updated.keyIdentifier}" of alias "${alias}".`, updated);
      } else {
        await deleteEabKey({ actor, alias, id: key.id });
        print(
          `Deleted EAB key "${key.keyIdentifier}" of alias "${alias}"${key.boundAccountCount ? ` (the ${key.boundAccountCount} account(s) it bound keep working)` : ""}.`,
          { deleted: key },
        );
      }
      return;
    }
    case "approval list": {
      const page = await listApprovals({
        actor,
        view: values.history ? "history" : "pending",
        alias: values.alias,
        pageSize: 100,
      });
      print(
        page.items.map(approvalLine).join("\n") ||
          (values.history ? "No decided requests." : "No open requests."),
        page.items,
      );
      return;
    }
    case "approval approve":
    case "approval reject": {
      const decider = await cliActorForUser(required(values, "user"));
      const request = await decideApproval({
        actor: decider,
        id: approvalId as number,
        input: {
          verdict: command === "approve" ? "approve" : "reject",
          ...(values.comment !== undefined ? { comment: values.comment } : {}),
        },
      });
      print(
        `${command === "approve" ? "Approved" : "Rejected"} request ${request.id} as ${decider.name}: ${request.status} (${request.approvals}/${request.approvalsRequired} approvals).`,
        request,
      );
      return;
    }
    case "approval-profile list": {
      const profiles = await listApprovalProfiles({ actor });
      print(
        profiles
          .map(
            (p) =>
              `${p.name}\t${p.approvalsRequired} approval${p.approvalsRequired === 1 ? "" : "s"}\topen ${p.requestValidity}${p.administratorsMayApprove ? "\tadministrators may approve" : ""}${p.selfApprovalAllowed ? "\tself-approval allowed" : ""}\tused by: ${p.usedBy.map((u) => u.alias).join(", ") || "none"}`,
          )
          .join("\n") || "No approval profiles.",
        profiles,
      );
      return;
    }
    case "approval-profile apply": {
      const { created, profile } = await applyApprovalProfile({
        actor,
        input: profileFile as { name: string } & Record<string, unknown>,
      });
      print(`${created ? "Created" : "Updated"} approval profile "${profile.name}".`, profile);
      return;
    }
    case "certificate-profile list": {
      const profiles = await listCertificateProfiles({ actor });
      print(
        profiles
          .map(
            (p) =>
              `${p.name}\t${p.keyAlgorithms.join(",")}\t${p.validity}\t${p.extendedKeyUsages.join(",")}\tCAs: ${p.availableCas.join(", ") || "any"}${p.eabNamespace ? `\tEAB namespace ${p.eabNamespace}` : ""}\tused by: ${p.usedBy.join(", ") || "none"}`,
          )
          .join("\n") || "No certificate profiles.",
        profiles,
      );
      return;
    }
    case "certificate-profile apply": {
      const { created, profile } = await applyCertificateProfile({
        actor,
        input: profileFile as { name: string } & Record<string, unknown>,
      });
      print(`${created ? "Created" : "Updated"} certificate profile "${profile.name}".`, profile);
      return;
    }
    case "end-entity-profile list": {
      const profiles = await listEndEntityProfiles({ actor });
      print(
        profiles
          .map(
            (p) =>
              `${p.name}\tCN${p.subjectDnAttributes.map((a) => `,${a}`).join("")}\t${p.maxDnsNames} DNS, ${p.maxIpAddresses} IP\tcertificate profile: ${p.defaultCertificateProfile ?? "built-in"}\tCA: ${p.defaultCa ?? "default"}\tused by: ${p.usedBy.join(", ") || "none"}`,
          )
          .join("\n") || "No end entity profiles.",
        profiles,
      );
      return;
    }
    case "end-entity-profile apply": {
      const { created, profile } = await applyEndEntityProfile({
        actor,
        input: profileFile as { name: string } & Record<string, unknown>,
      });
      print(`${created ? "Created" : "Updated"} end entity profile "${profile.name}".`, profile);
      return;
    }
    case "access-rule list": {
      const rules = await listAccessRules({ actor, alias: required(values, "alias") });
      print(
        rules
          .map(
            (r) =>
              `${r.id}\t${r.match}\t${r.subjectPattern}\tissued by ${r.issuerDn}\t${r.rights.join(" ") || "(no rights)"}`,
          )
          .join("\n") || "No client certificates registered.",
        rules,
      );
      return;
    }
    case "access-rule add": {
      const alias = required(values, "alias");
      const rights = [...(values.right ?? [])];
      if (values["all-rights"]) {
        const choices = await getAccessRuleChoices({ actor });
        rights.push(
          ...choices.functionRules.map((r) => r.rule),
          ...choices.cas.filter((c) => c.role === "issuing").map((c) => c.rule),
        );
      }
      const input =
        certificatePem !== undefined
          ? { match: "certificate", certificatePem, rights, description: values.description }
          : {
              match: "subject",
              issuerDn: required(values, "issuer"),
              subjectPattern: required(values, "subject"),
              rights,
              description: values.description,
            };
      const parsed = accessRuleBodySchema.safeParse(input);
      if (!parsed.success) throw zodProblem(parsed.error);
      const rule = await addAccessRule({ actor, alias, input: parsed.data });
      print(
        `Registered ${rule.match === "certificate" ? "certificate" : "subject pattern"} "${rule.subjectPattern}" (issued by ${rule.issuerDn}) for alias "${alias}": ${rule.rights.join(" ") || "no rights (account operations only)"}\nid ${rule.id}`,
        rule,
      );
      return;
    }
    case "access-rule remove": {
      await removeAccessRule({ actor, alias: required(values, "alias"), id: required(values, "id") });
      print("Removed.", { removed: values.id });
      return;
    }
    case "trust-anchor list": {
      const anchors = (await listTrustAnchors({ actor })).items;
      print(
        anchors.map((a) => `${a.id}\t${a.source}\t${a.subjectDn}\tuntil ${a.notAfter}`).join("\n") ||
          "No trust anchors: no client certificate is trusted.",
        anchors,
      );
      return;
    }
    case "trust-anchor import": {
      const parsed = trustAnchorBodySchema.safeParse({ certificatePem: anchorPem });
      if (!parsed.success) throw zodProblem(parsed.error);
      const anchor = await importTrustAnchor({ actor, certificatePem: parsed.data.certificatePem });
      print(
        `Imported "${anchor.subjectDn}" (SHA-256 ${anchor.sha256}) as a client trust anchor.\nid ${anchor.id}`,
        anchor,
      );
      return;
    }
    case "trust-anchor remove": {
      await removeTrustAnchor({ actor, id: required(values, "id") });
      print("Removed.", { removed: values.id });
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
    case "certificate list": {
      const page = await listCertificates({ actor, ...(certificateQuery as CertificateListQuery) });
      print(
        page.items.length === 0
          ? "No certificate matches."
          : page.items
              .map(
                (c) =>
                  `${c.id}  ${c.status.padEnd(7)}  expires ${c.notAfter.slice(0, 10)}  ${c.serialHex}  ${c.names.join(", ")}  (alias ${c.alias})`,
              )
              .join("\n") +
              (page.total > page.items.length ? `\n… ${page.total - page.items.length} more` : ""),
        page,
      );
      return;
    }
    case "certificate revoke": {
      const certificate = await revokeCertificate({
        actor,
        id: required(values, "id"),
        reason: revocationReason as number,
      });
      print(
        `Revoked certificate ${certificate.serialHex} (${certificate.names.join(", ")}) with reason ${certificate.revocationReason?.name}.`,
        certificate,
      );
      return;
    }
    case "ca list": {
      const cas = await listCertificateAuthorities({ actor });
      print(
        cas
          .map(
            (ca) =>
              `${ca.id}\t${ca.role}${ca.isDefault ? " (default)" : ""}${ca.imported ? " imported" : ""}\t${ca.name}\tuntil ${ca.notAfter}` +
              (ca.successor ? `\treplaced by ${ca.successor.name}` : "") +
              ca.chains.map((c) => `\n    chain ${c.index} → ${c.rootName}`).join(""),
          )
          .join("\n") || "No certificate authority yet.",
        cas,
      );
      return;
    }
    case "ca create": {
      const ca = await createCa({ actor, input: caCreate as CreateCaBody });
      print(
        `Created ${ca.role} CA "${ca.name}" (${ca.subjectDn}), SHA-256 ${ca.sha256Fingerprint}.\nid ${ca.id}`,
        ca,
      );
      return;
    }
    case "ca import": {
      const input = caImport as { certificate: string; privateKey: string; externalChain?: string };
      const ca = await importCa({ actor, ...input });
      print(`Imported ${ca.role} CA "${ca.name}" (${ca.subjectDn}); its key is sealed.\nid ${ca.id}`, ca);
      return;
    }
    case "ca renew": {
      const ca = await renewCa({
        actor,
        id: required(values, "id"),
        newKey: values["new-key"] === true,
        validityDays,
      });
      print(
        `Renewed: "${ca.name}" now issues with certificate ${ca.serialHex}, valid until ${ca.notAfter}.\nid ${ca.id}`,
        ca,
      );
      return;
    }
    case "ca cross-certify": {
      const ca = await crossCertifyCa({
        actor,
        id: required(values, "id"),
        issuerId: required(values, "issuer"),
        validityDays,
      });
      const cross = ca.crossCertificates.at(-1);
      print(`Cross-certified "${ca.name}" by "${cross?.issuerName}": chain ${cross?.chain}.`, ca);
      return;
    }
    case "ca chain": {
      const ca = await setCaExternalChain({
        actor,
        id: required(values, "id"),
        externalChain: caChain as string,
      });
      print(
        `"${ca.name}" is served with its external chain: ${(ca.externalChain ?? []).map((c) => c.subjectDn).join(" → ")}.`,
        ca,
      );
      return;
    }
    case "ca delete": {
      const ca = (await listCertificateAuthorities({ actor })).find((c) => c.name === argument);
      if (!ca) throw notFoundProblem(`Certificate authority "${argument}"`);
      await deleteCa({ actor, id: ca.id });
      print(`Deleted CA "${ca.name}" and its key.`, { id: ca.id, name: ca.name, deleted: true });
      return;
    }
    case "ca download": {
      const options = caDownload as { format: "pem" | "chain" | "der"; chain: number };
      const file = await downloadCertificateAuthority({ actor, id: required(values, "id"), ...options });
      process.stdout.write(typeof file.body === "string" ? file.body : Buffer.from(file.body));
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

/** The create body of `eab create` from its options; files are read here (base64 in the body). */
async function eabCreateInput(values: Record<string, unknown>): Promise<Record<string, unknown>> {
  required(values, "alias");
  const type = (values.type as string | undefined) ?? "mac";
  const readFile = async (option: string) => {
    const file = values[option] as string | undefined;
    if (file === undefined) return undefined;
    try {
      return (await fs.readFile(file)).toString("base64");
    } catch (err) {
      throw new Error(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  };
  const days = values["expires-days"] as string | undefined;
  const common = {
    type,
    ...(values.binds !== undefined ? { binds: values.binds } : {}),
    ...(days !== undefined ? { expiresInDays: /^\d+$/.test(days) ? Number(days) : days } : {}),
  };
  if (type === "signature") {
    if (values["public-key-file"] === undefined)
      throw new UsageError("--public-key-file is required for --type signature");
    return {
      ...common,
      publicKeyFile: await readFile("public-key-file"),
      ...(values.fingerprint !== undefined ? { fingerprint: values.fingerprint } : {}),
      ...(values["signature-algorithm"] !== undefined
        ? { signatureAlgorithm: values["signature-algorithm"] }
        : {}),
    };
  }
  return {
    ...common,
    ...(values["mac-algorithm"] !== undefined ? { macAlgorithm: values["mac-algorithm"] } : {}),
    ...(values.kid !== undefined ? { keyIdentifier: values.kid } : {}),
    ...(values.key !== undefined ? { key: values.key } : {}),
    ...(values["key-file"] !== undefined ? { keyFile: await readFile("key-file") } : {}),
  };
}

/** An alias's key by what an operator knows of it: its key identifier (or fingerprint), or its id. */
async function eabKeyByIdentifier(alias: string, identifier: string): Promise<EabKeyView> {
  const { items } = await listEabKeys({ actor: CLI_ACTOR, alias });
  const key = items.find((k) => k.keyIdentifier === identifier) ?? items.find((k) => k.id === identifier);
  if (!key) throw notFoundProblem(`EAB key "${identifier}" of alias "${alias}"`);
  return key;
}

async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new Error(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function approvalLine(r: ApprovalRequestView): string {
  const who = r.decisions.map((d) => `${d.username} ${d.verdict === "approve" ? "approved" : "rejected"}`);
  return [
    `#${r.id}`,
    r.status.toUpperCase(),
    r.alias,
    r.kind,
    `key ${r.keyThumbprint}`,
    r.contact.join(",") || "no contact",
    `from ${r.clientIp ?? "?"}`,
    `asked ${r.createdAt}`,
    `${r.approvals}/${r.approvalsRequired} approvals`,
    ...who,
  ].join("\t");
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

type BackupValues = {
  out?: string;
  "include-master-key"?: boolean;
  "passphrase-file"?: string;
  force?: boolean;
};

/** --passphrase-file (one trailing newline dropped), else KEYWARD_BACKUP_PASSPHRASE; never an argument. */
async function backupPassphrase(values: BackupValues): Promise<string | undefined> {
  const file = values["passphrase-file"];
  if (file === undefined) return env().KEYWARD_BACKUP_PASSPHRASE;
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new Error(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  const passphrase = text.replace(/\r?\n$/, "");
  if (passphrase === "") throw new UsageError(`${file} is empty: it must hold the backup passphrase`);
  return passphrase;
}

/** `backup`, `backup verify`, `restore`: they work on the database as a whole, not through services. */
async function runBackupCommand(
  group: "backup" | "restore",
  args: string[],
  values: BackupValues,
  print: (human: string, data: unknown) => void,
): Promise<void> {
  const { dataDir, DATABASE_URL } = env();
  if (group === "backup" && args[0] === "verify") {
    const file = args[1];
    if (!file || args.length > 2)
      throw new UsageError("backup verify needs the archive, e.g. backup verify ca.backup");
    const passphrase = await backupPassphrase(values);
    const { manifest } = await readBackup(file);
    let keyLine = "";
    if (manifest.masterKey && passphrase !== undefined) {
      await openMasterKey(manifest, passphrase);
      keyLine = "\nThe master key opens with the passphrase given.";
    }
    print(`${describeManifest(manifest)}\nThe archive is intact.${keyLine}`, manifest);
    return;
  }
  if (group === "backup") {
    if (args.length > 0) throw new UsageError(`Unknown command: backup ${args.join(" ")}`);
    const out = required(values, "out");
    let passphrase: string | undefined;
    if (values["include-master-key"]) {
      passphrase = await backupPassphrase(values);
      if (passphrase === undefined)
        throw new UsageError(
          "--include-master-key needs a passphrase: --passphrase-file <file> or KEYWARD_BACKUP_PASSPHRASE",
        );
    }
    const masterKey = readMasterKeyIfPresent();
    if (!masterKey)
      throw new BackupError(
        `No master key at ${masterKeyLocation()}: this is not the data directory of the Keyward to back up (set KEYWARD_DATA_DIR).`,
      );
    let url = DATABASE_URL;
    if (!url) {
      // While the server runs, its embedded database is read through the server's socket.
      embedded = await openEmbeddedDatabase({ dataDir });
      url = embedded.url;
    }
    const manifest = await createBackup({
      databaseUrl: url,
      database: DATABASE_URL ? "postgresql" : "embedded",
      masterKey,
      masterKeyPassphrase: passphrase,
      out,
    });
    print(
      [
        `Wrote ${out}: ${manifest.tables.reduce((n, t) => n + t.rows, 0)} rows of ${manifest.tables.length} tables as of ${manifest.createdAt}.`,
        manifest.masterKey
          ? "The master key is in it, encrypted with the passphrase: keep the passphrase apart from the archive."
          : `The master key is NOT in it: keep ${masterKeyLocation()} safe apart from the archive; without it the CA keys cannot be opened.`,
      ].join("\n"),
      manifest,
    );
    return;
  }
  const file = args[0];
  if (!file || args.length > 1) throw new UsageError("restore needs the archive, e.g. restore ca.backup");
  const passphrase = await backupPassphrase(values);
  let url = DATABASE_URL;
  if (!url) {
    if (runningEmbeddedDatabaseUrl(dataDir))
      throw new BackupError(`Keyward is running on ${dataDir}: stop it before restoring into its database.`);
    ensurePrivateDirectory(dataDir);
    embedded = await startEmbeddedDatabase({ dataDir });
    url = embedded.url;
  }
  const result = await restoreBackup({
    file,
    databaseUrl: url,
    embedded: !DATABASE_URL,
    force: values.force === true,
    passphrase,
    masterKey: {
      current: readMasterKeyIfPresent(),
      location: masterKeyLocation(),
      install: (key) => {
        installMasterKeyFile(key);
      },
    },
  });
  const root = result.manifest.caCertificates.find((c) => c.role === "root");
  print(
    [
      `Restored the backup of ${result.manifest.createdAt} into ${DATABASE_URL ? "the PostgreSQL database" : `the embedded database in ${dataDir}`}${result.wiped ? " (wiped first: --force)" : ""}.`,
      ...(result.migrationsAppliedAfter.length
        ? [`Applied this version's newer migrations: ${result.migrationsAppliedAfter.join(", ")}.`]
        : []),
      result.masterKeyInstalled
        ? `Installed the backup's master key at ${masterKeyLocation()}.`
        : `The master key at ${masterKeyLocation()} opens the backup's CA keys.`,
      root
        ? `Start Keyward on it: it serves the same CA (root SHA-256 ${root.sha256Fingerprint}).`
        : "The backup holds no CA yet: Keyward creates one at its first start.",
    ].join("\n"),
    result,
  );
}

/**
 * Runs one command line and returns its exit code, printing what the command prints. The tests
 * call it in-process (starting Node and loading the console's modules costs ~2 s per command).
 */
export async function runCli(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await run(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      code = EXIT_USAGE;
    } else if (err instanceof BackupError) {
      console.error(`Refused: ${err.message}`);
      code = EXIT_REFUSED;
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
    embedded = undefined;
  }
  return code;
}

// Run as a program (not imported): the schema engine leaves a timer running (STACK.md), so exit
// explicitly.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
