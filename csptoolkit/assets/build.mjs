// Build static/dist: compile the Sass with GOV.UK Frontend, and copy its JavaScript (never its crown images).
import { mkdirSync, copyFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const out = join(root, "static", "dist");
mkdirSync(out, { recursive: true });

const result = sass.compile(join(here, "scss", "main.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter(root)],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "main.css"), result.css);
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
copyFileSync(join(here, "js", "evidence.js"), join(out, "evidence.js"));
copyFileSync(join(here, "js", "progress.js"), join(out, "progress.js"));
copyFileSync(join(here, "js", "whatif.js"), join(out, "whatif.js"));
console.log(`built ${out}`);
