// The nonce store on real PostgreSQL (RFC 8555 §6.5): single use, expiry, several instances
// sharing one database, and concurrent replay of one nonce.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { NonceService } from "@/lib/acme/http/nonces";
import { createDb } from "@/lib/db/client";
import { keyward } from "../support/keyward";

const VALIDITY_MS = 60_000;
const key = randomBytes(32);
// Two "instances": separate connection pools, the same database and nonce key.
const dbA = createDb(keyward().databaseUrl, 8);
const dbB = createDb(keyward().databaseUrl, 8);
const instanceA = new NonceService(key, dbA);
const instanceB = new NonceService(key, dbB);

afterAll(async () => {
  await Promise.all([dbA.$disconnect(), dbB.$disconnect()]);
});

describe("NonceService", () => {
  it("accepts a fresh nonce once, then reports reuse", async () => {
    const nonce = instanceA.issue();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await instanceA.redeem(nonce, VALIDITY_MS)).toBe("ok");
    expect(await instanceA.redeem(nonce, VALIDITY_MS)).toBe("reused");
  });

  it("every issued nonce is different", () => {
    const nonces = new Set(Array.from({ length: 1000 }, () => instanceA.issue()));
    expect(nonces.size).toBe(1000);
  });

  it("a nonce older than the validity is expired, one just inside it is not", async () => {
    const now = Date.now();
    expect(await instanceA.redeem(instanceA.issue(now - VALIDITY_MS - 1), VALIDITY_MS, now)).toBe("expired");
    expect(await instanceA.redeem(instanceA.issue(now - VALIDITY_MS + 1000), VALIDITY_MS, now)).toBe("ok");
  });

  it("a nonce issued by one instance is accepted once by another", async () => {
    const nonce = instanceA.issue();
    expect(await instanceB.redeem(nonce, VALIDITY_MS)).toBe("ok");
    expect(await instanceA.redeem(nonce, VALIDITY_MS)).toBe("reused");
  });

  it("concurrent replay across instances: exactly one redemption wins", async () => {
    const nonce = instanceA.issue();
    const verdicts = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? instanceA : instanceB).redeem(nonce, VALIDITY_MS)),
    );
    expect(verdicts.filter((v) => v === "ok")).toHaveLength(1);
    expect(verdicts.filter((v) => v === "reused")).toHaveLength(23);
  });

  it("nonces from another deployment's key, tampered, truncated or made up are unknown", async () => {
    const foreign = new NonceService(randomBytes(32), dbA).issue();
    const genuine = instanceA.issue();
    const tampered = genuine.slice(0, 10) + (genuine[10] === "A" ? "B" : "A") + genuine.slice(11);
    for (const nonce of [foreign, tampered, genuine.slice(0, 42), `${genuine}A`, "", "!!!", "A".repeat(43)]) {
      expect(await instanceA.redeem(nonce, VALIDITY_MS), nonce).toBe("unknown");
    }
  });

  it("a nonce from the future (beyond clock skew) is unknown", async () => {
    expect(await instanceA.redeem(instanceA.issue(Date.now() + 60_000), VALIDITY_MS)).toBe("unknown");
  });

  it("prune removes only redemption records of expired nonces", async () => {
    // Pruned as of a time two validities ahead: the suite's server, which shares this database
    // and prunes as of the real clock, must not take the old record first.
    const now = Date.now();
    const later = now + 2 * VALIDITY_MS;
    const old = instanceA.issue(now);
    expect(await instanceA.redeem(old, VALIDITY_MS, now)).toBe("ok");
    const fresh = instanceA.issue(later);
    expect(await instanceA.redeem(fresh, VALIDITY_MS, later)).toBe("ok");
    expect(await instanceA.prune(later)).toBeGreaterThanOrEqual(1);
    expect(await dbA.redeemedNonce.findUnique({ where: { value: old } })).toBeNull();
    // The fresh nonce's record survives: replay still detected.
    expect(await instanceA.redeem(fresh, VALIDITY_MS, later)).toBe("reused");
  });
});
