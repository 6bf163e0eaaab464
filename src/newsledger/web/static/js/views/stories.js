// Stories: the same event across outlets. A list, then one story's coverage, claims, contradictions and quotes.
import { getJSON } from "../api.js";
import { articleHref, errorBox, formatDate, h, inferredMark, modalityBadge, route, s } from "../dom.js";
import { claimProvenanceHref, formatTime, parseTime, provenanceLink, quoteProvenanceHref } from "./provlinks.js";

const PAGE = 20;
const DETAIL_FETCHES = 4; // list rows enriched from story details, this many requests at a time
const CONTRADICTION_LOOKUPS = 30;

function dateSpan(first, last) {
  const a = formatDate(first);
  const b = formatDate(last);
  return a === b ? a : `${a} – ${b}`;
}

function storyHref(id) {
  return `#/story/${encodeURIComponent(id)}`;
}

// The list endpoint has no outlet names or independent count: fill them in from each story's detail.
async function enrichRows(rows) {
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const { id, outletsCell, indepCell, contraCell } = rows[next++];
      try {
        const d = await getJSON(`/api/stories/${encodeURIComponent(id)}`);
        const n = (d.contradictions || []).length; // one row per disagreement
        contraCell.replaceChildren(n ? h("span", { class: "story-contra" }, `⚠ ${n} contradiction${n === 1 ? "" : "s"}`) : "none");
        const names = [...new Map((d.articles || []).map((a) => [a.outlet, a.outlet_name || a.outlet])).values()].filter(Boolean);
        outletsCell.replaceChildren(h("span", { class: "count" }, String(names.length)), " ", h("span", { class: "outlet-names" }, names.join(", ")));
        indepCell.replaceChildren(String(d.independent_articles));
      } catch {
        indepCell.replaceChildren("n/a");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DETAIL_FETCHES, rows.length) }, worker));
}

export async function renderStories(root, params) {
  const offset = Number(params.get("offset") || 0);
  const since = params.get("since") || "";
  const until = params.get("until") || "";
  const sinceIn = h("input", { type: "date", id: "stories-since", value: since });
  const untilIn = h("input", { type: "date", id: "stories-until", value: until });
  root.append(h("h1", { tabindex: "-1" }, "Stories"),
    h("p", { class: "muted" }, "Articles about the same event, grouped across outlets. Reprints of one text count once as an independent origin."),
    h("form", { class: "row", onsubmit: (e) => {
      e.preventDefault();
      window.location.hash = route("stories", { since: sinceIn.value, until: untilIn.value });
    } }, h("label", { for: "stories-since" }, "From"), sinceIn, h("label", { for: "stories-until" }, "to"), untilIn,
    h("button", { type: "submit" }, "Filter")));

  const data = await getJSON("/api/stories", { since, until, min_size: 2, limit: PAGE + 1, offset });
  const items = data.items.slice(0, PAGE);
  if (!items.length) {
    root.append(h("p", { class: "muted", id: "stories-empty" }, "No stories with two or more articles yet."));
    return;
  }
  const rows = [];
  const list = h("ol", { class: "story-list", id: "story-list" }, items.map((st) => {
    const outletsCell = h("dd", { class: "story-outlets" }, h("span", { class: "count" }, String(st.outlets)));
    const indepCell = h("dd", { class: "story-indep" }, "…");
    const contraCell = h("dd", { class: "story-contradictions" }, "…");
    rows.push({ id: st.id, outletsCell, indepCell, contraCell });
    return h("li", { class: "story-item", "data-story": st.id },
      h("h2", null, h("a", { href: storyHref(st.id), class: "story-link" }, st.label || `Story ${st.id}`)),
      h("dl", { class: "story-facts" },
        h("div", null, h("dt", null, "Dates"), h("dd", null, dateSpan(st.first_published, st.last_published))),
        h("div", null, h("dt", null, "Articles"), h("dd", { class: "story-size" }, String(st.size))),
        h("div", null, h("dt", null, "Outlets"), outletsCell),
        h("div", null, h("dt", null, "Independent origins"), indepCell),
        h("div", null, h("dt", null, "Contradictions"), contraCell)));
  }));
  root.append(list);
  const more = data.items.length > PAGE;
  if (offset > 0 || more) {
    root.append(h("nav", { class: "pager", "aria-label": "Pages" },
      h("button", { type: "button", disabled: offset <= 0, onclick: () => { window.location.hash = route("stories", { since, until, offset: Math.max(0, offset - PAGE) }); } }, "← Newer"),
      h("button", { type: "button", disabled: !more, onclick: () => { window.location.hash = route("stories", { since, until, offset: offset + PAGE }); } }, "Older →")));
  }
  await enrichRows(rows);
}

