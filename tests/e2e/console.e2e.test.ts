// The console in a real browser against a real server and database: sign-in, protocol, aliases
// (create, invalid names, edit and store every kind of field, fields not enforced yet), the alias's
// directory at its three URL forms, and what an auditor cannot do — in the browser and by direct
// requests.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTestKey, RawAcmeClient } from "../support/acme-signer";
import { e2e, launchBrowser, newContext, screenshot, signIn } from "./support/browser";

const ALIAS = "e2e-shop";
let browser: Browser;
let admin: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await newContext(browser);
  page = await admin.newPage();
});

afterAll(async () => {
  await browser?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: directory and problem documents, asserted field by field
type DirectoryBody = Record<string, any>;

async function directory(url: string) {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as DirectoryBody };
}

describe("sign-in", () => {
  it("[AUTH]: a console page without a session goes to the sign-in page", async () => {
    await page.goto("/aliases");
    expect(new URL(page.url()).pathname).toBe("/login");
    await screenshot(page, "login");
  });

  it("[AUTH]: a wrong password is refused", async () => {
    await page.goto("/login");
    await page.getByLabel("Username").fill(e2e().users.admin.username);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByTestId("form-error").textContent())
      .toContain("Wrong username or password");
    expect(new URL(page.url()).pathname).toBe("/login");
    const me = await page.request.get("/api/console/me");
    expect(me.status()).toBe(401);
    await screenshot(page, "login-refused");
  });

  it("[AUTH]: an administrator signs in and sees the overview", async () => {
    await signIn(page, e2e().users.admin);
    expect(new URL(page.url()).pathname).toBe("/");
    await expect.poll(() => page.getByTestId("current-user").textContent()).toBe(e2e().users.admin.username);
    expect(await page.getByTestId("current-role").textContent()).toBe("Administrator");
    expect(await page.getByTestId("protocol-banner").textContent()).toContain("ACME is disabled");
    await screenshot(page, "overview");
  });
});

describe("protocol", () => {
  it("[PROTOCOL]: ACME is disabled on a new installation and every /acme request says so", async () => {
    const res = await directory(`${e2e().baseUrl}/acme/directory`);
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain("disabled");
  });

  it("[PROTOCOL]: an administrator enables ACME after confirming", async () => {
    await page.goto("/protocol");
    await page.getByTestId("protocol-toggle").click();
    await page.getByRole("dialog").getByRole("button", { name: "Enable ACME" }).click();
    await expect.poll(() => page.getByTestId("protocol-toggle").textContent()).toBe("Disable ACME");
    expect((await directory(`${e2e().baseUrl}/acme/directory`)).status).toBe(200);
    await screenshot(page, "protocol");
  });
});

