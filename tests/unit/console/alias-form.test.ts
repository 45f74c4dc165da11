// The alias form shows every field of the alias schema, and what it sends parses back to the
// stored settings: a field added to lib/ra/alias-settings.ts without a place in the form fails here.
import { describe, expect, it } from "vitest";
import { ALIAS_FIELD_GROUPS } from "@/components/aliases/alias-fields";
import { formValuesToSettingsInput, settingsToFormValues } from "@/components/aliases/alias-form-values";
import { aliasSettingsInputSchema } from "@/lib/console/schemas/aliases";
import { aliasSettingsSchema, DEFAULT_ALIAS_SETTINGS } from "@/lib/ra/alias-settings";

describe("alias form", () => {
  it("ok/every schema field appears exactly once, in the spec's groups", () => {
    const shown = ALIAS_FIELD_GROUPS.flatMap((g) => g.fields.map((f) => f.name));
    expect([...shown].sort()).toEqual(Object.keys(aliasSettingsSchema.shape).sort());
    expect(new Set(shown).size).toBe(shown.length);
    expect(ALIAS_FIELD_GROUPS.map((g) => g.id)).toEqual([
      "naming",
      "profile",
      "identifiers",
      "dns",
      "terms",
      "approvals",
      "security",
      "chains",
      "rate-limits",
    ]);
  });

  it("ok/form values round-trip to the same settings", () => {
    const settings = aliasSettingsSchema.parse({
      authorizedRedirectPorts: [80, 8443],
      caaIdentities: ["ca.example"],
      dnsResolver: "192.0.2.53",
      websiteUrl: "https://ca.example/",
      orderValidity: "2d 3h",
      rateLimitNewOrdersPerAccount: 0,
      rateLimitFailedValidationsPerAccountAndName: 7,
    });
    for (const s of [DEFAULT_ALIAS_SETTINGS, settings]) {
      const parsed = aliasSettingsInputSchema.parse(formValuesToSettingsInput(settingsToFormValues(s)));
      expect(parsed).toEqual(s);
    }
  });

  it("fail/text that is not a number or a port list is refused with the field's message", () => {
    const values = {
      ...settingsToFormValues(DEFAULT_ALIAS_SETTINGS),
      dnsPort: "fifty",
      authorizedRedirectPorts: "80, http",
    };
    const result = aliasSettingsInputSchema.safeParse(formValuesToSettingsInput(values));
    expect(result.success).toBe(false);
    const fields = result.error?.issues.map((i) => i.path[0]);
    expect(fields).toContain("dnsPort");
    expect(fields).toContain("authorizedRedirectPorts");
  });

  it("fail/a rate limit that is not a whole number from 0 is refused, naming the field", () => {
    for (const bad of ["lots", "-1", "2.5", "99999999999"]) {
      const values = { ...settingsToFormValues(DEFAULT_ALIAS_SETTINGS), rateLimitNewOrdersPerAccount: bad };
      const result = aliasSettingsInputSchema.safeParse(formValuesToSettingsInput(values));
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues.map((i) => i.path[0])).toEqual(["rateLimitNewOrdersPerAccount"]);
      expect(result.error?.issues[0]?.message).toMatch(/whole number from 0 \(no limit\)/);
    }
  });
});
