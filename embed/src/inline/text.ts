// The text model, "normalization v1" (inline-anchoring.md §4.1): one normalized string for the
// article root plus offset maps both ways. Every anchor offset is a UTF-16 index into this string,
// so the rules below are frozen: changing them needs a new version (`v` on the wire).

/** The normalization version anchors carry as `v`. */
export const NORM = 1;

/** `offs` value of a virtual space (block boundary or `<br>`): it maps to no DOM position. */
export const VIRTUAL = 0xffffffff;

/** Subtrees whose text readers never see as article prose. */
const SKIP = new Set(
  "script style noscript template textarea select option button svg math iframe object canvas audio video".split(" "),
);
/** Elements whose edges (and every `<br>`) become a space, so "end.</p><p>Start" never joins. */
const BLOCK = new Set(
  ("p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre table thead tbody tfoot tr td th caption figure " +
    "figcaption section article aside header footer nav main address details summary hr br").split(" "),
);
/**
 * True when CSS lays out `el` as a block of its own although its tag is inline: a margin note
 * (`span` floated or absolutely positioned), a `display:block` footnote. Its edges become spaces
 * too, where the reader sees a break. Without a DOM with styles (unit tests, the Python mirror) only
 * tags count.
 */
const cssBlock = (el: Element): boolean => {
  const s = globalThis.getComputedStyle?.(el);
  // inline (-block, -flex…), contents or none; not floated; static, relative or sticky
  return !!s && !/^(in|co|no)\S* none [rs]/.test(`${s.display} ${s.float} ${s.position}`);
};
const isBlock = (el: Element): boolean => BLOCK.has(el.localName) || cssBlock(el);
const PASSAGE_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const WORD = /[\p{L}\p{N}\p{M}_]/u;

/** True when s[i] exists and is a letter, digit, combining mark or underscore. */
export const isWord = (s: string, i: number): boolean => i >= 0 && i < s.length && WORD.test(s[i]);

/** An author-marked passage (`data-sidenote-passage`), with its trimmed span in the text. */
export interface PassageSpan {
  key: string;
  question: string | null;
  el: Element;
  start: number;
  end: number;
}

export interface TextModel {
  root: Element;
  /** The normalized text. */
  text: string;
  /** Fingerprint of `text`: 16 lower-case hex digits (the cache key and `doc.fp`). */
  fp: string;
  /** Text nodes in document order, and where each one's contribution starts in `text`. */
  nodes: Text[];
  starts: Uint32Array;
  /** For each unit of `text`: its offset in its text node, or VIRTUAL. */
  offs: Uint32Array;
  /** Text node → its index in `nodes`. */
  index: Map<Node, number>;
  /** Author passages in document order; the first element wins a duplicated key. */
  passages: PassageSpan[];
  /** Element id → span, for the anchor's `scope` (a first search window). */
  ids: Map<string, [number, number]>;
}

const FOLDS = new Map<number, number>();
for (const [to, from] of [
  [32, "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"],
  [-1, "\xad\u200b\u2060\ufeff"],
  [39, "\u2018\u2019\u201a\u201b\u2032"],
  [34, "\u201c\u201d\u201e\u2033"],
  [45, "\u2010\u2011\u2012\u2013\u2014\u2212"],
] as const)
  for (let i = 0; i < from.length; i++) FOLDS.set(from.charCodeAt(i), to);

/**
 * Unit `c` after normalization v1: -1 = dropped (soft hyphen, zero-width characters, controls),
 * 32 = whitespace (collapsed later), else the unit itself or its 1:1 fold (quotes, dashes).
 */
export function fold(c: number): number {
  return FOLDS.get(c) ?? (c < 32 || (c > 126 && c < 160) ? -1 : c);
}

/** Accumulates normalized units: collapses spaces, never starts with one. */
function builder() {
  const codes: number[] = [];
  const offs: number[] = [];
  const push = (c: number, off: number): void => {
    if (c != 32 || (codes.length && codes[codes.length - 1] != 32)) codes.push(c), offs.push(off);
  };
  return {
    codes,
    offs,
    push,
    add(s: string): void {
      for (let i = 0; i < s.length; i++) {
        const c = fold(s.charCodeAt(i));
        if (c >= 0) push(c, i);
      }
    },
    /** Drops a trailing space and returns the text. */
    done(): string {
      if (codes[codes.length - 1] == 32) codes.pop(), offs.pop();
      let text = "";
      for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode(...codes.slice(i, i + 8192));
      return text;
    },
  };
}

/** A plain string under normalization v1 (for typed queries and author questions). */
export function normalize(s: string): string {
  const b = builder();
  b.add(s);
  return b.done();
}

/** cyrb53-style 64-bit hash as 16 hex digits. Only a cache key: a collision costs a verification. */
export function fingerprint(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hex = (h: number) => (h >>> 0).toString(16).padStart(8, "0");
  return hex(h2) + hex(h1);
}

/** Trims spaces off the span [s, e) of `text`. */
export function trim(text: string, s: number, e: number): [number, number] {
  while (s < e && text.charCodeAt(s) == 32) s++;
  while (e > s && text.charCodeAt(e - 1) == 32) e--;
  return [s, e];
}

