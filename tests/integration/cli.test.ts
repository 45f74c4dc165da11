// `npm run keyward -- …` refuses what the console and its API refuse, with a non-zero exit code
// and a readable message, and does what they do otherwise — on the running server's database.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { aliasSettingsInputSchema } from "@/lib/console/schemas/aliases";
import { adoptDatabaseUrl } from "@/lib/env";
import { runCli } from "@/scripts/keyward";
import { generateTestKey, RawAcmeClient } from "../support/acme-signer";
import { createTestAlias, directoryUrl, enableAcme, keyward, testDb } from "../support/keyward";

const ROOT = path.resolve(import.meta.dirname, "../..");
let workDir: string;

beforeAll(async () => {
  // runCli opens the database the way the command line does: from the environment.
  process.env.KEYWARD_DATA_DIR = keyward().dataDir;
  adoptDatabaseUrl(keyward().databaseUrl);
  await enableAcme();
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-cli-"));
});
afterAll(() => fs.rm(workDir, { recursive: true, force: true }));

type Run = { code: number; stdout: string; stderr: string };

/** The command line as a user runs it: its own Node process (about 2 s each, so used sparingly). */
function spawnCli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/keyward.ts", ...args],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: keyward().databaseUrl, KEYWARD_DATA_DIR: keyward().dataDir },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The same command through scripts/keyward.ts's runCli in this process, with what it prints
 * captured: the same parsing, services, messages and exit codes, without starting Node each time.
 */
