// Finding passages by typed words (the quote picker, inline-anchoring.md §6.1): exact matches,
// case-insensitive, in the text model; approximate ones when there are none.

import { fuzzy, startOf } from "./match";
import { finish } from "./slice";
import { normalize, type TextModel } from "./text";

/** Up to `max` spans of the text matching `query` (normalized like the article), in text order. */
export function search(m: TextModel, query: string, max = 20): [number, number][] {
  const q = normalize(query);
  const out: [number, number][] = [];
  if (!q) return out;
  const re = new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "giu");
  for (let r = re.exec(m.text); r && out.length < max; r = re.exec(m.text)) out.push([r.index, r.index + r[0].length]);
  if (out.length || q.length < 4) return out;
  const hits = finish(fuzzy(m.text, q, Math.floor(q.length / 4), 0, m.text.length));
  hits.sort((a, b) => a.errors - b.errors);
  for (const h of hits.slice(0, max)) out.push([startOf(m.text, q, h.end, h.errors), h.end]);
  return out.sort((a, b) => a[0] - b[0]);
}
