// Builds the widget: embed.js and count.js (and inline.js when src/inline/entry.ts exists) plus
// the locale files, minified and deterministic, into service/static/ (or --outdir DIR). esbuild
// bundles and minifies; embed.js and inline.js also go through terser (their budgets are tight).
//
//   node scripts/build.mjs [--outdir DIR]
//
// The HTML allowlist comes from service.rendering.allowlist_for_widget() (see allowlist.mjs) and
// is compiled in as __SIDENOTE_ALLOWLIST__. tests/unit/test_widget_build.py rebuilds into a temp
// dir and fails when the committed files differ.
import { build, transform } from "esbuild";
import { minify } from "terser";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pythonAllowlist } from "./allowlist.mjs";

const embed = fileURLToPath(new URL("..", import.meta.url));
const project = resolve(embed, "..");
const src = join(embed, "src");
const flag = process.argv.indexOf("--outdir");
const outdir = resolve(flag > 0 ? process.argv[flag + 1] : join(project, "service", "static"));

const inlineEntry = join(src, "inline", "entry.ts");
const hasInline = existsSync(inlineEntry);

/** CSS imported as a minified string. */
const cssText = {
  name: "css-text",
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, async (args) => {
      const { code } = await transform(readFileSync(args.path, "utf8"), { loader: "css", minify: true });
      return { contents: `export default ${JSON.stringify(code.trim())};`, loader: "js" };
    });
  },
};

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020", "chrome93", "firefox92", "safari15"],
  legalComments: "none",
  charset: "utf8",
  write: false,
  logLevel: "warning",
  plugins: [cssText],
  define: {
    __SIDENOTE_ALLOWLIST__: JSON.stringify(pythonAllowlist(project)),
    __SIDENOTE_INLINE__: String(hasInline),
  },
};

const bundles = { "embed.js": join(src, "main.ts"), "count.js": join(src, "count.ts") };
if (hasInline) bundles["inline.js"] = inlineEntry;

function write(name, contents) {
  const path = join(outdir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, contents);
  console.log(`${name.padEnd(18)} ${String(Buffer.byteLength(contents)).padStart(7)} bytes`);
}

// Two of terser's "unsafe" transforms hold for the widget's code: no property read has a side
// effect that matters (pure_getters), no function expression depends on its own `this`
// (unsafe_arrows). With hoisted function declarations they take another ~50 bytes off.
const TERSER = { ecma: 2020, toplevel: true, compress: { passes: 3, pure_getters: true, unsafe_arrows: true, hoist_funs: true } };
// inline.js also shortens the names of properties that only its own objects have (the text
// model's, a bubble group's, a fuzzy hit's): never a DOM, wire or stored name. A name added here
// must not be a property of anything the module did not make itself.
const INLINE_PROPS = /^(threads|passages|starts|offs|nodes|codes|errors|edgeStart|edgeEnd|ctx|ids)$/;

for (const [name, entry] of Object.entries(bundles)) {
  const result = await build({ ...common, entryPoints: [entry] });
  let code = result.outputFiles[0].text;
  // embed.js and inline.js are held to 15 and 10 KB gzip: terser's compressor (constant inlining,
  // more passes) takes another ~2 % (embed.js) to ~5 % (inline.js) off esbuild's output.
  // Deterministic, like esbuild.
  const options = name == "inline.js" ? { ...TERSER, mangle: { properties: { regex: INLINE_PROPS } } } : TERSER;
  if (name != "count.js") code = (await minify(code, options)).code + "\n";
  write(name, code);
}
for (const file of readdirSync(join(src, "locales")).sort()) {
  if (!file.endsWith(".json")) continue;
  const messages = JSON.parse(readFileSync(join(src, "locales", file), "utf8"));
  write(join("locales", file), JSON.stringify(messages));
}
