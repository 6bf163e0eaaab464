// Quality from reviews: observed precision per component and outlet, and what to review next.
import { getJSON } from "../api.js";
import { articleHref, exportLinks, h } from "../dom.js";

const COMPONENT = { claims: "Claims", quotes: "Quotes", places: "Places" };

function pct(v) {
  return v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`;
}

function countsTable(id, caption, rows, first) {
  return h("div", { class: "table-wrap" }, h("table", { id, class: "quality-table" },
    h("caption", null, caption),
    h("thead", null, h("tr", null, first.map(([label]) => h("th", { scope: "col" }, label)),
      ["Items", "Reviewed", "Confirmed", "Rejected", "Corrected", "Observed precision"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", null, rows.map((r) => h("tr", null,
      first.map(([, get], i) => (i === 0 ? h("th", { scope: "row" }, get(r)) : h("td", null, get(r)))),
      ["items", "reviewed", "confirmed", "rejected", "corrected"].map((k) => h("td", { class: "num" }, String(r[k]))),
      h("td", { class: "num" }, pct(r.precision)))))));
}

export async function renderQuality(root) {
  const data = await getJSON("/api/quality", { queue: 50 });
  root.append(h("h1", { tabindex: "-1" }, "Quality"),
    h("p", { class: "muted" }, "Observed precision is confirmed ÷ reviewed: the share of reviewed items an analyst found right as extracted. Corrected and rejected items count against it."),
    countsTable("quality-components", "Per component", data.components, [["Component", (r) => COMPONENT[r.component] || r.component]]),
    countsTable("quality-outlets", "Per component and outlet", data.outlets.filter((r) => r.items),
      [["Component", (r) => COMPONENT[r.component] || r.component], ["Outlet", (r) => r.source || "unknown"]]),
    exportLinks("/api/reviews", {}),
    h("h2", null, "Review queue"),
    h("p", { class: "muted" }, "Unreviewed items, lowest confidence first. Open the article and select the item to confirm, reject or correct it."),
    data.queue.length ? h("ol", { class: "review-queue", id: "review-queue" }, data.queue.map((it) => h("li", null,
      h("span", { class: "badge" }, it.kind), " ",
      h("a", { href: `${articleHref(it.article_id)}?review=${it.kind}-${it.id}` }, it.value || "(no value)"),
      ` · confidence ${typeof it.confidence === "number" ? it.confidence.toFixed(2) : "n/a"} · ${it.source || ""}`,
      h("div", { class: "queue-text" }, String(it.text || "").slice(0, 200)))))
      : h("p", { class: "muted", id: "review-queue-empty" }, "Everything has been reviewed."));
}
