"use client";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";

export type DayCount = { day: string; count: number };

/** The width drawn before the browser measured the chart (server render, first paint). */
const INITIAL_WIDTH = 640;
const HEIGHT = 180;
const PAD = { top: 12, right: 8, bottom: 24, left: 32 };
/** Axis labels in CSS pixels: the chart is drawn at its real width, never scaled down. */
const LABEL_PX = 12;

function niceMax(n: number): number {
  if (n <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  return Math.ceil(n / magnitude) * magnitude;
}

/** The width of `ref`'s element, kept up to date as the window or the layout changes. */
function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(INITIAL_WIDTH);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(200, Math.round(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/**
 * Bars per day, drawn as SVG at the size it is shown (labels stay legible on a phone). Each
 * day's number shows on hover, and by keyboard: Tab reaches the chart, the arrow keys (Home, End)
 * move from day to day, and each bar is announced with its day and number.
 */
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
  // The bar that Tab reaches (roving tabindex): the last one focused, else the latest day.
  const [focusable, setFocusable] = useState(Math.max(0, data.length - 1));
  const figure = useRef<HTMLElement>(null);
  const bars = useRef<(SVGGElement | null)[]>([]);
  const width = useWidth(figure);
  const max = niceMax(Math.max(0, ...data.map((d) => d.count)));
  const innerW = width - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, data.length);
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const total = data.reduce((s, d) => s + d.count, 0);
  const current = active !== null ? data[active] : undefined;

  const moveTo = (i: number) => {
    const next = Math.min(data.length - 1, Math.max(0, i));
    setFocusable(next);
    bars.current[next]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent<SVGGElement>, i: number) => {
    const target = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: data.length - 1 }[e.key];
    if (target === undefined) return;
    e.preventDefault();
    moveTo(target);
  };

  return (
    <figure ref={figure}>
      <figcaption className="mb-2 flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
        <span className="text-slate-600">{label}</span>
        <span className="tabular-nums text-slate-600" aria-live="polite" data-testid="chart-readout">
          {current ? `${current.day}: ${current.count}` : `${total} in ${data.length} days`}
        </span>
      </figcaption>
      {/* biome-ignore lint/a11y/useSemanticElements: the bars are grouped under the chart's name; an <svg> cannot be a <fieldset> */}
      <svg
        width={width}
        height={HEIGHT}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        className="block max-w-full"
        role="group"
        aria-label={`${label}: ${total} in ${data.length} days. Use the arrow keys to read each day.`}
      >
        {[0, 0.5, 1].map((f) => (
          // biome-ignore lint/a11y/noAriaHiddenOnFocusable: grid lines and axis labels are decoration; nothing in them is focusable
          <g key={f} aria-hidden="true">
            <line
              x1={PAD.left}
              x2={width - PAD.right}
              y1={y(max * f)}
              y2={y(max * f)}
              stroke="#e2e8f0"
              strokeDasharray={f === 0 ? undefined : "3 3"}
            />
            <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end" fontSize={LABEL_PX} fill="#64748b">
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        {data.map((d, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const h = Math.max(d.count > 0 ? 2 : 0, PAD.top + innerH - y(d.count));
          return (
            // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: a bar is a picture of one number, focusable (roving tabindex) so that keyboard users can read it
            <g
              key={d.day}
              ref={(el) => {
                bars.current[i] = el;
              }}
              role="img"
              aria-label={`${d.day}: ${d.count}`}
              tabIndex={i === focusable ? 0 : -1}
              data-testid="chart-bar"
              className="outline-none"
              onMouseEnter={() => setActive(i)}
              onMouseLeave={() => setActive(null)}
              onFocus={() => {
                setActive(i);
                setFocusable(i);
              }}
              onBlur={() => setActive(null)}
              onKeyDown={(e) => onKeyDown(e, i)}
            >
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
              {active === i && (
                <rect
                  x={PAD.left + i * slot}
                  y={PAD.top}
                  width={slot}
                  height={innerH}
                  fill="none"
                  stroke="#4338ca"
                  strokeWidth={1.5}
                />
              )}
            </g>
          );
        })}
        {data.length > 0 && (
          // biome-ignore lint/a11y/noAriaHiddenOnFocusable: the first and last day labels are decoration; each bar names its day
          <g aria-hidden="true">
            <text x={PAD.left} y={HEIGHT - 6} fontSize={LABEL_PX} fill="#64748b">
              {data[0]?.day.slice(5)}
            </text>
            <text x={width - PAD.right} y={HEIGHT - 6} fontSize={LABEL_PX} fill="#64748b" textAnchor="end">
              {data[data.length - 1]?.day.slice(5)}
            </text>
          </g>
        )}
      </svg>
    </figure>
  );
}
