// Re-anchoring (inline-anchoring.md §4.3): cheap checks first (fingerprint, position), then exact
// search ranked by context, then fuzzy search, with separate gates on quote and context
// similarity: a comment shows as an orphan rather than on the wrong words.

import { LONG_TAIL, type Anchor } from "./anchor";
import { fuzzy, similarity, startOf } from "./match";
import { finish } from "./slice";
import { isWord, type TextModel } from "./text";

export type State = "anchored" | "edited" | "orphan";

export interface Resolution {
  /** "edited": found by fuzzy match (the words differ) or by a removed passage's text. */
  state: State;
  /** Which step found it: fingerprint, position check, exact search, fuzzy search, passage key; "none" for orphans. */
  how: "fp" | "position" | "exact" | "fuzzy" | "passage" | "none";
  /** The span in the text; -1 for orphans. */
  start: number;
  end: number;
  /** (50·quote + 20·prefix + 20·suffix + 2·position) / 92 for searches, 1 for the cheap steps. */
  score: number;
}

type Found = Pick<Resolution, "how" | "start" | "end" | "score">;

const ORPHAN: Resolution = { state: "orphan", how: "none", start: -1, end: -1, score: 0 };
const MAX_HITS = 1000;
const RANKED = 8;

/** One quote to find: the whole quote, or the head / tail of a long one. */
interface Query {
  exact: string;
  prefix: string;
  suffix: string;
  /** Where it started in the commented text, and that text's length and fingerprint. */
  pos: number;
  doc: Anchor["doc"];
  scope: string | null;
  /** False where the query was cut out of a longer quote (a long quote's head end, tail start). */
  edgeStart?: boolean;
  edgeEnd?: boolean;
}

const common = (a: string, b: string, i: number, dir: number): number => {
  let n = 0;
  if (dir > 0) while (n < a.length && a.charCodeAt(n) == b.charCodeAt(i + n)) n++;
  else while (n < a.length && i - n > 0 && a.charCodeAt(a.length - 1 - n) == b.charCodeAt(i - 1 - n)) n++;
  return n;
};

/** Finds one query in the text; undefined means "only fuzzy search is left" when `full` is false. */
function* find(m: TextModel, q: Query, full: boolean): Generator<void, Found | null | undefined> {
  const { text } = m;
  const n = text.length;
  const { exact, prefix, suffix } = q;
  const L = exact.length;
  const lp = prefix.length;
  const ls = suffix.length;
  if (!L) return null;
  if (q.doc.fp == m.fp && text.startsWith(exact, q.pos)) return { how: "fp", start: q.pos, end: q.pos + L, score: 1 };
  const hint = Math.round((q.pos * n) / Math.max(1, q.doc.length));
  for (const p of [q.pos, hint])
    if (text.startsWith(exact, p) && text.endsWith(prefix, p) && text.startsWith(suffix, p + L))
      return { how: "position", start: p, end: p + L, score: 1 };

  // A candidate [s, e) with `errors` in the quote: widened to whole words where the quote began or
  // ended at a word edge (each unit added counts as an error: "ay stone bridge" is no match for
  // "old stone bridge"), then its context similarity and total score.
  const rank = (s: number, e: number, errors: number) => {
    if (q.edgeStart != false && !isWord(prefix, lp - 1) && isWord(exact, 0))
      for (let i = 0; i < 64 && isWord(text, s - 1) && isWord(text, s); i++) s--, errors++;
    if (q.edgeEnd != false && !isWord(suffix, 0) && isWord(exact, L - 1))
      for (let i = 0; i < 64 && isWord(text, e) && isWord(text, e - 1); i++) e++, errors++;
    const p = similarity(prefix, text.slice(Math.max(0, s - lp), s));
    const x = similarity(suffix, text.slice(e, e + ls));
    const ctx = lp + ls ? (p * lp + x * ls) / (lp + ls) : 1;
    const score = (50 * (1 - errors / L) + 20 * p + 20 * x + 2 * (1 - Math.abs(s - hint) / Math.max(1, n))) / 92;
    return { how: errors ? "fuzzy" : "exact", start: s, end: e, score, ctx, q: 1 - errors / L } as const;
  };
  const best = (cands: ReturnType<typeof rank>[], min: number, alone: boolean) => {
    let top: ReturnType<typeof rank> | null = null;
    for (const c of cands) if (c.q >= 0.75 && (c.ctx >= min || alone) && (!top || c.score > top.score)) top = c;
    return top && { how: top.how, start: top.start, end: top.end, score: top.score };
  };
  const exactIn = (from: number, to: number) => {
    const hits: number[] = [];
    for (let i = text.indexOf(exact, from); i >= 0 && i + L <= to && hits.length < MAX_HITS; i = text.indexOf(exact, i + 1)) hits.push(i);
    // Stage 1 (cheap): how much context agrees character for character, then closeness to the hint.
    const cheap = hits.map((i) => [common(prefix, text, i, -1) + common(suffix, text, i + L, 1), -Math.abs(i - hint), i]);
    cheap.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    // Stage 2: edit-distance similarity for the best few.
    const ranked = cheap.slice(0, RANKED).map(([, , i]) => rank(i, i + L, 0));
    return best(ranked, 0.6, hits.length == 1 && L >= 24);
  };

  const scope = q.scope != null ? m.ids.get(q.scope) : undefined;
  const found = (scope && exactIn(scope[0], scope[1])) || exactIn(0, n);
  if (found) return found;
  if (L < 8) return null;
  if (!full) return undefined;

  const k = Math.min(Math.ceil(L / 4), 128);
  const min = L < 32 ? 0.85 : 0.6;
  const fuzzyIn = function* (from: number, to: number): Generator<void, Found | null> {
    const hits = yield* fuzzy(text, exact, k, from, to);
    hits.sort((a, b) => a.errors - b.errors || Math.abs(a.end - hint) - Math.abs(b.end - hint));
    const ranked = [];
    for (const h of hits.slice(0, RANKED)) {
      ranked.push(rank(startOf(text, exact, h.end, h.errors, from), h.end, h.errors));
      yield;
    }
    return best(ranked, min, false);
  };
  const w = 2 * L + 2000;
  const near = yield* fuzzyIn(Math.max(0, hint - w), Math.min(n, hint + L + w));
  if (near || L < 32) return near;
  return yield* fuzzyIn(0, n);
}