// ---------------------------------------------------------------- one story

function coverageChart(articles, nameOf) {
  const dated = articles.filter((a) => parseTime(a.published) !== null);
  if (!dated.length) return h("p", { class: "muted" }, "No dated articles to place on a timeline.");
  // Rows in the order the outlets first reported the story.
  const byTimeAsc = [...dated].sort((x, y) => parseTime(x.published) - parseTime(y.published));
  const outlets = [...new Set(byTimeAsc.map((a) => a.outlet || "?"))];
  const times = dated.map((a) => parseTime(a.published));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const width = 720;
  const rowH = 34;
  const pad = { left: 170, right: 40, top: 10, bottom: 28 };
  const height = pad.top + outlets.length * rowH + pad.bottom;
  const plotW = width - pad.left - pad.right;
  const x = (t) => pad.left + (t1 === t0 ? plotW / 2 : ((t - t0) / (t1 - t0)) * plotW);
  const byId = new Map(articles.map((a) => [a.id, a]));
  const rows = outlets.map((o, i) => {
    const y = pad.top + i * rowH + rowH / 2;
    const name = nameOf(o);
    return s("g", { class: "cov-row" }, s("title", null, name),
      s("line", { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: "cov-guide" }),
      s("text", { x: pad.left - 8, y: y + 4, "text-anchor": "end", class: "cov-outlet" }, name.length > 24 ? name.slice(0, 23) + "…" : name));
  });
  const dots = dated.map((a) => {
    const y = pad.top + outlets.indexOf(a.outlet || "?") * rowH + rowH / 2;
    const cx = x(parseTime(a.published));
    const source = a.copy_of ? byId.get(a.copy_of) : null;
    const label = `${nameOf(a.outlet)} · ${formatTime(a.published)} · ${a.title || "(untitled)"}` +
      (a.copy_of ? ` · copy of ${source ? `${nameOf(source.outlet)}: ${source.title || a.copy_of}` : a.copy_of}` : "");
    return s("a", { href: articleHref(a.id), class: a.copy_of ? "cov-dot cov-copy" : "cov-dot", "aria-label": label },
      s("title", null, label),
      s("circle", { cx: cx.toFixed(1), cy: y, r: 7 }),
      a.copy_of ? s("text", { x: (cx + 10).toFixed(1), y: y - 8, class: "cov-badge" }, "copy") : null);
  });
  const axis = [
    s("line", { x1: pad.left, x2: width - pad.right, y1: height - pad.bottom + 4, y2: height - pad.bottom + 4, class: "axis" }),
    s("text", { x: pad.left, y: height - 8, class: "tick" }, formatTime(new Date(t0).toISOString())),
    t1 !== t0 ? s("text", { x: width - pad.right, y: height - 8, "text-anchor": "end", class: "tick" }, formatTime(new Date(t1).toISOString())) : null,
  ];
  // Below the chart's natural width it scrolls sideways inside its frame instead of shrinking the text.
  return h("figure", { class: "coverage-figure" }, h("div", { class: "coverage-wrap" },
    s("svg", { viewBox: `0 0 ${width} ${height}`, class: "coverage", id: "coverage", role: "group", "aria-labelledby": "coverage-title" },
      s("title", { id: "coverage-title" }, `Coverage by outlet over time: ${dated.length} dated articles, ${outlets.length} outlets`),
      rows, axis, dots)),
    h("figcaption", { class: "muted" }, "Filled dots are original texts; hollow dots marked “copy” reprint an earlier article."));
}