/** Builds the text model of `root` with one walk over its subtree. */
export function buildTextModel(root: Element): TextModel {
  const b = builder();
  const nodes: Text[] = [];
  const starts: number[] = [];
  const index = new Map<Node, number>();
  const passages: PassageSpan[] = [];
  const ids = new Map<string, [number, number]>();
  const spans: [Element | string, number, number][] = [];
  const seen = new Set<string>();
  const warn: string[] = [];

  const walk = (el: Element): void => {
    for (let node = el.firstChild; node; node = node.nextSibling) {
      if (node.nodeType == 3) {
        index.set(node, nodes.length);
        nodes.push(node as Text);
        starts.push(b.codes.length);
        b.add((node as Text).data);
      } else if (node.nodeType == 1) {
        const child = node as Element;
        const tag = child.localName;
        if (SKIP.has(tag) || child.hasAttribute("hidden") || child.hasAttribute("data-sidenote-ignore")) continue;
        const block = isBlock(child);
        if (block) b.push(32, VIRTUAL);
        // Registered before the walk, so the first of duplicated keys in document order wins.
        const key = child.getAttribute("data-sidenote-passage");
        const passage = key != null && PASSAGE_KEY.test(key) && !seen.has(key);
        if (passage) seen.add(key);
        else if (key != null) warn.push(key);
        const id = child.id;
        const from = b.codes.length;
        walk(child);
        if (passage) spans.push([child, from, b.codes.length]);
        if (id) spans.push([id, from, b.codes.length]);
        if (block) b.push(32, VIRTUAL);
      }
    }
  };
  walk(root);
  const text = b.done();
  for (const [what, from, to] of spans) {
    const [start, end] = trim(text, from, Math.min(to, text.length));
    if (typeof what == "string") ids.has(what) || ids.set(what, [start, end]);
    else {
      const key = what.getAttribute("data-sidenote-passage")!;
      const question = what.getAttribute("data-sidenote-question");
      passages.push({ key, question: question == null ? null : clip(normalize(question), 300) || null, el: what, start, end });
    }
  }
  passages.sort((x, y) => x.start - y.start);
  if (warn.length) console.warn("Sidenote: ignored passage keys:", warn);
  const offs = Uint32Array.from(b.offs);
  return { root, text, fp: fingerprint(text), nodes, starts: Uint32Array.from(starts), offs, index, passages, ids };
}

/** `s` cut to at most `max` units without splitting a surrogate pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const c = s.charCodeAt(max - 1);
  return s.slice(0, c >= 0xd800 && c < 0xdc00 ? max - 1 : max);
}

/** First index in [lo, hi) whose value is >= x (values sorted ascending). */
function lowerBound(a: ArrayLike<number>, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index in `nodes` of the text node that produced text[i]. */
function nodeAt(m: TextModel, i: number): number {
  return lowerBound(m.starts, i + 1, 0, m.starts.length) - 1;
}

/** The text node that produced text[i] (for a virtual space: the node before it). */
export function nodeOf(m: TextModel, i: number): Text | undefined {
  return m.nodes[nodeAt(m, i)];
}

/**
 * Normalized index of a DOM boundary point (a Range's start or end). Points outside the article or
 * in skipped subtrees move forward to the next text the model holds, which clips selections to the
 * article: before the root → 0, after it (or in another tree, such as a shadow root) → text.length.
 */
export function indexOfPoint(m: TextModel, node: Node, offset: number): number {
  const n = m.text.length;
  const i = m.index.get(node);
  if (i != null) {
    const end = i + 1 < m.starts.length ? m.starts[i + 1] : n;
    return lowerBound(m.offs, offset, Math.min(m.starts[i], n), Math.min(end, n));
  }
  let cur: Node | null = node.nodeType == 3 ? null : node.childNodes[offset];
  let enter = !!cur;
  if (!cur) cur = node;
  for (;;) {
    if (enter) {
      const j = m.index.get(cur);
      if (j != null) return Math.min(m.starts[j], n);
      if (cur.firstChild) {
        cur = cur.firstChild;
        continue;
      }
    }
    while (!cur.nextSibling) {
      cur = cur.parentNode;
      if (!cur) return n;
    }
    cur = cur.nextSibling;
    enter = true;
  }
}

/** The DOM range of the normalized span [start, end), without its virtual spaces; null if empty. */
export function rangeOf(m: TextModel, start: number, end: number): StaticRangeInit | null {
  const { offs, nodes } = m;
  while (start < end && offs[start] == VIRTUAL) start++;
  while (end > start && offs[end - 1] == VIRTUAL) end--;
  if (start >= end) return null;
  return {
    startContainer: nodes[nodeAt(m, start)],
    startOffset: offs[start],
    endContainer: nodes[nodeAt(m, end - 1)],
    endOffset: offs[end - 1] + 1,
  };
}

/**
 * The page's own text of [s, e): the characters that normalization folded (curly quotes, dashes)
 * as the page writes them; whitespace and block breaks stay one space.
 */
export const pageText = (m: TextModel, s: number, e: number): string =>
  m.text.slice(s, e).replace(/['"-]/g, (t, i: number) => nodeOf(m, (i += s))!.data[m.offs[i]] || t);

/** The nearest block element (p, li, td, h2, …, or one CSS shows as a block) around text[i] inside the root, else the root. */
export function blockAt(m: TextModel, i: number): Element {
  for (let el = nodeOf(m, i)?.parentNode; el && el != m.root; el = el.parentNode)
    if (isBlock(el as Element)) return el as Element;
  return m.root;
}

/** The trimmed span of an element's text (empty when it is outside the article or skipped). */
export function spanOfElement(m: TextModel, el: Element): [number, number] {
  return trim(m.text, indexOfPoint(m, el, 0), indexOfPoint(m, el, el.childNodes.length));
}
