// Claims map: bundled country outlines (no tiles), one marker per resolved place, a day slider.
import { getJSON } from "../api.js";
import { countryName, errorBox, h, route, s as svg } from "../dom.js";
import { splitAntimeridian } from "../geo.js";

let worldCache = null;

async function world() {
  if (!worldCache) {
    const res = await fetch("/static/vendor/world-atlas/countries-50m.json");
    const topo = await res.json();
    worldCache = splitAntimeridian(window.topojson.feature(topo, topo.objects.countries));
  }
  return worldCache;
}

const radius = (n) => 4 + 3 * Math.sqrt(n);

// Legend: what a marker's size means, for a few counts up to the largest on the map.
function sizeLegend(max) {
  const steps = [...new Set([1, Math.max(1, Math.round(max / 4)), Math.max(1, max)])].sort((a, b) => a - b);
  const r = steps.map(radius);
  const width = r.reduce((sum, x) => sum + 2 * x + 28, 0);
  const height = 2 * r[r.length - 1] + 18;
  let x = 0;
  const items = steps.map((n, i) => {
    const cx = x + r[i];
    x += 2 * r[i] + 28;
    return [svg("circle", { cx: cx.toFixed(1), cy: (height - 16 - r[i]).toFixed(1), r: r[i].toFixed(1), class: "legend-marker", fill: "#d0342c", "fill-opacity": 0.75, stroke: "#7a1010" }),
      svg("text", { x: cx.toFixed(1), y: height - 2, "text-anchor": "middle", class: "tick" }, String(n))];
  });
  return h("div", { class: "map-legend", id: "map-legend" }, h("div", null, "Mentions"),
    svg("svg", { width: Math.ceil(width), height: Math.ceil(height), role: "img", "aria-label": `Marker size: ${steps.join(", ")} mentions` }, items));
}

function placeLabel(p) {
  const country = countryName(p.country_code);
  return country && country !== p.name ? `${p.name}, ${country}` : p.name;
}

function countUpTo(dates, day) {
  let n = 0;
  for (const [d, c] of Object.entries(dates || {})) if (d <= day) n += c;
  return n;
}

function popup(p, shown) {
  return h("div", { class: "popup" },
    h("strong", null, placeLabel(p)),
    h("div", null, `${shown} mention${shown === 1 ? "" : "s"} in ${p.articles} article${p.articles === 1 ? "" : "s"}`),
    Object.keys(p.claim_types).length ? h("div", { class: "popup-claims" }, "Claims: ", Object.entries(p.claim_types).map(([t, c]) => {
      const m = (p.claim_modalities || {})[t];
      return m ? `${t}: ${Object.entries(m).map(([k, n]) => `${n} ${k}`).join(", ")}` : `${t} ×${c}`;
    }).join("; ")) : null,
    h("div", null, `${p.first || "?"} → ${p.last || "?"}`),
    h("a", { href: route("compare", { place: p.name }) }, "Compare outlets"), " · ",
    h("a", { href: route("search", { place: p.name }) }, "Articles"));
}

export async function renderMap(root, params) {
  const claimType = params.get("claim_type") || "";
  const data = await getJSON("/api/places.geojson", { claim_type: claimType, limit: 1000 });
  const features = data.features;
  const days = [...new Set(features.flatMap((f) => Object.keys(f.properties.dates || {})))].sort();

  const mapEl = h("div", { class: "map", id: "claims-map", role: "region", "aria-label": "Map of places named in claims and articles" });
  const slider = h("input", { type: "range", id: "map-day", min: 0, max: Math.max(0, days.length - 1), value: Math.max(0, days.length - 1), step: 1, disabled: days.length < 2 });
  const dayLabel = h("output", { for: "map-day", id: "map-day-label" }, days.length ? `up to ${days[days.length - 1]}` : "no dated mentions");
  const list = h("ul", { class: "place-list", id: "place-list" });
  root.append(h("h1", { tabindex: "-1" }, "Claims map"),
    h("p", null, `${features.length} place${features.length === 1 ? "" : "s"}. `, h("a", { href: "/api/places.geojson", download: "places.geojson" }, "Download GeoJSON")),
    h("div", { class: "row slider-row" }, h("label", { for: "map-day" }, "Show mentions up to day"), slider, dayLabel),
    mapEl, h("h2", null, "Places"), list);

  return async () => {
    if (!window.L || !window.topojson) {
      mapEl.replaceWith(errorBox("Map library failed to load."));
      return;
    }
    const L = window.L;
    const map = L.map(mapEl, { worldCopyJump: true, minZoom: 1, maxZoom: 12 }).setView([30, 10], 2);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Borders: Natural Earth via world-atlas");
    try {
      L.geoJSON(await world(), { interactive: false, style: { color: "#8a8f98", weight: 0.6, fillColor: "#f3f1ea", fillOpacity: 1 } }).addTo(map);
    } catch (err) {
      mapEl.before(errorBox(`Basemap unavailable: ${err.message}`));
    }
    const markers = features.map((f) => {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      const marker = L.circleMarker([lat, lon], { className: "nl-marker", color: "#7a1010", weight: 1, fillColor: "#d0342c", fillOpacity: 0.75 });
      return { marker, p, lat, lon };
    });

    function update() {
      const day = days[Number(slider.value)] || "9999-12-31";
      dayLabel.value = days.length ? `up to ${day}` : "no dated mentions";
      list.replaceChildren();
      for (const m of markers) {
        const undated = !Object.keys(m.p.dates || {}).length;
        const n = undated ? m.p.mentions : countUpTo(m.p.dates, day);
        if (n > 0) {
          if (!map.hasLayer(m.marker)) {
            m.marker.addTo(map);
            // Leaflet draws a fresh <path> on every add, so label it each time.
            m.marker.getElement()?.setAttribute("aria-label", placeLabel(m.p));
            m.marker.getElement()?.setAttribute("data-place", placeLabel(m.p));
          }
          m.marker.setRadius(radius(n));
          m.marker.bindPopup(popup(m.p, n));
          list.append(h("li", null, h("button", { type: "button", class: "linkish", onclick: () => { map.setView([m.lat, m.lon], Math.max(map.getZoom(), 6)); m.marker.openPopup(); } },
            `${placeLabel(m.p)} — ${n}`)));
        } else if (map.hasLayer(m.marker)) {
          m.marker.remove();
        }
      }
    }
    slider.addEventListener("input", update);
    update();
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => sizeLegend(Math.max(1, ...markers.map((m) => m.p.mentions || 1)));
    if (markers.length) legend.addTo(map);
    // The opening view frames the places themselves: a country's centroid (thousands of km from
    // where the reported events are) only widens it when nothing finer was named.
    const fine = markers.filter((m) => m.p.feature !== "country");
    const framed = fine.length ? fine : markers;
    if (framed.length) map.fitBounds(L.latLngBounds(framed.map((m) => [m.lat, m.lon])).pad(0.3), { maxZoom: 7 });
  };
}
