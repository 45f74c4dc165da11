// The access rules of spec "ACME with Client Authentication" and what each ACME operation needs
// (lib/ra/access-rights.ts), and how a registration matches a presented certificate
// (lib/ra/client-access-rules.ts): pure rules, no database.
import { describe, expect, it } from "vitest";
import { ACME_RESOURCE_PATTERNS, type AcmeResource } from "@/lib/acme/paths";
import {
  accessRuleLabel,
  caAccessRule,
  caNameOfAccessRule,
  endEntityProfileAccessRule,
  endEntityProfileAccessRules,
  endEntityProfileOfAccessRule,
  FUNCTION_ACCESS_RULES,
  OPERATION_OF_RESOURCE,
  requiredAccessRules,
} from "@/lib/ra/access-rights";
import { normalizeDistinguishedName, ruleMatches, subjectMatches } from "@/lib/ra/client-access-rules";

describe("access rules", () => {
  it("are the spec's, by its names", () => {
    expect(FUNCTION_ACCESS_RULES.map((r) => r.rule)).toEqual([
      "/ca_functionality/create_certificate/",
      "/ra_functionality/create_end_entity/",
      "/ra_functionality/edit_end_entity/",
      "/ra_functionality/view_end_entity/",
      "/ra_functionality/revoke_end_entity/",
    ]);
    expect(caAccessRule("Keyward Issuing CA 1")).toBe("/ca/Keyward Issuing CA 1/");
    expect(caNameOfAccessRule("/ca/Keyward Issuing CA 1/")).toBe("Keyward Issuing CA 1");
    expect(caNameOfAccessRule("/ca/a/b/")).toBeNull();
    expect(endEntityProfileAccessRule("TLS", "revoke_end_entity")).toBe(
      "/endentityprofilesrules/TLS/revoke_end_entity/",
    );
    expect(accessRuleLabel("/ra_functionality/view_end_entity/")).toBe("View end entity");
    expect(accessRuleLabel("/ca/Root/")).toBe("CA Root");
    expect(endEntityProfileAccessRules("TLS").map((r) => r.rule)).toEqual([
      "/endentityprofilesrules/TLS/create_end_entity/",
      "/endentityprofilesrules/TLS/edit_end_entity/",
      "/endentityprofilesrules/TLS/view_end_entity/",
      "/endentityprofilesrules/TLS/revoke_end_entity/",
    ]);
    expect(endEntityProfileOfAccessRule("/endentityprofilesrules/TLS/edit_end_entity/")).toEqual({
      profile: "TLS",
      right: "edit_end_entity",
    });
    expect(endEntityProfileOfAccessRule("/endentityprofilesrules/TLS/superuser/")).toBeNull();
    expect(endEntityProfileOfAccessRule("/endentityprofilesrules/a/b/view_end_entity/")).toBeNull();
    expect(accessRuleLabel("/endentityprofilesrules/TLS/view_end_entity/")).toBe(
      "View end entity (end entity profile TLS)",
    );
  });

  it("every ACME resource is an operation; only the directory needs no certificate", () => {
    expect(Object.keys(OPERATION_OF_RESOURCE).sort()).toEqual(Object.keys(ACME_RESOURCE_PATTERNS).sort());
    const discover = (Object.keys(OPERATION_OF_RESOURCE) as AcmeResource[]).filter(
      (r) => OPERATION_OF_RESOURCE[r] === "discover",
    );
    expect(discover).toEqual(["directory"]);
  });

  it("enrolling needs the spec's whole list on the issuing CA; revoking needs revoke; viewing needs view; accounts nothing", () => {
    const ca = "/ca/Issuing/";
    expect(requiredAccessRules("enroll", "Issuing")).toEqual([
      "/ca_functionality/create_certificate/",
      "/ra_functionality/create_end_entity/",
      "/ra_functionality/edit_end_entity/",
      "/ra_functionality/view_end_entity/",
      ca,
    ]);
    expect(requiredAccessRules("revoke", "Issuing")).toEqual(["/ra_functionality/revoke_end_entity/", ca]);
    expect(requiredAccessRules("view", "Issuing")).toEqual(["/ra_functionality/view_end_entity/", ca]);
    expect(requiredAccessRules("account", "Issuing")).toEqual([]);
    expect(OPERATION_OF_RESOURCE.finalize).toBe("enroll");
    expect(OPERATION_OF_RESOURCE.newOrder).toBe("enroll");
    expect(OPERATION_OF_RESOURCE.revokeCert).toBe("revoke");
    expect(OPERATION_OF_RESOURCE.certificate).toBe("view");
    expect(OPERATION_OF_RESOURCE.keyChange).toBe("account");
  });

  it("on an alias with an end entity profile, the same end entity rights are needed on that profile", () => {
    const profile = (right: string) => `/endentityprofilesrules/TLS/${right}/`;
    expect(requiredAccessRules("enroll", "Issuing", "TLS")).toEqual([
      "/ca_functionality/create_certificate/",
      "/ra_functionality/create_end_entity/",
      "/ra_functionality/edit_end_entity/",
      "/ra_functionality/view_end_entity/",
      "/ca/Issuing/",
      profile("create_end_entity"),
      profile("edit_end_entity"),
      profile("view_end_entity"),
    ]);
    expect(requiredAccessRules("revoke", "Issuing", "TLS")).toEqual([
      "/ra_functionality/revoke_end_entity/",
      "/ca/Issuing/",
      profile("revoke_end_entity"),
    ]);
    expect(requiredAccessRules("view", "Issuing", "TLS")).toEqual([
      "/ra_functionality/view_end_entity/",
      "/ca/Issuing/",
      profile("view_end_entity"),
    ]);
    expect(requiredAccessRules("account", "Issuing", "TLS")).toEqual([]);
  });
});

