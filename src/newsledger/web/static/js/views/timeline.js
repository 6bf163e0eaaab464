// Stacked daily bars per outlet, drawn as plain SVG.
import { h, outletColor, s } from "../dom.js";

function dateTicks(days, most = 6) {
  if (days.length <= most) return days.map((_, i) => i);
  const every = Math.ceil((days.length - 1) / (most - 1));
  const out = [];
  for (let i = 0; i < days.length; i += every) out.push(i);
  if (out[out.length - 1] !== days.length - 1) out[out.length - 1] = days.length - 1;
  return out;
}

export function timelineChart(rows, { width = 720, height = 180 } = {}) {
  if (!rows.length) return h("p", { class: "muted" }, "No dated articles for this query.");
  const days = [...new Set(rows.map((r) => r.date))].sort();
  const outlets = [...new Set(rows.map((r) => r.source))];
  const names = new Map(rows.map((r) => [r.source, r.name || r.source]));
  const color = new Map(outlets.map((o) => [o, outletColor(o)]));
  const byDay = new Map(days.map((d) => [d, new Map()]));
  for (const r of rows) byDay.get(r.date).set(r.source, r.count);
  const max = Math.max(...days.map((d) => [...byDay.get(d).values()].reduce((a, b) => a + b, 0)));

  const pad = { left: 34, right: 8, top: 8, bottom: 22 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const step = plotW / days.length;
  const barW = Math.min(36, Math.max(1, step * 0.8));
  const bars = [];
  days.forEach((day, i) => {
    let y = pad.top + plotH;
    for (const outlet of outlets) {
      const n = byDay.get(day).get(outlet) || 0;
      if (!n) continue;
      const bh = (n / max) * plotH;
      y -= bh;
      bars.push(s("rect", { "data-day": day, "data-outlet": outlet,  x: (pad.left + i * step + (step - barW) / 2).toFixed(1), y: y.toFixed(1), width: barW.toFixed(1), height: bh.toFixed(1), fill: color.get(outlet) },
        s("title", null, `${day} · ${names.get(outlet)}: ${n}`)));
    }
  });
  const axis = [
    s("line", { x1: pad.left, y1: pad.top + plotH, x2: width - pad.right, y2: pad.top + plotH, class: "axis" }),
    s("text", { x: pad.left - 4, y: pad.top + 10, "text-anchor": "end", class: "tick" }, String(max)),
    s("text", { x: pad.left - 4, y: pad.top + plotH, "text-anchor": "end", class: "tick" }, "0"),
    // Date labels sit under the centre of their bar; a few evenly spaced days label a long range.
    ...dateTicks(days).map((i) => {
      const centre = pad.left + i * step + step / 2;
      const anchor = centre < pad.left + 40 ? "start" : centre > width - pad.right - 40 ? "end" : "middle";
      const x = anchor === "start" ? centre - barW / 2 : anchor === "end" ? centre + barW / 2 : centre;
      return s("text", { x: x.toFixed(1), y: height - 4, "text-anchor": anchor, class: "tick tick-date", "data-day": days[i] }, days[i]);
    }),
  ];
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "timeline", role: "img", "aria-labelledby": "timeline-title" },
    s("title", { id: "timeline-title" }, `Articles per day and outlet, ${days[0]} to ${days[days.length - 1]}`), axis, bars);
  const legend = h("ul", { class: "legend" }, outlets.map((o) =>
    h("li", null, h("span", { class: "swatch", "data-color": color.get(o) }), names.get(o))));
  for (const sw of legend.querySelectorAll(".swatch")) sw.style.backgroundColor = sw.dataset.color;
  const table = h("details", { class: "timeline-data" }, h("summary", null, "Data table"),
    h("div", { class: "table-wrap" }, h("table", null,
      h("thead", null, h("tr", null, h("th", { scope: "col" }, "Day"), outlets.map((o) => h("th", { scope: "col" }, names.get(o))))),
      h("tbody", null, days.map((d) => h("tr", null, h("th", { scope: "row" }, d), outlets.map((o) => h("td", null, String(byDay.get(d).get(o) || 0)))))))));
  return h("figure", { class: "timeline-figure" }, svg, legend, table);
}
