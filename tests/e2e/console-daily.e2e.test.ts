// The console as operators use it every day (issue 16), in one browser at a desk's 1440×900 and a
// phone's 390×844: every page reachable (a menu button on the phone), no page scrolling sideways,
// no serious accessibility violation (axe-core) on any page, confirmations that stay long enough
// to read, a warning before unsaved changes are lost, and a deep link that survives sign-in.
import fs from "node:fs";
import * as acme from "acme-client";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { createDb, type Db } from "@/lib/db/client";
import { aliasSettingsSchema } from "@/lib/ra/alias-settings";
import { getGlobalSettings, setAcmeEnabled } from "@/lib/ra/global-settings";
import { NARROW_VIEWPORT, VIEWPORT } from "../../playwright.config";
import { seriousAxeViolations } from "./support/axe";
import { e2e, launchBrowser, newContext, screenshot, signIn } from "./support/browser";

/** Aliases of this file only (sorted after the other files' e2e-* ones, so no list of theirs moves). */
const ALIASES = ["zz-daily-alpha", "zz-daily-bravo", "zz-daily-charlie"] as const;
const approver = { username: "e2e-daily-approver", password: "e2e daily approver password" };
/** An alias with ACME accounts and orders (its name has no "zz-daily": the aliases list's tests ignore it). */
const ORDERS_ALIAS = "zy-daily-orders";
/** Two accounts: the first with two orders, the second with none. */
const accountIds: string[] = [];
let orderId: string;
let acmeWasEnabled: boolean;

let browser: Browser;
let db: Db;
/** An administrator at a desk, and the same session on a phone. */
let page: Page;
let phone: Page;

async function signedInPage(viewport: { width: number; height: number }, user = e2e().users.admin) {
  const context = await newContext(browser, viewport);
  const p = await context.newPage();
  await signIn(p, user);
  return { context, page: p };
}

beforeAll(async () => {
  db = createDb(e2e().databaseUrl, 2);
  await db.user.create({
    data: {
      username: approver.username,
      role: "approver",
      passwordHash: await hashPassword(approver.password),
    },
  });
  // ACME accounts and orders to list, sort and open (no validation: pending orders suffice).
  acmeWasEnabled = (await getGlobalSettings(db)).acmeEnabled;
  await setAcmeEnabled(db, true, "system");
  await db.alias.create({
    data: { name: ORDERS_ALIAS, configured: true, settings: aliasSettingsSchema.parse({}) },
  });
  for (const orders of [2, 0]) {
    const client = new acme.Client({
      directoryUrl: `${e2e().baseUrl}/acme/${ORDERS_ALIAS}/directory`,
      accountKey: await acme.crypto.createPrivateKey(),
    });
    await client.createAccount({
      termsOfServiceAgreed: true,
      contact: [`mailto:daily${orders}@orders.test`],
    });
    accountIds.push(client.getAccountUrl().split("/").pop() as string);
    for (let n = 0; n < orders; n++) {
      const order = await client.createOrder({ identifiers: [{ type: "dns", value: `o${n}.daily.test` }] });
      orderId = order.url.split("/").pop() as string;
    }
  }
  browser = await launchBrowser();
  ({ page } = await signedInPage(VIEWPORT));
  phone = await (await newContext(browser, NARROW_VIEWPORT, await page.context().storageState())).newPage();
  for (const name of ALIASES) {
    const res = await page.request.post("/api/console/aliases", {
      headers: { origin: e2e().baseUrl },
      data: { name },
    });
    expect(res.status(), name).toBe(201);
  }
});

afterAll(async () => {
  await browser?.close();
  if (db) {
    await db.account.deleteMany({ where: { alias: { name: ORDERS_ALIAS } } });
    await db.alias.deleteMany({ where: { name: ORDERS_ALIAS } });
    if (acmeWasEnabled !== undefined) await setAcmeEnabled(db, acmeWasEnabled, "system");
    await db.alias.deleteMany({ where: { name: { in: [...ALIASES] } } });
    await db.$disconnect();
  }
});

/**
 * Every console page an administrator has, and one that does not exist (the console's 404). A
 * certificate's page is checked by certificates.e2e.test.ts, which issues one.
 */
