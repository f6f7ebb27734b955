// Builds the widget: embed.js (the reading core), write.js (the writing parts, loaded by embed.js
// on idle or first interaction), count.js (and inline.js when src/inline/entry.ts exists) plus
// the locale files, minified and deterministic, into service/static/ (or --outdir DIR). esbuild
// bundles and minifies; embed.js, write.js and inline.js also go through terser (tight budgets).
// The lazily loaded chunks are built first: embed.js asks for `write.js?v=HASH` and
// `inline.js?v=HASH` with their content hashes compiled in, so the server can let browsers keep
// them for a year (service/web.py) and a new build is a new URL.
//
//   node scripts/build.mjs [--outdir DIR]
//
// The HTML allowlist comes from service.kernel.rendering.allowlist_for_widget() (see allowlist.mjs) and
// is compiled in as __SIDENOTE_ALLOWLIST__. tests/unit/test_widget_build.py rebuilds into a temp
// dir and fails when the committed files differ.
//
// A build into service/static (`make embed`) first regenerates src/types.ts from the service's
// OpenAPI document (scripts/types.mjs) and type-checks the widget against it, so a wire type
// changed on the server stops the build here. A build into --outdir (the tests') leaves the
// source alone: tests/unit/test_widget_types.py checks src/types.ts is current.
import { build, transform } from "esbuild";
import { minify } from "terser";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pythonAllowlist } from "./allowlist.mjs";

const embed = fileURLToPath(new URL("..", import.meta.url));
const project = resolve(embed, "..");
const src = join(embed, "src");
const flag = process.argv.indexOf("--outdir");
const outdir = resolve(flag > 0 ? process.argv[flag + 1] : join(project, "service", "static"));

if (flag < 0) {
  const { writeTypes } = await import("./types.mjs"); // openapi-typescript: only this build needs it
  if (await writeTypes()) console.log("src/types.ts        regenerated from the OpenAPI document (commit it)");
  const tsc = spawnSync(process.execPath, [join(embed, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", embed], { stdio: "inherit" });
  if (tsc.status !== 0) {
    console.error("the widget does not type-check (against the regenerated src/types.ts?): nothing built");
    process.exit(1);
  }
}

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

/**
 * write.js shares embed.js's copies of a few modules instead of bundling its own: one ApiError
 * class (the composer's `instanceof` must match what the core's Api throws), one HTML check and
 * one id counter. embed.js hands them over as `Sidenote._core` (main.ts).
 */
const fromCore = { api: ["Api", "ApiError"], html: ["insertServerHtml"], dom: ["h", "append", "uid"] };
const sharedWithCore = {
  name: "shared-with-core",
  setup(b) {
    b.onResolve({ filter: /^\.\/(api|html|dom)$/ }, (args) => (dirname(args.importer) == src ? { path: args.path.slice(2), namespace: "core" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "core" }, (args) => ({
      contents: `const m = window.Sidenote._core.${args.path};\n` + fromCore[args.path].map((name) => `export const ${name} = m.${name};`).join("\n"),
      loader: "js",
    }));
  },
};

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome93", "firefox92", "safari15"],
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

// Chunks first: embed.js compiles in their content hashes.
const bundles = { "write.js": join(src, "write.ts") };
if (hasInline) bundles["inline.js"] = inlineEntry;
Object.assign(bundles, { "embed.js": join(src, "main.ts"), "count.js": join(src, "count.ts") });
/** The version a chunk's URL carries: the first 12 hex digits of its SHA-256 (service/web.py agrees). */
const versions = { "write.js": "", "inline.js": "" };

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
  const define = { ...common.define, __SIDENOTE_WRITE_V__: JSON.stringify(versions["write.js"]), __SIDENOTE_INLINE_V__: JSON.stringify(versions["inline.js"]) };
  const plugins = name == "write.js" ? [cssText, sharedWithCore] : common.plugins;
  const result = await build({ ...common, define, plugins, entryPoints: [entry] });
  let code = result.outputFiles[0].text;
  // embed.js and inline.js are held to 15 and 10 KB gzip: terser's compressor (constant inlining,
  // more passes) takes another ~2 % (embed.js) to ~5 % (inline.js) off esbuild's output.
  // Deterministic, like esbuild.
  // inline.js's comparisons are of numbers and strings only, so reversing them is safe (unsafe_comps).
  const options = name == "inline.js" ? { ...TERSER, compress: { ...TERSER.compress, unsafe_comps: true }, mangle: { properties: { regex: INLINE_PROPS } } } : TERSER;
  if (name != "count.js") code = (await minify(code, options)).code + "\n";
  write(name, code);
  if (name in versions) versions[name] = createHash("sha256").update(code).digest("hex").slice(0, 12);
}
for (const file of readdirSync(join(src, "locales")).sort()) {
  if (!file.endsWith(".json")) continue;
  const messages = JSON.parse(readFileSync(join(src, "locales", file), "utf8"));
  write(join("locales", file), JSON.stringify(messages));
}
