// Painting with the CSS Custom Highlight API (inline-anchoring.md §5.1): the article's DOM is never
// touched. Depth segments go to `sidenote-1`, `sidenote-2`, `sidenote-3` (3 and more), the active
// thread to `sidenote-active`, author passages to `sidenote-passage` (a dotted underline). Without
// `CSS.highlights` every call is a no-op (overlay fallback: later).

import type { Segment, Span } from "./segments";
import { rangeOf, type TextModel } from "./text";

type HighlightCtor = new (...ranges: AbstractRange[]) => { priority: number };
type Registry = { set(name: string, h: object): unknown; delete(name: string): unknown };
const NAMES = ["sidenote-1", "sidenote-2", "sidenote-3", "sidenote-active", "sidenote-passage"];

/** `::highlight(sidenote-a),::highlight(sidenote-b){rule}` for the names "a b". */
const rule = (names: string, css: string) => names.split(" ").map((n) => `::highlight(sidenote-${n})`) + `{${css}}`;

/** Default highlight styles (hosts may override `::highlight(sidenote-*)`); adopt them with a CSSStyleSheet. */
export const HIGHLIGHT_CSS =
  rule("1", "background-color:#fd03;text-decoration:underline #b80") +
  rule("2", "background-color:#fc06;text-decoration:underline #b70") +
  rule("3", "background-color:#fb09;text-decoration:underline 2px #a60") +
  rule("active", "background-color:#f808;text-decoration:underline 2px #950") +
  rule("passage", "text-decoration:underline dotted 2px #05c") +
  `@media (forced-colors:active){${rule("1 2 3 active", "text-decoration:underline 2px CanvasText")}}` +
  `@media print{${rule("1 2 3 active passage", "background-color:#0000;text-decoration:none")}}`;

function api(): { reg: Registry; Highlight: HighlightCtor; Static: new (init: StaticRangeInit) => AbstractRange } | null {
  const g = globalThis as unknown as { CSS?: { highlights?: Registry }; Highlight?: HighlightCtor; StaticRange?: new (init: StaticRangeInit) => AbstractRange };
  return g.CSS?.highlights && g.Highlight && g.StaticRange ? { reg: g.CSS.highlights, Highlight: g.Highlight, Static: g.StaticRange } : null;
}

/** True when highlights can be painted (Chrome 105+, Safari 17.2+, Firefox 140+). */
export const canHighlight = (): boolean => !!api();

/** Adds HIGHLIGHT_CSS to the document through adoptedStyleSheets (no <style>: strict CSP works). */
export function adoptHighlightStyles(doc: Document): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(HIGHLIGHT_CSS);
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  } catch {
    // No constructable stylesheets: highlights still paint with the host's own rules, if any.
  }
}

/** Replaces all sidenote highlights: `segments` by depth, `active` spans on top, author `passages` dotted. */
export function paint(m: TextModel, segments: Segment[], active: Span[] = [], passages: { start: number; end: number }[] = []): void {
  const a = api();
  if (!a) return;
  const layers: AbstractRange[][] = [[], [], [], [], []];
  const add = (layer: number, s: number, e: number) => {
    const r = rangeOf(m, s, e);
    if (r) layers[layer].push(new a.Static(r));
  };
  for (const s of segments) add(Math.min(s.ids.length, 3) - 1, s.start, s.end);
  for (const s of active) add(3, s.start, s.end);
  for (const s of passages) add(4, s.start, s.end);
  NAMES.forEach((name, i) => {
    const h = new a.Highlight(...layers[i]);
    h.priority = i;
    a.reg.set(name, h);
  });
}

/** Removes every sidenote highlight. */
export function unpaint(): void {
  const a = api();
  if (a) for (const name of NAMES) a.reg.delete(name);
}
