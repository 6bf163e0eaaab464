// Article reader: the body text with every annotation layer highlighted by offsets.
import { getJSON } from "../api.js";
import { affiliationBadge, countryName, externalLink, formatDate, h, inferredMark, modalityBadge, route } from "../dom.js";
import { claimLookupHref, provenanceLink, quoteLookupHref } from "./provlinks.js";
import { REVIEWABLE, reviewBadge, reviewBlock, reviewerSettings } from "./review.js";

// After a review is saved the article is drawn again; this reopens the reviewed item.
let reopen = null;

const LAYERS = [
  { key: "quotes", label: "Quotes", cls: "quote" },
  { key: "entities", label: "Entities", cls: "entity" },
  { key: "places", label: "Places", cls: "place" },
  { key: "framing", label: "Framing", cls: "framing" },
  { key: "claims", label: "Claims", cls: "claim" },
];
// Annotation kinds beyond these (declared in the server's schema, set on <html> by the server) get a plain layer.
const KINDS = (document.documentElement.dataset.annotationKinds || "").split(" ").filter(Boolean);
const ALL_LAYERS = LAYERS.concat(KINDS.filter((k) => !LAYERS.some((l) => l.key === k))
  .map((k) => ({ key: k, label: k.charAt(0).toUpperCase() + k.slice(1).replace(/_/g, " "), cls: "other" })));

function annLabel(layer, rec) {
  switch (layer.key) {
    case "quotes": return `Quote (${rec.kind}) — ${rec.speaker || "unattributed"}`;
    case "entities": return `${rec.label}: ${rec.canonical || rec.text}`;
    case "places": return `Place: ${rec.name || rec.text}${rec.country_code ? ", " + countryName(rec.country_code) : ""}`;
    case "framing": return `Framing: “${rec.text}” (${rec.term}${rec.neutral ? ", neutral: " + rec.neutral : ""})`;
    case "claims": return `Claim ${rec.type} (${rec.modality})`;
    default: return layer.label;
  }
}

function detailRows(layer, rec, article) {
  const rows = [
    ["Layer", layer.label],
    ["Text", rec.text ?? rec.sentence],
    ["Offsets", `${rec.start}–${rec.end}`],
    ["Confidence", typeof rec.confidence === "number" ? rec.confidence.toFixed(2) : "n/a"],
    ["Produced by", rec.component],
  ];
  if (layer.key === "quotes") {
    rows.push(["Speaker", rec.speaker || "unattributed"], ["Speaker descriptor", rec.speaker_descriptor], ["Cue", rec.cue],
      ["Speaker mention", rec.speaker_mention ? `“${rec.speaker_mention.text}” at ${rec.speaker_mention.start}–${rec.speaker_mention.end}` : null]);
  } else if (layer.key === "entities") {
    rows.push(["Label", rec.label], ["Canonical", rec.canonical], ["Descriptor", rec.descriptor]);
  } else if (layer.key === "places") {
    rows.push(["Resolved", rec.name], ["Country", countryName(rec.country_code)], ["Feature", rec.feature],
      ["GeoNames", rec.geonames_id], ["Coordinates", rec.lat != null ? `${rec.lat}, ${rec.lon}` : null]);
  } else if (layer.key === "framing") {
    rows.push(["Term", rec.term], ["Category", rec.category], ["Neutral wording", rec.neutral], ["Typically used by", rec.used_by]);
  } else if (layer.key === "claims") {
    // Inferred values (the actor taken from the outlet's country, a place from an earlier sentence) say so.
    const withBasis = (value, basis) => (value ? [value, " ", inferredMark(basis)] : null);
    const roles = { asserts: "", denies: "denies", reports: "reports" };
    rows.push(["Type", rec.type], ["Modality", modalityBadge(rec.modality)], ["Actor", withBasis(rec.actor?.text, rec.actor?.basis)],
      ["Target", withBasis(rec.target?.text, rec.target?.basis)],
      ["Place", withBasis(rec.place?.name || rec.place?.text, rec.place?.basis)], ["Date", rec.date],
      ["According to", (rec.attributions || []).map((a) => (roles[a.role || "asserts"] ? `${a.name} (${roles[a.role]})` : a.name)).join(", ")],
      ["Framing", (rec.framing || []).join(", ")]);
  }
  const extractor = article.provenance?.extractor;
  if (extractor) rows.push(["Pipeline", extractor]);
  return rows.filter(([, v]) => v !== null && v !== undefined && v !== "");
}

