// Copies the browser libraries the dashboard uses out of node_modules into the
// Python package, so the server never reaches a CDN and pip installs need no npm.
// Run `npm ci --ignore-scripts && npm run build`, then commit the result.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src/newsledger/web/static/vendor");
const nm = (p) => join(root, "node_modules", p);

const files = {
  "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
  "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
  "leaflet/LICENSE": "leaflet/LICENSE",
  "swagger-ui/swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
  "swagger-ui/swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
  "swagger-ui/LICENSE": "swagger-ui-dist/LICENSE",
  "swagger-ui/NOTICE": "swagger-ui-dist/NOTICE",
  "topojson-client/topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
  "topojson-client/LICENSE": "topojson-client/LICENSE",
  "world-atlas/countries-50m.json": "world-atlas/countries-50m.json",
  "world-atlas/LICENSE": "world-atlas/LICENSE",
};

const versions = {};
for (const [dest, src] of Object.entries(files)) {
  mkdirSync(dirname(join(out, dest)), { recursive: true });
  copyFileSync(nm(src), join(out, dest));
  const pkg = src.split("/")[0];
  versions[pkg] ??= JSON.parse(readFileSync(nm(`${pkg}/package.json`), "utf8")).version;
}
// Swagger UI's bundle ends with a sourceMappingURL comment; the map is not shipped,
// so drop the comment to keep the browser from requesting a missing file.
for (const js of ["swagger-ui/swagger-ui-bundle.js", "leaflet/leaflet.js"]) {
  const p = join(out, js);
  writeFileSync(p, readFileSync(p, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"));
}
writeFileSync(join(out, "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`copied ${Object.keys(files).length} files to ${out}`);
