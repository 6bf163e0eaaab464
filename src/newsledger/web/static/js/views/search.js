// Full-text search with facets, highlighted snippets, a timeline and exports.
import { getJSON } from "../api.js";
import { affiliationBadge, articleHref, errorBox, exportLinks, formatDate, h, highlighted, pager, route } from "../dom.js";
import { timelineChart } from "./timeline.js";

const FILTERS = ["q", "source", "lang", "claim_type", "state_affiliated", "entity", "place", "since", "until", "sort"];
const PAGE = 20;

function currentFilters(params) {
  const f = {};
  for (const k of FILTERS) if (params.get(k)) f[k] = params.get(k);
  return f;
}

function go(filters, offset = 0) {
  window.location.hash = route("search", { ...filters, offset: offset || null });
}

function facetGroup(title, key, values, filters, labelOf = (v) => v.label || v.value) {
  const active = filters[key];
  const items = values.map((v) => {
    const on = active === String(v.value);
    return h("li", null, h("button", {
      type: "button", class: "facet", "aria-pressed": on ? "true" : "false", id: `facet-${key}-${encodeURIComponent(v.value)}`,
      onclick: () => go({ ...filters, [key]: on ? null : v.value }),
    }, h("span", { class: "facet-label" }, labelOf(v)), h("span", { class: "count" }, String(v.count))));
  });
  return h("section", { class: "facet-group" }, h("h2", null, title),
    items.length ? h("ul", null, items) : h("p", { class: "muted" }, "none"));
}

function resultItem(item) {
  return h("li", { class: "result" },
    h("h3", null, h("a", { href: articleHref(item.id) }, item.title || "(untitled)")),
    h("p", { class: "meta" },
      h("span", { class: "source" }, item.source?.name || item.source?.domain || "unknown source"), " ",
      affiliationBadge(item.source?.state_affiliated), " · ",
      h("time", null, formatDate(item.published)),
      item.language ? ` · ${item.language}` : ""),
    h("p", { class: "snippet" }, highlighted(item.snippet)));
}

export async function renderSearch(root, params) {
  const filters = currentFilters(params);
  const offset = Number(params.get("offset") || 0);
  const input = h("input", { type: "search", id: "search-q", name: "q", value: filters.q || "", placeholder: "e.g. Seversk OR Siversk", autocomplete: "off" });
  const aff = h("select", { id: "search-affiliation", name: "state_affiliated" },
    h("option", { value: "" }, "All outlets"),
    h("option", { value: "true" }, "State-affiliated"),
    h("option", { value: "false" }, "Independent"));
  aff.value = filters.state_affiliated || "";
  const sort = h("select", { id: "search-sort", name: "sort", "aria-label": "Order" },
    h("option", { value: "" }, "Best order"),
    h("option", { value: "relevance" }, "Relevance"),
    h("option", { value: "newest" }, "Newest first"),
    h("option", { value: "oldest" }, "Oldest first"));
  sort.value = filters.sort || "";
  const form = h("form", { class: "search-form", role: "search", onsubmit: (e) => {
    e.preventDefault();
    go({ ...filters, q: input.value.trim() || null, state_affiliated: aff.value || null, sort: sort.value || null });
  } },
  h("label", { for: "search-q" }, "Search articles"),
  h("div", { class: "row" }, input, aff, sort, h("button", { type: "submit", id: "search-go" }, "Search")),
  h("p", { class: "hint" }, "Full-text syntax: words, \"exact phrases\", OR, NOT, prefix*"));

  root.append(h("h1", { tabindex: "-1" }, "Search"), form);

  const chips = Object.entries(filters).filter(([k]) => k !== "q" && k !== "sort");
  if (chips.length) {
    root.append(h("p", { class: "chips" }, "Filters: ", chips.map(([k, v]) =>
      h("button", { type: "button", class: "chip", onclick: () => go({ ...filters, [k]: null }) }, `${k}: ${v} ✕`))));
  }

  let data;
  try {
    data = await getJSON("/api/articles", { ...filters, limit: PAGE, offset });
  } catch (err) {
    root.append(errorBox(`Search failed: ${err.message}`));
    return;
  }
  const facets = h("aside", { class: "facets", "aria-label": "Filters" },
    facetGroup("Source", "source", data.facets.source, filters, (v) => v.label || v.value),
    facetGroup("Language", "lang", data.facets.language, filters),
    facetGroup("Claim type", "claim_type", data.facets.claim_type, filters));
  const expanded = Object.entries(data.expanded || {});
  const results = h("section", { class: "results", "aria-live": "polite" },
    expanded.length ? h("p", { class: "note expansion", id: "search-expanded" }, "Also searched: ",
      expanded.map(([word, variants], i) => [i ? "; " : "", h("strong", null, variants.join(", ")),
        ` (the same GeoNames place as “${word}”)`])) : null,
    h("p", { class: "summary", id: "result-count" }, `${data.total} article${data.total === 1 ? "" : "s"}`,
      h("span", { class: "muted" }, ` · ${data.sort === "relevance" ? "best match first" : data.sort === "oldest" ? "oldest first" : "newest first"}`)),
    h("ol", { class: "result-list" }, data.items.map(resultItem)),
    data.total > PAGE ? pager(data.total, PAGE, offset, (o) => go(filters, o)) : null,
    exportLinks("/api/articles", filters));
  root.append(h("div", { class: "search-layout" }, facets, results));

  const timeline = h("section", { class: "timeline-section" }, h("h2", null, "Timeline"));
  root.append(timeline);
  try {
    const tl = await getJSON("/api/timeline", { ...filters, limit: 1000 });
    timeline.append(timelineChart(tl.items));
  } catch (err) {
    timeline.append(errorBox(`Timeline unavailable: ${err.message}`));
  }
}