/** Steps of re-anchoring one anchor; with `full` false it stops (undefined) where fuzzy search would start. */
export function* resolve(m: TextModel, a: Anchor, full = true): Generator<void, Resolution | undefined> {
  if (a.v != 1 || !a.quote?.exact) return ORPHAN;
  let marker = false;
  if (a.kind == "passage" && a.passage) {
    const p = m.passages.find((x) => x.key == a.passage!.key);
    if (p && p.start < p.end) return { state: "anchored", how: "passage", start: p.start, end: p.end, score: 1 };
    marker = true;
  }
  const base = { prefix: a.quote.prefix, doc: a.doc, scope: a.scope, pos: a.position.start };
  let r: Found | null | undefined;
  if (!a.quote_end) r = yield* find(m, { ...base, exact: a.quote.exact, suffix: a.quote.suffix }, full);
  else {
    // Long mode: head (with the prefix) and tail (with the suffix) separately, span within ±25 %.
    const head = yield* find(m, { ...base, exact: a.quote.exact, suffix: "", edgeEnd: false }, full);
    if (head === undefined) return undefined;
    const tailQuery = { ...base, exact: a.quote_end, prefix: "", suffix: a.quote.suffix, pos: a.position.end - LONG_TAIL, edgeStart: false };
    const tail = head && (yield* find(m, tailQuery, full));
    if (tail === undefined) return undefined;
    const len = tail ? tail.end - head!.start : 0;
    r =
      tail && len > 0 && Math.abs(len - a.quote_length) <= a.quote_length / 4
        ? { how: head!.how == "fuzzy" ? head!.how : tail.how, start: head!.start, end: tail.end, score: Math.min(head!.score, tail.score) }
        : null;
  }
  if (r === undefined) return undefined;
  if (!r) return ORPHAN;
  return { ...r, state: marker || r.how == "fuzzy" ? "edited" : "anchored" };
}

/** Re-anchors one anchor synchronously. */
export function locate(m: TextModel, a: Anchor): Resolution {
  return finish(resolve(m, a))!;
}

/** Where results are cached across visits: localStorage, or anything with the same two methods. */
export interface Store {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface Item {
  id: string | number;
  anchor: Anchor;
}

const keyOf = (m: TextModel, it: Item) => `sidenote:${it.id}:${it.anchor.doc.fp}:${it.anchor.position.start}:${m.fp}`;

/** A cached result for this text, if it is still believable (bounds, and the words for exact hits). */
function cached(m: TextModel, it: Item, store: Store): Resolution | undefined {
  try {
    const r = JSON.parse(store.getItem(keyOf(m, it)) || "0") as Resolution;
    if (!r) return;
    if (r.state == "orphan") return ORPHAN;
    const a = it.anchor;
    if (!(r.start >= 0 && r.start < r.end && r.end <= m.text.length && ["exact", "fuzzy"].includes(r.how))) return;
    if (r.how == "fuzzy" || (m.text.startsWith(a.quote.exact, r.start) && m.text.endsWith(a.quote_end || a.quote.exact, r.end))) return r;
  } catch {
    // Unreadable storage or entry: compute again.
  }
  return undefined;
}

/**
 * Re-anchors every item: first the cheap steps for all (so most highlights can paint at once),
 * then fuzzy search for the rest. Calls `done` for each as soon as it is known. A generator: run it
 * with `runSliced` (or `finish` in tests). Results that needed a search are kept in `store`.
 */
export function* locateAll<T extends Item>(
  m: TextModel,
  items: T[],
  done: (item: T, r: Resolution) => void,
  store?: Store | null,
): Generator<void, void> {
  const later: T[] = [];
  const save = (it: T, r: Resolution) => {
    if (store && (r.how == "exact" || r.how == "fuzzy" || r.how == "none"))
      try {
        store.setItem(keyOf(m, it), JSON.stringify(r));
      } catch {
        // Full or disabled storage: the cache is only an optimisation.
      }
    done(it, r);
  };
  for (const it of items) {
    const hit = store ? cached(m, it, store) : undefined;
    const r = hit || finish(resolve(m, it.anchor, false));
    if (hit) done(it, hit);
    else if (r) save(it, r);
    else later.push(it);
    yield;
  }
  for (const it of later) {
    save(it, (yield* resolve(m, it.anchor))!);
    yield;
  }
}