const pages = () => [
  "/",
  "/protocol",
  "/aliases",
  `/aliases/${ALIASES[0]}`,
  "/eab-keys",
  "/terms",
  "/approvals",
  "/approvals/profiles",
  "/trust-anchors",
  "/accounts",
  `/accounts/${accountIds[0]}`,
  "/orders",
  `/orders/${orderId}`,
  "/certificates",
  "/certificate-authorities",
  "/certificate-profiles",
  "/end-entity-profiles",
  "/end-entities",
  "/audit",
  "/users",
  "/api-tokens",
  "/no-such-page",
];

describe("every page at both sizes", () => {
  // 2 × 22 page loads, each checked by axe: a minute or two on a busy 2-core machine.
  it("[A11Y]: no page has a serious or critical axe violation, one main landmark, and none scrolls sideways", {
    timeout: 300_000,
  }, async () => {
    const problems: string[] = [];
    for (const [size, p] of [
      ["1440", page],
      ["390", phone],
    ] as const) {
      for (const path of pages()) {
        const res = await p.goto(path);
        expect(res?.status(), path).toBe(path === "/no-such-page" ? 404 : 200);
        await p.locator("main").waitFor();
        const layout = await p.evaluate(() => ({
          mains: document.querySelectorAll("main, [role=main]").length,
          overflow: document.documentElement.scrollWidth - window.innerWidth,
        }));
        if (layout.mains !== 1) problems.push(`${size} ${path}: ${layout.mains} main landmarks`);
        if (layout.overflow > 0) problems.push(`${size} ${path}: scrolls sideways by ${layout.overflow}px`);
        for (const v of await seriousAxeViolations(p)) problems.push(`${size} ${path}: ${v}`);
      }
    }
    // A dialog open over a page, on the phone.
    await phone.goto("/aliases");
    await phone.getByTestId("alias-create").click();
    const dialog = phone.getByRole("dialog", { name: "Create an alias" });
    await dialog.waitFor();
    for (const v of await seriousAxeViolations(phone)) problems.push(`390 create-alias dialog: ${v}`);
    await screenshot(phone, "narrow-alias-create-dialog");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(problems).toEqual([]);
  });

  it("[A11Y]: the 403 page is inside the console's frame with one main landmark and no violation", async () => {
    const { context, page: p } = await signedInPage(VIEWPORT, approver);
    const res = await p.goto("/audit");
    expect(res?.status()).toBe(403);
    // The refusal streams in after the 403 status: wait for it rather than read it at once.
    const heading = p.getByRole("heading", { name: "Your role does not allow this page" });
    await heading.waitFor({ state: "visible", timeout: 10_000 });
    expect(await heading.isVisible()).toBe(true);
    expect(await p.getByRole("navigation", { name: "Console" }).isVisible()).toBe(true);
    expect(await p.getByRole("main").count()).toBe(1);
    expect(await seriousAxeViolations(p)).toEqual([]);
    await screenshot(p, "forbidden");
    await context.close();
  });
});