async function keywardCli(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(`${a.join(" ")}\n`));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(`${a.join(" ")}\n`));
  // `ca download` writes the file itself to stdout (PEM or DER), not through console.log.
  const write = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array) => {
    out.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("latin1"));
    return true;
  }) as typeof process.stdout.write);
  try {
    const code = await runCli(args);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

async function aliasFile(content: unknown): Promise<string> {
  const file = path.join(workDir, `${randomBytes(4).toString("hex")}.json`);
  await fs.writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

const message = (field: string, value: unknown) => {
  const parsed = aliasSettingsInputSchema.safeParse({ [field]: value });
  return parsed.success ? "" : (parsed.error.issues[0]?.message as string);
};

describe("alias apply", () => {
  it("fail/a file that is not JSON, an invalid or reserved name → exit 1 with the reason; nothing stored", async () => {
    const notJson = await keywardCli("alias", "apply", "--file", await aliasFile("{ name: "));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain("is not valid JSON");

    const badName = await keywardCli(
      "alias",
      "apply",
      "--file",
      await aliasFile({ name: "bad name", settings: {} }),
    );
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain("name: An alias name is 1 to 250 letters, digits, '-' or '_'");

    const reserved = await keywardCli("alias", "apply", "--file", await aliasFile({ name: "newOrder" }));
    expect(reserved.code).toBe(1);
    expect(reserved.stderr).toContain('name: "newOrder" is the name of an ACME resource');
    expect(await testDb().alias.count({ where: { name: { in: ["bad name", "newOrder"] } } })).toBe(0);
  });

  it("fail/invalid field values → exit 1 naming each field with the console's message; nothing stored", async () => {
    const name = `cli-${randomBytes(4).toString("hex")}`;
    const settings = { orderValidity: "10x", dnsPort: 70000, websiteUrl: "ftp://ca.example", bogusField: 1 };
    const res = await keywardCli("alias", "apply", "--file", await aliasFile({ name, settings }));
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`settings.orderValidity: ${message("orderValidity", "10x")}`);
    expect(res.stderr).toContain(`settings.dnsPort: ${message("dnsPort", 70000)}`);
    expect(res.stderr).toContain(`settings.websiteUrl: ${message("websiteUrl", "ftp://ca.example")}`);
    expect(res.stderr).toContain("settings.bogusField: Unknown field");
    expect(await testDb().alias.findUnique({ where: { name } })).toBeNull();
  });

  it("ok/creates and stores an alias that then serves ACME; applying again updates it", async () => {
    const name = `cli-${randomBytes(4).toString("hex")}`;
    // As a program, end to end: the stored alias then serves ACME.
    const created = await spawnCli(
      "alias",
      "apply",
      "--file",
      await aliasFile({
        name,
        settings: {
          orderValidity: "30s 30m 1h",
          termsOfServiceUrl: "https://ca.example/tos",
          dnssecTrustAnchor: ". IN DS 12345 8 2 ABCDEF",
        },
      }),
    );
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created and stored alias "${name}"`);
    // Stored, but said to change nothing yet (lib/ra/alias-settings.ts NOT_ENFORCED_ALIAS_FIELDS).
    expect(created.stdout).toContain("Not enforced yet: dnssecTrustAnchor:");
    expect(created.stdout).not.toContain("Not enforced yet: orderValidity");
    const res = await fetch(`${keyward().httpUrl}/acme/${name}/directory`);
    expect(res.status).toBe(200);
    expect((await res.json()).meta.termsOfService).toBe("https://ca.example/tos");

    const updated = await keywardCli(
      "alias",
      "apply",
      "--json",
      "--file",
      await aliasFile({ name, settings: { dnsPort: 5353 } }),
    );
    expect(updated.code).toBe(0);
    const alias = JSON.parse(updated.stdout);
    expect(alias.settings).toMatchObject({
      dnsPort: 5353,
      orderValidity: "1h 30m 30s",
      termsOfServiceUrl: "https://ca.example/tos",
    });
    const audit = await testDb().auditEvent.findFirst({
      where: { action: "alias.updated", targetId: alias.id },
      orderBy: { id: "desc" },
    });
    expect(audit?.actor).toBe("system");
  });
});

describe("users, tokens, protocol", () => {
  it("fail/users the console would refuse; ok/a user with a one-time password; a token that works", async () => {
    const short = await keywardCli(
      "user",
      "create",
      "--username",
      "cli-short",
      "--role",
      "auditor",
      "--password",
      "short",
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("password: At least 12 characters");
    const role = await keywardCli("user", "create", "--username", "cli-role", "--role", "root");
    expect(role.code).toBe(1);
    expect(role.stderr).toContain("role: One of administrator, approver, auditor");

    const username = `cli-${randomBytes(3).toString("hex")}`;
    const created = await keywardCli(
      "user",
      "create",
      "--username",
      username,
      "--role",
      "administrator",
      "--json",
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout).oneTimePassword).toMatch(/^[A-Za-z0-9]{20}$/);
    const duplicate = await keywardCli("user", "create", "--username", username, "--role", "auditor");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain(`A user named "${username}" already exists`);

    const token = await keywardCli(
      "token",
      "create",
      "--name",
      "cli token",
      "--role",
      "auditor",
      "--user",
      username,
      "--json",
    );
    expect(token.code).toBe(0);
    const { token: secret } = JSON.parse(token.stdout);
    const me = await fetch(`${keyward().httpUrl}/api/console/me`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(await me.json()).toMatchObject({ kind: "token", role: "auditor", name: "cli token" });
    const noUser = await keywardCli(
      "token",
      "create",
      "--name",
      "x",
      "--role",
      "auditor",
      "--user",
      "nobody-here",
    );
    expect(noUser.code).toBe(1);
    expect(noUser.stderr).toContain('user: User "nobody-here" does not exist');
  });

  it("fail/a token whose role allows more than its user's role → exit 1 naming role; nothing stored", async () => {
    const auditor = `cli-aud-${randomBytes(3).toString("hex")}`;
    expect((await keywardCli("user", "create", "--username", auditor, "--role", "auditor")).code).toBe(0);
    const above = await keywardCli(
      "token",
      "create",
      "--name",
      "above its user",
      "--role",
      "administrator",
      "--user",
      auditor,
    );
    expect(above.code).toBe(1);
    expect(above.stdout).not.toContain("kw_");
    expect(above.stderr).toContain(`role: A token cannot allow more than its owner "${auditor}" (auditor)`);
    expect(above.stderr).toContain("Allowed: auditor");
    expect(await testDb().apiToken.count({ where: { name: "above its user" } })).toBe(0);
    // Roles are not a chain: an administrator cannot hand out an approver's decisions either.
    const admin = await testDb().user.findFirstOrThrow({ where: { role: "administrator", disabled: false } });
    const sideways = await keywardCli(
      "token",
      "create",
      "--name",
      "sideways",
      "--role",
      "approver",
      "--user",
      admin.username,
    );
    expect(sideways.code).toBe(1);
    expect(sideways.stderr).toContain("approvals.decide");
    expect(await testDb().apiToken.count({ where: { name: "sideways" } })).toBe(0);
  });

  it("acme status; a wrong command is a usage error (exit 2)", async () => {
    const status = await keywardCli("acme", "status");
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("ACME: enabled");
    const usage = await keywardCli("alias", "remove-all");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Usage: npm run keyward");
    // As a program: usage errors exit 2.
    const missing = await spawnCli("alias", "apply");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--file is required");
  });

  it("ratelimit set, list and clear an override for one account; a bad value or limit is refused (exit 1)", async () => {
    const aliasName = `cli-limits-${randomBytes(4).toString("hex")}`;
    const alias = await testDb().alias.create({ data: { name: aliasName, configured: true, settings: {} } });
    const accountId = randomBytes(16).toString("base64url");
    await testDb().account.create({
      data: { id: accountId, aliasId: alias.id, jwk: {}, keyThumbprint: accountId, contact: [] },
    });
    const common = ["--alias", aliasName, "--account", accountId, "--limit", "newOrdersPerAccount"];

    const bad = await keywardCli("ratelimit", "set", ...common, "--value", "lots");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("value: A whole number from 0 (no limit)");

    const set = await keywardCli("ratelimit", "set", ...common, "--value", "50000", "--note", "fleet");
    expect(set.code, set.stderr).toBe(0);
    const list = await keywardCli("ratelimit", "list", "--alias", aliasName);
    expect(list.stdout).toContain("newOrdersPerAccount: 10000 new orders per 3 hours");
    expect(list.stdout).toMatch(
      new RegExp(`${accountId}\\tnewOrdersPerAccount = 50000\\tby command line .*\\tfleet`),
    );

    const wrongLimit = await keywardCli(
      "ratelimit",
      "clear",
      ...common.slice(0, 4),
      "--limit",
      "newAccountsPerIpAddress",
    );
    expect(wrongLimit.code).toBe(1);
    expect(wrongLimit.stderr).toContain("limit: One of newOrdersPerAccount");
    expect((await keywardCli("ratelimit", "clear", ...common)).code).toBe(0);
    expect(await testDb().rateLimitOverride.count({ where: { accountId } })).toBe(0);
    const audit = await testDb().auditEvent.findMany({
      where: { targetId: accountId, action: { startsWith: "rateLimitOverride." } },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      ["system", "rateLimitOverride.set"],
      ["system", "rateLimitOverride.cleared"],
    ]);
  });
});

describe("eab", () => {
  // Each command starts a process (a few seconds each on a busy machine): a longer bound.
  const CLI_SEQUENCE_MS = 180_000;

  it(
    "ok/create prints a generated key once; list shows identifiers only; disable and delete by key identifier",
    async () => {
      const alias = `cli-eab-${randomBytes(3).toString("hex")}`;
      // Requiring EAB with no key yet is stored, with a warning.
      const applied = await keywardCli(
        "alias",
        "apply",
        "--file",
        await aliasFile({ name: alias, settings: { requireExternalAccountBinding: true } }),
      );
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain(
        "Warning: requireExternalAccountBinding: This alias requires external account binding but has no usable EAB key",
      );

      const empty = await keywardCli("eab", "list", "--alias", alias);
      expect(empty.code).toBe(0);
      expect(empty.stdout).toContain("no usable EAB key");

      const created = await keywardCli(
        "eab",
        "create",
        "--alias",
        alias,
        "--binds",
        "many",
        "--expires-days",
        "30",
      );
      expect(created.code, created.stderr).toBe(0);
      const kid = /key identifier \(kid\): (\S+)/.exec(created.stdout)?.[1] as string;
      const hmac = /HMAC key: +(\S+)/.exec(created.stdout)?.[1] as string;
      expect(Buffer.from(hmac, "base64url")).toHaveLength(32);
      expect(created.stdout).toContain("--eab-kid <kid> --eab-hmac-key <key>");

      const listed = await keywardCli("eab", "list", "--alias", alias);
      expect(listed.stdout).toContain(kid);
      expect(listed.stdout).toMatch(/mac\tHS256\tactive\t0 accounts\tbinds many\texpires /);
      expect(listed.stdout).not.toContain(hmac);
      expect(listed.stdout).not.toContain("Warning");

      const json = await keywardCli("eab", "list", "--alias", alias, "--json");
      expect(JSON.parse(json.stdout).items[0]).toMatchObject({ keyIdentifier: kid, state: "active" });

      const disabled = await keywardCli("eab", "disable", "--alias", alias, "--kid", kid);
      expect(disabled.code, disabled.stderr).toBe(0);
      expect((await keywardCli("eab", "list", "--alias", alias)).stdout).toMatch(/\tdisabled\t/);
      const deleted = await keywardCli("eab", "delete", "--alias", alias, "--kid", kid);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(await testDb().eabKey.count({ where: { alias: { name: alias } } })).toBe(0);
      const actions = await testDb().auditEvent.findMany({
        where: { action: { startsWith: "eab." } },
        orderBy: { id: "asc" },
      });
      expect(
        actions.filter((a) => (a.details as { alias?: string }).alias === alias).map((a) => a.action),
      ).toEqual(["eab.created", "eab.disabled", "eab.deleted"]);
    },
    CLI_SEQUENCE_MS,
  );

  it(
    "ok/an entered key with its own kid; a certificate file as a signature key",
    async () => {
      const alias = `cli-eab-${randomBytes(3).toString("hex")}`;
      await testDb().alias.create({ data: { name: alias, configured: true, settings: {} } });
      const key = randomBytes(48).toString("base64url");
      const entered = await keywardCli(
        "eab",
        "create",
        "--alias",
        alias,
        "--mac-algorithm",
        "HS384",
        "--kid",
        "ops-1",
        // A base64url key may begin with "-": only the "=" form keeps it from reading as an option.
        `--key=${key}`,
      );
      expect(entered.code, entered.stderr).toBe(0);
      expect(entered.stdout).toContain("key identifier (kid): ops-1");
      expect(entered.stdout).toContain(key);

      const { eabCertificate, eabKeyPair } = await import("../support/eab");
      const cert = await eabCertificate(eabKeyPair("ec"));
      const file = path.join(workDir, "eab-cert.der");
      await fs.writeFile(file, cert.der);
      const signature = await keywardCli(
        "eab",
        "create",
        "--alias",
        alias,
        "--type",
        "signature",
        "--public-key-file",
        file,
      );
      expect(signature.code, signature.stderr).toBe(0);
      expect(signature.stdout).toContain(`fingerprint (cf) ${cert.fingerprint}, SHA256withECDSA`);
    },
    CLI_SEQUENCE_MS,
  );

  it(
    "fail/what the console refuses → exit 1 with the reason; wrong usage → exit 2",
    async () => {
      const alias = `cli-eab-${randomBytes(3).toString("hex")}`;
      await testDb().alias.create({ data: { name: alias, configured: true, settings: {} } });
      const short = await keywardCli(
        "eab",
        "create",
        "--alias",
        alias,
        `--key=${randomBytes(16).toString("base64url")}`,
      );
      expect(short.code).toBe(1);
      expect(short.stderr).toContain(
        "key: HS256 needs a key of at least 256 bits (RFC 7518 §3.2); this one has 128",
      );
      const badAlg = await keywardCli("eab", "create", "--alias", alias, "--mac-algorithm", "HS1");
      expect(badAlg.code).toBe(1);
      expect(badAlg.stderr).toContain("macAlgorithm: One of HS256, HS384, HS512");
      await keywardCli("eab", "create", "--alias", alias, "--kid", "same");
      const dup = await keywardCli("eab", "create", "--alias", alias, "--kid", "same");
      expect(dup.code).toBe(1);
      expect(dup.stderr).toContain('already has an EAB key with the key identifier "same"');
      const unknownAlias = await keywardCli("eab", "list", "--alias", "no-such-alias");
      expect(unknownAlias.code).toBe(1);
      expect(unknownAlias.stderr).toContain('Alias "no-such-alias" does not exist');
      const unknownKid = await keywardCli("eab", "disable", "--alias", alias, "--kid", "nope");
      expect(unknownKid.code).toBe(1);
      expect(unknownKid.stderr).toContain(`EAB key "nope" of alias "${alias}" does not exist`);
      const noAlias = await keywardCli("eab", "create");
      expect(noAlias.code).toBe(2);
      expect(noAlias.stderr).toContain("--alias is required");
      const noFile = await keywardCli("eab", "create", "--alias", alias, "--type", "signature");
      expect(noFile.code).toBe(2);
      expect(await testDb().eabKey.count({ where: { alias: { name: alias } } })).toBe(1);
    },
    CLI_SEQUENCE_MS,
  );
});

describe("approvals", () => {
  it("fail/a profile file the console would refuse → exit 1 naming the field; ok/apply creates, then changes it", async () => {
    const name = `cli-profile-${randomBytes(3).toString("hex")}`;
    const bad = await keywardCli(
      "approval-profile",
      "apply",
      "--file",
      await aliasFile({ name, approvalsRequired: 7 }),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("approvalsRequired: From 1 to 5 approvals");
    expect(await testDb().approvalProfile.count({ where: { name } })).toBe(0);

    const created = await keywardCli(
      "approval-profile",
      "apply",
      "--file",
      await aliasFile({ name, approvalsRequired: 2 }),
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created approval profile "${name}"`);
    const updated = await keywardCli(
      "approval-profile",
      "apply",
      "--file",
      await aliasFile({ name, administratorsMayApprove: true, requestValidity: "2d" }),
    );
    expect(updated.stdout).toContain(`Updated approval profile "${name}"`);
    const list = await keywardCli("approval-profile", "list");
    expect(list.stdout).toMatch(new RegExp(`${name}\t2 approvals\topen 2d\tadministrators may approve`));
  });

  it("list, approve and reject as a named user; the decision is that person's; refusals exit 1", async () => {
    const profile = `cli-approvals-${randomBytes(3).toString("hex")}`;
    await keywardCli("approval-profile", "apply", "--file", await aliasFile({ name: profile }));
    const client = await new RawAcmeClient(
      directoryUrl(await createTestAlias({ registrationApprovalProfile: profile })),
    ).init();
    const ask = async () => {
      const res = await client.signedPost(await generateTestKey(), client.directory.newAccount as string, {});
      expect(res.status).toBe(500);
      return /RequestID=(\d+)/.exec(res.body.detail)?.[1] as string;
    };
    const [first, second] = [await ask(), await ask()];
    const approver = `cli-approver-${randomBytes(3).toString("hex")}`;
    await keywardCli("user", "create", "--username", approver, "--role", "approver");

    const list = await keywardCli("approval", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`#${first}\tPENDING\t.*\tregistration\tkey `));

    const approved = await keywardCli("approval", "approve", first, "--user", approver, "--comment", "ok");
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(`Approved request ${first} as ${approver}: approved (1/1 approvals).`);
    const decision = await testDb().approvalDecision.findFirstOrThrow({
      where: { requestId: Number(first) },
    });
    expect(decision).toMatchObject({ verdict: "approve", comment: "ok" });
    expect((await testDb().user.findUniqueOrThrow({ where: { id: decision.userId } })).username).toBe(
      approver,
    );

    const noComment = await keywardCli("approval", "reject", second, "--user", approver);
    expect(noComment.code).toBe(1);
    expect(noComment.stderr).toContain("comment: Say why the request is rejected");
    expect((await keywardCli("approval", "reject", second, "--user", approver, "--comment", "no")).code).toBe(
      0,
    );
    // The administrators of a profile that does not let them decide: refused.
    const admin = await testDb().user.findFirstOrThrow({ where: { role: "administrator", disabled: false } });
    const third = await ask();
    const byAdmin = await keywardCli("approval", "approve", third, "--user", admin.username);
    expect(byAdmin.code).toBe(1);
    expect(byAdmin.stderr).toContain("does not let administrators approve");

    const history = await keywardCli("approval", "list", "--history");
    expect(history.stdout).toMatch(new RegExp(`#${second}\tREJECTED.*${approver} rejected`));
    const usage = await keywardCli("approval", "approve", "--user", approver);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("needs the request's id");
  });
});

