// Browser settings for the console's end-to-end tests (tests/e2e). @playwright/test would try to
// download browsers, so the tests run under vitest (project "e2e") and drive Debian's chromium
// through playwright-core with these options (STACK.md).
import path from "node:path";
import type { LaunchOptions } from "playwright-core";

export const CHROMIUM_PATH = process.env.KEYWARD_CHROMIUM ?? "/usr/bin/chromium";

export const launchOptions: LaunchOptions = {
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
  ],
};

/** Where each page's screenshot is kept as a test artifact. */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "test-results", "screenshots");

export const VIEWPORT = { width: 1440, height: 900 };
/** A phone (issue 16): below the sidebar's breakpoint, where a menu button opens the navigation. */
export const NARROW_VIEWPORT = { width: 390, height: 844 };