describe("navigation", () => {
  it("[NAV]: on a phone the menu button opens the navigation, which closes on the page chosen", async () => {
    const p = phone;
    await p.goto("/");
    // The sidebar is not shown; the menu button is.
    expect(await p.getByRole("navigation", { name: "Console" }).count()).toBe(0);
    const menu = p.getByRole("button", { name: "Menu" });
    expect(await menu.isVisible()).toBe(true);
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    await menu.click();
    const drawer = p.getByRole("dialog", { name: "Keyward" });
    await drawer.waitFor();
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    await screenshot(p, "narrow-menu-open");
    await drawer.getByRole("link", { name: "Audit log" }).click();
    await p.waitForURL("**/audit");
    await expect.poll(() => drawer.isVisible()).toBe(false);
    expect(await p.getByRole("heading", { level: 1 }).textContent()).toContain("Audit log");
    // Escape closes it too, and the page behind is usable again.
    await menu.click();
    await drawer.waitFor();
    await p.keyboard.press("Escape");
    await expect.poll(() => drawer.isVisible()).toBe(false);
  });

  it("[NAV]: on a wide screen the navigation and the header stay in view at the bottom of a long page", async () => {
    await page.goto(`/aliases/${ALIASES[0]}`);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(1000);
    const inView = async (name: string) =>
      page
        .getByRole("navigation", { name: "Console" })
        .getByRole("link", { name })
        .evaluate((el) => {
          const r = el.getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight;
        });
    expect(await inView("Overview")).toBe(true);
    expect(await inView("Aliases")).toBe(true);
    expect(await page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(true);
    expect(
      await page
        .getByRole("button", { name: "Sign out" })
        .evaluate((el) => el.getBoundingClientRect().top >= 0),
    ).toBe(true);
    // The Save bar too, halfway down the form.
    await page.getByLabel("Order validity").scrollIntoViewIfNeeded();
    const save = page.getByTestId("alias-store");
    expect(
      await save.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      }),
    ).toBe(true);
    await screenshot(page, "wide-long-page-scrolled");
  });

  it("[A11Y]: a skip link is the first stop of the keyboard and moves focus to the page's content", async () => {
    await page.goto("/aliases");
    await page.keyboard.press("Tab");
    const focused = page.locator(":focus");
    expect(await focused.textContent()).toBe("Skip to content");
    expect(await focused.isVisible()).toBe(true);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("main");
  });

  it("[A11Y]: an unknown console URL shows the console's own 404, with its navigation", async () => {
    const res = await page.goto("/aliases-typo/x");
    expect(res?.status()).toBe(404);
    expect(await page.getByTestId("not-found").textContent()).toContain("This page does not exist");
    expect(await page.getByRole("navigation", { name: "Console" }).isVisible()).toBe(true);
    await page.getByRole("link", { name: "Back to the overview" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    // An unknown API path stays an API answer: a 404 problem document, not a page or a redirect.
    const api = await page.request.get("/api/console/no-such-thing", { maxRedirects: 0 });
    expect(api.status()).toBe(404);
    expect(api.headers()["content-type"]).toContain("application/problem+json");
    expect((await api.json()).detail).toBe("API path /api/console/no-such-thing does not exist");
  });

  it("[A11Y]: the overview's chart bars are reached by keyboard and read out with their values", async () => {
    await page.goto("/");
    const chart = page.getByRole("group", { name: /^Certificates issued: / });
    const bars = chart.getByRole("img");
    expect(await bars.count()).toBe(30);
    // One tab stop for the chart (the latest day), arrows move between days.
    expect(
      await bars.evaluateAll((els) => els.filter((e) => e.getAttribute("tabindex") === "0").length),
    ).toBe(1);
    await bars.last().focus();
    // Each bar says its day and its number (other files may have issued certificates today).
    const today = new Date().toISOString().slice(0, 10);
    expect(await page.locator(":focus").getAttribute("aria-label")).toMatch(new RegExp(`^${today}: \\d+$`));
    await page.keyboard.press("ArrowLeft");
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const label = await page.locator(":focus").getAttribute("aria-label");
    expect(label).toMatch(new RegExp(`^${yesterday}: \\d+$`));
    // The readout beside the chart shows the same.
    expect(await chart.locator("xpath=..").getByTestId("chart-readout").textContent()).toBe(label);
    await page.keyboard.press("Home");
    expect(await page.locator(":focus").getAttribute("aria-label")).toBe(
      `${new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10)}: 0`,
    );
    // Labels are drawn at their real size on a phone, not scaled down to a few pixels.
    // The chart measures its width once on screen (a busy machine may paint it at the default
    // width first): poll rather than read the first frame.
    await phone.goto("/");
    const axisLabel = phone
      .getByRole("group", { name: /^Certificates issued: / })
      .locator("text")
      .first();
    await expect
      .poll(() => axisLabel.evaluate((el) => el.getBoundingClientRect().height))
      .toBeGreaterThanOrEqual(10);
  });
});

describe("feedback", () => {
  it("[FEEDBACK]: storing an alias shows a confirmation that stays, is announced, and can be dismissed", async () => {
    for (const [p, validity] of [
      [page, "2h"],
      [phone, "3h"],
    ] as const) {
      await p.goto(`/aliases/${ALIASES[1]}`);
      await p.getByLabel("Order validity").fill(validity);
      await p.getByTestId("alias-store").click();
      const toast = p.getByTestId("alias-saved");
      await toast.waitFor();
      expect(await toast.textContent()).toContain(`Alias "${ALIASES[1]}" stored`);
      // Inside a live region, so screen readers read it out.
      expect(await toast.evaluate((el) => el.closest('[role="status"]') !== null)).toBe(true);
      // Still there seconds later, after the page has re-rendered from the server.
      await p.waitForTimeout(2500);
      expect(await toast.isVisible()).toBe(true);
      // The pointer on it keeps it (however long the screenshot takes on a busy machine).
      await toast.hover();
      await screenshot(p, `alias-stored-toast-${p === phone ? "390" : "1440"}`);
      await toast.getByRole("button", { name: "Dismiss" }).click();
      await expect.poll(() => toast.count()).toBe(0);
      // Stored indeed.
      await p.reload();
      expect(await p.getByLabel("Order validity").inputValue()).toBe(validity);
    }
  });

  it("[FEEDBACK]: the protocol card describes the state ACME is in", async () => {
    const before = (await (await page.request.get("/api/console/protocol")).json()) as {
      acmeEnabled: boolean;
    };
    const headers = { origin: e2e().baseUrl };
    try {
      for (const enabled of [true, false]) {
        const res = await page.request.put("/api/console/protocol", {
          headers,
          data: { acmeEnabled: enabled },
        });
        expect(res.status()).toBe(200);
        await page.goto("/protocol");
        const card = page.locator("section", { has: page.getByRole("heading", { name: /ACME protocol/ }) });
        const text = await card.textContent();
        if (enabled) {
          expect(text).toContain("ACME is on");
          expect(text).not.toContain("disabled on a new installation");
        } else expect(text).toContain("ACME is off");
      }
    } finally {
      await page.request.put("/api/console/protocol", { headers, data: { acmeEnabled: before.acmeEnabled } });
    }
  });
});

describe("lists", () => {
  const rowNames = (p: Page) =>
    p.getByRole("table", { name: "Aliases" }).locator("tbody tr td:first-child a").allTextContents();

  it("[LISTS]: a table sorts by its columns on the server, the order in the URL and across pages", async () => {
    // One of them stored: the status column has two values.
    const stored = await page.request.patch(`/api/console/aliases/${ALIASES[0]}`, {
      headers: { origin: e2e().baseUrl },
      data: { settings: { orderValidity: "1h" } },
    });
    expect(stored.status()).toBe(200);
    const configured = new Map<string, boolean>();
    for (const alias of ALIASES) {
      const body = await (await page.request.get(`/api/console/aliases/${alias}`)).json();
      configured.set(alias, body.configured);
    }
    const byStatus = [...ALIASES].sort(
      (a, b) => Number(configured.get(a)) - Number(configured.get(b)) || a.localeCompare(b),
    );
    expect(byStatus[0]).toBe(ALIASES[2]); // never stored by this file
    for (const p of [page, phone]) {
      await p.goto("/aliases?q=zz-daily");
      expect(await rowNames(p)).toEqual([...ALIASES]);
      const name = p.getByRole("columnheader", { name: /^Name/ });
      expect(await name.getAttribute("aria-sort")).toBe("ascending");
      await p.getByTestId("sort-name").click();
      await p.waitForURL(/dir=desc/);
      await expect.poll(() => rowNames(p)).toEqual([...ALIASES].reverse());
      expect(await name.getAttribute("aria-sort")).toBe("descending");
      // Status: not stored yet first, then stored; ties by name.
      await p.getByTestId("sort-status").click();
      await p.waitForURL(/sort=status/);
      await expect.poll(() => rowNames(p)).toEqual(byStatus);
      await screenshot(p, `aliases-sorted-${p === phone ? "390" : "1440"}`);
      // The order holds across pages: page 2 of a descending list of 2 a page is its last name.
      await p.goto("/aliases?q=zz-daily&sort=name&dir=desc&pageSize=2");
      expect(await rowNames(p)).toEqual([ALIASES[2], ALIASES[1]]);
      expect(await p.getByTestId("pagination-summary").textContent()).toBe("Showing 1–2 of 3 · page 1 of 2");
      await p.getByRole("link", { name: "Next" }).click();
      await p.waitForURL(/page=2/);
      await expect.poll(() => rowNames(p)).toEqual([ALIASES[0]]);
      expect(new URL(p.url()).searchParams.get("dir")).toBe("desc");
    }
    // A column that is not sortable is refused by the API, as a problem naming the parameter.
    const bad = await page.request.get("/api/console/aliases?sort=settings");
    expect(bad.status()).toBe(422);
    expect(bad.headers()["content-type"]).toContain("application/problem+json");
    expect(JSON.stringify(await bad.json())).toContain("Sort by one of: name, status, accounts");
    const users = await (
      await page.request.get("/api/console/users?sort=username&dir=desc&pageSize=100")
    ).json();
    const usernames = users.items.map((u: { username: string }) => u.username);
    expect(usernames).toEqual([...usernames].sort().reverse());
  });

  it("[LISTS]: a page past the end says so and links to the last page; it never claims the list is empty", async () => {
    for (const p of [page, phone]) {
      await p.goto("/aliases?q=zz-daily&pageSize=2&page=999");
      expect(await p.getByTestId("page-out-of-range").textContent()).toContain("No results on page 999");
      expect(await p.getByText("No aliases yet").count()).toBe(0);
      expect(await p.getByTestId("pagination-summary").textContent()).toBe(
        "Page 999 is past the end: 3 results on 2 pages",
      );
      await screenshot(p, `aliases-past-the-end-${p === phone ? "390" : "1440"}`);
      await p.getByRole("link", { name: "Go to the last page" }).click();
      await p.waitForURL(/page=2/);
      await expect.poll(() => rowNames(p)).toEqual([ALIASES[2]]);
    }
  });

  it("[LISTS]: % and _ in a search are the characters themselves, not wildcards", async () => {
    await page.goto("/aliases?q=zz_daily");
    expect(await page.getByText('No alias matches "zz_daily"').isVisible()).toBe(true);
    await page.goto("/aliases?q=zz-daily%25");
    expect(await page.getByText('No alias matches "zz-daily%"').isVisible()).toBe(true);
    const api = await (await page.request.get("/api/console/aliases?q=%25")).json();
    expect(api.total).toBe(0);
    const users = await (await page.request.get("/api/console/users?q=e2e_")).json();
    expect(users.total).toBe(0);
    // The same search without the wildcard character finds them.
    await page.goto("/aliases?q=ZZ-DAILY");
    expect(await rowNames(page)).toEqual([...ALIASES]);
  });
});

describe("lists sorted, searched and paged on the server", () => {
  const accountRows = (p: Page) =>
    p.getByRole("table", { name: "Accounts" }).locator("tbody tr td:first-child a").allTextContents();
  const tokenRows = (p: Page) =>
    p.getByRole("table", { name: "API tokens" }).locator("tbody tr td:first-child").allTextContents();

  it("[LISTS]: accounts sort by their orders from the column header, both ways, the order in the URL", async () => {
    for (const p of [page, phone]) {
      await p.goto(`/accounts?alias=${ORDERS_ALIAS}`);
      expect(await accountRows(p)).toEqual([...accountIds].reverse()); // newest first
      await p.getByTestId("sort-orders").click();
      await p.waitForURL(/sort=orders&dir=desc/);
      await expect.poll(() => accountRows(p)).toEqual(accountIds); // 2 orders, then none
      expect(await p.getByRole("columnheader", { name: /^Orders/ }).getAttribute("aria-sort")).toBe(
        "descending",
      );
      await p.getByTestId("sort-orders").click();
      await p.waitForURL(/dir=asc/);
      await expect.poll(() => accountRows(p)).toEqual([...accountIds].reverse());
      // The filter was kept by the header links.
      expect(new URL(p.url()).searchParams.get("alias")).toBe(ORDERS_ALIAS);
      await screenshot(p, `accounts-sorted-${p === phone ? "390" : "1440"}`);
    }
  });

  it("[LISTS]: API tokens search by name and sort by name; orders and accounts past the end say so", async () => {
    const headers = { origin: e2e().baseUrl };
    for (const name of ["zz-daily-tok-b", "zz-daily-tok-a", "zz-daily-tok-c"]) {
      const res = await page.request.post("/api/console/tokens", {
        headers,
        data: { name, role: "auditor" },
      });
      expect(res.status()).toBe(201);
    }
    for (const p of [page, phone]) {
      await p.goto("/api-tokens?q=zz-daily-tok");
      await p.getByTestId("sort-name").click();
      await p.waitForURL(/sort=name&dir=asc/);
      await expect.poll(() => tokenRows(p)).toEqual(["zz-daily-tok-a", "zz-daily-tok-b", "zz-daily-tok-c"]);
      await p.getByTestId("sort-name").click();
      await p.waitForURL(/dir=desc/);
      await expect.poll(() => tokenRows(p)).toEqual(["zz-daily-tok-c", "zz-daily-tok-b", "zz-daily-tok-a"]);
      // Page 2 of 2 a page keeps the order; a page past the end links back to it.
      await p.goto("/api-tokens?q=zz-daily-tok&sort=name&dir=desc&pageSize=2&page=999");
      expect(await p.getByTestId("page-out-of-range").textContent()).toContain("No results on page 999");
      expect(await p.getByText("No API tokens yet").count()).toBe(0);
      await p.getByRole("link", { name: "Go to the last page" }).click();
      await p.waitForURL(/page=2/);
      await expect.poll(() => tokenRows(p)).toEqual(["zz-daily-tok-a"]);
      for (const path of [
        `/orders?alias=${ORDERS_ALIAS}&page=999`,
        `/accounts?alias=${ORDERS_ALIAS}&page=999`,
      ]) {
        await p.goto(path);
        expect(await p.getByTestId("pagination-summary").textContent(), path).toMatch(
          /^Page 999 is past the end: 2 results on 1 page$/,
        );
        expect(await p.getByText(/yet$/).count(), path).toBe(0);
      }
    }
  });
});

describe("forms", () => {
  it("[FORMS]: the nonce validity is a duration like the order validity, with human messages", async () => {
    const before = (await (await page.request.get("/api/console/protocol")).json()) as {
      replayNonceValidityMs: number;
    };
    try {
      await page.goto("/protocol");
      const field = page.getByLabel("Replay nonce validity");
      const error = page.locator('[data-field-error="replayNonceValidityMs"]');
      for (const [typed, message] of [
        ["3600000", "Use units d, h, m, s"],
        ["ten minutes", "Use units d, h, m, s"],
        ["25h", "From 1s to 24h"],
        ["0s", "From 1s to 24h"],
      ] as const) {
        await field.fill(typed);
        await expect.poll(() => error.textContent()).toContain(message);
        expect(await page.getByRole("button", { name: "Save settings" }).isDisabled()).toBe(true);
      }
      await field.fill("10m 30s");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByTestId("settings-saved").waitFor();
      const after = await (await page.request.get("/api/console/protocol")).json();
      expect(after.replayNonceValidityMs).toBe(630_000);
      await page.reload();
      expect(await page.getByLabel("Replay nonce validity").inputValue()).toBe("10m 30s");
    } finally {
      await page.request.put("/api/console/settings", {
        headers: { origin: e2e().baseUrl },
        data: { replayNonceValidityMs: before.replayNonceValidityMs },
      });
    }
  });
});

describe("audit log", () => {
  it("[AUDIT]: the action filter suggests the actions the log holds; a page past the end says so", async () => {
    await page.goto("/audit");
    const suggestions = await page
      .locator("#audit-action-list option")
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(suggestions).toContain("alias.created");
    expect(suggestions).toEqual([...suggestions].sort());
    expect(await page.getByLabel("Action").getAttribute("list")).toBe("audit-action-list");
    // A deleted object is shown by the name the event recorded, not only by its id.
    const gone = "zz-daily-gone";
    const headers = { origin: e2e().baseUrl };
    expect(
      (await page.request.post("/api/console/aliases", { headers, data: { name: gone } })).status(),
    ).toBe(201);
    expect((await page.request.delete(`/api/console/aliases/${gone}`, { headers })).status()).toBeLessThan(
      300,
    );
    await page.goto("/audit?action=alias.deleted");
    const row = page.getByRole("table", { name: "Audit events" }).locator("tbody tr").first();
    expect(await row.textContent()).toContain(gone);
    await page.goto("/audit?action=alias.created&page=999");
    expect(await page.getByTestId("page-out-of-range").textContent()).toContain("No results on page 999");
    expect(await page.getByText("No events match these filters").count()).toBe(0);
  });
});

describe("audit log: date range and export", () => {
  const today = new Date().toISOString().slice(0, 10);

  it("[AUDIT]: a date range narrows the log; the filters survive sorting", async () => {
    for (const p of [page, phone]) {
      await p.goto("/audit?action=alias.created");
      await p.getByLabel("From").fill(today);
      await p.getByLabel("Until").fill(today);
      await p.getByRole("button", { name: "Search" }).click();
      await p.waitForURL(
        (url) => url.searchParams.get("from") === today && url.searchParams.get("to") === today,
      );
      const rows = p.getByRole("table", { name: "Audit events" }).locator("tbody tr");
      await expect.poll(() => rows.count()).toBeGreaterThan(0);
      await p.getByTestId("sort-when").click();
      // Newest first is the default: the first click turns it to oldest first.
      await p.waitForURL(/sort=when&dir=asc/);
      expect(new URL(p.url()).searchParams.get("from")).toBe(today);
      await p.goto("/audit?action=alias.created&from=2001-01-01&to=2001-01-02");
      expect(await p.getByText("No events match these filters").isVisible()).toBe(true);
      await screenshot(p, `audit-date-range-${p === phone ? "390" : "1440"}`);
    }
  });

  it("[AUDIT]: the filtered log downloads as CSV and as JSON lines, at both sizes", async () => {
    for (const p of [page, phone]) {
      await p.goto(`/audit?action=alias.created&from=${today}`);
      const [csv] = await Promise.all([
        p.waitForEvent("download"),
        p.getByRole("link", { name: "Export CSV" }).click(),
      ]);
      expect(csv.suggestedFilename()).toMatch(/^audit-.+\.csv$/);
      const lines = fs
        .readFileSync((await csv.path()) as string, "utf8")
        .trimEnd()
        .split("\r\n");
      expect(lines[0]).toBe(
        "id,createdAt,actor,actorName,action,targetType,targetId,targetName,ip,requestId,details",
      );
      expect(lines.length).toBeGreaterThan(1);
      // Every event is an alias.created of today: the export is the filtered view.
      for (const line of lines.slice(1)) {
        expect(line.split(",")[4]).toBe("alias.created");
        expect(line.split(",")[1]?.slice(0, 10)).toBe(today);
      }
      expect(lines.some((line) => line.includes(ALIASES[0]))).toBe(true);
      const [jsonl] = await Promise.all([
        p.waitForEvent("download"),
        p.getByRole("link", { name: "Export JSON lines" }).click(),
      ]);
      expect(jsonl.suggestedFilename()).toMatch(/^audit-.+\.jsonl$/);
      const events = fs
        .readFileSync((await jsonl.path()) as string, "utf8")
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as { action: string; targetName: string | null });
      expect(events.length).toBe(lines.length - 1);
      expect(new Set(events.map((e) => e.action))).toEqual(new Set(["alias.created"]));
      expect(events.map((e) => e.targetName)).toContain(ALIASES[0]);
    }
    // An approver may not read the log, nor export it.
    const { context, page: p } = await signedInPage(VIEWPORT, approver);
    expect((await p.request.get("/api/console/audit/export?format=csv")).status()).toBe(403);
    await context.close();
  });
});

