// Creating anchors (inline-anchoring.md §4.2, §5.4) in the wire format service/comments/anchors.py
// validates. Lengths and offsets are UTF-16 units of the normalized text.

import type { Anchor as WireAnchor } from "../types";
import { NORM, indexOfPoint, isWord, nodeOf, trim, type PassageSpan, type TextModel } from "./text";

/**
 * The anchor of a top-level comment, exactly as the API takes and returns it: the documented
 * AnchorIn (src/types.ts, generated) with every field present, as the widget sends them and the
 * API answers them. Extending it makes a field the server renames or retypes a type error here.
 */
export interface Anchor extends WireAnchor {
  v: 1;
  kind: "quote" | "block" | "passage";
  quote: { exact: string; prefix: string; suffix: string };
  /** Long mode only (quote_length > 2000): the last 500 units; `exact` then holds the first 1000. */
  quote_end: string | null;
  quote_length: number;
  position: { start: number; end: number };
  doc: { length: number; fp: string };
  scope: string | null;
  passage: { key: string; question: string | null } | null;
}

/** A new anchor and its span in the text, or why there is none ("empty": no adder at all). */
export type Described = { anchor: Anchor; start: number; end: number } | { error: "empty" | "too-long" };

export const MAX_QUOTE = 10000;
export const MAX_EXACT = 2000;
export const LONG_HEAD = 1000;
export const LONG_TAIL = 500;
const CONTEXT = 64;
const MAX_CONTEXT = 256;
const MAX_DOC = 2000000;
const SCOPE = /^[A-Za-z0-9_:.-]{1,128}$/;

/** Boundary points of a Range, StaticRange or Selection range. */
export interface RangeLike {
  startContainer: Node;
  startOffset: number;
  endContainer: Node;
  endOffset: number;
}

const isLow = (text: string, i: number) => (text.charCodeAt(i) & 0xfc00) == 0xdc00;
/** True when index i falls between the two halves of a surrogate pair. */
const splits = (text: string, i: number) => i > 0 && isLow(text, i) && (text.charCodeAt(i - 1) & 0xfc00) == 0xd800;

type Segmenter = { segment(s: string): { containing(i: number): { index: number; segment: string } | undefined } };
const IntlSeg = (Intl as unknown as { Segmenter?: new (l?: string, o?: object) => Segmenter }).Segmenter;
const words: Segmenter | null = IntlSeg ? new IntlSeg(undefined, { granularity: "word" }) : null;

/**
 * Widens [s, e) to whole words (and whole grapheme clusters) with Intl.Segmenter, or with a
 * letters-and-digits rule where it is missing; never by more than 64 units a side.
 */
export function snap(text: string, s: number, e: number, seg: Segmenter | null = words): [number, number] {
  const n = text.length;
  if (seg) {
    if (s > 0 && s < n) {
      const from = Math.max(0, s - CONTEXT);
      const part = seg.segment(text.slice(from, s + CONTEXT)).containing(s - from);
      if (part) s = from + part.index;
    }
    if (e > 0 && e < n) {
      const from = Math.max(0, e - CONTEXT);
      const part = seg.segment(text.slice(from, e + CONTEXT)).containing(e - 1 - from);
      if (part) e = from + part.index + part.segment.length;
    }
  } else {
    for (let i = 0; i < CONTEXT && isWord(text, s - 1) && isWord(text, s); i++) s--;
    for (let i = 0; i < CONTEXT && isWord(text, e - 1) && isWord(text, e); i++) e++;
  }
  if (splits(text, s)) s--;
  if (splits(text, e)) e++;
  return [s, e];
}

/** The span of a selection's ranges in the text (their union), trimmed and word-snapped; null if empty. */
export function spanOf(m: TextModel, ranges: Iterable<RangeLike>, wordSnap = true): [number, number] | null {
  let s = Infinity;
  let e = -1;
  for (const r of ranges) {
    const [a, b] = trim(m.text, indexOfPoint(m, r.startContainer, r.startOffset), indexOfPoint(m, r.endContainer, r.endOffset));
    if (a < b) (s = Math.min(s, a)), (e = Math.max(e, b));
  }
  if (e < 0) return null;
  return wordSnap ? trim(m.text, ...snap(m.text, s, e)) : [s, e];
}

