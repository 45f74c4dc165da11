// Certificates, orders and CAs in a real browser: acme-client gets a certificate over dns-01
// (pebble-challtestsrv is the alias's resolver); the operator finds it by name from the navigation,
// opens it, revokes it with a reason after a confirmation naming it, and the CRL lists it. The
// order page shows what the validation saw; the PKI entry leads to the CAs. An auditor sees the
// certificate without a revoke control, and the server refuses the auditor's request anyway.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as acme from "acme-client";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { aliasSettingsSchema } from "@/lib/ra/alias-settings";
import { getGlobalSettings, setAcmeEnabled } from "@/lib/ra/global-settings";
import { NARROW_VIEWPORT, VIEWPORT } from "../../playwright.config";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { seriousAxeViolations } from "./support/axe";
import { e2e, launchBrowser, newContext, screenshot, signIn } from "./support/browser";

const ALIAS = "e2e-certs";
const NAME = "shop.e2e-certs.test";
let browser: Browser;
let admin: Page;
let db: Db;
let dns: ChallTestSrv;
let acmeWasEnabled: boolean;
let serialHex: string;
let certificatePath: string;
let endEntityPath: string;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-e2e-certs-"));

beforeAll(async () => {
  db = createDb(e2e().databaseUrl, 2);
  acmeWasEnabled = (await getGlobalSettings(db)).acmeEnabled;
  await setAcmeEnabled(db, true, "system");
  dns = await startChallTestSrv();
  await db.alias.create({
    data: {
      name: ALIAS,
      configured: true,
      settings: aliasSettingsSchema.parse({ dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort }),
    },
  });
  const client = new acme.Client({
    directoryUrl: `${e2e().baseUrl}/acme/${ALIAS}/directory`,
    accountKey: await acme.crypto.createPrivateKey(),
    backoffMin: 100,
    backoffMax: 500,
    backoffAttempts: 30,
  });
  const [, csr] = await acme.crypto.createCsr({ altNames: [NAME, `www.${NAME}`] });
  await client.auto({
    csr,
    termsOfServiceAgreed: true,
    challengePriority: ["dns-01"],
    skipChallengeVerification: true,
    challengeCreateFn: async (authz, _challenge, keyAuthorization) =>
      dns.setTxt(`_acme-challenge.${authz.identifier.value}`, keyAuthorization),
    challengeRemoveFn: async () => {},
  });
  browser = await launchBrowser();
  admin = await (await newContext(browser)).newPage();
  await signIn(admin, e2e().users.admin);
});

