// Basemap geometry helpers. Polygons that cross the antimeridian (Russia, Fiji, Antarctica)
// come with rings that jump from +180 to -180; drawn as they are, each jump becomes a
// horizontal band across the whole map. Rings are unwrapped to continuous longitudes, closed
// over the pole when they circle it, then clipped into the [-180, 180] window (parts beyond
// it shifted by 360), so every shape is drawn where it lies and nothing spans the map.

function unwrap(ring) {
  const out = [];
  let shift = 0;
  for (let i = 0; i < ring.length; i++) {
    const [lon, lat] = ring[i];
    if (i) {
      const prev = ring[i - 1][0];
      if (lon - prev > 180) shift -= 360;
      else if (prev - lon > 180) shift += 360;
    }
    out.push([lon + shift, lat]);
  }
  return out;
}

// Sutherland–Hodgman against one vertical line: keep the side where keep(x) is true.
function clip(ring, x0, keep) {
  const out = [];
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % ring.length];
    const ina = keep(a[0]);
    const inb = keep(b[0]);
    if (ina) out.push(a);
    if (ina !== inb) {
      const t = (x0 - a[0]) / (b[0] - a[0]);
      out.push([x0, a[1] + t * (b[1] - a[1])]);
    }
  }
  return out;
}

function splitRing(raw) {
  const last = raw[raw.length - 1];
  const ring = raw.length > 1 && raw[0][0] === last[0] && raw[0][1] === last[1] ? raw.slice(0, -1) : raw.slice();
  if (ring.length < 3) return [];
  const around = unwrap([...ring, ring[0]]);
  let u = around.slice(0, -1);
  // A ring around a pole ends a full turn away from where it started: close it over the pole.
  if (Math.abs(around[around.length - 1][0] - around[0][0]) > 180) {
    const pole = u.reduce((sum, p) => sum + p[1], 0) / u.length > 0 ? 90 : -90;
    u = [...u, [u[u.length - 1][0], pole], [u[0][0], pole]];
  }
  const xs = u.map((p) => p[0]);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const parts = [];
  for (let k = Math.floor((minX + 180) / 360); k <= Math.floor((maxX + 180) / 360); k++) {
    const lo = -180 + 360 * k;
    const hi = lo + 360;
    let piece = clip(u, lo, (x) => x >= lo);
    piece = clip(piece, hi, (x) => x <= hi);
    if (piece.length >= 3) parts.push(piece.map(([x, y]) => [x - 360 * k, y]));
  }
  return parts.map((p) => [...p, p[0]]);
}

function splitPolygon(rings) {
  // Holes are rare among country shapes and never cross the antimeridian: each outer
  // piece keeps the holes that still fall inside the window.
  const [outer, ...holes] = rings;
  return splitRing(outer).map((piece) => [piece, ...holes.filter((h) => h.every(([x]) => x >= -180 && x <= 180))]);
}

export function splitAntimeridian(geojson) {
  const features = (geojson.features || [geojson]).map((f) => {
    const g = f.geometry;
    if (!g) return f;
    let polys = null;
    if (g.type === "Polygon") polys = splitPolygon(g.coordinates);
    else if (g.type === "MultiPolygon") polys = g.coordinates.flatMap(splitPolygon);
    if (!polys) return f;
    return { ...f, geometry: { type: "MultiPolygon", coordinates: polys } };
  });
  return { type: "FeatureCollection", features };
}

// The largest longitude jump between consecutive points of any ring, leaving out edges along
// the polar rim (|lat| >= 80: Antarctica's closing edge lies at the map's bottom border).
// No band across the map means < 180.
export function largestJump(geojson) {
  let worst = 0;
  for (const f of geojson.features || []) {
    const g = f.geometry;
    if (!g) continue;
    const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    for (const poly of polys) {
      for (const ring of poly) {
        for (let i = 1; i < ring.length; i++) {
          if (Math.abs(ring[i][1]) >= 80 && Math.abs(ring[i - 1][1]) >= 80) continue;
          worst = Math.max(worst, Math.abs(ring[i][0] - ring[i - 1][0]));
        }
      }
    }
  }
  return worst;
}