describe("dependent fields", () => {
  it("[FORMS]: a field that applies only while another is ticked is disabled with a note until it is", async () => {
    await page.goto(`/aliases/${ALIASES[0]}`);
    const wildcard = page.getByLabel("Wildcard certificate issuance allowed");
    const http01 = page.getByLabel("Wildcard certificate with http-01 challenge allowed");
    const note = page.getByTestId("field-wildcardWithHttp01ChallengeAllowed-caveat");
    expect(await wildcard.isChecked()).toBe(false);
    expect(await http01.isDisabled()).toBe(true);
    expect(await note.textContent()).toContain(
      "Applies only while “Wildcard certificate issuance allowed” is ticked",
    );
    await wildcard.check();
    expect(await http01.isEnabled()).toBe(true);
    expect(await note.count()).toBe(0);
    const approval = page.getByLabel("Require client approval for terms of service changes");
    const agree = page.getByLabel("Agree to new terms of service allowed");
    await approval.uncheck();
    expect(await agree.isDisabled()).toBe(true);
    await approval.check();
    expect(await agree.isEnabled()).toBe(true);
    // Put back: nothing left unsaved.
    await wildcard.uncheck();
    await expect.poll(() => page.getByTestId("alias-unsaved").count()).toBe(0);
  });
});

