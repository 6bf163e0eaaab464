// Outlets side by side: who reports an entity, place or claim type, in which words, and since when.
import { getJSON } from "../api.js";
import { affiliationBadge, articleHref, countryName, errorBox, exportLinks, formatDate, h, modalityBadge, route } from "../dom.js";

const KINDS = [["place", "Place"], ["entity", "Entity"], ["claim_type", "Claim type"]];

// "TAKE_CONTROL: 2 asserted, 1 denied": a denial never counts as one more capture.
function claimCount(c) {
  const parts = Object.entries(c.modalities || { asserted: c.count })
    .map(([m, n]) => h("span", { class: `modality-count modality-${m}` }, `${n} ${m}`));
  return h("li", { class: "claim-count", "data-type": c.type }, h("strong", null, c.type), ": ",
    parts.flatMap((p, i) => (i ? [", ", p] : [p])));
}

function outletCard(o) {
  return h("article", { class: "outlet-card", "data-source": o.source },
    h("h3", null, o.name || o.source), h("p", { class: "meta" }, affiliationBadge(o.state_affiliated),
      o.country ? ` · ${countryName(o.country)}` : "", ` · ${o.articles} article${o.articles === 1 ? "" : "s"}`),
    h("p", null, "First said: ", o.first ? [h("time", null, formatDate(o.first.date)), " — ", h("a", { href: articleHref(o.first.article_id) }, o.first.title || "article")] : "undated"),
    h("h4", null, "In their words"),
    o.framing.length
      ? h("ul", { class: "terms" }, o.framing.map((f) => h("li", { class: "term" },
        h("strong", null, f.term), ` ×${f.count}`, f.texts.length ? ` (“${f.texts.join("”, “")}”)` : "",
        f.neutral ? h("span", { class: "muted" }, ` neutral: ${f.neutral}`) : null)))
      : h("p", { class: "muted" }, "No loaded framing terms."),
    o.claim_types.length ? h("ul", { class: "claim-counts" }, o.claim_types.map(claimCount)) : null,
    o.examples.length ? h("ul", { class: "examples" }, o.examples.map((e) => h("li", null, modalityBadge(e.modality), " ",
      h("q", null, e.sentence), " ", h("time", { class: "muted" }, formatDate(e.date))))) : null);
}

export async function renderCompare(root, params) {
  const kind = KINDS.find(([k]) => params.get(k))?.[0] || "place";
  const value = params.get(kind) || "";
  const select = h("select", { id: "compare-kind" }, KINDS.map(([k, label]) => h("option", { value: k }, label)));
  select.value = kind;
  const input = h("input", { type: "text", id: "compare-value", value, placeholder: "e.g. Siversk" });
  root.append(h("h1", { tabindex: "-1" }, "Compare outlets"),
    h("form", { class: "row", onsubmit: (e) => {
      e.preventDefault();
      window.location.hash = route("compare", { [select.value]: input.value.trim() });
    } },
    h("label", { for: "compare-kind", class: "visually-hidden" }, "Compare by"), select,
    h("label", { for: "compare-value", class: "visually-hidden" }, "Value"), input,
    h("button", { type: "submit", id: "compare-go" }, "Compare")));
  if (!value) {
    root.append(h("p", { class: "muted" }, "Name a place, a person or organisation, or a claim type (e.g. TAKE_CONTROL) to see how each outlet reports it."));
    return;
  }
  let data;
  try {
    data = await getJSON("/api/compare", { [kind]: value, limit: 200 });
  } catch (err) {
    root.append(errorBox(err.message));
    return;
  }
  if (!data.items.length) {
    root.append(h("p", { role: "status" }, `No outlet in the store mentions ${value}.`));
    return;
  }
  const state = data.items.filter((o) => o.state_affiliated === true);
  const other = data.items.filter((o) => o.state_affiliated !== true);
  root.append(h("p", { role: "status" }, `${data.total} outlet${data.total === 1 ? " mentions" : "s mention"} ${value}.`),
    h("div", { class: "compare-cols" },
      h("section", { class: "compare-col", "aria-labelledby": "col-state" }, h("h2", { id: "col-state" }, `State-affiliated (${state.length})`), state.map(outletCard)),
      h("section", { class: "compare-col", "aria-labelledby": "col-other" }, h("h2", { id: "col-other" }, `Independent or unknown (${other.length})`), other.map(outletCard))),
    exportLinks("/api/compare", { [kind]: value }));
}