describe("aliases", () => {
  it("[ALIASES]: an invalid name is shown as an error and not stored", async () => {
    await page.goto("/aliases");
    await page.getByTestId("alias-create").click();
    const dialog = page.getByRole("dialog");
    for (const [name, message] of [
      ["bad name", "1 to 250 letters, digits"],
      ["newOrder", "is the name of an ACME resource"],
    ] as const) {
      await dialog.getByLabel("Alias name").fill(name);
      await dialog.getByRole("button", { name: "Create" }).click();
      await expect.poll(() => dialog.locator("[data-field-error]").textContent()).toContain(message);
      const res = await page.request.get(`/api/console/aliases/${encodeURIComponent(name)}`);
      expect(res.status()).toBe(404);
    }
    await screenshot(page, "alias-create-invalid");
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("[ALIASES]: a new alias is not served until it has been stored", async () => {
    await page.getByTestId("alias-create").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Alias name").fill(ALIAS);
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.waitForURL(`**/aliases/${ALIAS}`);
    await expect.poll(() => page.getByTestId("alias-not-stored").isVisible()).toBe(true);
    const res = await directory(`${e2e().baseUrl}/acme/${ALIAS}/directory`);
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain("has not been stored yet");
  });

  it("[ALIASES]: invalid field values are shown inline and nothing is stored; valid ones are stored", async () => {
    await page.getByLabel("Order validity").fill("10x");
    await page.getByLabel("DNS port").fill("70000");
    await page.getByLabel("Site URL").fill("not a url");
    await expect
      .poll(() => page.locator('[data-field-error="field-orderValidity"]').textContent())
      .toContain("Use units d, h, m, s");
    expect(await page.locator('[data-field-error="field-dnsPort"]').textContent()).toContain("1 to 65535");
    expect(await page.locator('[data-field-error="field-websiteUrl"]').textContent()).toContain(
      "http(s) URL",
    );
    await page.getByTestId("alias-store").click();
    expect(await page.getByTestId("form-error").textContent()).toContain("nothing was stored");
    await screenshot(page, "alias-edit-invalid");
    expect((await directory(`${e2e().baseUrl}/acme/${ALIAS}/directory`)).status).toBe(403);

    await page.getByLabel("Order validity").fill("30s 30m 1h");
    await page.getByLabel("DNS port").fill("5353");
    await page.getByLabel("Site URL").fill("https://shop.example/");
    await page.getByLabel("Terms of service URL", { exact: true }).fill("https://shop.example/tos");
    await page.getByLabel("CAA identities").fill("shop.example, ca.example");
    await page.getByLabel("Pre-authorization allowed").check();
    await page.getByLabel("DNS identifier challenge types").selectOption("dns-01");
    await page.getByTestId("alias-store").click();
    await expect.poll(() => page.getByTestId("alias-saved").isVisible()).toBe(true);
    // Stored normalised (spec "Order Validity").
    await expect.poll(() => page.getByLabel("Order validity").inputValue()).toBe("1h 30m 30s");
    await page.reload();
    expect(await page.getByLabel("Order validity").inputValue()).toBe("1h 30m 30s");
    expect(await page.getByLabel("Pre-authorization allowed").isChecked()).toBe(true);
    expect(await page.getByTestId("alias-not-stored").count()).toBe(0);
    await screenshot(page, "alias-edit");
  });

  it("[ALIASES]: fields nothing enforces yet say so beside the field, and raise no flag in the list", async () => {
    await page.goto(`/aliases/${ALIAS}`);
    const checkbox = page.getByLabel("Require client certificate");
    const caveat = page.getByTestId("field-requireClientCertificate-caveat");
    expect(await caveat.isVisible()).toBe(true);
    expect(await caveat.textContent()).toContain("Not enforced yet");
    expect(await caveat.textContent()).toContain("without a client certificate");
    // Announced with the checkbox, not only shown in amber.
    expect(await checkbox.getAttribute("aria-describedby")).toContain(
      "field-requireClientCertificate-caveat",
    );
    // The same mark on the approval profiles; none on what is enforced (EAB, order validity).
    expect(await page.getByTestId("field-registrationApprovalProfile-caveat").textContent()).toContain(
      "Not enforced yet",
    );
    expect(await page.getByTestId("field-requireExternalAccountBinding-caveat").count()).toBe(0);
    expect(await page.getByTestId("field-orderValidity-caveat").count()).toBe(0);

    await checkbox.check();
    await page.getByTestId("alias-store").click();
    await expect.poll(() => page.getByTestId("alias-saved").isVisible()).toBe(true);
    // Stored as ticked (the form re-renders from the stored alias), and still marked.
    await page.reload();
    expect(await page.getByLabel("Require client certificate").isChecked()).toBe(true);
    expect(await caveat.textContent()).toContain("Not enforced yet");
    await screenshot(page, "alias-not-enforced");

    await page.goto("/aliases");
    const flags = page.getByTestId(`alias-flags-${ALIAS}`);
    await flags.waitFor();
    expect(await flags.textContent()).not.toContain("client cert");
    expect(await page.getByRole("table", { name: "Aliases" }).textContent()).not.toContain("client cert");
    const stored = await (await page.request.get(`/api/console/aliases/${ALIAS}`)).json();
    expect(stored.settings.requireClientCertificate).toBe(true);
    expect(stored.flags).toEqual([]);
    await screenshot(page, "aliases-no-unenforced-flags");
  });

  it("[ACME]: the stored alias's directory answers at all three URL forms with its meta", async () => {
    // Make it the default alias through the global settings form.
    await page.goto("/protocol");
    await page.getByLabel("Default ACME configuration").selectOption(ALIAS);
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Saved" }).isVisible()).toBe(true);

    const base = e2e().baseUrl;
    const forms = {
      path: { url: `${base}/acme/${ALIAS}/directory`, newOrder: `${base}/acme/${ALIAS}/newOrder` },
      query: {
        url: `${base}/acme/directory?configurationId=${ALIAS}`,
        newOrder: `${base}/acme/newOrder?configurationId=${ALIAS}`,
      },
      default: { url: `${base}/acme/directory`, newOrder: `${base}/acme/newOrder` },
    };
    for (const [form, expected] of Object.entries(forms)) {
      const res = await directory(expected.url);
      expect(res.status, form).toBe(200);
      expect(res.body.newOrder, form).toBe(expected.newOrder);
      expect(res.body.newAuthz, form).toBeDefined(); // pre-authorization allowed
      expect(res.body.meta, form).toMatchObject({
        website: "https://shop.example/",
        termsOfService: "https://shop.example/tos",
        caaIdentities: ["shop.example", "ca.example"],
        externalAccountRequired: false,
      });
    }
    await page.goto(`/aliases/${ALIAS}`);
    expect(await page.getByTestId("url-default").textContent()).toBe(`${base}/acme/directory`);
    expect(await page.getByTestId("url-query").textContent()).toBe(forms.query.url);
  });

  it("[RATE LIMITS]: the card shows each limit's usage, and an override is added and removed", async () => {
    // An ACME client's account and order on the alias: what the card counts.
    const raw = await new RawAcmeClient(`${e2e().baseUrl}/acme/${ALIAS}/directory`).init();
    const key = await generateTestKey("ES256");
    const account = await raw.signedPost(key, raw.directory.newAccount as string, {
      termsOfServiceAgreed: true,
      contact: ["mailto:fleet@shop.example"],
    });
    expect(account.status).toBe(201);
    const kid = account.headers.get("location") as string;
    const accountId = kid.split("/").at(-1) as string;
    const order = await raw.signedPost(
      key,
      raw.directory.newOrder as string,
      { identifiers: [{ type: "dns", value: "www.shop.example" }] },
      { kid },
    );
    expect(order.status).toBe(201);

    await page.goto(`/aliases/${ALIAS}`);
    const card = page.getByTestId("rate-limits-card");
    await card.waitFor();
    expect(await page.getByTestId("rate-limit-value-newOrdersPerAccount").textContent()).toContain(
      "10,000 per 3 hours",
    );
    expect(await page.getByTestId("rate-limit-top-newAccountsPerIpAddress").textContent()).toContain(
      "127.0.0.1",
    );
    const orders = page.getByTestId("rate-limit-top-newOrdersPerAccount");
    expect(await orders.textContent()).toContain("mailto:fleet@shop.example");
    expect(await orders.textContent()).toContain("1 of 10,000");
    expect(await page.getByTestId("rate-limit-overrides-empty").isVisible()).toBe(true);

    await page.getByTestId("rate-limit-override-add").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Account id").fill("not an id!");
    await dialog.getByLabel("Limit").selectOption("newOrdersPerAccount");
    await dialog.getByLabel(/^Value/).fill("-5");
    await dialog.getByRole("button", { name: "Save override" }).click();
    await expect
      .poll(() => dialog.locator('[data-field-error="override-value"]').textContent())
      .toContain("whole number from 0");
    expect(await dialog.locator('[data-field-error="override-account"]').textContent()).toContain(
      "account id",
    );
    await dialog.getByLabel("Account id").fill(accountId);
    await dialog.getByLabel(/^Value/).fill("50000");
    await dialog.getByLabel("Note").fill("fleet controller");
    await screenshot(page, "rate-limit-override-dialog");
    await dialog.getByRole("button", { name: "Save override" }).click();
    await expect
      .poll(() => page.getByTestId("rate-limit-override-account").first().textContent())
      .toBe(accountId);
    await expect.poll(() => orders.textContent()).toContain("1 of 50,000");
    expect(await orders.textContent()).toContain("override");
    await screenshot(page, "rate-limits");
    const audit = await (await page.request.get("/api/console/audit?action=rateLimitOverride.set")).json();
    expect(audit.items[0]).toMatchObject({ action: "rateLimitOverride.set", targetId: accountId });

    await page.getByRole("button", { name: "Remove", exact: true }).click();
    const confirm = page.getByRole("dialog");
    expect(await confirm.textContent()).toContain(`for account ${accountId}?`);
    await confirm.getByRole("button", { name: "Remove override" }).click();
    await expect.poll(() => page.getByTestId("rate-limit-overrides-empty").isVisible()).toBe(true);
  });

  it("[ALIASES]: clone, rename and delete with a confirmation naming the alias", async () => {
    await page.goto("/aliases");
    await page.getByRole("button", { name: `Clone ${ALIAS}` }).click();
    let dialog = page.getByRole("dialog");
    await dialog.getByLabel("Alias name").fill(`${ALIAS}-2`);
    await dialog.getByRole("button", { name: "Clone" }).click();
    await page.waitForURL(`**/aliases/${ALIAS}-2`);
    expect(await page.getByLabel("Order validity").inputValue()).toBe("1h 30m 30s");

    await page.getByRole("button", { name: `Rename ${ALIAS}-2` }).click();
    dialog = page.getByRole("dialog");
    await dialog.getByLabel("Alias name").fill(ALIAS);
    await dialog.getByRole("button", { name: "Rename" }).click();
    await expect.poll(() => dialog.locator("[data-field-error]").textContent()).toContain("already exists");
    await dialog.getByLabel("Alias name").fill(`${ALIAS}-old`);
    await dialog.getByRole("button", { name: "Rename" }).click();
    await page.waitForURL(`**/aliases/${ALIAS}-old`);

    await page.getByRole("button", { name: `Delete ${ALIAS}-old` }).click();
    dialog = page.getByRole("dialog");
    expect(await dialog.textContent()).toContain(`Delete alias "${ALIAS}-old"?`);
    await screenshot(page, "alias-delete-confirm");
    await dialog.getByRole("button", { name: `Delete ${ALIAS}-old` }).click();
    await page.waitForURL("**/aliases");
    expect((await page.request.get(`/api/console/aliases/${ALIAS}-old`)).status()).toBe(404);
    await screenshot(page, "aliases");
  });
});

describe("administration pages", () => {
  it("[ADMIN]: an API token is shown once and works against the API", async () => {
    await page.goto("/api-tokens");
    await page.getByTestId("token-create").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("e2e script");
    // Only roles allowing nothing beyond the administrator's own (an approver's decisions are not).
    expect(await dialog.getByLabel("Role").locator("option").allTextContents()).toEqual([
      "Administrator",
      "Auditor",
    ]);
    await dialog.getByLabel("Role").selectOption("auditor");
    await dialog.getByRole("button", { name: "Create" }).click();
    const token = (await dialog.getByTestId("api-token-value").textContent()) as string;
    expect(token).toMatch(/^kw_[A-Za-z0-9_-]{43}$/);
    await screenshot(page, "api-tokens-created");
    await dialog.getByRole("button", { name: "Done" }).click();
    const me = await fetch(`${e2e().baseUrl}/api/console/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await me.json()).toMatchObject({ kind: "token", role: "auditor" });
    await screenshot(page, "api-tokens");
  });

  it("[ADMIN]: users and the audit log", async () => {
    await page.goto("/users");
    expect(await page.getByRole("table", { name: "Users" }).textContent()).toContain(
      e2e().users.auditor.username,
    );
    await screenshot(page, "users");
    // Creating a user: the form refuses a bad name as you type, then shows the one-time password once.
    await page.getByTestId("user-create").click();
    await page.locator("#new-username").fill("no spaces allowed");
    await page.locator("#new-username").blur();
    expect(await page.locator("#new-username").getAttribute("aria-invalid")).toBe("true");
    await page.locator("#new-username").fill("e2e-approver");
    await page.locator("#new-role").selectOption("approver");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await page.getByText("One-time password (to be changed at first sign-in)").waitFor();
    await screenshot(page, "user-created");
    await page.getByRole("button", { name: "Done" }).click();
    // The list refreshes from the server after the dialog closes.
    await expect
      .poll(() => page.getByRole("table", { name: "Users" }).textContent())
      .toContain("e2e-approver");
    await page.goto(`/audit?action=alias.`);
    expect(await page.getByRole("table", { name: "Audit events" }).textContent()).toContain("alias.updated");
    await screenshot(page, "audit");
  });
});

describe("security headers (issue 15 item 8)", () => {
  it("[SECURITY]: every console page has its headers and runs under a nonce CSP with no violation", async () => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text()))
        violations.push(m.text());
    });
    for (const path of [
      "/",
      "/aliases",
      `/aliases/${ALIAS}`,
      "/protocol",
      "/users",
      "/api-tokens",
      "/audit",
    ]) {
      const res = await page.goto(path);
      const headers = res?.headers() ?? {};
      expect(headers["content-security-policy"], path).toMatch(
        /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/,
      );
      expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
      expect(headers["x-frame-options"], path).toBe("DENY");
      expect(headers["x-content-type-options"], path).toBe("nosniff");
      expect(headers["referrer-policy"], path).toBe("no-referrer");
      // Interactive parts work: the page hydrated (React attached its root).
      await page.waitForFunction(() => document.querySelector("main") !== null);
    }
    // The overview's charts and the alias form are client components: they ran.
    await page.goto(`/aliases/${ALIAS}`);
    await page.getByLabel("Order validity").fill("2h");
    expect(await page.getByTestId("alias-store").isEnabled()).toBe(true);
    expect(violations).toEqual([]);
    const api = await page.request.get("/api/console/me");
    expect(api.headers()["x-content-type-options"]).toBe("nosniff");
  });

  it("[SECURITY]: a page of another site cannot frame the console", async () => {
    const res = await page.request.get("/users");
    expect(res.headers()["x-frame-options"]).toBe("DENY");
    expect(res.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  });
});

describe("roles", () => {
  let auditorPage: Page;

  beforeAll(async () => {
    const context = await newContext(browser);
    auditorPage = await context.newPage();
    await signIn(auditorPage, e2e().users.auditor);
  });

  it("[ROLES]: an auditor sees the configuration but no control to change it", async () => {
    await auditorPage.goto("/aliases");
    expect(await auditorPage.getByTestId("alias-create").count()).toBe(0);
    expect(await auditorPage.getByRole("button", { name: `Delete ${ALIAS}` }).count()).toBe(0);
    await auditorPage.goto(`/aliases/${ALIAS}`);
    expect(await auditorPage.getByLabel("Order validity").isDisabled()).toBe(true);
    expect(await auditorPage.getByTestId("alias-store").count()).toBe(0);
    // The rate limits and their usage are readable; overrides cannot be added.
    expect(await auditorPage.getByTestId("rate-limits-card").isVisible()).toBe(true);
    expect(await auditorPage.getByTestId("rate-limit-override-add").count()).toBe(0);
    await auditorPage.goto("/protocol");
    expect(await auditorPage.getByTestId("protocol-toggle").count()).toBe(0);
    await screenshot(auditorPage, "auditor-protocol");
    const users = await auditorPage.goto("/users");
    expect(users?.status()).toBe(200);
    expect(await auditorPage.getByTestId("user-create").count()).toBe(0);
    // Token metadata is readable (issue 15 item 10), with no control to create or revoke.
    const tokens = await auditorPage.goto("/api-tokens");
    expect(tokens?.status()).toBe(200);
    expect(await auditorPage.getByRole("table", { name: "API tokens" }).count()).toBe(1);
    expect(await auditorPage.getByTestId("token-create").count()).toBe(0);
    expect(await auditorPage.getByRole("button", { name: /Revoke/ }).count()).toBe(0);
    await screenshot(auditorPage, "auditor-api-tokens-read-only");
  });

  it("[ROLES]: an auditor's direct requests to change anything are refused", async () => {
    const req = auditorPage.request;
    const origin = e2e().baseUrl;
    const headers = { origin, "content-type": "application/json" };
    const attempts = [
      req.put("/api/console/protocol", { headers, data: { acmeEnabled: false } }),
      req.put("/api/console/settings", { headers, data: { replayNonceValidityMs: 5000 } }),
      req.post("/api/console/aliases", { headers, data: { name: "auditor-alias" } }),
      req.patch(`/api/console/aliases/${ALIAS}`, { headers, data: { settings: { orderValidity: "2h" } } }),
      req.post(`/api/console/aliases/${ALIAS}/rename`, { headers, data: { newName: "x" } }),
      req.delete(`/api/console/aliases/${ALIAS}`, { headers }),
      req.post("/api/console/users", { headers, data: { username: "mallory", role: "administrator" } }),
      req.post("/api/console/tokens", { headers, data: { name: "t", role: "administrator" } }),
      req.post(`/api/console/aliases/${ALIAS}/rate-limits/overrides`, {
        headers,
        data: { accountId: "x", limit: "newOrdersPerAccount", value: 0 },
      }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status(), res.url()).toBe(403);
      expect(res.headers()["content-type"]).toContain("application/problem+json");
    }
    // Nothing changed.
    expect((await directory(`${origin}/acme/directory`)).status).toBe(200);
    const alias = await (await req.get(`/api/console/aliases/${ALIAS}`)).json();
    expect(alias.settings.orderValidity).toBe("1h 30m 30s");
  });

  it("[AUTH]: a user with a one-time password must change it first", async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await signIn(p, e2e().users.newcomer);
    await p.waitForURL("**/change-password");
    const blocked = await p.request.get("/api/console/protocol");
    expect(blocked.status()).toBe(403);
    await p.getByLabel("Current password").fill(e2e().users.newcomer.password);
    await p.getByLabel("New password").fill("short");
    await expect
      .poll(() => p.locator('[data-field-error="newPassword"]').textContent())
      .toContain("At least 12 characters");
    await p.getByLabel("New password").fill("a much better password");
    await screenshot(p, "change-password");
    await p.getByRole("button", { name: "Change password" }).click();
    await p.waitForURL((url) => url.pathname === "/");
    expect((await p.request.get("/api/console/protocol")).status()).toBe(200);
    await context.close();
  });

  it("[AUTH]: a callbackUrl a browser would read as another host keeps the user in the console", async () => {
    for (const trick of [
      "/%09/evil.example/",
      "/%0A/evil.example/",
      "/%09%09/evil.example/",
      "//evil.example/",
    ]) {
      const context = await newContext(browser);
      const p = await context.newPage();
      await p.goto(`/login?callbackUrl=${trick}`);
      await p.getByLabel("Username").fill(e2e().users.auditor.username);
      await p.getByLabel("Password").fill(e2e().users.auditor.password);
      await p.getByRole("button", { name: "Sign in" }).click();
      await p.waitForURL((url) => url.pathname !== "/login");
      expect(new URL(p.url()).origin, trick).toBe(e2e().baseUrl);
      await context.close();
    }
  });

  it("[ADMIN]: changing a role asks first, naming the user and both roles", async () => {
    await page.goto("/users");
    const select = page.getByLabel("Role of e2e-approver");
    await select.selectOption("administrator");
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Make "e2e-approver" administrator?');
    expect(await dialog.textContent()).toContain("from Approver to Administrator");
    await screenshot(page, "user-role-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    const stored = await (await page.request.get("/api/console/users?pageSize=100")).json();
    expect(stored.items.find((u: { username: string }) => u.username === "e2e-approver").role).toBe(
      "approver",
    );
  });

  it("[AUTH]: sign-out ends the session", async () => {
    await page.goto("/");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    expect((await page.request.get("/api/console/me")).status()).toBe(401);
  });
});
