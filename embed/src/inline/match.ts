// Approximate matching (inline-anchoring.md §4.5): Myers' bit-parallel search with blocks and the
// Ukkonen cut-off (expected O(n·⌈k/32⌉)), resumable so long scans can be time-sliced, plus a small
// edit distance for context similarity. All on UTF-16 code units.

import { finish } from "./slice";

export interface Hit {
  start: number;
  end: number;
  errors: number;
}

/** Levenshtein distance (O(|a|·|b|); used on contexts of at most 256 units). */
export function editDistance(a: string, b: string): number {
  const row = new Int32Array(b.length + 1).map((_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a.charCodeAt(i - 1) == b.charCodeAt(j - 1) ? 0 : 1));
      diag = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/** 1 − distance / longer length; 1 for two empty strings. */
export function similarity(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  return n ? 1 - editDistance(a, b) / n : 1;
}

/** Block steps between two yields of a search (well under a millisecond). */
const CHUNK = 32768;

/**
 * Every end e in (from, to] where some substring of text[from, e) ending at e is within `k`
 * edits of `pattern`, reported as `found(e, errors)` with the least errors for that end.
 * A generator: it yields every CHUNK block steps so the caller can pause it.
 */
export function* scan(
  text: string,
  pattern: string,
  k: number,
  from: number,
  to: number,
  found: (end: number, errors: number) => void,
): Generator<void, void> {
  const m = pattern.length;
  const nb = Math.ceil(m / 32);
  const last = nb - 1;
  const lastBit = 1 << (m - 1) % 32;
  const peq = new Map<number, Int32Array>();
  for (let i = 0; i < m; i++) {
    const c = pattern.charCodeAt(i);
    let v = peq.get(c);
    if (!v) peq.set(c, (v = new Int32Array(nb)));
    v[i >> 5] |= 1 << i % 32;
  }
  const none = new Int32Array(nb);
  const P = new Int32Array(nb);
  const M = new Int32Array(nb);
  const score = new Int32Array(nb);
  // One column step of block b (Hyyrö's formulation); hin/hout are the horizontal deltas.
  const step = (b: number, eq: number, hin: number): number => {
    const pv = P[b];
    const mv = M[b];
    const xv = eq | mv;
    if (hin < 0) eq |= 1;
    const xh = (((eq & pv) + pv) ^ pv) | eq;
    let ph = mv | ~(xh | pv);
    let mh = pv & xh;
    const bit = b == last ? lastBit : 1 << 31;
    const hout = ph & bit ? 1 : mh & bit ? -1 : 0;
    ph <<= 1;
    mh <<= 1;
    if (hin < 0) mh |= 1;
    else if (hin > 0) ph |= 1;
    P[b] = mh | ~(xv | ph);
    M[b] = ph & xv;
    return hout;
  };
  const rows = (b: number) => (b == last ? m - 32 * b : 32);
  // y = last active block: rows below it are known to exceed k.
  let y = Math.min(last, Math.max(0, Math.ceil(k / 32) - 1));
  for (let b = 0; b <= y; b++) {
    P[b] = -1;
    score[b] = 32 * b + rows(b);
  }
  let work = 0;
  for (let j = from; j < to; j++) {
    const eq = peq.get(text.charCodeAt(j)) || none;
    let carry = 0;
    for (let b = 0; b <= y; b++) score[b] += carry = step(b, eq[b], carry);
    if (y < last && score[y] - carry <= k && (eq[y + 1] & 1 || carry < 0)) {
      y++;
      P[y] = -1;
      M[y] = 0;
      score[y] = score[y - 1] + rows(y) - carry + step(y, eq[y], carry);
    } else while (y > 0 && score[y] >= k + 32) y--;
    if (y == last && score[y] <= k) found(j + 1, score[y]);
    if ((work += y + 1) > CHUNK) (work = 0), yield;
  }
}

const reverse = (s: string) => s.split("").reverse().join("");

/**
 * Approximate occurrences of `pattern` in text[from, to) with at most `k` errors: one hit per
 * cluster of nearby ends (the end with the fewest errors). `start` is left at -1: fill it with
 * `startOf` for the few hits worth ranking. At most `cap` clusters are kept.
 */
export function* fuzzy(text: string, pattern: string, k: number, from: number, to: number, cap = 1000): Generator<void, Hit[]> {
  const hits: Hit[] = [];
  let cur: Hit | undefined;
  let lastEnd = -1e9;
  yield* scan(text, pattern, k, from, to, (end, errors) => {
    if (end - lastEnd > k + 1) hits.length < cap && hits.push((cur = { start: -1, end, errors }));
    else if (cur && errors < cur.errors) (cur.end = end), (cur.errors = errors);
    lastEnd = end;
  });
  return hits;
}

/** Where the hit ending at `end` starts: the reversed pattern matched backwards, fewest errors, longest. */
export function startOf(text: string, pattern: string, end: number, errors: number, from = 0): number {
  const lo = Math.max(from, end - pattern.length - errors);
  let best = -1;
  let least = errors + 1;
  finish(
    scan(reverse(text.slice(lo, end)), reverse(pattern), errors, 0, end - lo, (e, err) => {
      if (err < least || (err == least && e > best)) (best = e), (least = err);
    }),
  );
  return end - (best < 0 ? Math.min(pattern.length, end - lo) : best);
}