/** The ranges of a Selection (Firefox may hold several, e.g. table cells). */
export function selectionRanges(sel: Selection): RangeLike[] {
  const out: RangeLike[] = [];
  for (let i = 0; i < sel.rangeCount; i++) if (!sel.getRangeAt(i).collapsed) out.push(sel.getRangeAt(i));
  return out;
}

/** Context of up to `size` units before (dir < 0) or after [s, e), cut back to a word boundary. */
function context(text: string, s: number, e: number, size: number, dir: number): string {
  if (dir < 0) {
    const from = Math.max(0, s - size);
    const c = text.slice(from, s);
    if (from == 0 || text.charCodeAt(from - 1) == 32) return c;
    const space = c.indexOf(" ");
    return space >= 0 && space < c.length - 1 ? c.slice(space + 1) : c.slice(+splits(text, from));
  }
  const to = Math.min(text.length, e + size);
  const c = text.slice(e, to);
  if (to == text.length || text.charCodeAt(to) == 32) return c;
  const space = c.lastIndexOf(" ");
  return space > 0 ? c.slice(0, space) : c.slice(0, c.length - +splits(text, to));
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0 && n < 2; i = text.indexOf(needle, i + 1)) n++;
  return n;
}

/** The id of the nearest element with a usable id between text[s]'s node and the root. */
function scopeOf(m: TextModel, s: number): string | null {
  for (let el = nodeOf(m, s)?.parentNode; el && el != m.root; el = el.parentNode) {
    const id = (el as Element).id;
    if (id && SCOPE.test(id)) return id;
  }
  return null;
}

/**
 * The anchor of the span [s, e) of the text (already trimmed and snapped): long mode over 2000
 * units, context cut to words and extended (up to 256 units a side) until prefix+quote+suffix
 * occurs once in the text.
 */
export function describeSpan(
  m: TextModel,
  s: number,
  e: number,
  kind: Anchor["kind"] = "quote",
  passage: Anchor["passage"] = null,
): Described {
  const { text } = m;
  if (s >= e) return { error: "empty" };
  if (e - s > MAX_QUOTE || text.length > MAX_DOC) return { error: "too-long" };
  if (e - s > MAX_EXACT) {
    // The server takes exactly 1000 + 500 units: move an end by a unit rather than split an emoji.
    const ds = s > 0 ? -1 : 1;
    const de = e < text.length ? 1 : -1;
    while (splits(text, s) || splits(text, s + LONG_HEAD)) s += ds;
    while (splits(text, e) || splits(text, e - LONG_TAIL)) e += de;
    if (e - s > MAX_QUOTE) return { error: "too-long" };
  }
  const quoteEnd = e - s > MAX_EXACT ? text.slice(e - LONG_TAIL, e) : null;
  const whole = text.slice(s, e);
  let prefix = "";
  let suffix = "";
  for (let size = CONTEXT; size <= MAX_CONTEXT; size += CONTEXT) {
    prefix = context(text, s, e, size, -1);
    suffix = context(text, s, e, size, 1);
    if (count(text, prefix + whole + suffix) < 2) break;
  }
  return {
    start: s,
    end: e,
    anchor: {
      v: NORM,
      kind,
      quote: { exact: quoteEnd ? whole.slice(0, LONG_HEAD) : whole, prefix, suffix },
      quote_end: quoteEnd,
      quote_length: e - s,
      position: { start: s, end: e },
      doc: { length: text.length, fp: m.fp },
      scope: scopeOf(m, s),
      passage,
    },
  };
}

/** The anchor of a reader's selection (its ranges), clipped to the article. */
export function describeRanges(m: TextModel, ranges: Iterable<RangeLike>): Described {
  const span = spanOf(m, ranges);
  return span ? describeSpan(m, span[0], span[1]) : { error: "empty" };
}

/** The anchor of an author passage: its key and question, its text snapshot as the fallback quote. */
export function describePassage(m: TextModel, p: PassageSpan): Described {
  return describeSpan(m, p.start, p.end, "passage", { key: p.key, question: p.question });
}

/** Display form of an anchor's quote: long quotes as "head … tail". */
export const quoteText = (a: Anchor): string => (a.quote_end ? `${a.quote.exact} … ${a.quote_end}` : a.quote.exact);
