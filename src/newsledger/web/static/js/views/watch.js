// Followed sources: health of each (silent and failing first) and the saved searches' match counts.
import { getJSON } from "../api.js";
import { externalLink, formatDate, h } from "../dom.js";

function ago(seconds) {
  if (seconds === null || seconds === undefined) return "never";
  if (seconds >= 86400) return `${(seconds / 86400).toFixed(1)} d`;
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 60)} min`;
}

export async function renderWatch(root) {
  const [health, alerts] = await Promise.all([getJSON("/api/watch/health"), getJSON("/api/alerts")]);
  const counts = Object.entries(health.statuses).map(([k, n]) => `${n} ${k}`).join(", ");
  root.append(h("h1", { tabindex: "-1" }, "Sources health"),
    h("p", null, health.total
      ? `${health.total} followed source${health.total === 1 ? "" : "s"}: ${counts}. Silent and failing ones first.`
      : "No followed sources yet: add some with `newsledger sources add URL`, then run `newsledger watch`."),
    health.total ? h("div", { class: "table-wrap" }, h("table", { class: "watch-health" },
      h("thead", null, h("tr", null, ["Status", "Source", "Last success", "Last error", "Fails", "Items", "Per day (usual)", "Since last new"]
        .map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", null, health.items.map((s) => h("tr", { "data-status": s.status },
        h("td", null, h("span", { class: `badge badge-health-${s.status}` }, s.status), s.reason ? h("div", { class: "muted" }, s.reason) : null),
        h("th", { scope: "row" }, s.name || "", h("div", { class: "muted" }, externalLink(s.url, s.url))),
        h("td", null, s.last_success ? formatDate(s.last_success) : "never"),
        h("td", null, s.consecutive_failures ? (s.last_error || "") : ""),
        h("td", { class: "num" }, String(s.consecutive_failures)),
        h("td", { class: "num" }, String(s.items_total)),
        h("td", { class: "num" }, s.usual_range ? `${s.items_per_day} (${s.usual_range[0]}–${s.usual_range[1]})` : "–"),
        h("td", null, ago(s.since_last_new_item_s))))))) : null,
    h("h2", null, "Alerts"),
    h("p", null, alerts.total
      ? `${alerts.total} saved search${alerts.total === 1 ? "" : "es"}, ${alerts.matches} match${alerts.matches === 1 ? "" : "es"} in all.`
      : "No saved searches: add one with `newsledger alerts add QUERY`."),
    alerts.total ? h("ul", { class: "alerts" }, alerts.items.map((a) => h("li", null,
      h("strong", null, a.name), ` — ${a.matches} match${a.matches === 1 ? "" : "es"}`,
      a.last_match ? `, last ${formatDate(a.last_match)}` : "", " · ",
      h("a", { href: a.atom }, "Atom feed")))) : null);
}