afterAll(async () => {
  await browser?.close();
  await dns?.stop();
  if (db) {
    await setAcmeEnabled(db, acmeWasEnabled, "system");
    await db.$disconnect();
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("certificates", () => {
  it("[CERTIFICATES]: the operator finds a certificate by name from the navigation and opens it", async () => {
    await admin.goto("/");
    await admin
      .getByRole("navigation", { name: "Console" })
      .getByRole("link", { name: "Certificates" })
      .click();
    await admin.waitForURL("**/certificates");
    await admin.getByLabel("Name").fill("e2e-certs");
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.waitForURL((url) => url.searchParams.get("name") === "e2e-certs");
    const row = admin.getByRole("table", { name: "Certificates" }).getByTestId("certificate-link");
    await expect.poll(() => row.count()).toBe(1);
    await screenshot(admin, "certificates-search");
    await row.click();
    await admin.waitForURL(/\/certificates\/[A-Za-z0-9_-]+$/);
    certificatePath = new URL(admin.url()).pathname;
    expect(await admin.getByTestId("certificate-sans").textContent()).toContain(`www.${NAME}`);
    serialHex =
      (await admin.getByTestId("certificate-serial").textContent())?.match(/[0-9a-f]{16,}/)?.[0] ?? "";
    expect(serialHex).not.toBe("");
    expect(await admin.getByText("serverAuth").count()).toBeGreaterThan(0);
    await screenshot(admin, "certificate-detail");
  });

  it("[CERTIFICATES]: an auditor sees no revoke control, and the server refuses the auditor's revocation", async () => {
    const auditor = await (await newContext(browser)).newPage();
    await signIn(auditor, e2e().users.auditor);
    await auditor.goto(certificatePath);
    expect(await auditor.getByTestId("certificate-title").textContent()).toBe(NAME);
    expect(await auditor.getByTestId("certificate-revoke").count()).toBe(0);
    const id = certificatePath.split("/").pop();
    const res = await auditor.request.post(`/api/console/certificates/${id}/revoke`, {
      data: { reason: 1 },
      headers: { origin: e2e().baseUrl },
    });
    expect(res.status()).toBe(403);
    await auditor.context().close();
  });

  it("[CERTIFICATES]: the operator revokes it with a reason after a confirmation naming it; the CRL lists it", async () => {
    await admin.goto(certificatePath);
    await admin.getByTestId("certificate-revoke").click();
    const dialog = admin.getByRole("dialog");
    expect(await dialog.textContent()).toContain(NAME);
    expect(await dialog.textContent()).toContain(serialHex);
    await dialog.getByLabel("Reason (RFC 5280 §5.3.1)").selectOption("1");
    await screenshot(admin, "certificate-revoke-confirm");
    await dialog.getByRole("button", { name: `Revoke ${NAME}` }).click();
    await expect.poll(() => admin.getByTestId("certificate-revocation").isVisible()).toBe(true);
    expect(await admin.getByTestId("certificate-revocation").textContent()).toContain("keyCompromise");
    expect(await admin.getByTestId("certificate-revoke").count()).toBe(0);
    await screenshot(admin, "certificate-revoked");

    const crlHref = await admin
      .getByTestId("certificate-revocation")
      .getByRole("link", { name: "CRL" })
      .getAttribute("href");
    const crl = await admin.request.get(crlHref as string);
    expect(crl.status()).toBe(200);
    fs.writeFileSync(path.join(tmp, "ca.crl"), await crl.body());
    const text = execFileSync("openssl", [
      "crl",
      "-inform",
      "DER",
      "-in",
      path.join(tmp, "ca.crl"),
      "-noout",
      "-text",
    ])
      .toString()
      .toLowerCase();
    expect(text.replace(/[:\s]/g, "")).toContain(serialHex.replace(/^0+/, ""));
    expect(text).toContain("key compromise");

    await admin.goto("/certificates?status=revoked&name=e2e-certs");
    await expect.poll(() => admin.getByTestId("certificate-link").count()).toBe(1);
  });
});

describe("orders and certificate authorities", () => {
  it("[ORDERS]: the order shows its authorizations and what the dns-01 validation saw", async () => {
    await admin.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Orders" }).click();
    await admin.waitForURL("**/orders");
    await admin.getByLabel("Identifier").fill(NAME);
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.waitForURL((url) => url.searchParams.get("identifier") === NAME);
    await admin.getByTestId("order-link").first().click();
    await admin.waitForURL(/\/orders\/[A-Za-z0-9_-]+$/);
    const identifiers = await admin.getByTestId("authorization-identifier").allTextContents();
    expect(identifiers.sort()).toEqual([NAME, `www.${NAME}`]);
    const record = admin.getByTestId("validation-record").first();
    expect(await record.textContent()).toContain("_acme-challenge");
    await screenshot(admin, "order-detail");
  });

  it("[PKI]: the navigation's CA entry lists the root and the issuing CA with fingerprints", async () => {
    await admin
      .getByRole("navigation", { name: "Console" })
      .getByRole("link", { name: "Certificate authorities" })
      .click();
    await admin.waitForURL("**/certificate-authorities");
    const names = await admin.getByTestId("ca-name").allTextContents();
    expect(names.some((n) => n.includes("root"))).toBe(true);
    expect(names.some((n) => n.includes("issuing"))).toBe(true);
    const chain = await admin.request.get(
      (await admin.getByRole("link", { name: "Chain" }).first().getAttribute("href")) as string,
    );
    expect(chain.status()).toBe(200);
    expect((await chain.text()).match(/BEGIN CERTIFICATE/g)?.length).toBeGreaterThan(0);
    await screenshot(admin, "certificate-authorities");
  });
});

describe("end entities", () => {
  it("[END ENTITIES]: the end entities page lists the certificate's end entity, GENERATED, and links to its certificate", async () => {
    // RA mode (issue 12 item 4): the alias names end entities RANDOM, i.e. by the order's id.
    const certificate = await db.certificate.findFirstOrThrow({
      where: { account: { alias: { name: ALIAS } } },
      include: { endEntity: true },
      orderBy: { createdAt: "asc" },
    });
    const username = certificate.endEntity?.username as string;
    expect(username).toBe(certificate.orderId);
    await admin.goto("/");
    await admin
      .getByRole("navigation", { name: "Console" })
      .getByRole("link", { name: "End entities" })
      .click();
    await admin.waitForURL("**/end-entities");
    await admin.getByLabel("Username or subject").fill(NAME);
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.waitForURL((url) => url.searchParams.get("q") === NAME);
    const link = admin.getByTestId("end-entity-link").filter({ hasText: username });
    await expect.poll(() => link.count()).toBe(1);
    await link.click();
    await admin.getByTestId("end-entity-title").filter({ hasText: username }).waitFor();
    expect(await admin.getByText("GENERATED").count()).toBeGreaterThan(0);
    endEntityPath = new URL(admin.url()).pathname;
    await admin.getByTestId("end-entity-certificate-link").filter({ hasText: certificate.serialHex }).click();
    await admin.waitForURL(`**/certificates/${certificate.id}`);
  });
});

describe("accessibility", () => {
  // The pages of this file's certificate and order exist only here; console-daily checks the rest.
  it("[A11Y]: a certificate's page and its end entity's: no serious axe violation, no sideways scroll, at both sizes", {
    timeout: 120_000,
  }, async () => {
    const problems: string[] = [];
    const state = await admin.context().storageState();
    for (const viewport of [VIEWPORT, NARROW_VIEWPORT]) {
      const context = await newContext(browser, viewport, state);
      const p = await context.newPage();
      // The lists, an order and the CAs page are checked with every other page by
      // console-daily.e2e.test.ts; a certificate's page and its end entity's need the certificate
      // this file issues.
      for (const path of [certificatePath, endEntityPath]) {
        const res = await p.goto(path);
        expect(res?.status(), path).toBe(200);
        await p.locator("main").waitFor();
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) problems.push(`${viewport.width} ${path}: scrolls sideways by ${overflow}px`);
        for (const v of await seriousAxeViolations(p)) problems.push(`${viewport.width} ${path}: ${v}`);
      }
      await context.close();
    }
    expect(problems).toEqual([]);
  });
});
