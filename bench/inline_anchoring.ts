// The in-page part of bench/inline_anchoring.py (bundled by esbuild, run in headless Chromium):
// re-anchoring 50 anchors on a 20,000-word article with the widget's own engine, the same way
// inline.js runs it (text model, then locateAll in 8-ms slices), timed with performance.now and
// watched by a PerformanceObserver for long tasks (> 50 ms).
import { describeSpan, snap, type Anchor } from "../embed/src/inline/anchor";
import { locateAll, type Resolution } from "../embed/src/inline/locate";
import { paint } from "../embed/src/inline/paint";
import { segment } from "../embed/src/inline/segments";
import { runSliced } from "../embed/src/inline/slice";
import { buildTextModel } from "../embed/src/inline/text";
import { prose } from "../embed/test/inline/prose";

const LENGTHS = [15, 30, 60, 120, 250, 500, 1000];
const COUNT = 50;

interface Case {
  anchor: Anchor;
  paragraph: number;
  quote: string;
}

function show(paragraphs: string[]): Element {
  const root = document.createElement("article");
  root.setAttribute("data-sidenote-article", "");
  for (const text of paragraphs) root.appendChild(document.createElement("p")).textContent = text;
  document.body.replaceChildren(root);
  return root;
}

const paragraphs = prose(20000, 2026, 40);

/** 50 anchors spread over the article, lengths cycling from 15 to 1000 characters. */
function anchors(): Case[] {
  const m = buildTextModel(show(paragraphs));
  const step = Math.floor(paragraphs.length / COUNT);
  return Array.from({ length: COUNT }, (_, i) => {
    const paragraph = i * step + 1;
    const at = m.text.indexOf(paragraphs[paragraph]);
    const [s, e] = snap(m.text, at + 10, at + 10 + Math.min(LENGTHS[i % LENGTHS.length], paragraphs[paragraph].length - 20));
    const d = describeSpan(m, s, e);
    if ("error" in d) throw new Error(d.error);
    return { anchor: d.anchor, paragraph, quote: m.text.slice(s, e) };
  });
}

/**
 * The article after the author's edits: a paragraph added on top; `typo` of the quotes with one
 * character changed, `deleted` of them with their paragraph gone. Also what each should find.
 */
function edit(cases: Case[], typo: number, deleted: number): [string[], string[]] {
  const out = paragraphs.slice();
  const expected = cases.map((c, i) => {
    const r = (i * 0.618) % 1;
    if (r < deleted) return (out[c.paragraph] = "");
    if (r >= deleted + typo) return c.quote;
    const mid = c.quote.length >> 1;
    const changed = c.quote.slice(0, mid) + (c.quote[mid] == "e" ? "a" : "e") + c.quote.slice(mid + 1);
    out[c.paragraph] = out[c.paragraph].replace(c.quote, changed);
    return changed;
  });
  return [["A new paragraph added on top after the comments were written."].concat(out.filter(Boolean)), expected];
}

const cases = anchors();
const SCENARIOS: Record<string, [number, number]> = {
  unchanged: [0, 0],
  "lightly edited (30 % of quotes)": [0.3, 0],
  "30 % edited, 10 % deleted": [0.3, 0.1],
  "all 50 passages deleted": [0, 1],
};

async function run(name: string) {
  const [typo, deleted] = SCENARIOS[name];
  const [article, expected] = typo || deleted ? edit(cases, typo, deleted) : [paragraphs, cases.map((c) => c.quote)];
  const root = show(article);
  // Lay the new article out before measuring, so that its rendering is not counted as ours.
  void root.getBoundingClientRect();
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100)));
  const longTasks: number[] = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
  observer.observe({ type: "longtask" });
  const states: Record<string, number> = { anchored: 0, edited: 0, orphan: 0 };
  let correct = 0;
  const found: Resolution[] = [];
  let slices = 0;
  let busy = 0;
  let longestSlice = 0;
  const t0 = performance.now();
  // Building the text model and the first slice are one task, as in inline.js.
  let sliceStart = t0;
  const m = buildTextModel(root);
  const model = performance.now() - t0;
  const items = cases.map((c, id) => ({ id, anchor: c.anchor }));
  await runSliced(
    locateAll(m, items, (it, r) => {
      found.push(r);
      states[r.state]++;
      if ((r.start < 0 ? "" : m.text.slice(r.start, r.end)) == expected[it.id as number]) correct++;
    }),
    {
      pause: () => {
        const slice = performance.now() - sliceStart;
        busy += slice;
        longestSlice = Math.max(longestSlice, slice);
        slices++;
        return new Promise((resolve) => setTimeout(resolve, 0)).then(() => (sliceStart = performance.now()));
      },
    },
  );
  const last = performance.now() - sliceStart;
  busy += last;
  longestSlice = Math.max(longestSlice, last);
  const anchored = performance.now() - t0;
  const p0 = performance.now();
  paint(m, segment(found.map((r, id) => ({ id, start: r.start, end: r.end }))));
  const painted = performance.now() - p0;
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  return {
    name,
    units: m.text.length,
    words: m.text.split(" ").length,
    model,
    anchored,
    busy,
    slices: slices + 1,
    longestSlice,
    painted,
    longTasks,
    states,
    correct,
  };
}

(window as unknown as { inlineBench: typeof run; inlineScenarios: string[] }).inlineBench = run;
(window as unknown as { inlineScenarios: string[] }).inlineScenarios = Object.keys(SCENARIOS);
