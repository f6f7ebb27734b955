// Painting with the CSS Custom Highlight API (inline-anchoring.md §5.1): the article's DOM is never
// touched. Depth segments go to `sidenote-1`, `sidenote-2`, `sidenote-3` (3 and more), the active
// thread to `sidenote-active`. Without `CSS.highlights` every call is a no-op (overlay fallback: later).

import type { Segment, Span } from "./segments";
import { rangeOf, type TextModel } from "./text";

type HighlightCtor = new (...ranges: AbstractRange[]) => { priority: number };
type Registry = { set(name: string, h: object): unknown; delete(name: string): unknown };
const NAMES = ["sidenote-1", "sidenote-2", "sidenote-3", "sidenote-active"];

/** Default highlight styles (hosts may override `::highlight(sidenote-*)`); adopt them with a CSSStyleSheet. */
export const HIGHLIGHT_CSS =
  "::highlight(sidenote-1){background-color:rgb(255 210 0/.22);text-decoration:underline 1px rgb(180 140 0/.6)}" +
  "::highlight(sidenote-2){background-color:rgb(255 190 0/.36);text-decoration:underline 1px rgb(180 120 0/.7)}" +
  "::highlight(sidenote-3){background-color:rgb(255 170 0/.5);text-decoration:underline 2px rgb(170 100 0/.8)}" +
  "::highlight(sidenote-active){background-color:rgb(255 140 0/.45);text-decoration:underline 2px rgb(160 80 0)}" +
  "@media (forced-colors:active){::highlight(sidenote-1),::highlight(sidenote-2),::highlight(sidenote-3),::highlight(sidenote-active){background-color:transparent;text-decoration:underline 2px CanvasText}}" +
  "@media print{::highlight(sidenote-1),::highlight(sidenote-2),::highlight(sidenote-3),::highlight(sidenote-active){background-color:transparent;text-decoration:none}}";

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

/** Replaces all sidenote highlights: `segments` by depth, `active` spans on top. */
export function paint(m: TextModel, segments: Segment[], active: Span[] = []): void {
  const a = api();
  if (!a) return;
  const layers: AbstractRange[][] = [[], [], [], []];
  const add = (layer: number, s: number, e: number) => {
    const r = rangeOf(m, s, e);
    if (r) layers[layer].push(new a.Static(r));
  };
  for (const s of segments) add(Math.min(s.ids.length, 3) - 1, s.start, s.end);
  for (const s of active) add(3, s.start, s.end);
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
