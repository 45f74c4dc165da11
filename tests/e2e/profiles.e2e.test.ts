// Certificate and end entity profiles in the console (issue 12 items 2 and 3): an administrator
// creates a certificate profile (a bad validity is refused next to the field), an end entity
// profile naming it, and chooses that profile on an alias; an auditor reads the pages and gets
// no buttons. Each page passes axe.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { VIEWPORT } from "../../playwright.config";
import { seriousAxeViolations } from "./support/axe";
import { e2e, launchBrowser, newContext, signIn } from "./support/browser";

const ALIAS = "zz-profiles-alias";
const CERTIFICATE_PROFILE = "zz-e2e-ecdsa";
const END_ENTITY_PROFILE = "zz-e2e-web";

let browser: Browser;
let db: Db;
let page: Page;

beforeAll(async () => {
  db = createDb(e2e().databaseUrl, 2);
  browser = await launchBrowser();
  page = await (await newContext(browser, VIEWPORT)).newPage();
  await signIn(page, e2e().users.admin);
  const res = await page.request.post("/api/console/aliases", {
    headers: { origin: e2e().baseUrl },
    data: { name: ALIAS },
  });
  expect(res.status()).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  if (db) {
    await db.alias.deleteMany({ where: { name: ALIAS } });
    await db.endEntityProfile.deleteMany({ where: { name: END_ENTITY_PROFILE } });
    await db.certificateProfile.deleteMany({ where: { name: CERTIFICATE_PROFILE } });
    await db.$disconnect();
  }
});

describe("profiles in the console", () => {
  it("[PROFILES]: create a certificate profile and an end entity profile, then choose it on an alias", {
    timeout: 120_000,
  }, async () => {
    await page.goto("/certificate-profiles");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByTestId("certificate-profile-create").click();
    const dialog = page.getByRole("dialog", { name: "Create a certificate profile" });
    await dialog.getByLabel("Name", { exact: true }).fill(CERTIFICATE_PROFILE);
    await dialog.getByRole("checkbox", { name: "RSA" }).uncheck();
    await dialog.getByLabel("Validity").fill("forever");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => dialog.locator("[data-field-error$='-validity']").textContent()).toMatch(/"6mo"/);
    await dialog.getByLabel("Validity").fill("6mo");
    await dialog.getByRole("checkbox", { name: "clientAuth" }).check();
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    const row = page.getByRole("row", { name: new RegExp(CERTIFICATE_PROFILE) });
    await expect.poll(() => row.textContent()).toMatch(/ECDSA P-256, P-384.*6mo.*clientAuth/);

    await page.goto("/end-entity-profiles");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByTestId("end-entity-profile-create").click();
    const eep = page.getByRole("dialog", { name: "Create an end entity profile" });
    await eep.getByLabel("Name", { exact: true }).fill(END_ENTITY_PROFILE);
    await eep.getByRole("checkbox", { name: "O", exact: true }).check();
    await eep.getByLabel("SAN DNS name fields").fill("2");
    await eep.getByLabel("Default certificate profile").selectOption(CERTIFICATE_PROFILE);
    await eep.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => eep.isVisible()).toBe(false);
    await expect
      .poll(() => page.getByRole("row", { name: new RegExp(END_ENTITY_PROFILE) }).textContent())
      .toMatch(/CN, O.*2 DNS, 100 IP.*zz-e2e-ecdsa/);

    await page.goto(`/aliases/${ALIAS}`);
    await page.getByLabel("End entity profile", { exact: true }).selectOption(END_ENTITY_PROFILE);
    await page.getByRole("button", { name: "Store" }).first().click();
    await expect
      .poll(async () => {
        const alias = await db.alias.findUniqueOrThrow({ where: { name: ALIAS } });
        return (alias.settings as { endEntityProfile?: string }).endEntityProfile;
      })
      .toBe(END_ENTITY_PROFILE);
    await page.goto("/end-entity-profiles");
    await expect
      .poll(() => page.getByRole("row", { name: new RegExp(END_ENTITY_PROFILE) }).textContent())
      .toContain(ALIAS);
  });

  it("[PROFILES]: an auditor reads both pages and is offered no change", { timeout: 60_000 }, async () => {
    const auditorPage = await (await newContext(browser, VIEWPORT)).newPage();
    await signIn(auditorPage, e2e().users.auditor);
    for (const path of ["/certificate-profiles", "/end-entity-profiles"]) {
      const res = await auditorPage.goto(path);
      expect(res?.status(), path).toBe(200);
      await auditorPage.locator("main").waitFor();
      expect(
        await auditorPage.getByRole("button", { name: /Create profile|Edit|Delete/ }).count(),
        path,
      ).toBe(0);
    }
  });
});
