// The outlet registry with how much of each outlet is in the store.
import { getJSON } from "../api.js";
import { affiliationBadge, countryName, exportLinks, externalLink, formatDate, h, route } from "../dom.js";

export async function renderSources(root) {
  const data = await getJSON("/api/sources", { limit: 500 });
  root.append(h("h1", { tabindex: "-1" }, "Sources"),
    h("p", null, `${data.total} outlet${data.total === 1 ? "" : "s"}. Affiliation comes from the outlet registry, with the document that backs it.`),
    h("div", { class: "table-wrap" }, h("table", { class: "sources" },
      h("thead", null, h("tr", null, ["Outlet", "Country", "Owner", "Affiliation", "Articles", "Quotes", "Latest"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", null, data.items.map((s) => h("tr", null,
        h("th", { scope: "row" }, h("a", { href: route("search", { source: s.domain }) }, s.name || s.domain), h("div", { class: "muted" }, s.domain)),
        h("td", null, countryName(s.country)),
        h("td", null, s.owner || ""),
        h("td", null, affiliationBadge(s.state_affiliated), s.affiliation_source ? [" ", externalLink(s.affiliation_source, "basis")] : null),
        h("td", { class: "num" }, String(s.articles)),
        h("td", { class: "num" }, String(s.quotes)),
        h("td", null, s.last_published ? formatDate(s.last_published) : "")))))),
    exportLinks("/api/sources", {}));
}
