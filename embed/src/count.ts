// count.js: fills every `data-sidenote-count="KEY"` element with that thread's comment count,
// asking for 100 keys a request. Reads `data-sidenote-site` from its own script tag.

import type { Answer } from "./types";

const script = (document.currentScript || document.querySelector('script[src*="count.js"]')) as HTMLScriptElement | null;

function fill(): void {
  const site = script?.getAttribute("data-sidenote-site");
  if (!script || !site) return;
  const elements = Array.from(document.querySelectorAll("[data-sidenote-count]"));
  const keys = Array.from(new Set(elements.map((el) => el.getAttribute("data-sidenote-count")!).filter(Boolean)));
  for (let i = 0; i < keys.length; i += 100) {
    const query = new URLSearchParams({ site });
    for (const key of keys.slice(i, i + 100)) query.append("thread", key);
    fetch(script.src.replace(/[^/]*$/, "") + "api/v1/counts?" + query)
      .then((response) => response.json())
      .then(({ counts }: Answer<"counts">) => {
        for (const el of elements) {
          const count = counts[el.getAttribute("data-sidenote-count")!];
          if (count != null) el.textContent = String(count);
        }
      })
      .catch(() => {});
  }
}

if (document.readyState == "loading") document.addEventListener("DOMContentLoaded", fill);
else fill();
