// Provenance of one claim or quote: who published it first, who repeated or altered it, and on whose word.
import { getJSON } from "../api.js";
import { articleHref, h, inferredMark, modalityBadge, s } from "../dom.js";
import { claimProvenanceHref, formatTime, outletLabel, outletNameMap, parseTime, quoteProvenanceHref } from "./provlinks.js";

const LOOKUP_ROWS = 1000;
const COPY_LOOKUPS = 20; // articles checked for being a reprint of another node
const DIFF_MAX_WORDS = 400; // longer quotes fall back to the API's list of changes

function byTime(a, b) {
  const ta = parseTime(a.published);
  const tb = parseTime(b.published);
  if (ta === null || tb === null) return (ta === null) - (tb === null);
  return ta - tb;
}

// Nodes (one per article, in time order) on a top row; sources they quote on a bottom row.
// edges: {from, to, kind} with kind "repeats" | "altered" | "copies"; attributions: {from, name}.
// Labels wrap onto as many lines as they need (never cut): one <tspan> per line.
function wrapLines(text, max) {
  const lines = [];
  let line = "";
  for (const word of String(text || "").split(/\s+/).filter(Boolean)) {
    if (line && (line + " " + word).length > max) { lines.push(line); line = word; }
    else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
}

function label(x, y, lines, cls, lineH = 16) {
  return s("text", { x, y, "text-anchor": "middle", class: cls },
    lines.map((t, i) => s("tspan", { x, dy: i ? lineH : 0 }, t)));
}

function provenanceGraph(nodes, edges, attributions, title) {
  const colW = 210;
  const chars = 24;
  const lineH = 16;
  const sources = [...new Set(attributions.map((a) => a.name))];
  const nodeLines = new Map(nodes.map((n) => [n.key, wrapLines(n.outlet, chars)]));
  const srcLines = new Map(sources.map((name) => [name, wrapLines(name, chars)]));
  const nodeRows = Math.max(1, ...[...nodeLines.values()].map((l) => l.length));
  const srcRows = Math.max(1, ...[...srcLines.values()].map((l) => l.length));
  const nodeH = 30 + nodeRows * lineH;
  const srcH = 16 + srcRows * lineH;
  const width = Math.max(720, 40 + Math.max(nodes.length, sources.length) * colW);
  const top = 140;
  const bottom = top + nodeH + 90;
  const height = sources.length ? bottom + srcH + 20 : top + nodeH + 20;
  const xOf = new Map(nodes.map((n, i) => [n.key, 20 + colW / 2 + i * colW]));
  const srcX = new Map(sources.map((name, i) => [name, 20 + colW / 2 + i * colW]));
  const arcs = edges.map((e) => {
    const x1 = xOf.get(e.from);
    const x2 = xOf.get(e.to);
    if (x1 === undefined || x2 === undefined || x1 === x2) return null;
    // A rebuttal between two articles that also repeat each other arcs higher, so both stay legible.
    const lift = 36 + Math.min(50, Math.abs(x2 - x1) / 8) + (e.kind === "rebuts" ? 34 : 0);
    return s("g", { class: `edge edge-${e.kind}` },
      s("path", { d: `M${x1},${top} Q${(x1 + x2) / 2},${top - lift} ${x2},${top}`, "marker-end": "url(#arrow)" }),
      s("text", { x: (x1 + x2) / 2, y: top - lift / 2 - 6, "text-anchor": "middle", class: "edge-label" }, e.kind));
  });
  const attr = attributions.map((a) => s("g", { class: "edge edge-attributes" },
    s("line", { x1: xOf.get(a.from), y1: top + nodeH, x2: srcX.get(a.name), y2: bottom, "marker-end": "url(#arrow)" })));
  const attrLabel = attributions.length ? s("text", { x: 8, y: (top + nodeH + bottom) / 2 + 4, class: "edge-label" }, "attributes to") : null;
  const nodeEls = nodes.map((n) => s("a", { href: articleHref(n.articleId), class: `node${n.first ? " node-first" : ""}${n.altered ? " node-altered" : ""}${n.rebuttal ? " node-rebuttal" : ""}`, "aria-label": n.label },
    s("title", null, n.label),
    s("rect", { x: xOf.get(n.key) - colW / 2 + 8, y: top, width: colW - 16, height: nodeH, rx: 6 }),
    label(xOf.get(n.key), top + 20, nodeLines.get(n.key), "node-outlet", lineH),
    s("text", { x: xOf.get(n.key), y: top + nodeH - 10, "text-anchor": "middle", class: "node-time" }, n.first ? `first · ${n.time}` : n.time)));
  const srcEls = sources.map((name) => s("g", { class: "node node-source" },
    s("title", null, name),
    s("rect", { x: srcX.get(name) - colW / 2 + 8, y: bottom, width: colW - 16, height: srcH, rx: 15 }),
    label(srcX.get(name), bottom + 20, srcLines.get(name), "node-source-name", lineH)));
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", class: "prov-graph", id: "prov-graph", role: "group", "aria-labelledby": "prov-graph-title" },
    s("title", { id: "prov-graph-title" }, title),
    s("defs", null, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }))),
    arcs, attr, attrLabel, nodeEls, srcEls);
  // As wide as the page allows, never narrower than its natural size (it scrolls sideways then).
  svg.style.minWidth = `${width}px`;
  svg.style.maxWidth = `${Math.round(width * 1.6)}px`;
  return h("figure", { class: "prov-figure" }, h("div", { class: "graph-wrap", tabindex: "0", "aria-label": "Provenance graph (scrolls sideways)" }, svg),
    h("figcaption", { class: "muted" }, "Articles in time order; the first publisher is highlighted. Arcs show copies (reprints), repeats, reports (relayed as someone else's claim), alterations and rebuttals (a denial answering the claim); lines down show whom each article attributes it to."));
}

