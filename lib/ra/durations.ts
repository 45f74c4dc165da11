// Human-readable durations as EJBCA writes them ("10d 12h", "30s 30m 1h"): whole numbers with
// the units d, h, m, s in any order, separated by spaces. Stored normalised: largest unit first,
// zero parts dropped ("30s 30m 1h" → "1h 30m 30s").

const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
type Unit = keyof typeof UNIT_SECONDS;
const TOKEN = /^(\d{1,9})([dhms])$/;

/** Seconds in `text`, or null when it is not a duration of the form above. */
export function parseDurationSeconds(text: string): number | null {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return null;
  let total = 0;
  const seen = new Set<string>();
  for (const part of parts) {
    const match = TOKEN.exec(part.toLowerCase());
    if (!match) return null;
    const unit = match[2] as Unit;
    if (seen.has(unit)) return null;
    seen.add(unit);
    total += Number(match[1]) * UNIT_SECONDS[unit];
  }
  return total;
}

export function formatDurationSeconds(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.floor(seconds);
  for (const unit of Object.keys(UNIT_SECONDS) as Unit[]) {
    const n = Math.floor(rest / UNIT_SECONDS[unit]);
    rest -= n * UNIT_SECONDS[unit];
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.length ? parts.join(" ") : "0s";
}
