// The small internal interface between embed.js and its separately built, lazily loaded modules
// (inline.js, built from src/inline/entry.ts when that file exists; write.js, from src/write.ts).
// See src/README.md.

import type { Api } from "./api";
import type { Composer, ComposerOptions } from "./composer";
import type { h } from "./dom";
import type { I18n } from "./i18n";
import type { Options } from "./options";
import type { enLater } from "./en";
import type { cardForms } from "./thread";
import type { Comment, SiteConfig } from "./types";
import type { widgetParts } from "./widget";

export type CoreEvent = "render" | "posted" | "card";

/** What one mounted discussion offers to the inline module. */
export interface WidgetCore {
  readonly version: 1;
  /** dom.ts's `h` (inline.js builds its DOM with it instead of bundling its own copy) */
  readonly h: typeof h;
  /** the container element (host of the widget's shadow root) */
  readonly host: HTMLElement;
  readonly root: ShadowRoot;
  readonly options: Readonly<Options>;
  readonly config: Readonly<SiteConfig>;
  readonly api: Api;
  readonly i18n: I18n;
  /** the widget's constructed style sheets, to adopt in another shadow root for the same look */
  readonly sheets: CSSStyleSheet[];
  /** every comment the widget has loaded so far (with `anchor` where it has one) */
  loaded(): Comment[];
  /** render comments (top-level ones with their `replies`) as in the thread, with all actions */
  renderComments(list: HTMLOListElement, comments: Comment[]): void;
  /**
   * a composer; `anchor` makes an inline comment, `quote` is shown above it. A posted top-level
   * comment also joins the main thread; `done` is called after that (or with null on cancel).
   */
  composer(options: ComposerOptions): { form: HTMLFormElement; focus(): void };
  /** the one safe way to put server HTML into an element (returns what it had to drop) */
  insertHtml(target: Element, html: string): number;
  /** scroll the discussion to a comment (loading it with its ancestors if needed) */
  show(id: number): Promise<void>;
  /** say something in the widget's polite live region */
  announce(message: string): void;
  /**
   * "render": the thread (re)rendered; "posted": a comment was posted (detail: the comment);
   * "card": a card for a comment with an anchor was built (detail: {comment, card}), so the
   * inline module can add the quote and "Go to passage" once the anchor is found on the page.
   */
  on(event: CoreEvent, listener: (detail: unknown) => void): () => void;
}

/** What inline.js gives back for each discussion it attaches to. */
export interface InlineInstance {
  refresh(): void;
  destroy(): void;
}

/** inline.js calls `Sidenote._inline(setup)` once it has loaded. */
export type InlineSetup = (core: WidgetCore) => InlineInstance;

/** What write.js hands embed.js (`Sidenote._write(parts)`): the writing parts. */
export interface WriteParts {
  Composer: typeof Composer;
  /** the cards' Delete and Report forms */
  cardForms: typeof cardForms;
  /** Widget's methods for writing (they join its prototype) */
  widget: typeof widgetParts;
  /** the English strings of everything after first paint (they join `en`) */
  strings: typeof enLater;
  /** the forms' styles (write.css) */
  css: string;
}