// Provenance answers do not say which use reprints which: the store's near-duplicate link on each article does.
async function duplicateOf(articleIds) {
  const out = new Map();
  await Promise.all([...new Set(articleIds)].slice(0, COPY_LOOKUPS).map(async (id) => {
    try {
      const a = await getJSON(`/api/articles/${encodeURIComponent(id)}`);
      if (a.duplicate_of) out.set(id, a.duplicate_of);
    } catch {
      /* drawn as a repeat */
    }
  }));
  return out;
}

// An edge into each later node, from the node it reprints when that is in the graph, else from the first.
// A changed wording is the news even in a reprint, so "altered" wins over "copies".
async function edgesFromFirst(nodes) {
  const dup = await duplicateOf(nodes.slice(1).map((n) => n.articleId));
  const keyOfArticle = new Map();
  for (const n of nodes) if (!keyOfArticle.has(n.articleId)) keyOfArticle.set(n.articleId, n.key);
  return nodes.slice(1).map((n) => {
    const src = keyOfArticle.get(dup.get(n.articleId));
    const copy = src !== undefined && src !== n.key;
    return { from: copy ? src : nodes[0].key, to: n.key, kind: n.altered ? "altered" : copy ? "copies" : "repeats" };
  });
}

function words(text) {
  return String(text || "").split(/\s+/).filter(Boolean);
}

// Word-level diff (longest common subsequence) of two short texts, as [op, word] pairs.
export function wordDiff(a, b) {
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { out.push(["same", a[i]]); i++; j++; }
    else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) { out.push(["ins", b[j]]); j++; }
    else { out.push(["del", a[i]]); i++; }
  }
  return out;
}

function diffView(base, text, changes) {
  const a = words(base);
  const b = words(text);
  if (a.length > DIFF_MAX_WORDS || b.length > DIFF_MAX_WORDS) {
    return h("ul", { class: "change-list" }, (changes || []).map((c) => h("li", null,
      c.from ? h("del", null, c.from) : null, c.from && c.to ? " → " : null, c.to ? h("ins", null, c.to) : null)));
  }
  const p = h("p", { class: "word-diff" });
  wordDiff(a, b).forEach(([op, w], k) => {
    if (k) p.append(" ");
    p.append(op === "same" ? w : h(op, { class: `diff-${op}` }, w));
  });
  return p;
}

async function lookupId(params) {
  const what = params.get("what");
  const article = params.get("article");
  const start = Number(params.get("start"));
  const source = params.get("source") || "";
  const data = what === "quote"
    ? await getJSON("/api/quotes", { speaker: params.get("speaker") || "", source, limit: LOOKUP_ROWS })
    : await getJSON("/api/claims", { type: params.get("type") || "", source, limit: LOOKUP_ROWS });
  const hit = (data.items || []).find((r) => r.article_id === article && Number(r.start) === start);
  if (!hit) throw new Error(`That ${what === "quote" ? "quote" : "claim"} is not in the store any more.`);
  return hit.id;
}

