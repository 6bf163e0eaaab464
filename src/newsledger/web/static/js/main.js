// Hash router: "#/view/rest?key=value". Each view renders into <main> from scratch.
import { clear, errorBox, h } from "./dom.js";
import { renderArticle } from "./views/article.js";
import { renderCompare } from "./views/compare.js";
import { renderMap } from "./views/map.js";
import { renderProvenance } from "./views/provenance.js";
import { renderQuotes } from "./views/quotes.js";
import { renderSearch } from "./views/search.js";
import { renderSources } from "./views/sources.js";
import { renderQuality } from "./views/quality.js";
import { renderStories, renderStory } from "./views/stories.js";
import { renderWatch } from "./views/watch.js";

const VIEWS = {
  search: renderSearch,
  article: renderArticle,
  quotes: renderQuotes,
  map: renderMap,
  compare: renderCompare,
  sources: renderSources,
  stories: renderStories,
  story: renderStory,
  provenance: renderProvenance,
  watch: renderWatch,
  quality: renderQuality,
};
// Pages reached from a list (an article, a story, a provenance graph) keep the nav entry
// of the list the reader came from; opened directly, they fall back to NAV_OF.
const NAV_OF = { story: "stories", provenance: "stories", article: "search" };
const NAV_VIEWS = new Set([...document.querySelectorAll(".nav a[data-view]")].map((a) => a.dataset.view));
let lastNav = null;

const main = document.getElementById("main");
let currentView = null;
let renderSeq = 0;

function parseHash() {
  const hash = window.location.hash || "#/search";
  const [path, qs] = hash.slice(2).split("?", 2);
  const [view, ...rest] = path.split("/");
  return { view: view || "search", rest: rest.map(decodeURIComponent), params: new URLSearchParams(qs || "") };
}

async function render() {
  if (window.location.hash && !window.location.hash.startsWith("#/")) return; // in-page anchors
  const { view, rest, params } = parseHash();
  const fn = VIEWS[view];
  const seq = ++renderSeq;
  const keepFocus = view === currentView ? document.activeElement?.id : null;
  const changedView = view !== currentView;
  currentView = view;
  const navView = NAV_VIEWS.has(view) ? view : (lastNav || NAV_OF[view] || view);
  if (NAV_VIEWS.has(view)) lastNav = view;
  for (const a of document.querySelectorAll(".nav a[data-view]")) {
    if (a.dataset.view === navView) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const target = h("div", { class: `view view-${view}` });
  let mounted = null;
  try {
    if (!fn) throw new Error(`No such page: ${view}`);
    mounted = await fn(target, params, rest);
  } catch (err) {
    target.append(errorBox(err.message || String(err)));
  }
  if (seq !== renderSeq) return; // a newer navigation already replaced this one
  clear(main).append(target);
  // Views that measure themselves (the map) finish once they are in the document.
  if (typeof mounted === "function") mounted();
  main.dataset.ready = view;
  const again = keepFocus && document.getElementById(keepFocus);
  if (again) again.focus();
  else if (changedView) (target.querySelector("h1") || main).focus({ preventScroll: false });
}

document.querySelector(".skip-link")?.addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener("hashchange", render);
render();
