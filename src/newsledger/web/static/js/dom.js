// Every node the dashboard shows is built here with createElement/textContent:
// article data never passes through an HTML parser.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  return el;
}

export function h(tag, attrs, ...children) {
  return append(setAttrs(document.createElement(tag), attrs), children);
}

export function s(tag, attrs, ...children) {
  return append(setAttrs(document.createElementNS(SVG_NS, tag), attrs), children);
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

// Outbound links from article data: http(s) only, so "javascript:" and "data:" never become clickable.
export function safeUrl(value) {
  if (typeof value !== "string" || !value) return null;
  try {
    const url = new URL(value, window.location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function externalLink(url, label) {
  const href = safeUrl(url);
  if (!href) return h("span", { class: "url" }, label ?? url ?? "");
  return h("a", { href, rel: "noopener noreferrer nofollow", target: "_blank", class: "external" }, label ?? href);
}

// The API marks matches with private-use characters; split on them instead of parsing markup.
export const MARK_OPEN = "\uE000";
export const MARK_CLOSE = "\uE001";

export function highlighted(snippet) {
  const frag = document.createDocumentFragment();
  let inside = false;
  let buf = "";
  const flush = () => {
    if (!buf) return;
    frag.append(inside ? h("mark", null, buf) : document.createTextNode(buf));
    buf = "";
  };
  for (const ch of String(snippet ?? "")) {
    if (ch === MARK_OPEN || ch === MARK_CLOSE) {
      flush();
      inside = ch === MARK_OPEN;
    } else {
      buf += ch;
    }
  }
  flush();
  return frag;
}

export function route(view, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== "") qs.set(k, v);
  }
  const tail = qs.toString();
  return `#/${view}${tail ? "?" + tail : ""}`;
}

export function articleHref(id) {
  return `#/article/${encodeURIComponent(id)}`;
}

export function affiliationBadge(stateAffiliated) {
  if (stateAffiliated === true || stateAffiliated === 1) return h("span", { class: "badge badge-state" }, "state-affiliated");
  if (stateAffiliated === false || stateAffiliated === 0) return h("span", { class: "badge badge-indep" }, "independent");
  return h("span", { class: "badge" }, "affiliation unknown");
}

export function formatDate(iso) {
  return typeof iso === "string" && iso.length >= 10 ? iso.slice(0, 10) : iso || "undated";
}

export function countryName(code) {
  if (!code) return "";
  try {
    return new Intl.DisplayNames(["en"], { type: "region" }).of(String(code).toUpperCase()) || code;
  } catch {
    return code;
  }
}

export function errorBox(message) {
  return h("p", { class: "error", role: "alert" }, message);
}

export function pager(total, limit, offset, go) {
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  return h("nav", { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", disabled: offset <= 0, onclick: () => go(Math.max(0, offset - limit)) }, "← Previous"),
    h("span", null, `Page ${page} of ${pages}`),
    h("button", { type: "button", disabled: offset + limit >= total, onclick: () => go(offset + limit) }, "Next →"),
  );
}

// The export formats the server has registered (set on <html> by the server; the built-ins otherwise).
const EXPORT_FORMATS = (document.documentElement.dataset.exportFormats || "csv jsonl parquet").split(" ").filter(Boolean);

export function exportLinks(path, params) {
  const links = EXPORT_FORMATS.map((fmt) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== null && v !== undefined && v !== "" && k !== "limit" && k !== "offset") qs.set(k, v);
    }
    qs.set("format", fmt);
    return h("a", { href: `${path}?${qs}`, download: "", class: "export" }, fmt.toUpperCase());
  });
  return h("p", { class: "exports" }, "Export all matches: ", links.flatMap((a, i) => (i ? [" · ", a] : [a])));
}

// How a claim is stated (asserted, denied, conditional, ...): shown on every claim so a denial never reads as a report.
export function modalityBadge(modality) {
  const m = String(modality || "asserted");
  return h("span", { class: `badge badge-modality modality-${m.replace(/[^a-z]/g, "")}`, title: `modality: ${m}` }, m);
}

// A value the pipeline inferred (from the outlet's country, an earlier sentence...) rather than read in the sentence.
export function inferredMark(basis) {
  if (!basis || basis === "text") return null;
  const why = String(basis).replace(/^inferred:/, "").replace(/-/g, " ");
  return h("span", { class: "badge badge-inferred", title: `inferred: not in the sentence (from ${why})` }, "inferred");
}

// An outlet keeps its colour in every chart and query: the hue comes from a hash of its domain.
export function outletColor(outlet) {
  let hash = 2166136261;
  for (const ch of String(outlet ?? "")) {
    hash ^= ch.codePointAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return `hsl(${hash % 360}, 60%, ${38 + ((hash >>> 9) % 3) * 6}%)`;
}

export function plural(n, word, many = `${word}s`) {
  return `${n} ${n === 1 ? word : many}`;
}