function articleList(articles, nameOf) {
  const byId = new Map(articles.map((a) => [a.id, a]));
  const when = (a) => parseTime(a.published) ?? Infinity;
  const ordered = [...articles].sort((x, y) => when(x) - when(y));
  return h("ol", { class: "story-articles", id: "story-articles" }, ordered.map((a) => {
    const source = a.copy_of ? byId.get(a.copy_of) : null;
    return h("li", { class: a.copy_of ? "is-copy" : null },
      h("a", { href: articleHref(a.id) }, a.title || "(untitled)"),
      h("p", { class: "meta" }, h("span", { class: "source" }, nameOf(a.outlet)), " · ", h("time", null, formatTime(a.published)),
        a.copy_of ? [" ", h("span", { class: "badge badge-copy" }, "copy of"), " ",
          h("a", { href: articleHref(a.copy_of) }, source ? `${nameOf(source.outlet)}: ${source.title || a.copy_of}` : a.copy_of),
          typeof a.copy_similarity === "number" ? ` (${Math.round(a.copy_similarity * 100)}% same text)` : ""] : null));
  }));
}

// Names behind a claim group, deniers and reporters marked as such (they do not assert it).
function uniqueNames(attributions) {
  const seen = new Set();
  for (const a of attributions || []) {
    for (const [field, suffix] of [["asserted_by", ""], ["denied_by", " (denies)"], ["reported_by", " (reports)"]]) {
      for (const name of String(a[field] || "").split(";")) {
        if (name.trim()) seen.add(name.trim() + suffix);
      }
    }
  }
  return [...seen];
}

function claimGroups(groups, nameOf) {
  if (!groups.length) return h("p", { class: "muted" }, "No claims were extracted from these articles.");
  return h("ul", { class: "claim-groups", id: "claim-groups" }, groups.map((g) => {
    const by = uniqueNames(g.attributions);
    return h("li", { class: "claim-group" },
      h("h3", null, h("span", { class: "claim-type" }, g.type), g.actor ? [` · ${g.actor} `, inferredMark(g.actor_basis)] : "",
        g.place ? [` · ${g.place} `, inferredMark(g.place_basis)] : "", " ", modalityBadge(g.modality)),
      h("dl", { class: "facts" },
        h("dt", null, "First seen"), h("dd", { class: "first-seen" }, `${nameOf(g.first_seen.outlet)}, ${formatTime(g.first_seen.published)}`),
        h("dt", null, "Repeats"), h("dd", null, String((g.repeats || []).length)),
        h("dt", null, "Independent origins"), h("dd", null, String(g.independent_origins)),
        h("dt", null, "Outlets"), h("dd", null, (g.outlets || []).map(nameOf).join(", ")),
        by.length ? [h("dt", null, "According to"), h("dd", null, by.join("; "))] : null),
      provenanceLink(claimProvenanceHref(g.first_seen.claim_id), "Claim provenance"));
  }));
}

// Story contradictions name claims but not their sentences: each side's claim provenance supplies them.
async function contradictionSentences(pairs) {
  const sentences = new Map();
  const ids = [...new Set(pairs.map((p) => p.claim_id))].slice(0, CONTRADICTION_LOOKUPS);
  await Promise.all(ids.map(async (id) => {
    try {
      const p = await getJSON(`/api/provenance/claims/${encodeURIComponent(id)}`);
      sentences.set(p.claim.id, p.claim.sentence);
      for (const c of p.contradictions || []) if (!sentences.has(c.claim_id)) sentences.set(c.claim_id, c.sentence);
    } catch {
      /* the pair still shows without its sentences */
    }
  }));
  return sentences;
}

// One side of a disagreement: every outlet of that side holding the position, one representative sentence.
function contradictionSide(cls, side, outlets, type, actor, modality, claimId, sentence, articleId, nameOf) {
  return h("div", { class: `contra-side ${cls}` },
    h("h4", { class: "contra-outlet" }, outlets.map(nameOf).join(", ")),
    side ? h("p", { class: "contra-sidelabel muted" }, side) : null,
    h("p", { class: "contra-claim" }, h("strong", null, type), actor ? ` · ${actor}` : "", " ", modalityBadge(modality)),
    sentence ? h("blockquote", { class: "contra-sentence" }, sentence.trim()) : null,
    h("p", { class: "meta" }, h("a", { href: articleHref(articleId) }, "article"), " · ", provenanceLink(claimProvenanceHref(claimId))));
}

