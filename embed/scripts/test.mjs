// Unit tests of the widget's pure modules: bundle each test/**/*.test.ts with esbuild, run with node --test.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pythonAllowlist } from "./allowlist.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = join(root, ".build", "tests");

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}

const entryPoints = findTests(join(root, "test"));
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
if (entryPoints.length === 0) {
  console.log("no widget unit tests found");
  process.exit(0);
}
await build({
  entryPoints,
  outdir,
  outbase: join(root, "test"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  logLevel: "warning",
  loader: { ".css": "text" },
  define: {
    __SIDENOTE_ALLOWLIST__: JSON.stringify(pythonAllowlist(resolve(root, ".."))),
    __SIDENOTE_INLINE__: "false",
    __SIDENOTE_WRITE_V__: '""',
    __SIDENOTE_INLINE_V__: '""',
  },
});
const files = entryPoints.map((p) => join(outdir, relative(join(root, "test"), p).replace(/\.ts$/, ".mjs")));
const result = spawnSync(process.execPath, ["--test", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