function clampSpans(text, layers, data) {
  const anns = [];
  for (const layer of layers) {
    (data[layer.key] || []).forEach((rec, i) => {
      const start = Math.max(0, Number(rec.start));
      const end = Math.min(text.length, Number(rec.end));
      if (Number.isFinite(start) && Number.isFinite(end) && end > start) anns.push({ layer, rec, i, start, end });
    });
  }
  return anns;
}

function segments(text, anns) {
  const cuts = new Set([0, text.length]);
  for (const a of anns) { cuts.add(a.start); cuts.add(a.end); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const [a, b] = [points[k], points[k + 1]];
    out.push({ start: a, end: b, covering: anns.filter((x) => x.start <= a && x.end >= b) });
  }
  return out;
}

function rejected(rec) {
  return rec.review?.verdict === "rejected";
}

export async function renderArticle(root, params, rest) {
  const id = rest.join("/");
  const data = await getJSON(`/api/articles/${encodeURIComponent(id)}`);
  const text = data.text || "";
  const enabled = new Set(ALL_LAYERS.filter((l) => l.key !== "claims").map((l) => l.key));
  let showRejected = false;
  let reviewFilter = "all";

  const src = data.source || {};
  const header = h("header", { class: "article-head" },
    h("p", null, h("a", { href: "#/search" }, "← Back to search")),
    h("h1", { tabindex: "-1", id: "article-title" }, data.title || "(untitled)"),
    h("p", { class: "meta" },
      h("span", { class: "source" }, src.name || src.domain || "unknown source"), " ", affiliationBadge(src.state_affiliated),
      src.country ? ` · ${countryName(src.country)}` : "", src.owner ? ` · owner: ${src.owner}` : "", " · ",
      h("time", null, formatDate(data.published)), data.language ? ` · ${data.language}` : "",
      (data.authors || []).length ? ` · by ${data.authors.join(", ")}` : ""),
    data.url ? h("p", { class: "meta" }, "Original: ", externalLink(data.url)) : null,
    data.duplicate_of ? h("p", { class: "note" }, "Near-duplicate of ", h("a", { href: `#/article/${encodeURIComponent(data.duplicate_of)}` }, data.duplicate_of)) : null);

  const details = h("aside", { class: "ann-details", "aria-live": "polite", id: "ann-details" },
    h("h2", null, "Annotation"), h("p", { class: "muted" }, "Select a highlighted span to see where it came from and how confident the pipeline is."));
  const body = h("div", { class: "article-text", id: "article-text", lang: data.language || null });

  function saved(layer, rec, review) {
    reopen = { article: data.id, layer: layer.key, id: rec.id, message: `Saved: ${REVIEWABLE[layer.key]} ${review.verdict}.` };
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  }

  function showDetails(list, message) {
    const close = h("button", { type: "button", class: "ann-close", "aria-label": "Close the annotation panel", onclick: () => {
      details.classList.remove("open");
    } }, "✕");
    details.replaceChildren(h("div", { class: "ann-details-head" }, h("h2", null, list.length > 1 ? `${list.length} annotations here` : "Annotation"), close));
    if (message) details.append(h("p", { class: "note review-saved", role: "status" }, message));
    for (const a of list) {
      details.append(h("section", { class: `ann-card ann-card-${a.layer.cls}` },
        h("h3", null, annLabel(a.layer, a.rec), " ", reviewBadge(a.rec.review)),
        h("dl", null, detailRows(a.layer, a.rec, data).map(([k, v]) => [h("dt", null, k), h("dd", null, v instanceof Node || Array.isArray(v) ? v : String(v))])),
        reviewBlock(a.layer.key, a.rec, (review) => saved(a.layer, a.rec, review))));
    }
    if (list.some((a) => REVIEWABLE[a.layer.key])) details.append(reviewerSettings());
    details.classList.add("open");
    // On a narrow screen the panel is a sheet over the bottom of the text: it must be in view.
    const box = details.getBoundingClientRect();
    if (box.top >= window.innerHeight || box.bottom <= 0) details.scrollIntoView({ block: "nearest" });
  }

  function paint() {
    const anns = clampSpans(text, ALL_LAYERS.filter((l) => enabled.has(l.key)), data).filter((a) => showRejected || !rejected(a.rec));
    body.replaceChildren();
    for (const seg of segments(text, anns)) {
      const piece = text.slice(seg.start, seg.end);
      if (!seg.covering.length) { body.append(piece); continue; }
      const list = [...seg.covering].sort((x, y) => (x.end - x.start) - (y.end - y.start));
      const span = h("span", {
        class: ["ann", ...new Set(list.map((a) => `ann-${a.layer.cls}`))].join(" "),
        tabindex: "0", role: "button", "data-start": seg.start, "data-end": seg.end,
        title: list.map((a) => annLabel(a.layer, a.rec)).join("\n"),
        onclick: () => showDetails(list),
        onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showDetails(list); } },
      }, piece);
      body.append(span);
    }
  }

  const toggles = h("fieldset", { class: "layers" }, h("legend", null, "Highlight"),
    ALL_LAYERS.map((l) => {
      const box = h("input", { type: "checkbox", id: `layer-${l.key}`, checked: enabled.has(l.key), onchange: (e) => {
        if (e.target.checked) enabled.add(l.key); else enabled.delete(l.key);
        paint();
      } });
      return h("label", { class: `layer-toggle layer-${l.cls}`, for: `layer-${l.key}` }, box, ` ${l.label} (${(data[l.key] || []).length})`);
    }));

  function focusSpan(layer, rec) {
    if (!enabled.has(layer.key)) { enabled.add(layer.key); document.getElementById(`layer-${layer.key}`).checked = true; paint(); }
    const target = [...body.querySelectorAll(`.ann-${layer.cls}`)].find((el) => Number(el.dataset.start) >= rec.start && Number(el.dataset.end) <= rec.end);
    target?.scrollIntoView({ block: "center" });
    target?.focus();
    showDetails([{ layer, rec }]);
  }

  const item = (rec, ...children) => h("li", {
    class: ["reviewable", rec.review ? "is-reviewed" : "is-unreviewed", rejected(rec) ? "is-rejected" : null].filter(Boolean).join(" "),
    "data-id": rec.id,
  }, children, " ", reviewBadge(rec.review));
  const quotes = (data.quotes || []).map((q) => item(q,
    h("button", { type: "button", class: "linkish", onclick: () => focusSpan(LAYERS[0], q) }, h("strong", { class: "speaker" }, q.speaker || "unattributed"), ": “", q.text, "”"),
    q.speaker ? [" ", h("a", { href: route("quotes", { speaker: q.speaker }), class: "more" }, "all quotes")] : null,
    " ", provenanceLink(quoteLookupHref(data.id, q, src.domain))));
  const places = (data.places || []).map((p) => item(p,
    h("button", { type: "button", class: "linkish", onclick: () => focusSpan(LAYERS[2], p) }, `${p.text} → ${p.name || "unresolved"}${p.country_code ? ", " + countryName(p.country_code) : ""}`)));
  const claims = (data.claims || []).map((c) => item(c,
    h("button", { type: "button", class: "linkish", onclick: () => focusSpan(LAYERS[4], c) }, h("strong", null, c.type), " ", modalityBadge(c.modality), " ", c.sentence),
    provenanceLink(claimLookupHref(data.id, c, src.domain))));
  const framing = (data.framing || []).map((f) => h("li", null,
    h("button", { type: "button", class: "linkish", onclick: () => focusSpan(LAYERS[3], f) }, `“${f.text}” — ${f.category}${f.neutral ? "; neutral: " + f.neutral : ""}`)));

  const prov = data.provenance || {};
  const provenance = h("details", { class: "provenance" }, h("summary", null, "Extraction provenance"),
    h("dl", null,
      h("dt", null, "Extractor"), h("dd", null, prov.extractor || "n/a"),
      h("dt", null, "Origin"), h("dd", null, prov.origin ? `${prov.origin.kind} ${prov.origin.path || ""}${prov.origin.offset != null ? "@" + prov.origin.offset : ""}` : "n/a"),
      Object.entries(prov.fields || {}).map(([k, v]) => [h("dt", null, k), h("dd", null, String(v))])));

  const lists = h("section", { class: "ann-lists", id: "ann-lists" });
  function applyFilter() {
    for (const li of lists.querySelectorAll("li.reviewable")) {
      const reviewed = li.classList.contains("is-reviewed");
      li.hidden = (reviewFilter === "reviewed" && !reviewed) || (reviewFilter === "unreviewed" && reviewed) ||
        (!showRejected && li.classList.contains("is-rejected"));
    }
  }
  const filter = h("select", { id: "review-filter", onchange: (e) => { reviewFilter = e.target.value; applyFilter(); } },
    h("option", { value: "all" }, "All items"), h("option", { value: "reviewed" }, "Reviewed only"), h("option", { value: "unreviewed" }, "Unreviewed only"));
  const rejectedBox = h("input", { type: "checkbox", id: "show-rejected", onchange: (e) => { showRejected = e.target.checked; paint(); applyFilter(); } });
  const nRejected = ["quotes", "places", "claims"].reduce((n, k) => n + (data[k] || []).filter(rejected).length, 0);
  toggles.append(h("span", { class: "review-filters" },
    h("label", { for: "review-filter" }, "Show "), filter, " ",
    h("label", { for: "show-rejected", class: "layer-toggle" }, rejectedBox, ` rejected (${nRejected})`)));

  paint();
  lists.append(
      h("section", null, h("h2", null, `Quotes (${quotes.length})`), h("ul", { class: "quote-list", id: "article-quotes" }, quotes)),
      h("section", null, h("h2", null, `Places (${places.length})`), h("ul", { id: "article-places" }, places)),
      h("section", null, h("h2", null, `Framing (${framing.length})`), h("ul", { id: "article-framing" }, framing)),
      h("section", null, h("h2", null, `Claims (${claims.length})`), h("ul", { id: "article-claims" }, claims)));
  applyFilter();
  root.append(header, toggles, h("div", { class: "reader" }, body, details), lists, provenance);

  // Reopen what was just reviewed, or the item a review-queue link names (?review=claim-12).
  const wanted = reopen && reopen.article === data.id ? reopen : null;
  reopen = null;
  const fromQueue = (params?.get("review") || "").match(/^(claim|quote|place)-(\d+)$/);
  const target = wanted ? { layer: wanted.layer, id: wanted.id } : fromQueue ? { layer: { claim: "claims", quote: "quotes", place: "places" }[fromQueue[1]], id: Number(fromQueue[2]) } : null;
  if (target) {
    const layer = ALL_LAYERS.find((l) => l.key === target.layer);
    const rec = (data[target.layer] || []).find((r) => r.id === target.id);
    if (layer && rec) {
      return () => {
        if (!enabled.has(layer.key)) { enabled.add(layer.key); document.getElementById(`layer-${layer.key}`).checked = true; paint(); }
        showDetails([{ layer, rec }], wanted?.message);
      };
    }
  }
  return null;
}