describe("unsaved changes", () => {
  it("[UNSAVED]: leaving the alias form with changes asks first, on a phone through the menu too", async () => {
    for (const p of [page, phone]) {
      const narrow = p === phone;
      await p.goto(`/aliases/${ALIASES[2]}`);
      const field = p.getByLabel("Order validity");
      const stored = await field.inputValue();
      await field.fill("3h");
      expect(await p.getByTestId("alias-unsaved").isVisible()).toBe(true);
      const goToAudit = async () => {
        if (narrow) await p.getByRole("button", { name: "Menu" }).click();
        await p.getByRole("link", { name: "Audit log" }).click();
      };
      // Cancel: the page and the typed value stay.
      const asked: string[] = [];
      p.once("dialog", (d) => {
        asked.push(`${d.type()}: ${d.message()}`);
        void d.dismiss();
      });
      await goToAudit();
      await expect.poll(() => asked.length).toBe(1);
      expect(asked[0]).toContain("confirm: You have changes that are not stored");
      expect(new URL(p.url()).pathname).toBe(`/aliases/${ALIASES[2]}`);
      // On the phone the menu stays open where the user left it; Escape closes it.
      if (narrow) await p.keyboard.press("Escape");
      expect(await field.inputValue()).toBe("3h");
      // Reloading asks too (the browser's own prompt).
      p.once("dialog", (d) => {
        asked.push(d.type());
        void d.dismiss();
      });
      await p.reload({ timeout: 3000 }).catch(() => undefined);
      await expect.poll(() => asked.length).toBe(2);
      expect(asked[1]).toBe("beforeunload");
      expect(await field.inputValue()).toBe("3h");
      // Confirm: the user leaves, nothing stored.
      p.once("dialog", (d) => void d.accept());
      await goToAudit();
      await p.waitForURL("**/audit");
      // A value typed back to what is stored is no change: no question.
      await p.goto(`/aliases/${ALIASES[2]}`);
      await field.fill("3h");
      await field.fill(stored);
      expect(await p.getByTestId("alias-unsaved").count()).toBe(0);
      await p.goto("/");
      expect(new URL(p.url()).pathname).toBe("/");
    }
  });
});

