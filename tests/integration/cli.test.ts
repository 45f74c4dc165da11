// `npm run keyward -- …` refuses what the console and its API refuse, with a non-zero exit code
// and a readable message, and does what they do otherwise — on the running server's database.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aliasSettingsInputSchema } from "@/lib/console/schemas/aliases";
import { enableAcme, keyward, testDb } from "../support/keyward";

const ROOT = path.resolve(import.meta.dirname, "../..");
let workDir: string;

beforeAll(async () => {
  await enableAcme();
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-cli-"));
});
afterAll(() => fs.rm(workDir, { recursive: true, force: true }));

type Run = { code: number; stdout: string; stderr: string };

function keywardCli(...args: string[]): Promise<Run> {
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
    const created = await keywardCli(
      "alias",
      "apply",
      "--file",
      await aliasFile({
        name,
        settings: {
          orderValidity: "30s 30m 1h",
          termsOfServiceUrl: "https://ca.example/tos",
          requireClientCertificate: true,
        },
      }),
    );
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created and stored alias "${name}"`);
    // Stored, but said to change nothing yet (lib/ra/alias-settings.ts NOT_ENFORCED_ALIAS_FIELDS).
    expect(created.stdout).toContain("Not enforced yet: requireClientCertificate:");
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
    const missing = await keywardCli("alias", "apply");
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