describe("matching a presented certificate", () => {
  it.each([
    ["CN=agent.ops.example, O=Example", "CN=agent.ops.example, O=Example"],
    ["cn=agent, o=Example", "CN=agent, O=Example"],
    ["CN=a\\, b, O=x", "CN=a\\, b, O=x"],
    ["O=Acme+OU=x, CN=y", "O=Acme+OU=x, CN=y"],
  ])("ok/%s is a distinguished name", (text, normalized) => {
    expect(normalizeDistinguishedName(text)).toBe(normalized);
  });

  it.each(["garbage", "CN=", "", "*", "=x", Array.from({ length: 17 }, (_, i) => `OU=u${i}`).join(", ")])(
    "fail/%s is not a distinguished name",
    (text) => {
      expect(normalizeDistinguishedName(text)).toBeNull();
    },
  );

  it.each([
    ["*", "CN=anything, O=Else", true],
    ["CN=*.ops.example, O=Example", "CN=agent.ops.example, O=Example", true],
    ["O=Example, CN=*.ops.example", "CN=agent.ops.example, O=Example", true],
    ["CN=*.OPS.example, O=example", "CN=agent.ops.example, O=Example", true],
    ["CN=agent*, O=Example", "CN=agent-7, O=Example", true],
    ["CN=*.ops.example, O=Example", "CN=ops.example, O=Example", false],
    ["CN=*.ops.example, O=Example", "CN=agent.ops.example, O=Other", false],
    ["CN=*.ops.example", "CN=agent.ops.example, O=Example", false],
    ["CN=*.ops.example, O=Example", "CN=agent.ops.example", false],
    ["CN=*.ops.example, OU=Example", "CN=agent.ops.example, O=Example", false],
    ["CN=a.b", "CN=aXb", false],
  ])("subject pattern %s against %s → %s", (pattern, subject, matches) => {
    expect(subjectMatches(pattern, subject)).toBe(matches);
  });

  it("a certificate registration matches its SHA-256 only; a subject registration its issuer (any order) and pattern", () => {
    const presented = {
      sha256: "ab".repeat(32),
      subjectDn: "CN=agent, O=Example",
      issuerDn: "O=Example, CN=Ops CA",
    };
    const byCertificate = {
      match: "certificate",
      certificateSha256: "ab".repeat(32),
      issuerDn: "x",
      subjectPattern: "x",
    };
    expect(ruleMatches(byCertificate, presented)).toBe(true);
    expect(ruleMatches({ ...byCertificate, certificateSha256: "cd".repeat(32) }, presented)).toBe(false);
    const bySubject = {
      match: "subject",
      certificateSha256: null,
      issuerDn: "CN=Ops CA, O=Example",
      subjectPattern: "*",
    };
    expect(ruleMatches(bySubject, presented)).toBe(true);
    expect(ruleMatches({ ...bySubject, issuerDn: "CN=Other CA, O=Example" }, presented)).toBe(false);
    expect(ruleMatches({ ...bySubject, subjectPattern: "CN=someone, O=Example" }, presented)).toBe(false);
  });
});