async function renderClaim(root, id, names) {
  const p = await getJSON(`/api/provenance/claims/${encodeURIComponent(id)}`);
  const c = p.claim;
  const nameOf = (d) => outletLabel(names, d);
  const members = [p.first_seen, ...(p.repeats || [])];
  const perArticle = new Map();
  for (const m of members) if (!perArticle.has(m.article_id)) perArticle.set(m.article_id, m);
  const ordered = [...perArticle.values()].sort(byTime);
  const firstArticle = p.first_seen.article_id;
  const nodes = ordered.map((m) => ({
    key: m.article_id, articleId: m.article_id, outlet: nameOf(m.outlet), time: formatTime(m.published).slice(0, 16),
    published: m.published, first: m.article_id === firstArticle, label: `${nameOf(m.outlet)}, ${formatTime(m.published)}${m.article_id === firstArticle ? " (first seen)" : ""}`,
  }));
  const edges = await edgesFromFirst(nodes);
  // An article that only relays the claim ("Russian claims that the town was captured") reports it.
  const relays = new Set((p.repeats || []).filter((r) => r.modality === "reported").map((r) => r.article_id));
  for (const r of p.repeats || []) if (r.modality !== "reported") relays.delete(r.article_id);
  for (const e of edges) if (e.kind === "repeats" && relays.has(e.to) && c.modality !== "reported") e.kind = "reports";
  // Denials are never repeats: their articles join the graph with a "rebuts" arc, denial → assertion.
  const rebuttals = p.rebuttals || [];
  const claimNode = nodes.find((n) => n.articleId === c.article_id) || nodes[0];
  for (const r of rebuttals) {
    let node = nodes.find((n) => n.articleId === r.article_id);
    if (!node) {
      node = { key: `r${r.claim_id}`, articleId: r.article_id, outlet: nameOf(r.outlet), time: formatTime(r.published).slice(0, 16),
        published: r.published, rebuttal: true, label: `${nameOf(r.outlet)}, ${formatTime(r.published)} (${r.edge === "rebuts" ? "denies it" : "asserts what this denies"})` };
      nodes.push(node);
    }
    const pair = r.edge === "rebuts" ? { from: node.key, to: claimNode.key } : { from: claimNode.key, to: node.key };
    if (!edges.some((e) => e.kind === "rebuts" && e.from === pair.from && e.to === pair.to)) edges.push({ ...pair, kind: "rebuts" });
  }
  nodes.sort(byTime);
  // Denials are listed once, as rebuttals; the rest of the disagreements follow.
  const rebutIds = new Set(rebuttals.map((r) => r.claim_id));
  const contradictions = (p.contradictions || []).filter((x) => !rebutIds.has(x.claim_id));
  const attrs = [];
  const seen = new Set();
  for (const a of p.attributions || []) {
    const names = [a.asserted_by, a.denied_by, a.reported_by].join(";");
    for (const name of names.split(";").map((x) => x.trim()).filter(Boolean)) {
      const key = `${a.article_id}\u0000${name}`;
      if (!seen.has(key)) { seen.add(key); attrs.push({ from: a.article_id, name }); }
    }
  }
  root.append(
    h("h1", { tabindex: "-1", id: "prov-title" }, `Claim provenance: ${c.type}`),
    h("blockquote", { class: "prov-subject" }, String(c.sentence || "").trim()),
    h("dl", { class: "facts", id: "prov-facts" },
      h("dt", null, "Claim"), h("dd", null, c.type, c.actor_text ? [` · ${c.actor_text} `, inferredMark(c.actor_basis)] : "",
        c.place_name ? [` · ${c.place_name} `, inferredMark(c.place_basis)] : "", " ", modalityBadge(c.modality)),
      h("dt", null, "In"), h("dd", null, h("a", { href: articleHref(c.article_id) }, `${nameOf(c.outlet)}, ${formatTime(c.published)}`)),
      h("dt", null, "First seen"), h("dd", { id: "prov-first" }, `${nameOf(p.first_seen.outlet)}, ${formatTime(p.first_seen.published)}`),
      h("dt", null, "Repeats"), h("dd", null, String((p.repeats || []).length)),
      h("dt", null, c.modality === "denied" ? "Rebuts" : "Rebutted by"), h("dd", { id: "prov-rebuttal-count" }, String(rebuttals.length)),
      h("dt", null, "Independent origins"), h("dd", null, String(p.independent_origins)),
      c.asserted_by_names ? [h("dt", null, "According to"), h("dd", null, c.asserted_by_names)] : null,
      c.denied_by_names ? [h("dt", null, "Denied by"), h("dd", { id: "prov-deniers" }, c.denied_by_names)] : null,
      c.reported_by_names ? [h("dt", null, "Reported by"), h("dd", null, c.reported_by_names)] : null),
    provenanceGraph(nodes, edges, attrs, `Claim ${c.type}: first seen at ${nameOf(p.first_seen.outlet)}, repeated in ${nodes.length - 1} other article(s)`),
    h("h2", null, `${c.modality === "denied" ? "Denies" : "Denied by"} (${rebuttals.length})`),
    rebuttals.length
      ? h("ul", { class: "contra-list", id: "prov-rebuttals" }, rebuttals.map((x) => opposingClaim(x, nameOf)))
      : h("p", { class: "muted" }, c.modality === "denied" ? "No stored claim asserts what this denies." : "No one denies this claim."),
    h("h2", null, `Contradicted by (${contradictions.length})`),
    contradictions.length
      ? h("ul", { class: "contra-list", id: "prov-contradictions" }, contradictions.map((x) => opposingClaim(x, nameOf)))
      : h("p", { class: "muted" }, "No other outlet contradicts this claim."));
}