describe("access rules and trust anchors", () => {
  it("ok/registers, lists and removes a client certificate; fail/an unknown right; trust anchors list Keyward's CAs", async () => {
    const alias = `cli-mtls-${randomBytes(4).toString("hex")}`;
    expect(
      (await keywardCli("alias", "apply", "--file", await aliasFile({ name: alias, settings: {} }))).code,
    ).toBe(0);
    const pattern = [
      "access-rule",
      "add",
      "--alias",
      alias,
      "--issuer",
      "CN=Ops CA, O=Example",
      "--subject",
      "CN=*.ops",
    ];

    const unknown = await keywardCli(...pattern, "--right", "/superadmin/");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("rights.0");

    const added = await keywardCli(...pattern, "--all-rights", "--json");
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    const rule = JSON.parse(added.stdout);
    expect(rule.rights).toContain("/ra_functionality/revoke_end_entity/");
    expect(rule.rights.some((r: string) => r.startsWith("/ca/"))).toBe(true);

    const listed = await keywardCli("access-rule", "list", "--alias", alias);
    expect(listed.stdout).toContain("CN=*.ops");
    expect((await keywardCli("access-rule", "remove", "--alias", alias, "--id", rule.id)).code).toBe(0);
    expect((await keywardCli("access-rule", "list", "--alias", alias)).stdout).toContain(
      "No client certificates",
    );
    const audit = await testDb().auditEvent.findMany({
      where: { action: { startsWith: "accessRule." }, actor: "system" },
    });
    expect(audit.filter((a) => (a.details as { accessRule?: string }).accessRule === rule.id)).toHaveLength(
      2,
    );

    const anchors = await keywardCli("trust-anchor", "list");
    expect(anchors.code).toBe(0);
    expect(anchors.stdout).toMatch(/\tkeyward\t.*Root CA/);
    const notCa = path.join(workDir, "not-a-ca.pem");
    await fs.writeFile(notCa, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    const refused = await keywardCli("trust-anchor", "import", "--file", notCa);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("certificatePem");
  });
});

describe("profiles", () => {
  // Each command starts a process (a few seconds each on a busy machine): a longer bound.
  it("fail/a profile file the console would refuse → exit 1 naming the field; ok/apply creates, changes and lists both kinds", {
    timeout: 180_000,
  }, async () => {
    const name = `cli-cp-${randomBytes(3).toString("hex")}`;
    const bad = await keywardCli(
      "certificate-profile",
      "apply",
      "--file",
      await aliasFile({ name, validity: "5x" }),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('validity: Use units y, mo, d, h, m, e.g. "90d", "6mo" or "1y"');
    expect(await testDb().certificateProfile.count({ where: { name } })).toBe(0);

    const created = await keywardCli(
      "certificate-profile",
      "apply",
      "--file",
      await aliasFile({ name, keyAlgorithms: ["ECDSA"], validity: "30d" }),
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`Created certificate profile "${name}"`);
    const updated = await keywardCli(
      "certificate-profile",
      "apply",
      "--file",
      await aliasFile({ name, validity: "1y" }),
    );
    expect(updated.stdout).toContain(`Updated certificate profile "${name}"`);

    const eep = `cli-eep-${randomBytes(3).toString("hex")}`;
    const eepCreated = await keywardCli(
      "end-entity-profile",
      "apply",
      "--file",
      await aliasFile({ name: eep, defaultCertificateProfile: name, maxDnsNames: 5 }),
    );
    expect(eepCreated.code, eepCreated.stderr).toBe(0);
    expect(eepCreated.stdout).toContain(`Created end entity profile "${eep}"`);
    expect((await keywardCli("certificate-profile", "list")).stdout).toMatch(
      new RegExp(`${name}\tECDSA\t1y\tserverAuth\tCAs: any\tused by: ${eep}`),
    );
  });
});

describe("ca", () => {
  it("ok/creates a root and a sub-CA under it and downloads its chain; bad input exits 1 naming the field", async () => {
    const tag = randomBytes(3).toString("hex");
    const root = await keywardCli(
      "ca",
      "create",
      "--json",
      "--kind",
      "root",
      "--subject",
      `CN=Cli Root ${tag}, O=Keyward Tests`,
      "--validity-days",
      "365",
    );
    expect(root.stderr).toBe("");
    expect(root.code).toBe(0);
    const rootCa = JSON.parse(root.stdout);
    expect(rootCa).toMatchObject({ role: "root", name: `Cli Root ${tag}` });

    const sub = await keywardCli(
      "ca",
      "create",
      "--kind",
      "sub",
      "--parent",
      rootCa.id,
      "--subject",
      `CN=Cli Sub ${tag}`,
    );
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain(`Created issuing CA "Cli Sub ${tag}"`);
    const subId = (sub.stdout.match(/id (\S+)/) as RegExpMatchArray)[1] as string;
    const chain = await keywardCli("ca", "download", "--id", subId, "--format", "chain");
    expect(chain.code).toBe(0);
    expect(chain.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const audit = await testDb().auditEvent.findFirst({ where: { action: "ca.created", targetId: subId } });
    expect(audit?.actor).toBe("system");

    const orphan = await keywardCli("ca", "create", "--kind", "sub", "--subject", `CN=Orphan ${tag}`);
    expect(orphan.code).toBe(1);
    expect(orphan.stderr).toContain("parentId");
    expect(await testDb().certificateAuthority.count({ where: { name: `Orphan ${tag}` } })).toBe(0);
  });
});

describe("ca delete", () => {
  it("ok/deletes an unused CA and its key by name; refused (exit 1) while it signs another CA, or with no name", async () => {
    const tag = randomBytes(3).toString("hex");
    const root = JSON.parse(
      (await keywardCli("ca", "create", "--json", "--kind", "root", "--subject", `CN=Cli Gone Root ${tag}`))
        .stdout,
    );
    const sub = JSON.parse(
      (
        await keywardCli(
          "ca",
          "create",
          "--json",
          "--kind",
          "sub",
          "--parent",
          root.id,
          "--subject",
          `CN=Cli Gone Sub ${tag}`,
        )
      ).stdout,
    );

    const refused = await keywardCli("ca", "delete", `Cli Gone Root ${tag}`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`it signed CA "Cli Gone Sub ${tag}"`);

    const deleted = await keywardCli("ca", "delete", `Cli Gone Sub ${tag}`);
    expect(deleted.stderr).toBe("");
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`Deleted CA "Cli Gone Sub ${tag}" and its key.`);
    expect(await testDb().certificateAuthority.count({ where: { id: sub.id } })).toBe(0);
    const audit = await testDb().auditEvent.findFirst({ where: { action: "ca.deleted", targetId: sub.id } });
    expect(audit?.actor).toBe("system");
    expect((await keywardCli("ca", "delete", `Cli Gone Root ${tag}`)).code).toBe(0);

    const unknown = await keywardCli("ca", "delete", `Cli Gone Root ${tag}`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("does not exist");
    const nameless = await keywardCli("ca", "delete");
    expect(nameless.code).not.toBe(0);
    expect(nameless.stderr).toContain("Name the CA to delete");
  });
});
