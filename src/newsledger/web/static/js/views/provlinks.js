// Shared pieces of the story and provenance views: outlet names, times, links to provenance pages.
import { getJSON } from "../api.js";
import { h, route } from "../dom.js";

let outletNames = null;

// Provenance answers carry outlet domains only; the sources table names them (fetched once per page load).
export async function outletNameMap() {
  if (!outletNames) {
    outletNames = getJSON("/api/sources", { limit: 1000 })
      .then((data) => new Map((data.items || []).map((s) => [s.domain, s.name || s.domain])))
      .catch(() => new Map());
  }
  return outletNames;
}

export function outletLabel(names, domain) {
  return (domain && names.get(domain)) || domain || "unknown outlet";
}

export function parseTime(iso) {
  if (typeof iso !== "string" || !iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

// Times are shown in UTC so articles from outlets in different zones line up.
export function formatTime(iso) {
  const t = parseTime(iso);
  if (t === null) return iso ? String(iso) : "undated";
  return new Date(t).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

export function claimProvenanceHref(id) {
  return `#/provenance/claim/${encodeURIComponent(id)}`;
}

export function quoteProvenanceHref(id) {
  return `#/provenance/quote/${encodeURIComponent(id)}`;
}

// The article reader's records have no row id: the provenance page looks the row up by article and offset.
export function claimLookupHref(articleId, claim, source) {
  return route("provenance", { what: "claim", article: articleId, start: claim.start, type: claim.type, source });
}

export function quoteLookupHref(articleId, quote, source) {
  return route("provenance", { what: "quote", article: articleId, start: quote.start, speaker: quote.speaker, source });
}

export function provenanceLink(href, label = "Provenance") {
  return h("a", { href, class: "prov-link" }, label);
}