describe("unsaved changes and the Back button", () => {
  it("[UNSAVED]: the browser's Back button asks first too; staying keeps the page and the typed value", async () => {
    for (const p of [page, phone]) {
      // Reach the alias page by a client-side navigation, so that Back stays inside the console.
      await p.goto("/aliases?q=zz-daily");
      await p.getByTestId(`alias-link-${ALIASES[1]}`).click();
      await p.waitForURL(`**/aliases/${ALIASES[1]}`);
      const field = p.getByLabel("Order validity");
      await field.fill("5h");
      const asked: string[] = [];
      p.once("dialog", (d) => {
        asked.push(`${d.type()}: ${d.message()}`);
        void d.dismiss();
      });
      await p.evaluate(() => window.history.back());
      await expect.poll(() => asked.length).toBe(1);
      expect(asked[0]).toContain("confirm: You have changes that are not stored");
      await expect.poll(() => new URL(p.url()).pathname).toBe(`/aliases/${ALIASES[1]}`);
      expect(await field.inputValue()).toBe("5h");
      expect(await p.getByTestId("alias-unsaved").isVisible()).toBe(true);
      // Leaving, confirmed: back to the list, nothing stored.
      p.once("dialog", (d) => void d.accept());
      await p.evaluate(() => window.history.back());
      await p.waitForURL(/\/aliases\?q=zz-daily$/);
      await p.getByRole("table", { name: "Aliases" }).waitFor();
      const stored = await (await p.request.get(`/api/console/aliases/${ALIASES[1]}`)).json();
      expect(stored.settings.orderValidity).not.toBe("5h");
    }
  });
});

describe("sign-in", () => {
  it("[AUTH]: a link to a protected page, with its query, survives sign-in", async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await p.goto("/audit?action=alias.");
    const login = new URL(p.url());
    expect(login.pathname).toBe("/login");
    expect(login.searchParams.get("callbackUrl")).toBe("/audit?action=alias.");
    await p.getByLabel("Username").fill(e2e().users.admin.username);
    await p.getByLabel("Password").fill(e2e().users.admin.password);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.waitForURL((url) => url.pathname !== "/login");
    const back = new URL(p.url());
    expect(`${back.pathname}${back.search}`).toBe("/audit?action=alias.");
    await context.close();
  });
});
