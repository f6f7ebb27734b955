// Micro benchmark (not a test): re-anchoring 50 and 200 anchors on a 20,000-word article, unchanged,
// lightly edited and with passages deleted. Run: node test/inline/bench.mjs
import { describeSpan, snap, type Anchor } from "../../src/inline/anchor";
import { locateAll, type Resolution } from "../../src/inline/locate";
import { buildTextModel, type TextModel } from "../../src/inline/text";
import { article } from "./fakedom";
import { articleHtml, prose } from "./prose";

const proc = (globalThis as unknown as { process: { cpuUsage(): { user: number; system: number }; env: Record<string, string> } }).process;
const now = () => performance.now();
/** CPU time in ms: steps are timed with it, so a loaded machine's preemption does not count. */
const cpu = () => {
  const u = proc.cpuUsage();
  return (u.user + u.system) / 1000;
};
const LENGTHS = [15, 30, 60, 120, 250, 500, 1000];

function model(ps: string[]): { m: TextModel; ms: number } {
  const root = article(articleHtml(ps));
  const t0 = now();
  const m = buildTextModel(root);
  return { m, ms: now() - t0 };
}

interface Case {
  anchor: Anchor;
  paragraph: number;
  quote: string;
}

/** `count` anchors spread over the article, one per paragraph, lengths cycling through LENGTHS. */
function anchors(ps: string[], m: TextModel, count: number): Case[] {
  const out: Case[] = [];
  const step = Math.floor(ps.length / count);
  for (let i = 0; i < count; i++) {
    const paragraph = i * step + 1;
    const at = m.text.indexOf(ps[paragraph]);
    const len = Math.min(LENGTHS[i % LENGTHS.length], ps[paragraph].length - 20);
    const [s, e] = snap(m.text, at + 10, at + 10 + len);
    const d = describeSpan(m, s, e);
    if ("error" in d) throw new Error(d.error);
    out.push({ anchor: d.anchor, paragraph, quote: m.text.slice(s, e) });
  }
  return out;
}

/**
 * Edits: a paragraph on top; `typo` of the quotes get one character changed, `deleted` lose their
 * paragraph. Returns the paragraphs and, per case, the text it should anchor to ("" = orphan).
 */
function edit(ps: string[], cases: Case[], typo: number, deleted: number): [string[], string[]] {
  const out = ps.slice();
  const expect = cases.map((c, i) => {
    const r = (i * 0.618) % 1;
    if (r < deleted) return (out[c.paragraph] = "");
    if (r >= deleted + typo) return c.quote;
    const mid = c.quote.length >> 1;
    const changed = c.quote.slice(0, mid) + (c.quote[mid] == "e" ? "a" : "e") + c.quote.slice(mid + 1);
    out[c.paragraph] = out[c.paragraph].replace(c.quote, changed);
    return changed;
  });
  return [["A new paragraph added on top after the comments were written."].concat(out), expect];
}

function run(label: string, m: TextModel, cases: Case[], expect = cases.map((c) => c.quote)): void {
  let correct = 0;
  let longestAt = "";
  const states: Record<string, number> = { anchored: 0, edited: 0, orphan: 0 };
  const hows: Record<string, number> = {};
  let longestStep = 0;
  let slices = 1;
  let slice = 0;
  const task = locateAll(
    m,
    cases.map((c, id) => ({ id, anchor: c.anchor })),
    (it, r: Resolution) => {
      if ((r.start < 0 ? "" : m.text.slice(r.start, r.end)) == expect[it.id]) correct++;
      states[r.state]++;
      hows[r.how] = (hows[r.how] || 0) + 1;
    },
  );
  const t0 = now();
  const c0 = cpu();
  for (;;) {
    const s0 = cpu();
    const r = task.next();
    const step = cpu() - s0;
    if (step > longestStep) (longestStep = step), (longestAt = `(slice ${slices})`);
    slice += step;
    if (slice >= 8) (slices += 1), (slice = 0);
    if (r.done) break;
  }
  const wall = now() - t0;
  const total = cpu() - c0;
  console.log(
    `${label.padEnd(38)} cpu ${total.toFixed(1).padStart(6)} ms (wall ${wall.toFixed(0).padStart(4)})  per anchor ${(total / cases.length).toFixed(2).padStart(5)} ms  ` +
      `longest step ${longestStep.toFixed(1).padStart(5)} ms ${longestAt.padEnd(10)} 8-ms slices ${String(slices).padStart(3)}  ` +
      `correct ${correct}/${cases.length} ${JSON.stringify(states)} ${JSON.stringify(hows)}`,
  );
}

const ps = prose(20000, 2026, 40);
const base = model(ps);
const words = base.m.text.split(" ").length;
console.log(`article: ${words} words, ${base.m.text.length} units, ${base.m.nodes.length} text nodes; text model built in ${base.ms.toFixed(1)} ms`);
for (const count of [50, 200]) {
  const cases = anchors(ps, base.m, count);
  run(`${count} anchors, unchanged`, base.m, cases);
  for (const [label, typo, deleted] of [
    ["lightly edited (30 %)", 0.3, 0],
    ["30 % edited, 10 % deleted", 0.3, 0.1],
    ["all passages deleted", 0, 1],
  ] as const) {
    const [edited, expect] = edit(ps, cases, typo, deleted);
    run(`${count} anchors, ${label}`, model(edited).m, cases, expect);
  }
}
