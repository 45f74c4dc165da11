"use client";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
];

export function formatRelative(iso: string, now = Date.now()): string {
  const diff = new Date(iso).getTime() - now;
  const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === "second") return format.format(Math.round(diff / ms), unit);
  }
  return iso;
}

/** "3 minutes ago", with the exact UTC time on hover. */
export function RelativeTime({ iso, empty = "never" }: { iso: string | null; empty?: string }) {
  if (!iso) return <span className="text-slate-500">{empty}</span>;
  const exact = `${new Date(iso).toISOString().replace("T", " ").slice(0, 19)} UTC`;
  return (
    <time dateTime={iso} title={exact} suppressHydrationWarning>
      {formatRelative(iso)}
    </time>
  );
}
