import { describe, expect, it } from "vitest";
import { countAcmeRequest, metrics, NO_ALIAS } from "@/lib/observability/metrics";

describe("ACME request counting", () => {
  it("ok/a request for no alias and no route counts under the bounded labels '-' and 'unknown'", async () => {
    countAcmeRequest({ status: 404, problem: "malformed", ms: 1.5 });
    const text = await metrics().registry.metrics();
    expect(text).toContain(
      `keyward_acme_requests_total{alias="${NO_ALIAS}",resource="unknown",status="404"} 1`,
    );
    expect(text).toContain(`keyward_acme_problems_total{alias="${NO_ALIAS}",type="malformed"} 1`);
    expect(text).toContain(
      `keyward_acme_request_duration_seconds_bucket{le="0.0025",alias="${NO_ALIAS}",resource="unknown"} 1`,
    );
    expect(text).toContain("keyward_nonces_redeemed_total 0");
  });

  it("ok/the registry is one per process, even when a second copy of the module asks for it", () => {
    expect(metrics()).toBe(metrics());
    expect((globalThis as Record<symbol, unknown>)[Symbol.for("keyward.metrics")]).toBe(metrics());
  });
});
