// The terms-of-service rules (lib/ra/terms.ts), pure: when an account must agree to new terms
// (spec "Require client approval for Terms of Service changes"), the problem it gets (RFC 8555
// §7.3.3), and what an account update does about the terms ("Agree to new Terms of Service allowed").
import { describe, expect, it } from "vitest";
import { type AliasSettingsInput, aliasSettingsSchema } from "@/lib/ra/alias-settings";
import {
  assertAgreedToCurrentTerms,
  mustAgreeToNewTerms,
  newTermsProblem,
  termsAgreementOfUpdate,
} from "@/lib/ra/terms";

const TERMS = {
  termsOfServiceUrl: "https://ca.example/tos-v2",
  termsOfServiceChangeUrl: "https://ca.example/changes",
};

const alias = (settings: AliasSettingsInput = {}, termsOfServiceVersion: number | null = 2) => ({
  settings: aliasSettingsSchema.parse({ ...TERMS, ...settings }),
  termsOfServiceVersion,
});
const account = (termsOfServiceVersion: number | null) => ({ termsOfServiceVersion });

describe("mustAgreeToNewTerms", () => {
  it("ok/an account that agreed to the newest version (or a later one) goes on", () => {
    expect(mustAgreeToNewTerms(alias(), account(2))).toBe(false);
  });

  it("ok/an account behind the newest version, or that agreed to none, must agree", () => {
    expect(mustAgreeToNewTerms(alias(), account(1))).toBe(true);
    expect(mustAgreeToNewTerms(alias(), account(null))).toBe(true);
  });

  it("ok/nothing to agree to: approval of changes not required, no terms any more, none published", () => {
    expect(mustAgreeToNewTerms(alias({ termsOfServiceRequireNewApproval: false }), account(1))).toBe(false);
    expect(mustAgreeToNewTerms(alias({ termsOfServiceUrl: null }), account(1))).toBe(false);
    expect(mustAgreeToNewTerms(alias({}, null), account(null))).toBe(false);
  });
});

describe("newTermsProblem (RFC 8555 §7.3.3)", () => {
  it("ok/403 userActionRequired, Link rel=terms-of-service to the newest terms, instance = the changes page", () => {
    const problem = newTermsProblem(alias());
    expect(problem.status).toBe(403);
    expect(problem.type).toBe("userActionRequired");
    expect(problem.options.links).toEqual([{ url: TERMS.termsOfServiceUrl, rel: "terms-of-service" }]);
    expect(problem.toJSON()).toMatchObject({ instance: TERMS.termsOfServiceChangeUrl });
    expect(problem.detail).toMatch(/"termsOfServiceAgreed": true/);
  });

  it("ok/without a changes page, the instance is the terms themselves", () => {
    expect(newTermsProblem(alias({ termsOfServiceChangeUrl: null })).toJSON()).toMatchObject({
      instance: TERMS.termsOfServiceUrl,
    });
  });

  it("ok/where agreeing is not allowed, the problem says a new account with new keys is needed", () => {
    expect(newTermsProblem(alias({ agreeToNewTermsOfServiceAllowed: false })).detail).toMatch(
      /register a new account with new keys/,
    );
  });

  it("fail/assertAgreedToCurrentTerms throws it for an account behind, not for one that agreed", () => {
    expect(() => assertAgreedToCurrentTerms(alias(), account(1))).toThrow(/terms of service have changed/);
    expect(() => assertAgreedToCurrentTerms(alias(), account(2))).not.toThrow();
  });
});

describe("termsAgreementOfUpdate", () => {
  it("ok/agreeing records the newest version", () => {
    expect(termsAgreementOfUpdate(alias(), account(1), true)).toEqual({ termsOfServiceVersion: 2 });
    expect(termsAgreementOfUpdate(alias(), account(null), true)).toEqual({ termsOfServiceVersion: 2 });
  });

  it("ok/agreeing again, or without published terms, changes no version", () => {
    expect(termsAgreementOfUpdate(alias(), account(2), true)).toBeNull();
    expect(termsAgreementOfUpdate(alias({}, null), account(null), true)).toBeNull();
  });

  it("ok/an update that does not agree goes on when nothing is owed", () => {
    expect(termsAgreementOfUpdate(alias(), account(2), false)).toBeNull();
    expect(
      termsAgreementOfUpdate(alias({ termsOfServiceRequireNewApproval: false }), account(1), false),
    ).toBeNull();
  });

  it("fail/an account behind that does not agree is refused; so is agreeing where it is not allowed", () => {
    expect(() => termsAgreementOfUpdate(alias(), account(1), false)).toThrow(/agree to the new terms/);
    expect(() =>
      termsAgreementOfUpdate(alias({ agreeToNewTermsOfServiceAllowed: false }), account(1), true),
    ).toThrow(/register a new account with new keys/);
  });

  it("ok/with approval of changes off, agreeing is always possible (the allowed switch is inactive)", () => {
    expect(
      termsAgreementOfUpdate(
        alias({ termsOfServiceRequireNewApproval: false, agreeToNewTermsOfServiceAllowed: false }),
        account(1),
        true,
      ),
    ).toEqual({ termsOfServiceVersion: 2 });
  });
});
