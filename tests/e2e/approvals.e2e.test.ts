// Approvals, terms of service and accounts in a real browser against a real server, with the npm
// acme-client as the ACME client: an administrator sets up an approval profile and an alias that
// requires it; acme-client's registration waits; an approver signs in, lands on the queue, sees the
// request and approves it; the client's next attempt gets its account. Then the operator publishes
// new terms, and the client's next order is refused until it agrees. Roles: an approver changes no
// configuration, an auditor decides nothing.
import * as acme from "acme-client";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { createDb, type Db } from "@/lib/db/client";
import { getGlobalSettings, setAcmeEnabled } from "@/lib/ra/global-settings";
import { e2e, launchBrowser, newContext, screenshot, signIn } from "./support/browser";

const ALIAS = "e2e-approved";
const PROFILE = "e2e reviewers";
const CONTACT = "mailto:webmaster@client.example";
const approverUser = { username: "e2e-reviewer", password: "e2e reviewer password" };
// What the console shows after a change comes back from the server and a refresh of the page.
const SETTLED = { timeout: 15_000 };

let browser: Browser;
let admin: Page;
let db: Db;
let acmeWasEnabled: boolean;
let client: acme.Client;
let requestId: string;

beforeAll(async () => {
  // acme-client retries a 5xx answer by re-sending the same JWS, whose nonce is spent by then: with
  // its defaults it reports badNonce after ~30 s instead of the approval's message (README,
  // deviations). This client does not retry, as a client written against EJBCA's approvals would.
  (
    acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }
  ).acmeSettings.retryMaxAttempts = 0;
  db = createDb(e2e().databaseUrl, 2);
  // Other files expect the installation as they left it: ACME's switch is put back afterwards.
  acmeWasEnabled = (await getGlobalSettings(db)).acmeEnabled;
  await setAcmeEnabled(db, true, "system");
  await db.user.create({
    data: {
      username: approverUser.username,
      role: "approver",
      passwordHash: await hashPassword(approverUser.password),
    },
  });
  browser = await launchBrowser();
  admin = await (await newContext(browser)).newPage();
  await signIn(admin, e2e().users.admin);
});

afterAll(async () => {
  await browser?.close();
  if (db) {
    await setAcmeEnabled(db, acmeWasEnabled, "system");
    await db.$disconnect();
  }
});

