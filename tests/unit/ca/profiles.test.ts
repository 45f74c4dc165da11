// The certificate profile's key rule (lib/ca/profiles.ts): which CSR keys a profile accepts, and a
// refusal that names the rule a client broke.
import { describe, expect, it } from "vitest";
import { assertCsrKeyFitsProfile, BUILT_IN_LEAF_PROFILE, type LeafProfile } from "@/lib/ca/profiles";
import { AcmeProblem } from "@/lib/problem";

const profile = (o: Partial<LeafProfile>): LeafProfile => ({ ...BUILT_IN_LEAF_PROFILE, name: "web", ...o });

function refusal(keyAlgorithm: string, p: LeafProfile): string | null {
  try {
    assertCsrKeyFitsProfile({ keyAlgorithm }, p);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(AcmeProblem);
    expect((err as AcmeProblem).type).toBe("badCSR");
    return (err as AcmeProblem).detail;
  }
}

describe("a CSR key against a certificate profile", () => {
  it.each(["RSA-2048", "RSA-3072", "RSA-4096", "RSA-8192", "RSA-2056", "ECDSA-P256", "ECDSA-P384"])(
    "ok/the built-in profile accepts %s, as before profiles",
    (key) => {
      expect(refusal(key, BUILT_IN_LEAF_PROFILE)).toBeNull();
    },
  );

  it("fail/an algorithm the profile does not offer", () => {
    expect(refusal("RSA-2048", profile({ keyAlgorithms: ["ECDSA"] }))).toBe(
      'CSR public key RSA-2048 is not allowed by certificate profile "web": its available key algorithms are ECDSA',
    );
  });

  it("fail/a curve the profile does not offer", () => {
    expect(refusal("ECDSA-P384", profile({ ecdsaCurves: ["P-256"] }))).toMatch(
      /its available ECDSA curves are P-256$/,
    );
  });

  it("ok/fail: an RSA size between the smallest and the largest bit length", () => {
    const p = profile({ rsaBitLengths: [3072, 4096] });
    expect(refusal("RSA-3072", p)).toBeNull();
    expect(refusal("RSA-3584", p)).toBeNull();
    expect(refusal("RSA-4096", p)).toBeNull();
    expect(refusal("RSA-2048", p)).toMatch(/its available RSA bit lengths are 3072 to 4096$/);
    expect(refusal("RSA-8192", p)).toMatch(/3072 to 4096/);
    expect(refusal("RSA-2048", profile({ rsaBitLengths: [4096] }))).toMatch(
      /its available RSA bit length is 4096$/,
    );
  });

  it("fail/the built-in profile is named as such", () => {
    expect(refusal("Ed25519", BUILT_IN_LEAF_PROFILE)).toMatch(
      /not allowed by the built-in certificate profile/,
    );
  });
});
