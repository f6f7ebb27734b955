// Bundles bench.ts with esbuild and runs it: node test/inline/bench.mjs (prints figures; not a test).
import { build } from "esbuild";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const outfile = fileURLToPath(new URL("../../.build/bench/inline.mjs", import.meta.url));
await build({ entryPoints: [here + "bench.ts"], outfile, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning" });
await import(pathToFileURL(outfile).href);
