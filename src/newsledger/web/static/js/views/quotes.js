// Quotes explorer: speakers with per-outlet counts, then what the chosen speaker said.
import { getJSON } from "../api.js";
import { affiliationBadge, articleHref, errorBox, exportLinks, formatDate, h, pager, route } from "../dom.js";
import { provenanceLink, quoteProvenanceHref } from "./provlinks.js";
import { reviewBadge } from "./review.js";

const PAGE = 25;

export async function renderQuotes(root, params) {
  const speaker = params.get("speaker") || "";
  const find = params.get("find") || "";
  const offset = Number(params.get("offset") || 0);
  const input = h("input", { type: "search", id: "speaker-find", value: find, placeholder: "Speaker name contains…" });
  root.append(h("h1", { tabindex: "-1" }, "Quotes"),
    h("form", { class: "row", role: "search", onsubmit: (e) => {
      e.preventDefault();
      window.location.hash = route("quotes", { find: input.value.trim(), speaker });
    } }, h("label", { for: "speaker-find", class: "visually-hidden" }, "Find a speaker"), input, h("button", { type: "submit" }, "Find")));

  const layout = h("div", { class: "two-col" });
  root.append(layout);
  try {
    const sp = await getJSON("/api/speakers", { q: find, limit: 100 });
    layout.append(h("section", { class: "speakers", "aria-label": "Speakers" },
      h("h2", null, `Speakers (${sp.total})`),
      h("ul", { class: "speaker-list" }, sp.items.map((s) => h("li", null,
        h("a", { href: route("quotes", { find, speaker: s.speaker }), "aria-current": s.speaker === speaker ? "true" : null, class: "speaker-link" },
          h("span", { class: "speaker" }, s.speaker), h("span", { class: "count" }, String(s.count))),
        h("p", { class: "outlets muted" }, s.outlets.map((o) => `${o.name || o.source}: ${o.count}`).join(" · ")))))));
  } catch (err) {
    layout.append(errorBox(err.message));
  }

  const panel = h("section", { class: "quote-panel", "aria-live": "polite" });
  layout.append(panel);
  if (!speaker) {
    panel.append(h("p", { class: "muted" }, "Choose a speaker to read their quotes across outlets."));
    return;
  }
  // Reviewed only / unreviewed only; quotes an analyst rejected stay out unless asked for.
  const reviewed = params.get("reviewed") || "";
  const showRejected = params.get("rejected") === "shown";
  const go = (change) => { window.location.hash = route("quotes", { find, speaker, reviewed, rejected: showRejected ? "shown" : "", ...change }); };
  const reviewSel = h("select", { id: "quotes-reviewed", onchange: (e) => go({ reviewed: e.target.value }) },
    h("option", { value: "" }, "All quotes"), h("option", { value: "true" }, "Reviewed only"), h("option", { value: "false" }, "Unreviewed only"));
  reviewSel.value = reviewed;
  const rejectedBox = h("input", { type: "checkbox", id: "quotes-rejected", checked: showRejected, onchange: (e) => go({ rejected: e.target.checked ? "shown" : "" }) });
  const data = await getJSON("/api/quotes", { speaker, limit: PAGE, offset, reviewed, hide_rejected: showRejected ? "" : "true" });
  panel.append(h("p", { class: "row review-filters" }, h("label", { for: "quotes-reviewed" }, "Show"), reviewSel,
    h("label", { for: "quotes-rejected" }, rejectedBox, " rejected quotes")),
    h("h2", { id: "quotes-heading" }, `${speaker}: ${data.total} quote${data.total === 1 ? "" : "s"}`),
    h("ol", { class: "quote-cards" }, data.items.map((q) => h("li", { class: "quote-card" },
      h("blockquote", null, q.text),
      h("p", { class: "meta" }, `${q.kind}${q.cue ? ", “" + q.cue + "”" : ""} · `,
        h("span", { class: "source" }, q.source_name || q.source || "unknown"), " ", affiliationBadge(q.state_affiliated), " · ",
        h("time", null, formatDate(q.published)), " · ", h("a", { href: articleHref(q.article_id) }, q.title || "article"),
        " · ", provenanceLink(quoteProvenanceHref(q.id)), " ", reviewBadge(q.review))))),
    exportLinks("/api/quotes", { speaker }));
  if (data.total > PAGE) {
    panel.append(pager(data.total, PAGE, offset, (o) => go({ offset: o })));
  }
}
