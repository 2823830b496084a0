// Draws the concurrency sweep as a standalone SVG: throughput and p99 latency against the number of
// concurrent clients (log scale), one line per endpoint. No dependency: a few dozen SVG elements.

export interface SweepSeries {
  name: string;
  points: { concurrency: number; requestsPerSecond: number; p99: number }[];
}

const PANEL = { width: 420, height: 260, left: 60, top: 40, right: 20, bottom: 50 };
const TITLE = "Throughput and p99 latency against concurrent clients";
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

export function concurrencyPlot(series: SweepSeries[]): string {
  const width = PANEL.width * 2;
  const height = PANEL.height + 40;
  const panels = [
    panel(series, "Throughput (req/s)", (p) => p.requestsPerSecond, 0),
    panel(series, "p99 latency (ms)", (p) => p.p99, PANEL.width),
  ];
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${70 + i * 300}" y="${height - 22}" width="14" height="4" fill="${colour(i)}"/>` +
        `<text x="${90 + i * 300}" y="${height - 16}">${escapeXml(s.name)}</text>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<title>${TITLE}</title>
<rect width="100%" height="100%" fill="white"/>
${panels.join("\n")}
${legend}
</svg>
`;
}

function panel(
  series: SweepSeries[],
  title: string,
  value: (p: SweepSeries["points"][number]) => number,
  offsetX: number,
) {
  const all = series.flatMap((s) => s.points);
  const levels = [...new Set(all.map((p) => p.concurrency))].sort((a, b) => a - b);
  const maxY = niceCeiling(Math.max(1, ...all.map(value)));
  const plotW = PANEL.width - PANEL.left - PANEL.right;
  const plotH = PANEL.height - PANEL.top - PANEL.bottom;
  const minLog = Math.log2(levels[0] ?? 1);
  const spanLog = Math.max(1, Math.log2(levels.at(-1) ?? 2) - minLog);
  const x = (c: number) => offsetX + PANEL.left + ((Math.log2(c) - minLog) / spanLog) * plotW;
  const y = (v: number) => PANEL.top + plotH - (v / maxY) * plotH;
  const xTicks = levels
    .map(
      (c) =>
        `<line x1="${x(c)}" x2="${x(c)}" y1="${y(0)}" y2="${y(0) + 4}" stroke="#333"/><text x="${x(c)}" y="${y(0) + 16}" text-anchor="middle">${c}</text>`,
    )
    .join("");
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const v = maxY * f;
      return `<line x1="${x(levels[0] ?? 1)}" x2="${offsetX + PANEL.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${offsetX + PANEL.left - 6}" y="${y(v) + 4}" text-anchor="end">${formatTick(v)}</text>`;
    })
    .join("");
  const lines = series
    .map((s, i) => {
      const d = s.points
        .map((p, j) => `${j === 0 ? "M" : "L"}${x(p.concurrency).toFixed(1)},${y(value(p)).toFixed(1)}`)
        .join(" ");
      const dots = s.points
        .map(
          (p) =>
            `<circle cx="${x(p.concurrency).toFixed(1)}" cy="${y(value(p)).toFixed(1)}" r="3" fill="${colour(i)}"/>`,
        )
        .join("");
      return `<path d="${d}" fill="none" stroke="${colour(i)}" stroke-width="2"/>${dots}`;
    })
    .join("");
  return `<g>
<text x="${offsetX + PANEL.width / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>
${yTicks}${xTicks}
<text x="${offsetX + PANEL.left + plotW / 2}" y="${PANEL.height - 10}" text-anchor="middle">concurrent clients</text>
${lines}
</g>`;
}

const colour = (i: number) => COLOURS[i % COLOURS.length] ?? "#000";
const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const formatTick = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(v % 1000 ? 1 : 0)}k` : v.toFixed(v < 10 ? 1 : 0));

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((n) => n >= value) ?? value;
}
