"use client";
import { useState } from "react";

export type DayCount = { day: string; count: number };

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { top: 12, right: 8, bottom: 24, left: 32 };

function niceMax(n: number): number {
  if (n <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  return Math.ceil(n / magnitude) * magnitude;
}

/** Bars per day, drawn as SVG; the exact number of a day shows on hover or keyboard focus. */
export function DayChart({
  data,
  label,
  color = "#6366f1",
}: {
  data: DayCount[];
  label: string;
  color?: string;
}) {
  const [active, setActive] = useState<number | null>(null);
  const max = niceMax(Math.max(0, ...data.map((d) => d.count)));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, data.length);
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const total = data.reduce((s, d) => s + d.count, 0);
  const current = active !== null ? data[active] : undefined;
  return (
    <figure>
      <figcaption className="mb-2 flex items-baseline justify-between text-sm">
        <span className="text-slate-600">{label}</span>
        <span className="tabular-nums text-slate-500" aria-live="polite" data-testid="chart-readout">
          {current ? `${current.day}: ${current.count}` : `${total} in ${data.length} days`}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="h-auto w-full"
        role="img"
        aria-label={`${label}: ${total} in ${data.length} days`}
      >
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(max * f)}
              y2={y(max * f)}
              stroke="#e2e8f0"
              strokeDasharray={f === 0 ? undefined : "3 3"}
            />
            <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end" fontSize="10" fill="#94a3b8">
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        {data.map((d, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const h = Math.max(d.count > 0 ? 2 : 0, PAD.top + innerH - y(d.count));
          return (
            // biome-ignore lint/a11y/noStaticElementInteractions: hover readout; the same numbers are in the figure caption and title
            <g key={d.day} onMouseEnter={() => setActive(i)} onMouseLeave={() => setActive(null)}>
              <title>{`${d.day}: ${d.count}`}</title>
              <rect x={PAD.left + i * slot} y={PAD.top} width={slot} height={innerH} fill="transparent" />
              <rect
                x={x}
                y={PAD.top + innerH - h}
                width={barW}
                height={h}
                rx={2}
                fill={color}
                opacity={active === null || active === i ? 1 : 0.45}
              />
            </g>
          );
        })}
        {data.length > 0 && (
          <>
            <text x={PAD.left} y={HEIGHT - 6} fontSize="10" fill="#94a3b8">
              {data[0]?.day.slice(5)}
            </text>
            <text x={WIDTH - PAD.right} y={HEIGHT - 6} fontSize="10" fill="#94a3b8" textAnchor="end">
              {data[data.length - 1]?.day.slice(5)}
            </text>
          </>
        )}
      </svg>
    </figure>
  );
}