// One claim on the other side (a rebuttal or a contradiction), with a link to its own provenance.
function opposingClaim(x, nameOf) {
  return h("li", { class: "contra-side contra-b" },
    h("h4", { class: "contra-outlet" }, nameOf(x.outlet)),
    h("p", null, h("strong", null, x.type), x.actor_code ? ` · ${x.actor_code}` : "", " ", modalityBadge(x.modality), ` · ${formatTime(x.published)}`),
    x.sentence ? h("blockquote", null, x.sentence.trim()) : null,
    h("a", { href: claimProvenanceHref(x.claim_id), class: "prov-link" }, "Its provenance"));
}

async function renderQuote(root, id, names) {
  const p = await getJSON(`/api/provenance/quotes/${encodeURIComponent(id)}`);
  const nameOf = (d) => outletLabel(names, d);
  const first = p.first;
  const uses = [...(p.uses || [])].sort(byTime);
  const nodes = [{ key: `q${first.quote_id}`, articleId: first.article_id, outlet: nameOf(first.outlet), time: formatTime(first.published).slice(0, 16),
    first: true, label: `${nameOf(first.outlet)}, ${formatTime(first.published)} (first publisher)` },
  ...uses.map((u) => ({ key: `q${u.quote_id}`, articleId: u.article_id, outlet: nameOf(u.outlet), time: formatTime(u.published).slice(0, 16),
    altered: u.altered, label: `${nameOf(u.outlet)}, ${formatTime(u.published)}${u.altered ? " (wording altered)" : ""}` }))];
  const edges = await edgesFromFirst(nodes);
  const attrs = [first, ...uses].filter((u) => u.speaker).map((u) => ({ from: `q${u.quote_id}`, name: u.speaker }));
  root.append(
    h("h1", { tabindex: "-1", id: "prov-title" }, "Quote provenance"),
    h("blockquote", { class: "prov-subject" }, p.quote.text),
    h("dl", { class: "facts", id: "prov-facts" },
      h("dt", null, "Speaker"), h("dd", null, p.quote.speaker || "unattributed"),
      h("dt", null, "First publisher"), h("dd", { id: "prov-first" }, `${nameOf(first.outlet)}, ${formatTime(first.published)}`),
      h("dt", null, "Later uses"), h("dd", null, String(uses.length)),
      h("dt", null, "Altered"), h("dd", null, String((p.altered || []).length))),
    provenanceGraph(nodes, edges, attrs, `Quote first published by ${nameOf(first.outlet)}, used ${uses.length} more time(s)`),
    h("h2", null, "Uses"),
    h("ol", { class: "quote-cards", id: "prov-uses" },
      h("li", { class: "quote-card first-use" }, h("p", { class: "meta" }, h("span", { class: "badge badge-first" }, "first"), " ",
        h("a", { href: articleHref(first.article_id) }, nameOf(first.outlet)), ` · ${formatTime(first.published)}`), h("blockquote", null, first.text)),
      uses.map((u) => h("li", { class: `quote-card${u.altered ? " altered" : ""}` },
        h("p", { class: "meta" }, u.altered ? h("span", { class: "badge badge-altered" }, "altered") : h("span", { class: "badge" }, "same words"), " ",
          h("a", { href: articleHref(u.article_id) }, nameOf(u.outlet)), ` · ${formatTime(u.published)} · similarity ${u.similarity}`,
          " · ", h("a", { href: quoteProvenanceHref(u.quote_id), class: "prov-link" }, "from here")),
        u.altered ? diffView(first.text, u.text, u.changes) : h("blockquote", null, u.text)))));
}

export async function renderProvenance(root, params, rest) {
  let [what, id] = rest;
  if (!what) {
    what = params.get("what") === "quote" ? "quote" : "claim";
    id = await lookupId(params);
  }
  const names = await outletNameMap();
  root.append(h("p", null, h("a", { href: "#/stories" }, "← Stories")));
  if (what === "quote") await renderQuote(root, id, names);
  else if (what === "claim") await renderClaim(root, id, names);
  else throw new Error(`No such provenance page: ${what}`);
}
