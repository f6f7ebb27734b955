// The server's HTML allowlist, read from Python at build time: service.kernel.rendering is the one source.
// Python: $SIDENOTE_PYTHON, else the project's .venv/bin/python, else python3 on PATH.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The project's Python: $SIDENOTE_PYTHON, else .venv/bin/python, else python3 (scripts/types.mjs too). */
export function projectPython(projectRoot) {
  const venv = join(projectRoot, ".venv", "bin", "python");
  return process.env.SIDENOTE_PYTHON || (existsSync(venv) ? venv : "python3");
}

export function pythonAllowlist(projectRoot) {
  const python = projectPython(projectRoot);
  const code =
    "import json; from service.kernel.rendering import allowlist_for_widget as a; " +
    "print(json.dumps(a(), sort_keys=True))";
  const result = spawnSync(python, ["-c", code], { cwd: projectRoot, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`cannot read the allowlist with ${python}: ${result.stderr || result.error}`);
  }
  return JSON.parse(result.stdout);
}
