// Browser helpers for the e2e tests: one chromium per file, a context per user, sign-in through
// the real form, and a screenshot of every page visited (kept under test-results/screenshots).
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { inject } from "vitest";
import { launchOptions, SCREENSHOT_DIR, VIEWPORT } from "../../../playwright.config";
import type { E2eUser } from "./global-setup";

export function e2e() {
  return inject("e2e");
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch(launchOptions);
}

export async function newContext(
  browser: Browser,
  viewport: { width: number; height: number } = VIEWPORT,
  /** Cookies of another context (its signed-in session), to skip the sign-in form. */
  storageState?: Awaited<ReturnType<BrowserContext["storageState"]>>,
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, baseURL: e2e().baseUrl, storageState });
  context.setDefaultTimeout(15_000);
  return context;
}

export async function signIn(page: Page, user: E2eUser): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