describe("an alias that requires approval of registrations", () => {
  it("[APPROVALS]: an administrator creates an approval profile, refused values first", async () => {
    await admin.goto("/approvals/profiles");
    await admin.getByTestId("approval-profile-create").click();
    const dialog = admin.getByRole("dialog");
    await dialog.getByLabel("Name").fill(PROFILE);
    await dialog.getByLabel("Approvals required").fill("9");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect
      .poll(() => dialog.locator("[data-field-error]").textContent(), SETTLED)
      .toContain("From 1 to 5 approvals");
    await dialog.getByLabel("Approvals required").fill("1");
    await dialog.getByLabel("Request validity").fill("3d");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect
      .poll(() => admin.getByRole("table", { name: "Approval profiles" }).textContent(), SETTLED)
      .toContain(PROFILE);
    await screenshot(admin, "approval-profiles");
  });

  it("[APPROVALS]: the alias's approval field offers the profiles that exist; the alias stores with it", async () => {
    const created = await admin.request.post("/api/console/aliases", {
      headers: { origin: e2e().baseUrl },
      data: { name: ALIAS },
    });
    expect(created.status()).toBe(201);
    await admin.goto(`/aliases/${ALIAS}`);
    const select = admin.getByLabel("Require approval for account registration");
    expect(await select.locator("option").allTextContents()).toEqual(["None", PROFILE]);
    await select.selectOption(PROFILE);
    await admin.getByTestId("alias-store").click();
    await expect.poll(() => admin.getByTestId("alias-saved").isVisible(), SETTLED).toBe(true);
    // Terms v1 before anyone registers.
    await admin.getByTestId("terms-publish").click();
    const dialog = admin.getByRole("dialog");
    await dialog.getByLabel("Terms of service URL", { exact: true }).fill("https://client.example/terms-v1");
    await dialog.getByRole("button", { name: "Publish" }).click();
    await expect
      .poll(() => admin.getByRole("table", { name: `Terms of service of ${ALIAS}` }).textContent(), SETTLED)
      .toContain("terms-v1");
    await screenshot(admin, "alias-with-approvals");
  });

  it("[APPROVALS]: acme-client's registration is sent for approval, and stays pending", async () => {
    client = new acme.Client({
      directoryUrl: `${e2e().baseUrl}/acme/${ALIAS}/directory`,
      accountKey: await acme.crypto.createPrivateKey(),
    });
    const first = await client
      .createAccount({ termsOfServiceAgreed: true, contact: [CONTACT] })
      .catch((e) => e);
    expect(String(first)).toMatch(
      /A request to register your ACME account has been sent for approval\. RequestID=\d+/,
    );
    requestId = /RequestID=(\d+)/.exec(String(first))?.[1] as string;
    const again = await client
      .createAccount({ termsOfServiceAgreed: true, contact: [CONTACT] })
      .catch((e) => e);
    expect(String(again)).toContain(`has state PENDING. RequestID=${requestId}`);
  });

  it("[APPROVALS]: the overview counts it and links to the queue", async () => {
    await admin.goto("/");
    expect(Number(await admin.getByTestId("count-approvals").textContent())).toBeGreaterThanOrEqual(1);
    await admin.getByTestId("count-approvals-link").click();
    await admin.waitForURL("**/approvals");
    // The administrator reads the queue, but this profile does not let administrators decide.
    await admin.getByTestId(`approval-${requestId}`).waitFor();
    expect(await admin.getByRole("button", { name: `Approve request ${requestId}` }).count()).toBe(0);
    expect(await admin.getByTestId(`approval-${requestId}-why-not`).textContent()).toContain(
      "does not let administrators approve",
    );
  });

  it("[APPROVALS]: an approver signs in, lands on the queue, sees the request and approves it with a comment", async () => {
    const page = await (await newContext(browser)).newPage();
    await signIn(page, approverUser);
    expect(new URL(page.url()).pathname).toBe("/approvals");
    const pending = page.getByRole("table", { name: "Pending approvals" });
    await page.getByTestId(`approval-${requestId}`).waitFor();
    const row = pending.locator("tr", { has: page.getByTestId(`approval-${requestId}`) });
    const text = await row.textContent();
    expect(text).toContain(ALIAS);
    expect(text).toContain("Registration");
    expect(text).toContain("webmaster@client.example");
    expect(text).toMatch(/127\.0\.0\.1/);
    expect(await page.getByTestId(`approval-${requestId}-count`).textContent()).toContain("0 / 1");
    await screenshot(page, "approvals-queue");

    await page.getByRole("button", { name: `Approve request ${requestId}` }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.textContent()).toContain(`Approve request ${requestId}?`);
    await dialog.getByLabel("Comment (optional)").fill("Known customer, ticket 4711");
    await screenshot(page, "approvals-decision");
    await dialog.getByRole("button", { name: "Approve" }).click();
    const history = page.getByRole("table", { name: "Approval history" });
    await expect.poll(() => history.textContent(), SETTLED).toContain(`#${requestId}`);
    expect(await history.textContent()).toContain(`${approverUser.username} approved`);
    expect(await pending.locator(`[data-testid="approval-${requestId}"]`).count()).toBe(0);
    await screenshot(page, "approvals-history");

    // An approver changes no configuration: no controls, and the server refuses anyway.
    await page.goto(`/aliases/${ALIAS}`);
    expect(await page.getByTestId("alias-store").count()).toBe(0);
    expect(await page.getByTestId("terms-publish").count()).toBe(0);
    expect(await page.getByLabel("Require approval for account registration").isDisabled()).toBe(true);
    await page.goto("/approvals/profiles");
    expect(await page.getByTestId("approval-profile-create").count()).toBe(0);
    const headers = { origin: e2e().baseUrl };
    for (const res of await Promise.all([
      page.request.patch(`/api/console/aliases/${ALIAS}`, {
        headers,
        data: { settings: { registrationApprovalProfile: null } },
      }),
      page.request.post("/api/console/approval-profiles", { headers, data: { name: "mine" } }),
      page.request.post(`/api/console/aliases/${ALIAS}/terms`, {
        headers,
        data: { url: "https://x.example/" },
      }),
      page.request.put("/api/console/protocol", { headers, data: { acmeEnabled: false } }),
    ])) {
      expect(res.status(), res.url()).toBe(403);
    }
    await page.context().close();
  });

  it("[APPROVALS]: the client's next attempt gets its account", async () => {
    const account = await client.createAccount({ termsOfServiceAgreed: true, contact: [CONTACT] });
    expect(account.status).toBe("valid");
    expect(client.getAccountUrl()).toMatch(new RegExp(`/acme/${ALIAS}/acct/[A-Za-z0-9_-]+$`));
  });

  it("[ACCOUNTS]: the account is found by its contact, with the terms version it agreed to", async () => {
    await admin.goto("/accounts");
    await admin.getByLabel("Contact").fill("webmaster@client");
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.waitForURL((url) => url.searchParams.get("contact") === "webmaster@client");
    const table = admin.getByRole("table", { name: "Accounts" });
    await expect.poll(() => table.textContent(), SETTLED).toContain("webmaster@client.example");
    expect(await table.textContent()).toContain("v1 (current)");
    await screenshot(admin, "accounts");
  });
});

