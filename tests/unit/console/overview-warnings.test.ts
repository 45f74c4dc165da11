import { describe, expect, it } from "vitest";
import { caWarning, crlWarning } from "@/lib/console/overview";

const now = new Date("2026-12-02T08:00:00Z");
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

describe("overview warnings", () => {
  it.each([
    [days(400), null],
    [days(31), null],
    [days(29), "expires within 30 days"],
    [days(0.01), "expires within 30 days"],
    [now, "expired"],
    [days(-1), "expired"],
  ])("CA certificate ending %s: %s", (notAfter, warning) => {
    expect(caWarning(notAfter, now)).toBe(warning);
  });

  it.each([
    [days(1), null],
    [new Date(now.getTime() + 59 * 60_000), "due within the hour"],
    [days(-0.5), "past its nextUpdate: relying parties reject it"],
  ])("CRL next update %s: %s", (nextUpdate, warning) => {
    expect(crlWarning(nextUpdate, now)).toBe(warning);
  });
});
