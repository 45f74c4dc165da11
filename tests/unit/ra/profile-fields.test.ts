// The certificate and end entity profile fields (lib/ra/profile-fields.ts): EJBCA's validity text,
// the defaults that equal the built-in profile, and what each field refuses.
import { describe, expect, it } from "vitest";
import { BUILT_IN_LEAF_PROFILE } from "@/lib/ca/profiles";
import {
  certificateProfileFieldsSchema,
  certificateProfileProblems,
  DEFAULT_CERTIFICATE_PROFILE_FIELDS,
  endEntityProfileFieldsSchema,
  parseValiditySeconds,
} from "@/lib/ra/profile-fields";

const DAY = 86_400;

describe("validity text", () => {
  it.each([
    ["90d", 90 * DAY],
    ["6mo", 180 * DAY],
    ["1y", 365 * DAY],
    ["395d", 395 * DAY],
    ["1y 2mo", 425 * DAY],
    ["12h 30m", 12 * 3600 + 30 * 60],
    [" 30D ", 30 * DAY],
  ])("ok/%s is %d seconds", (text, seconds) => {
    expect(parseValiditySeconds(text)).toBe(seconds);
  });

  it.each(["", "90", "d", "5x", "1.5y", "1y 1y", "-1d", "90 d"])("fail/%j is not a validity", (text) => {
    expect(parseValiditySeconds(text)).toBeNull();
  });

  it("ok/the schema normalises units largest first and drops zero parts", () => {
    expect(certificateProfileFieldsSchema.shape.validity.parse("10d 1mo 0h")).toBe("1mo 10d");
  });

  it("fail/the schema refuses less than an hour and more than 398 days", () => {
    expect(certificateProfileFieldsSchema.shape.validity.safeParse("59m").success).toBe(false);
    expect(certificateProfileFieldsSchema.shape.validity.safeParse("399d").success).toBe(false);
    expect(certificateProfileFieldsSchema.shape.validity.safeParse("1y 2mo").success).toBe(false);
    expect(certificateProfileFieldsSchema.shape.validity.safeParse("398d").success).toBe(true);
  });
});

describe("certificate profile fields", () => {
  it("ok/the defaults are the built-in profile (what every certificate got before profiles)", () => {
    const d = DEFAULT_CERTIFICATE_PROFILE_FIELDS;
    expect(d.keyAlgorithms).toEqual(BUILT_IN_LEAF_PROFILE.keyAlgorithms);
    expect(d.ecdsaCurves).toEqual(BUILT_IN_LEAF_PROFILE.ecdsaCurves);
    expect(d.rsaBitLengths).toEqual(BUILT_IN_LEAF_PROFILE.rsaBitLengths);
    expect(parseValiditySeconds(d.validity)).toBe(BUILT_IN_LEAF_PROFILE.validitySeconds);
    expect(d.keyUsages).toEqual(BUILT_IN_LEAF_PROFILE.keyUsages);
    expect(d.extendedKeyUsages).toEqual(["serverAuth"]);
    expect(d.eabNamespace).toBeNull();
  });

  it("ok/lists are kept in their canonical order, once each", () => {
    const parsed = certificateProfileFieldsSchema.parse({
      keyAlgorithms: ["ECDSA", "RSA", "ECDSA"],
      extendedKeyUsages: ["clientAuth", "serverAuth"],
      eabNamespace: "",
    });
    expect(parsed.keyAlgorithms).toEqual(["RSA", "ECDSA"]);
    expect(parsed.extendedKeyUsages).toEqual(["serverAuth", "clientAuth"]);
    expect(parsed.eabNamespace).toBeNull();
  });

  it("fail/an algorithm allowed without its curves or bit lengths", () => {
    const noCurves = certificateProfileFieldsSchema.parse({ keyAlgorithms: ["ECDSA"], ecdsaCurves: [] });
    expect(certificateProfileProblems(noCurves)).toEqual([
      { name: "ecdsaCurves", reason: "ECDSA is allowed: choose at least one curve" },
    ]);
    const noBits = certificateProfileFieldsSchema.parse({ keyAlgorithms: ["RSA"], rsaBitLengths: [] });
    expect(certificateProfileProblems(noBits)[0]?.name).toBe("rsaBitLengths");
    // Curves without ECDSA are harmless.
    expect(
      certificateProfileProblems(
        certificateProfileFieldsSchema.parse({ keyAlgorithms: ["RSA"], ecdsaCurves: [] }),
      ),
    ).toEqual([]);
  });

  it.each([
    [{ keyAlgorithms: [] }, "keyAlgorithms"],
    [{ keyAlgorithms: ["Ed25519"] }, "keyAlgorithms"],
    [{ ecdsaCurves: ["P-521"] }, "ecdsaCurves"],
    [{ rsaBitLengths: [1024] }, "rsaBitLengths"],
    [{ keyUsages: ["cRLSign"] }, "keyUsages"],
    [{ extendedKeyUsages: ["anyExtendedKeyUsage"] }, "extendedKeyUsages"],
    [{ eabNamespace: "x".repeat(65) }, "eabNamespace"],
  ])("fail/%j is refused at %s", (input, field) => {
    const parsed = certificateProfileFieldsSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path[0]).toBe(field);
  });
});

describe("end entity profile fields", () => {
  it("ok/defaults: CN only, 100 DNS and 100 IP fields, built-in certificate profile and CA", () => {
    expect(endEntityProfileFieldsSchema.parse({})).toEqual({
      subjectDnAttributes: [],
      maxDnsNames: 100,
      maxIpAddresses: 100,
      defaultCertificateProfile: null,
      defaultCa: null,
      batchGeneration: false,
    });
  });

  it.each([
    [{ subjectDnAttributes: ["CN"] }, "subjectDnAttributes"],
    [{ maxDnsNames: 101 }, "maxDnsNames"],
    [{ maxIpAddresses: 1.5 }, "maxIpAddresses"],
    [{ defaultCertificateProfile: "a/b" }, "defaultCertificateProfile"],
  ])("fail/%j is refused at %s", (input, field) => {
    const parsed = endEntityProfileFieldsSchema.safeParse(input);
    expect(parsed.error?.issues[0]?.path[0]).toBe(field);
  });
});
