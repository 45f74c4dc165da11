// RFC 8555 §7.1.6 order status derivation, every combination that matters.
import { describe, expect, it } from "vitest";
import {
  type AuthorizationStatus,
  deriveOrderStatus,
  effectiveAuthorizationStatus,
  type OrderStatus,
} from "@/lib/ra/order-status";

const now = new Date("2026-01-01T00:00:00Z");
const later = new Date("2026-01-02T00:00:00Z");
const earlier = new Date("2025-12-31T00:00:00Z");
const authz = (status: AuthorizationStatus, expiresAt = later) => ({ status, expiresAt });

describe("deriveOrderStatus", () => {
  const cases: [string, OrderStatus, Date, ReturnType<typeof authz>[], OrderStatus][] = [
    ["ok/all pending → pending", "pending", later, [authz("pending"), authz("pending")], "pending"],
    ["ok/some valid → pending", "pending", later, [authz("valid"), authz("pending")], "pending"],
    ["ok/all valid → ready", "pending", later, [authz("valid"), authz("valid")], "ready"],
    ["fail/one invalid → invalid", "pending", later, [authz("valid"), authz("invalid")], "invalid"],
    ["fail/one deactivated → invalid", "pending", later, [authz("deactivated")], "invalid"],
    ["fail/one revoked → invalid", "ready", later, [authz("revoked")], "invalid"],
    ["fail/authorization expired → invalid", "ready", later, [authz("valid", earlier)], "invalid"],
    ["fail/order expired → invalid", "pending", earlier, [authz("pending")], "invalid"],
    ["fail/ready order expired → invalid", "ready", now, [authz("valid")], "invalid"],
    ["ok/processing stays processing", "processing", earlier, [authz("invalid")], "processing"],
    ["ok/valid stays valid after expiry", "valid", earlier, [authz("valid", earlier)], "valid"],
    ["ok/invalid never goes back", "invalid", later, [authz("valid")], "invalid"],
    ["ok/no authorizations → pending", "pending", later, [], "pending"],
  ];
  for (const [name, stored, expiresAt, authorizations, expected] of cases) {
    it(name, () => expect(deriveOrderStatus({ stored, expiresAt, authorizations, now })).toBe(expected));
  }
});

describe("effectiveAuthorizationStatus", () => {
  it("pending or valid past expiry → expired; final states stay", () => {
    expect(effectiveAuthorizationStatus(authz("pending", earlier), now)).toBe("expired");
    expect(effectiveAuthorizationStatus(authz("valid", now), now)).toBe("expired");
    expect(effectiveAuthorizationStatus(authz("valid", later), now)).toBe("valid");
    expect(effectiveAuthorizationStatus(authz("invalid", earlier), now)).toBe("invalid");
    expect(effectiveAuthorizationStatus(authz("deactivated", earlier), now)).toBe("deactivated");
  });
});