describe("new terms of service", () => {
  it("[TERMS]: an operator publishes new terms; the next order from the old account is refused until it agrees", async () => {
    const order = () => client.createOrder({ identifiers: [{ type: "dns", value: "www.client.example" }] });
    expect((await order()).status).toBe("pending");

    await admin.goto("/terms");
    const card = admin.locator("section", { has: admin.getByRole("link", { name: ALIAS, exact: true }) });
    await card.getByTestId("terms-publish").click();
    const dialog = admin.getByRole("dialog");
    expect(await dialog.textContent()).toContain("existing accounts can do nothing but agree");
    await dialog.getByLabel("Terms of service URL", { exact: true }).fill("https://client.example/terms-v2");
    await dialog.getByLabel("Changes of terms of service URL").fill("https://client.example/what-changed");
    await dialog.getByRole("button", { name: "Publish" }).click();
    await expect.poll(() => card.textContent(), SETTLED).toContain("terms-v2");
    expect(await card.textContent()).toContain("0 of 1 account agreed to the current terms");
    await screenshot(admin, "terms");

    // The directory names the new terms at once (acme-client keeps its copy of the directory for a day).
    const directory = await (await fetch(`${e2e().baseUrl}/acme/${ALIAS}/directory`)).json();
    expect(directory.meta.termsOfService).toBe("https://client.example/terms-v2");
    const refused = await order().catch((e) => e);
    expect(String(refused)).toMatch(
      /terms of service have changed: agree to the new terms at https:\/\/client\.example\/terms-v2/,
    );

    const agreed = await client.updateAccount({ termsOfServiceAgreed: true });
    expect(agreed.status).toBe("valid");
    expect((await order()).status).toBe("pending");
    await admin.reload();
    await expect
      .poll(() => card.textContent(), SETTLED)
      .toContain("1 of 1 account agreed to the current terms");
  });

  it("[ACCOUNTS]: an administrator deactivates the account after a confirmation naming it", async () => {
    const id = client.getAccountUrl().split("/").pop() as string;
    await admin.goto(`/accounts/${id}`);
    expect(await admin.getByTestId("account-title").textContent()).toBe(id);
    await admin.getByTestId("account-deactivate").click();
    const dialog = admin.getByRole("dialog");
    expect(await dialog.textContent()).toContain(`Deactivate account ${id}?`);
    await screenshot(admin, "account-deactivate-confirm");
    await dialog.getByRole("button", { name: `Deactivate ${id}` }).click();
    await expect.poll(() => admin.getByTestId("account-deactivate").count(), SETTLED).toBe(0);
    expect(await admin.getByRole("heading", { level: 1 }).textContent()).toContain("deactivated");
    await expect(client.updateAccount({})).rejects.toThrow(/deactivated/);
    await screenshot(admin, "account-deactivated");
  });
});

describe("roles", () => {
  it("[ROLES]: an auditor reads the queue and accounts but decides nothing", async () => {
    // A fresh pending request to (not) decide.
    const other = new acme.Client({
      directoryUrl: `${e2e().baseUrl}/acme/${ALIAS}/directory`,
      accountKey: await acme.crypto.createPrivateKey(),
    });
    const sent = String(await other.createAccount({ termsOfServiceAgreed: true }).catch((e) => e));
    const id = /RequestID=(\d+)/.exec(sent)?.[1] as string;

    const page = await (await newContext(browser)).newPage();
    await signIn(page, e2e().users.auditor);
    await page.goto("/approvals");
    await page.getByTestId(`approval-${id}`).waitFor();
    expect(await page.getByRole("button", { name: /^(Approve|Reject) request/ }).count()).toBe(0);
    const res = await page.request.post(`/api/console/approvals/${id}/decision`, {
      headers: { origin: e2e().baseUrl },
      data: { verdict: "approve" },
    });
    expect(res.status()).toBe(403);
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: Number(id) } })).status).toBe(
      "pending",
    );
    expect((await page.goto("/accounts"))?.status()).toBe(200);
    expect(await page.getByRole("table", { name: "Accounts" }).count()).toBe(1);
    await screenshot(page, "auditor-approvals");
    await page.context().close();
  });
});