async function contradictions(rows, nameOf) {
  const seen = new Set();
  const pairs = rows.filter((r) => {
    const key = [r.claim_id, r.other_claim_id].sort((a, b) => a - b).join("-");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (!pairs.length) return h("p", { class: "muted" }, "No outlet contradicts another on this story.");
  const sentences = await contradictionSentences(pairs);
  return h("ul", { class: "contradictions", id: "contradictions" }, pairs.map((p) => h("li", { class: "contradiction" },
    h("p", { class: "contra-kind" }, `Conflict: ${p.kind}`, p.pairs > 1 ? h("span", { class: "muted" }, ` · ${p.pairs} sentence pairs`) : null),
    h("div", { class: "contra-pair" },
      contradictionSide("contra-a", p.side, p.outlets || [p.outlet], p.type, p.actor_code, p.modality, p.claim_id,
        sentences.get(p.claim_id), p.article_id, nameOf),
      h("span", { class: "contra-vs", "aria-hidden": "true" }, "vs"),
      contradictionSide("contra-b", p.other_side, p.other_outlets || [p.other_outlet], p.other_type, p.other_actor_code,
        p.other_modality, p.other_claim_id, sentences.get(p.other_claim_id), p.other_article_id, nameOf)))));
}

function quoteList(quotes, nameOf) {
  if (!quotes.length) return h("p", { class: "muted" }, "No direct quotes in these articles.");
  return h("ol", { class: "quote-cards", id: "story-quotes" }, quotes.map((q) => h("li", { class: "quote-card" },
    h("blockquote", null, q.text),
    h("p", { class: "meta" }, h("span", { class: "speaker" }, q.speaker || "unattributed"), " · ",
      h("span", { class: "source" }, nameOf(q.outlet)), " · ", h("time", null, formatTime(q.published)), " · ",
      h("a", { href: articleHref(q.article_id) }, "article"), " · ", provenanceLink(quoteProvenanceHref(q.id), "Quote provenance")))));
}

export async function renderStory(root, _params, rest) {
  const id = rest[0] || "";
  const d = await getJSON(`/api/stories/${encodeURIComponent(id)}`);
  const names = new Map((d.articles || []).map((a) => [a.outlet, a.outlet_name || a.outlet]));
  const nameOf = (domain) => (domain && names.get(domain)) || domain || "unknown outlet";
  let contra;
  try {
    contra = await contradictions(d.contradictions || [], nameOf);
  } catch (err) {
    contra = errorBox(err.message);
  }
  root.append(
    h("p", null, h("a", { href: "#/stories" }, "← All stories")),
    h("h1", { tabindex: "-1", id: "story-title" }, d.label || `Story ${d.id}`),
    h("p", { class: "meta", id: "story-meta" }, dateSpan(d.first_published, d.last_published), ` · ${d.size} article${d.size === 1 ? "" : "s"}`,
      ` · ${names.size} outlet${names.size === 1 ? "" : "s"}`, ` · ${d.independent_articles} independent`),
    h("section", { "aria-labelledby": "h-coverage" }, h("h2", { id: "h-coverage" }, "Coverage"), coverageChart(d.articles || [], nameOf),
      articleList(d.articles || [], nameOf)),
    h("section", { "aria-labelledby": "h-contra" }, h("h2", { id: "h-contra" }, "Contradictions"), contra),
    h("section", { "aria-labelledby": "h-claims" }, h("h2", { id: "h-claims" }, `Claims (${(d.claims || []).length})`), claimGroups(d.claims || [], nameOf)),
    h("section", { "aria-labelledby": "h-quotes" }, h("h2", { id: "h-quotes" }, `Quotes (${(d.quotes || []).length})`), quoteList(d.quotes || [], nameOf)));
}
