// The console in a real browser against a real server and database: sign-in, protocol, aliases
// (create, invalid names, edit and store every kind of field, fields not enforced yet), the alias's
// directory at its three URL forms, EAB keys (generate, copy the certbot command, the account a
// real client registers with the key appears under it), and what an auditor cannot do — in the
// browser and by direct requests.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as acme from "acme-client";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTestKey, RawAcmeClient } from "../support/acme-signer";
import {
  type ClientCredential,
  createTestCa,
  type IssuingCaForTests,
  issueClientCertificate,
} from "../support/client-certificates";
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
    // Issue 17 item 5: readiness and the CA and CRL dates, no warning on a new CA.
    expect(await page.getByTestId("readiness-state").textContent()).toBe("ready");
    expect(await page.getByTestId("readiness-checks").textContent()).toContain("Database");
    const cas = await page.getByTestId("ca-expiry").textContent();
    expect(cas).toMatch(/Root CA[\s\S]*\(root\)/);
    expect(cas).toMatch(/in \d+ years/);
    expect(cas).not.toContain("expires within 30 days");
    expect(await page.getByTestId("crl-next-update").textContent()).toMatch(/#\d+/);
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

    // Terms of service are published, not typed into the form: the form shows the URL read-only.
    expect(await page.getByLabel("Terms of service URL", { exact: true }).isDisabled()).toBe(true);
    await page.getByTestId("terms-publish").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Terms of service URL", { exact: true }).fill("https://shop.example/tos");
    await dialog.getByRole("button", { name: "Publish" }).click();
    await expect
      .poll(() => page.getByRole("table", { name: `Terms of service of ${ALIAS}` }).textContent(), {
        timeout: 15_000,
      })
      .toContain("https://shop.example/tos");
    expect(await page.getByLabel("Terms of service URL", { exact: true }).inputValue()).toBe(
      "https://shop.example/tos",
    );
  });

  it("[ALIASES]: fields nothing enforces yet say so beside the field, and raise no flag in the list", async () => {
    await page.goto(`/aliases/${ALIAS}`);
    const input = page.getByLabel("DNSSEC trust anchor");
    const caveat = page.getByTestId("field-dnssecTrustAnchor-caveat");
    expect(await caveat.isVisible()).toBe(true);
    expect(await caveat.textContent()).toContain("Not enforced yet");
    // Announced with the field, not only shown in amber.
    expect(await input.getAttribute("aria-describedby")).toContain("field-dnssecTrustAnchor-caveat");
    // None on what is enforced: EAB, client certificates, order validity, and the approval
    // profiles and terms-of-service changes since issue 10.
    for (const field of [
      "requireExternalAccountBinding",
      "requireClientCertificate",
      "orderValidity",
      "registrationApprovalProfile",
      "termsOfServiceRequireNewApproval",
      "endEntityProfile",
      "preferredRootCaSubjectDn",
      "raNameGenScheme",
      "raNameGenPrefix",
    ]) {
      expect(await page.getByTestId(`field-${field}-caveat`).count(), field).toBe(0);
    }

    await input.fill(". IN DS 12345 8 2 ABCDEF");
    await page.getByTestId("alias-store").click();
    await expect.poll(() => page.getByTestId("alias-saved").isVisible()).toBe(true);
    // Stored (the form re-renders from the stored alias), and still marked.
    await page.reload();
    expect(await page.getByLabel("DNSSEC trust anchor").inputValue()).toBe(". IN DS 12345 8 2 ABCDEF");
    expect(await caveat.textContent()).toContain("Not enforced yet");
    await screenshot(page, "alias-not-enforced");

    await page.goto("/aliases");
    const flags = page.getByTestId(`alias-flags-${ALIAS}`);
    await flags.waitFor();
    const stored = await (await page.request.get(`/api/console/aliases/${ALIAS}`)).json();
    expect(stored.settings.dnssecTrustAnchor).toBe(". IN DS 12345 8 2 ABCDEF");
    expect(stored.flags).toEqual([]);
    await screenshot(page, "aliases-no-unenforced-flags");
  });

  it("[ALIASES]: a naming scheme that needs batch generation is refused beside the field under a profile without it", async () => {
    const profile = await page.request.post("/api/console/end-entity-profiles", {
      headers: { origin: e2e().baseUrl },
      data: { name: "e2e-no-batch", batchGeneration: false },
    });
    expect(profile.status()).toBe(201);
    await page.goto(`/aliases/${ALIAS}`);
    await page.getByLabel("End entity profile").selectOption("e2e-no-batch");
    await page.getByLabel("RA name generation scheme").selectOption("DN");
    await page.getByTestId("alias-store").click();
    await expect
      .poll(() => page.locator('[data-field-error="field-raNameGenScheme"]').textContent())
      .toContain('turn on "Batch generation" in end entity profile "e2e-no-batch"');
    await screenshot(page, "alias-batch-generation-refused");
    const stored = await (await page.request.get(`/api/console/aliases/${ALIAS}`)).json();
    expect(stored.settings).toMatchObject({ endEntityProfile: null, raNameGenScheme: "RANDOM" });
    // RANDOM needs no batch generation: the form stores.
    const storedSettings = async () =>
      (await (await page.request.get(`/api/console/aliases/${ALIAS}`)).json()).settings;
    await page.getByLabel("RA name generation scheme").selectOption("RANDOM");
    await page.getByTestId("alias-store").click();
    await expect.poll(async () => (await storedSettings()).endEntityProfile).toBe("e2e-no-batch");
    // Back to no profile, as the tests after this one expect (from the page as now stored).
    await page.reload();
    await expect.poll(() => page.getByLabel("End entity profile").inputValue()).toBe("e2e-no-batch");
    await page.getByLabel("End entity profile").selectOption({ label: "None" });
    await page.getByTestId("alias-store").click();
    await expect.poll(async () => (await storedSettings()).endEntityProfile).toBeNull();
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

describe("client certificates", () => {
  const MTLS_ALIAS = "e2e-mtls";
  let workDir: string;
  let agent: ClientCredential;
  let otherCa: IssuingCaForTests;

  beforeAll(async () => {
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-e2e-certs-"));
    otherCa = await createTestCa("E2E Ops Client CA");
    agent = await issueClientCertificate(otherCa, { commonName: "agent.ops.e2e" });
    await fs.writeFile(path.join(workDir, "agent.pem"), agent.cert);
    const created = await page.request.post("/api/console/aliases", {
      headers: { origin: e2e().baseUrl },
      data: { name: MTLS_ALIAS },
    });
    expect(created.status()).toBe(201);
  });

  afterAll(() => fs.rm(workDir, { recursive: true, force: true }));

  it("[CLIENT AUTH]: requiring a client certificate shows both sets of URLs and flags the alias", async () => {
    await page.goto(`/aliases/${MTLS_ALIAS}`);
    await page.getByLabel("Require client certificate").check();
    await page.getByTestId("alias-store").click();
    await expect.poll(() => page.getByTestId("alias-saved").isVisible()).toBe(true);
    await page.reload();
    const mtlsPort = new URL(e2e().mtlsUrl).port;
    const host = new URL(e2e().baseUrl).hostname;
    expect(await page.getByTestId("url-path").textContent()).toBe(
      `${e2e().baseUrl}/acme/${MTLS_ALIAS}/directory`,
    );
    expect(await page.getByTestId("url-client-auth-path").textContent()).toBe(
      `https://${host}:${mtlsPort}/acme/${MTLS_ALIAS}/directory`,
    );
    expect(await page.getByTestId("url-client-auth-query").textContent()).toBe(
      `https://${host}:${mtlsPort}/acme/directory?configurationId=${MTLS_ALIAS}`,
    );
    await screenshot(page, "alias-client-auth-urls");

    // The directory still answers on the plain port; the rest asks for a certificate.
    expect((await directory(`${e2e().baseUrl}/acme/${MTLS_ALIAS}/directory`)).status).toBe(200);
    const nonce = await fetch(`${e2e().baseUrl}/acme/${MTLS_ALIAS}/newNonce`);
    expect(nonce.status).toBe(403);
    expect(((await nonce.json()) as DirectoryBody).detail).toBe(
      "This ACME endpoint requires client certificate authentication",
    );

    await page.goto("/aliases");
    expect(await page.getByTestId(`alias-flags-${MTLS_ALIAS}`).textContent()).toContain("client cert");
    await page.goto("/");
    expect(await page.getByTestId(`overview-url-${MTLS_ALIAS}`).textContent()).toBe(
      `https://${host}:${mtlsPort}/acme/${MTLS_ALIAS}/directory`,
    );
    expect(await page.getByTestId("client-auth-origin").textContent()).toBe(`https://${host}:${mtlsPort}`);
  });

  it("[CLIENT AUTH]: an administrator registers a certificate by upload, and one by issuer and subject", async () => {
    await page.goto(`/aliases/${MTLS_ALIAS}`);
    expect(await page.getByText("No client certificates registered").isVisible()).toBe(true);

    // By upload, without the right to revoke.
    await page.getByTestId("access-rule-add").click();
    let dialog = page.getByRole("dialog");
    await dialog.getByLabel("Client certificate (PEM)").fill("not a certificate");
    await dialog.getByRole("button", { name: "Add" }).click();
    await expect
      .poll(() => dialog.locator('[data-field-error="access-rule-pem"]').textContent())
      .toContain("Paste exactly one PEM certificate");
    await dialog.getByLabel("Certificate file").setInputFiles(path.join(workDir, "agent.pem"));
    await expect
      .poll(() => dialog.getByLabel("Client certificate (PEM)").inputValue())
      .toContain("BEGIN CERTIFICATE");
    expect(await dialog.getByLabel("Revoke end entity", { exact: true }).isChecked()).toBe(true);
    await dialog.getByLabel("Revoke end entity", { exact: true }).uncheck();
    await dialog.getByLabel("Description").fill("the ops agent");
    await screenshot(page, "access-rule-upload");
    await dialog.getByRole("button", { name: "Add" }).click();
    const table = page.getByRole("table", { name: "Access rules" });
    await expect.poll(() => table.textContent()).toContain("CN=agent.ops.e2e");
    const row = table.locator("tr", { hasText: "CN=agent.ops.e2e" });
    expect(await row.textContent()).toContain("Create certificate");
    expect(await row.textContent()).not.toContain("Revoke end entity");
    expect(await row.textContent()).toContain("the ops agent");

    // By issuer and subject pattern; the server's refusal is shown at the field.
    await page.getByTestId("access-rule-add").click();
    dialog = page.getByRole("dialog");
    await dialog.getByLabel("Match").selectOption("subject");
    await dialog.getByLabel("Issuer DN").fill("garbage");
    await dialog.getByLabel("Subject pattern").fill("CN=*.ops.e2e");
    await dialog.getByRole("button", { name: "Add" }).click();
    await expect
      .poll(() => dialog.locator('[data-field-error="access-rule-issuer"]').textContent())
      .toContain("Enter a distinguished name");
    await dialog.getByLabel("Issuer DN").fill(otherCa.subjectDn);
    await dialog.getByRole("button", { name: "Add" }).click();
    await expect.poll(() => table.textContent()).toContain("CN=*.ops.e2e");
    await screenshot(page, "access-rules");

    const rules = await (await page.request.get(`/api/console/aliases/${MTLS_ALIAS}/access-rules`)).json();
    expect(rules.items.map((r: { match: string }) => r.match)).toEqual(["certificate", "subject"]);
  });

  it("[CLIENT AUTH]: removing an access rule asks first, naming it", async () => {
    await page.goto(`/aliases/${MTLS_ALIAS}`);
    await page.getByRole("button", { name: "Remove CN=*.ops.e2e" }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.textContent()).toContain('Remove "CN=*.ops.e2e"?');
    await dialog.getByRole("button", { name: "Remove" }).click();
    const table = page.getByRole("table", { name: "Access rules" });
    await expect.poll(() => table.textContent()).not.toContain("CN=*.ops.e2e");
    expect(await table.textContent()).toContain("CN=agent.ops.e2e");
    await page.goto("/audit?action=accessRule.");
    const audit = await page.getByRole("table", { name: "Audit events" }).textContent();
    expect(audit).toContain("accessRule.created");
    expect(audit).toContain("accessRule.deleted");
  });

  it("[CLIENT AUTH]: trust anchors are Keyward's CAs by default; an administrator imports and removes one", async () => {
    await page.goto("/trust-anchors");
    const table = page.getByRole("table", { name: "Trust anchors" });
    expect((await table.textContent())?.match(/Keyward CA/g)).toHaveLength(2);
    await page.getByTestId("trust-anchor-import").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("CA certificate (PEM)").fill(agent.cert);
    await dialog.getByRole("button", { name: "Import" }).click();
    await expect
      .poll(() => dialog.locator('[data-field-error="trust-anchor-pem"]').textContent())
      .toContain("not a CA certificate");
    await dialog.getByLabel("CA certificate (PEM)").fill(otherCa.pem);
    await dialog.getByRole("button", { name: "Import" }).click();
    await expect.poll(() => table.textContent()).toContain("E2E Ops Client CA");
    await screenshot(page, "trust-anchors");
    await page.getByRole("button", { name: `Remove ${otherCa.subjectDn}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
    await expect.poll(() => table.textContent()).not.toContain("E2E Ops Client CA");
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

describe("certificate authorities (issue 12)", () => {
  it("[PKI]: an administrator creates a root CA, then cross-certifies the default issuing CA under it", async () => {
    const name = `E2E Root ${Date.now().toString(36)}`;
    await page.goto("/certificate-authorities");
    await page.getByTestId("ca-create").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Subject DN").fill("no common name");
    await dialog.getByRole("button", { name: "Create", exact: true }).click();
    // The server's refusal sits beside the field it names.
    await expect.poll(() => dialog.locator("#ca-subject").getAttribute("aria-invalid")).toBe("true");
    await dialog.getByLabel("Subject DN").fill(`CN=${name}, O=Keyward E2E`);
    await dialog.getByLabel("Key algorithm, size or curve").selectOption("ECDSA-P384");
    await dialog.getByRole("button", { name: "Create", exact: true }).click();
    await expect
      .poll(() => page.getByTestId("ca-name").allTextContents())
      .toContainEqual(expect.stringContaining(name));

    const listed = await (await page.request.get("/api/console/certificate-authorities")).json();
    const defaultName = listed.items.find((ca: { isDefault: boolean }) => ca.isDefault).name as string;
    await page.getByRole("button", { name: `Cross-certify ${defaultName}` }).click();
    const confirm = page.getByRole("dialog");
    await confirm.getByLabel("Root CA that cross-certifies").selectOption({ label: name });
    // The confirmation names both CAs.
    expect(await confirm.textContent()).toContain(`Cross-certify "${defaultName}" by "${name}"?`);
    await confirm.getByRole("button", { name: "Cross-certify", exact: true }).click();
    await expect
      .poll(() => page.getByRole("list", { name: `Chains of ${defaultName}` }).textContent())
      .toContain(name);
    await screenshot(page, "certificate-authorities");
  });

  it("[PKI]: an administrator deletes an unused CA after a confirmation naming it; the default issuing CA has no Delete", async () => {
    const name = `E2E Spare ${Date.now().toString(36)}`;
    const created = await page.request.post("/api/console/certificate-authorities", {
      data: { kind: "root", subjectDn: `CN=${name}, O=Keyward E2E` },
    });
    expect(created.status()).toBe(201);
    await page.goto("/certificate-authorities");
    const listed = await (await page.request.get("/api/console/certificate-authorities")).json();
    const defaultName = listed.items.find((ca: { isDefault: boolean }) => ca.isDefault).name as string;
    expect(await page.getByRole("button", { name: `Delete ${defaultName}`, exact: true }).count()).toBe(0);
    await page.getByRole("button", { name: `Delete ${name}`, exact: true }).click();
    const confirm = page.getByRole("dialog");
    expect(await confirm.textContent()).toContain(`Delete CA "${name}"?`);
    await confirm.getByRole("button", { name: `Delete ${name}`, exact: true }).click();
    await expect
      .poll(() => page.getByTestId("ca-name").allTextContents())
      .not.toContainEqual(expect.stringContaining(name));

    // An auditor sees the CAs and no Delete (the server refuses it too: tests/integration).
    const context = await newContext(browser);
    const auditor = await context.newPage();
    await signIn(auditor, e2e().users.auditor);
    await auditor.goto("/certificate-authorities");
    expect(await auditor.getByTestId("ca-name").count()).toBeGreaterThan(0);
    expect(await auditor.getByRole("button", { name: /^Delete / }).count()).toBe(0);
    await context.close();
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
      "/eab-keys",
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
    // Back to the stored value: nothing left unsaved to warn about when the next test leaves.
    await page.getByLabel("Order validity").fill("1h 30m 30s");
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

describe("EAB keys", () => {
  let kid: string;
  let hmacKey: string;

  it("[EAB]: requiring EAB with no key warns that every registration will be refused", async () => {
    await page.goto(`/aliases/${ALIAS}`);
    await page.getByLabel("Require external account binding").check();
    await page.getByTestId("alias-store").click();
    await expect.poll(() => page.getByTestId("alias-saved").isVisible()).toBe(true);
    expect(await page.getByTestId("alias-warning").textContent()).toContain(
      "every new account registration will be refused",
    );
    expect(await page.getByTestId("field-requireExternalAccountBinding-caveat").textContent()).toContain(
      "no usable EAB key",
    );
    await screenshot(page, "alias-eab-warning");
    await page.goto(`/eab-keys?alias=${ALIAS}`);
    expect(await page.getByTestId("eab-warning").textContent()).toContain("no usable EAB key");
    expect(
      await page
        .getByRole("navigation", { name: "Console" })
        .getByRole("link", { name: "EAB keys" })
        .getAttribute("aria-current"),
    ).toBe("page");
  });

  it("[EAB]: an operator generates a key, sees it once and copies the certbot command", async () => {
    await admin.grantPermissions(["clipboard-read", "clipboard-write"], { origin: e2e().baseUrl });
    await page.getByTestId("eab-create").click();
    const dialog = page.getByRole("dialog");
    // A key too short for its algorithm is refused next to the field, and nothing is stored.
    await dialog.getByLabel("Enter", { exact: true }).check();
    await dialog.getByLabel("Key (base64url)").fill("c2hvcnQ");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect
      .poll(() => dialog.locator('[data-field-error="eab-key"]').textContent())
      .toContain("HS256 needs a key of at least 256 bits");
    await dialog.getByLabel(/^Generate/).check();
    await dialog.getByRole("button", { name: "Create" }).click();
    await dialog.getByTestId("eab-secret").waitFor();
    kid = (await dialog.getByTestId("eab-secret-kid").textContent()) as string;
    hmacKey = (await dialog.getByTestId("eab-secret-hmac").textContent()) as string;
    expect(kid).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect(hmacKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const directoryUrl = `${e2e().baseUrl}/acme/${ALIAS}/directory`;
    const shown = (await dialog.getByTestId("eab-command-certbot").textContent()) as string;
    expect(shown).toBe(
      `certbot certonly --standalone --server '${directoryUrl}' --eab-kid '${kid}' --eab-hmac-key '${hmacKey}' --agree-tos -m you@example.com -d www.example.com`,
    );
    expect(await dialog.getByTestId("eab-command-lego").textContent()).toContain(
      `--eab --kid '${kid}' --hmac '${hmacKey}'`,
    );
    expect(await dialog.getByTestId("eab-command-acme.sh").textContent()).toContain(
      `--eab-kid '${kid}' --eab-hmac-key '${hmacKey}'`,
    );
    await dialog.getByRole("button", { name: "Copy certbot command" }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(shown);
    await screenshot(page, "eab-key-created");
    await dialog.getByRole("button", { name: "Done" }).click();

    // Shown once: the list has its identifier, and the page holds the key nowhere.
    await page.reload();
    expect(await page.getByTestId(`eab-key-${kid}`).textContent()).toContain(kid);
    expect(await page.content()).not.toContain(hmacKey);
    expect(await page.getByTestId(`eab-accounts-${kid}`).textContent()).toBe("none");
    expect(await page.getByTestId("eab-warning").count()).toBe(0);
  });

  it("[EAB]: the account a client registers with the key appears under the key", async () => {
    const directoryUrl = `${e2e().baseUrl}/acme/${ALIAS}/directory`;
    const refused = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateKey() });
    await expect(refused.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(
      /external account binding/,
    );
    const client = new acme.Client({
      directoryUrl,
      accountKey: await acme.crypto.createPrivateKey(),
      externalAccountBinding: { kid, hmacKey },
    });
    await client.createAccount({ termsOfServiceAgreed: true, contact: ["mailto:eab@e2e.test"] });
    const accountId = client.getAccountUrl().split("/").pop() as string;

    await page.goto(`/eab-keys?alias=${ALIAS}`);
    const cell = page.getByTestId(`eab-accounts-${kid}`);
    expect(await cell.textContent()).toContain("1 account");
    await cell.getByText("1 account").click();
    await expect.poll(() => cell.getByText(accountId).isVisible()).toBe(true);
    expect(await cell.textContent()).toContain("eab@e2e.test");
    expect(await page.getByRole("table", { name: "EAB keys" }).textContent()).toContain("used");
    await screenshot(page, "eab-key-bound");
  });

  it("[EAB]: an auditor sees identifiers only and no control; disable and delete ask first, naming the key", async () => {
    const context = await newContext(browser);
    const auditor = await context.newPage();
    await signIn(auditor, e2e().users.auditor);
    await auditor.goto(`/eab-keys?alias=${ALIAS}`);
    expect(await auditor.getByTestId(`eab-key-${kid}`).textContent()).toContain(kid);
    expect(await auditor.getByTestId("eab-create").count()).toBe(0);
    expect(await auditor.getByRole("button", { name: `Delete ${kid}` }).count()).toBe(0);
    expect(await auditor.content()).not.toContain(hmacKey);
    const headers = { origin: e2e().baseUrl, "content-type": "application/json" };
    const create = await auditor.request.post(`/api/console/aliases/${ALIAS}/eab-keys`, {
      headers,
      data: { type: "mac" },
    });
    expect(create.status()).toBe(403);
    await screenshot(auditor, "auditor-eab-keys");
    await context.close();

    await page.getByRole("button", { name: `Disable ${kid}` }).click();
    let dialog = page.getByRole("dialog");
    expect(await dialog.textContent()).toContain(`Disable EAB key "${kid}"?`);
    await dialog.getByRole("button", { name: "Disable key" }).click();
    await expect
      .poll(() => page.getByRole("table", { name: "EAB keys" }).textContent())
      .toContain("disabled");
    await page.getByRole("button", { name: `Delete ${kid}` }).click();
    dialog = page.getByRole("dialog");
    expect(await dialog.textContent()).toContain(`Delete EAB key "${kid}"?`);
    expect(await dialog.textContent()).toContain("The 1 account it bound keeps working");
    await screenshot(page, "eab-key-delete-confirm");
    await dialog.getByRole("button", { name: `Delete ${kid}` }).click();
    await expect.poll(() => page.getByTestId(`eab-key-${kid}`).count()).toBe(0);
    // The alias no longer requires EAB for the tests that follow.
    await page.goto(`/aliases/${ALIAS}`);
    await page.getByLabel("Require external account binding").uncheck();
    await page.getByTestId("alias-store").click();
    await expect.poll(() => page.getByTestId("alias-saved").isVisible()).toBe(true);
    expect(await page.getByTestId("alias-warning").count()).toBe(0);
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
    expect(await auditorPage.getByTestId("access-rule-add").count()).toBe(0);
    // The rate limits and their usage are readable; overrides cannot be added.
    expect(await auditorPage.getByTestId("rate-limits-card").isVisible()).toBe(true);
    expect(await auditorPage.getByTestId("rate-limit-override-add").count()).toBe(0);
    await auditorPage.goto("/trust-anchors");
    expect(await auditorPage.getByRole("table", { name: "Trust anchors" }).isVisible()).toBe(true);
    expect(await auditorPage.getByTestId("trust-anchor-import").count()).toBe(0);
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
      req.post(`/api/console/aliases/${ALIAS}/access-rules`, {
        headers,
        data: { match: "subject", issuerDn: "CN=x", subjectPattern: "*", rights: [] },
      }),
      req.post("/api/console/trust-anchors", { headers, data: { certificatePem: "x" } }),
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
    await p.getByLabel("New password", { exact: true }).fill("short");
    await expect
      .poll(() => p.locator('[data-field-error="newPassword"]').textContent())
      .toContain("At least 12 characters");
    await p.getByLabel("New password", { exact: true }).fill("a much better password");
    // Typed twice: a mismatch is refused beside the field, and nothing is sent.
    await p.getByLabel("Repeat the new password").fill("a much better passwort");
    await p.getByRole("button", { name: "Change password" }).click();
    await expect
      .poll(() => p.locator('[data-field-error="repeatPassword"]').textContent())
      .toContain("The two new passwords differ");
    expect(new URL(p.url()).pathname).toBe("/change-password");
    await p.getByLabel("Repeat the new password").fill("a much better password");
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
