// inline.js (inline-anchoring.md §5–§6): readers comment on a passage of the article, chosen by
// selecting it (then the "Comment" button or Ctrl+Alt+M / ⌘⌥M) or with the quote picker. Passages
// with comments are highlighted with the CSS Custom Highlight API and get count bubbles in a layer
// of our own (a shadow root on <body>), so the article's DOM is only ever read. Thread cards of
// inline comments get their quote (itself a button to the passage, like "Go to passage") and the
// edited / orphan badges. Whatever a reader or an author wrote (quotes, questions) only ever
// becomes text nodes.

import type { InlineInstance, WidgetCore } from "../core";
import type { Anchor as WireAnchor, Comment } from "../types";
import { describePassage, describeSpan, quoteText, selectionRanges, snap, spanOf, type Anchor } from "./anchor";
import { locateAll, type Resolution } from "./locate";
import { adoptHighlightStyles, paint, unpaint } from "./paint";
import { search } from "./search";
import { segment, type Span } from "./segments";
import { runSliced } from "./slice";
import { blockAt, buildTextModel, clip, pageText, rangeOf, spanOfElement, trim, type PassageSpan, type TextModel } from "./text";

type Described = { anchor: Anchor; start: number; end: number };

/** One bubble: the threads anchored in one block, or an author passage (and its threads). */
interface Group {
  key: Element | string;
  start: number;
  end: number;
  threads: Comment[];
  /** comments in the threads, replies included, deleted ones not */
  n: number;
  passage?: PassageSpan;
}

const anchorOf = (c: Comment) => c.anchor as unknown as Anchor;
const cut = (s: string, max: number) => (s.length > max ? clip(s, max - 1) + "…" : s);
const mac = /Mac|iP/.test(navigator.platform);
/** The highlights' default styles go into the document once, for every discussion on the page. */
let styled = false;

function setup(core: WidgetCore): InlineInstance {
  const t = core.i18n.t.bind(core.i18n);
  const h = core.h;
  const doc = document;
  const stop = new AbortController();
  const on = (target: EventTarget, type: string, fn: (e: never) => unknown, capture?: boolean) =>
    target.addEventListener(type, fn as EventListener, { capture, signal: stop.signal });
  const button = (label: string | null, onclick: () => unknown, cls = "link") => h("button", { type: "button", class: cls, onclick }, label);
  if (!styled) (styled = true), adoptHighlightStyles(doc);

  // The layer: a custom element (host CSS for div or button cannot reach it) with a shadow root,
  // styled by the widget's sheets. inline.css travels in write.js, which the widget always loads
  // before this module starts: its rules reach the layer and the thread cards' quotes from there.
  const host = doc.createElement("sidenote-layer");
  const shadow = host.attachShadow({ mode: "open" });
  shadow.adoptedStyleSheets = core.sheets;
  const adder = h("button", {
    type: "button",
    class: "pri add",
    hidden: true,
    "aria-keyshortcuts": mac ? "Meta+Alt+M" : "Control+Alt+M",
    // keeps the selection (and, on touch, the focus) where it is
    onpointerdown: (e) => e.preventDefault(),
    onclick: () => selected && compose(selected),
  });
  // Escape closes it (in a form, Escape cancels the form; the inline comment's own form then closes it).
  const pop = h("div", { class: "pop", role: "dialog", "aria-labelledby": "sn-pt", hidden: true, onkeydown: (e) => (e as KeyboardEvent).key == "Escape" && !(e.target as Element).closest("form") && close() });
  const ly = h("div", { class: "sn ly own" }, adder, pop);
  shadow.append(ly);
  doc.body.append(host);
  const listButton = button("", () => listAll(), "");
  const pickButton = button(t("pick"), () => picker(pickButton), "");
  const tools = h("div", { class: "btns" }, pickButton, listButton);

  let root: Element;
  let m: TextModel;
  let kids = new Map<number, Comment[]>();
  let threads: Comment[] = [];
  let res = new Map<number, Resolution>();
  let groups: Group[] = [];
  let active: Span[] = [];
  let selected: Described | null = null;
  let run = { aborted: false };
  let opener: HTMLElement | null = null;
  let popAt: (() => DOMRect | undefined) | null = null;
  let focusNext = 0;
  let frame = 0;
  let placing = 0;
  let timer = 0;
  let down = false;
  let said = "";
  const bubbles = new Map<Group["key"], HTMLButtonElement>();

  const later = () => (frame ||= requestAnimationFrame(draw));
  const relayout = () => (placing ||= requestAnimationFrame(layout));
  const span = (start: number, end: number, id = 0): Span => ({ id, start, end });
  /** The last client rectangle of [s, e) of the text; undefined when the DOM moved on. */
  const rectOf = (s: number, e: number) => {
    const r = rangeOf(m, s, e)!;
    try {
      const live = new Range();
      live.setStart(r.startContainer, r.startOffset);
      live.setEnd(r.endContainer, r.endOffset);
      return [...live.getClientRects()].pop();
    } catch {
      return undefined;
    }
  };
  const descendants = (id: number, out: Comment[] = []): Comment[] => {
    for (const c of kids.get(id) || []) out.push(c), descendants(c.id, out);
    return out;
  };
  /** Scrolls to the block of text[start], opening the closed <details> around it first. */
  const reveal = (start: number) => {
    const b = blockAt(m, start);
    for (let d: Element | null = b; (d = d.closest("details:not([open])")); ) (d as HTMLDetailsElement).open = true;
    b.scrollIntoView({ block: "center" });
  };
  /** A thread's quote as the page shows it where it is found as quoted, else as the reader quoted it (normalised). */
  const quoteOf = (c: Comment, max: number) => {
    const r = res.get(c.id);
    return cut(r?.state == "anchored" ? pageText(m, r.start, r.end) : quoteText(anchorOf(c)), max);
  };
  const labelOf = (g: Group) => {
    const quote = cut(m.text.slice(g.start, g.end), 60);
    return g.passage ? t("ask", { n: g.n, quote: g.passage.question || quote }) : t("bubble", { n: g.n, quote });
  };

  // -- the text model and re-anchoring --------------------------------------------------------

  const resized = new ResizeObserver(relayout);

  /** (Re)reads the article: at the start and after `Sidenote.refresh` (the host changed it). */
  function build(): void {
    root = doc.querySelector("[data-sidenote-article]") || doc.createElement("article");
    m = buildTextModel(root);
    resized.disconnect();
    resized.observe(root);
  }

  /** Re-anchors every loaded inline comment (cheap steps first, fuzzy search in 8-ms slices). */
  function update(): void {
    run.aborted = true;
    const signal = (run = { aborted: false });
    const comments = core.loaded().sort((a, b) => a.id - b.id);
    kids = new Map();
    for (const c of comments) if (c.parent_id) kids.set(c.parent_id, [...(kids.get(c.parent_id) || []), c]);
    threads = comments.filter((c) => c.anchor && !c.parent_id && !c.deleted);
    res = new Map();
    let store: Storage | null = null;
    try {
      store = localStorage;
    } catch {
      // storage disabled: no cache
    }
    const items = threads.map((c) => ({ id: c.id, anchor: anchorOf(c) }));
    runSliced(locateAll(m, items, (it, r) => (res.set(it.id, r), later()), store), { signal });
    later();
  }

  // -- drawing: highlights, bubbles, thread cards ---------------------------------------------

  function draw(): void {
    frame = 0;
    const byKey = new Map<Group["key"], Group>();
    const group = (key: Group["key"], start: number, end: number, passage?: PassageSpan) =>
      byKey.get(key) || (byKey.set(key, { key, start, end, threads: [], n: 0, passage }), byKey.get(key)!);
    for (const p of m.passages) group("p:" + p.key, p.start, p.end, p);
    const spans: Span[] = [];
    for (const c of threads.sort((a, b) => (res.get(a.id)?.start ?? 0) - (res.get(b.id)?.start ?? 0))) {
      const r = res.get(c.id);
      if (!r || r.start < 0) continue;
      spans.push(span(r.start, r.end, c.id));
      const block = blockAt(m, r.start);
      const g = r.how == "passage" ? byKey.get("p:" + anchorOf(c).passage!.key)! : group(block, r.start, r.end);
      g.threads.push(c);
      g.n += 1 + descendants(c.id).filter((x) => !x.deleted).length;
    }
    paint(m, segment(spans), active, m.passages);
    groups = [...byKey.values()].sort((a, b) => a.start - b.start);

    // Bubbles in text order, reused by key (Tab takes them in the page's order: stops()).
    const keep = new Set(groups.map((g) => g.key));
    for (const [key, b] of bubbles) if (!keep.has(key)) b.remove(), bubbles.delete(key);
    let focused = shadow.activeElement as HTMLElement | null;
    for (const g of groups) {
      let b = bubbles.get(g.key)!;
      if (!b) bubbles.set(g.key, (b = h("button", { type: "button", class: "pri bb" })));
      // an author passage's "?" comes from CSS, outside the accessible name
      b.classList.toggle("ask", !!g.passage);
      b.textContent = g.n ? String(g.n) : "";
      b.title = g.passage?.question || "";
      b.setAttribute("aria-label", labelOf(g));
      b.setAttribute("aria-expanded", String(opener == b));
      b.onclick = () => (opener == b ? close() : showGroup(g));
      if (g.threads.some((c) => c.id == focusNext)) (focusNext = 0), (focused = b);
    }
    const ordered = groups.map((g) => bubbles.get(g.key)!);
    // Moving a focused button blurs it: move only when the order changed, then restore the focus.
    if (ordered.some((b, i) => ly.children[i] != b)) ly.prepend(...ordered);
    if (focused != shadow.activeElement) focused?.focus({ preventScroll: true });

    // Thread cards: the quote, once the anchor is found (before that it is only the reader's claim).
    for (const card of core.root.querySelectorAll<HTMLElement>("article.card")) {
      const c = threads.find((x) => "comment-" + x.id == card.id);
      const r = c && res.get(c.id);
      const old = card.querySelector(".iq");
      if (!r || old?.classList.contains(r.state)) continue;
      const a = anchorOf(c!);
      const orphan = r.state == "orphan";
      const q = a.passage?.question;
      const quote = quoteOf(c!, 280);
      const goTo = () => go(c!.id);
      old?.remove();
      card.querySelector(".meta")?.after(
        h(
          "div",
          { class: "iq " + r.state },
          q && h("p", { class: "note" }, t("asks") + " " + q),
          // the quote itself is a button too (a real one: focusable, Enter and Space)
          h("blockquote", { class: orphan ? "q gone" : "q" }, orphan ? quote : button(quote, goTo, "link qb")),
          r.state != "anchored" && h("span", { class: "tag" }, t(orphan ? "lost" : "reworded")),
          !orphan && button(t("goTo"), goTo),
        ),
      );
    }
    if (!tools.isConnected) core.root.querySelector(".hd")?.append(tools);
    listButton.hidden = !groups.length;
    listButton.textContent = t("passages", { n: groups.length });
    ly.classList.toggle("dark", !!core.root.querySelector(".dark"));
    ly.lang = core.i18n.lang;
    layout();
  }

  /**
   * True when the host page draws something else than the article (and what holds it) at the
   * point: a fixed or sticky header over it, say. A bubble there would cover it and take its clicks.
   */
  const covered = (x: number, y: number, e = doc.elementsFromPoint(x + 16, y).find((e) => e != host)) => !!e && !e.contains(root) && !root.contains(e);

  /** True when the article shows something (a margin note, a figure) where a bubble at (x, y) would go. */
  const busy = (x: number, y: number) => [4, 40].some((d) => doc.elementsFromPoint(x + d, y + d).some((e) => e != root && root.contains(e)));

  /**
   * Positions in the layer: rectangles are read, then styles written. Beside the line boxes of the
   * passage's own block (a Tufte page's text column is narrower than its article); in a closed
   * <details>, beside its summary; beside a table, not over its next cell. Where the window leaves
   * no room beside the block (phones) or the article shows something there (a margin note), a
   * smaller badge (24 px) goes after the block's last line, or just under it when that line is
   * full: never over the article's words. Hidden where the host draws something over the article.
   */
  function layout(): void {
    placing = 0;
    const base = host.getBoundingClientRect();
    let y = -1e9;
    const boxes = groups.map((g) => {
      const b = blockAt(m, g.start);
      const d = b.closest("details:not([open])");
      const el = d || b.closest("table") || b;
      const r = el.getBoundingClientRect();
      const bubble = bubbles.get(g.key)!;
      const top = Math.max((d ? r : rectOf(g.start, g.start + 1) || r).top, y + 40);
      // (elementsFromPoint sees only the window: off screen, a bubble keeps what it was)
      const badge = innerWidth - r.right < 56 || (top < 0 || top > innerHeight ? bubble.classList.contains("bd") : busy(r.right + 8, top));
      if (!badge) y = top;
      return [bubble, d, el, r, badge, top] as const;
    });
    let bt = 0;
    let bl = 0;
    let br = 0;
    for (const [bubble, , , , badge] of boxes) bubble.classList.toggle("bd", badge);
    const spots = boxes.map(([bubble, d, el, r, badge, top]) => {
      let x = r.right + 8;
      if (badge) {
        const [s, e] = spanOfElement(m, d?.querySelector("summary") || el);
        const line = rectOf(e - 1, e) || r;
        const w = bubble.offsetWidth;
        top = line.top + Math.max(0, (line.height - bubble.offsetHeight) / 2);
        // two badges for one block (a passage and a quote in it) sit side by side
        x = Math.max(line.right + 6, top == bt ? br + 4 : 0);
        if (x + w > innerWidth - 8) (top = line.bottom + 2), (x = top == bt ? bl - 4 - w : innerWidth - 8 - w);
        if (s >= e) top = r.top;
        (bt = top), (bl = x), (br = x + w);
      }
      return [bubble, x, top, covered(x, top) || covered(x, top + 20)] as const;
    });
    const sel = getSelection();
    const rects = !adder.hidden && sel?.rangeCount ? sel.getRangeAt(sel.rangeCount - 1).getClientRects() : [];
    const end = rects[rects.length - 1];
    const at = popAt?.();
    const vv = visualViewport;
    const fit = (v: number, size: number, max: number) => Math.max(8, Math.min(v, max - size - 8));
    const place = (el: HTMLElement, left: number, top: number) => {
      el.style.left = fit(left, el.offsetWidth, innerWidth) - base.left + "px";
      el.style.top = top - base.top + "px";
    };
    for (const [b, x, top, hide] of spots) place(b, x, top), (b.hidden = hide);
    // The "Comment" button goes below the selection (touch screens show their own menu above it),
    // inside the window.
    if (end) place(adder, end.right - adder.offsetWidth / 2, fit(end.bottom + 16, adder.offsetHeight, innerHeight));
    if (at) place(pop, at.left, fit(at.bottom + 8, pop.offsetHeight, innerHeight));
    // As a bottom sheet (narrow screens), stay above the on-screen keyboard.
    if (vv) pop.style.setProperty("--kb", innerHeight - vv.height - vv.offsetTop + "px");
  }

  // -- the popover: a group's threads, the composer, the quote picker, the list of passages ---

  function open(from: HTMLElement | null, title: string, at: () => DOMRect | undefined, ...content: (Node | false | null | undefined)[]): HTMLElement {
    close(false);
    const heading = h("h2", { id: "sn-pt", tabindex: -1 }, title);
    pop.replaceChildren(h("button", { type: "button", class: "link x", "aria-label": t("close"), onclick: () => close() }, "×"), heading);
    for (const node of content) node && pop.append(node);
    pop.hidden = false;
    from?.setAttribute("aria-expanded", "true");
    opener = from;
    popAt = at;
    layout();
    return heading;
  }

  function close(restore = true): void {
    if (pop.hidden) return;
    pop.hidden = true;
    pop.replaceChildren();
    opener?.setAttribute("aria-expanded", "false");
    if (restore) opener?.focus();
    opener = popAt = null;
    active = [];
    later();
  }

  /** A bubble's popover: each thread (quote, comments with all their actions), and for an author
   * passage its question and the composer straight away. */
  function showGroup(g: Group): void {
    const b = bubbles.get(g.key)!;
    const content: (Node | false)[] = [];
    for (const c of g.threads) {
      const list = h("ol", { class: "list" });
      core.renderComments(list, [{ ...c, replies: descendants(c.id) }]);
      content.push(
        !g.passage && h("blockquote", { class: "q" }, quoteOf(c, 140)),
        list,
        button(t("showAll"), () => (close(false), core.show(c.id))),
      );
    }
    const d = g.passage && describePassage(m, g.passage);
    const form = d && "anchor" in d && composer(d);
    open(b, g.passage ? g.passage.question || t("newInline") : t("count", { n: g.n }), () => b.getBoundingClientRect(), ...content, form && form.form).focus();
    active = g.passage ? [span(g.start, g.end)] : g.threads.map((c) => span(res.get(c.id)!.start, res.get(c.id)!.end, c.id));
  }

  const composer = (d: Described) =>
    core.composer({
      anchor: d.anchor as unknown as WireAnchor,
      quote: cut(pageText(m, d.start, d.end), 280),
      done: (comment) => {
        close(!comment);
        focusNext = comment?.id || 0;
      },
    });

  /** The composer for a new inline comment on [start, end), in the popover below the passage. */
  function compose(d: Described): void {
    const form = composer(d);
    open(null, t("newInline"), () => rectOf(d.start, d.end), form.form);
    active = [span(d.start, d.end)];
    form.focus();
  }

  /** "Go to passage": scroll to it, flash it, focus its bubble. */
  function go(id: number): void {
    const r = res.get(id)!;
    const flash = (active = [span(r.start, r.end, id)]);
    reveal(r.start);
    later();
    setTimeout(() => active == flash && ((active = []), later()), 2500);
    bubbles.get(groups.find((g) => g.threads.some((c) => c.id == id))!.key)?.focus({ preventScroll: true });
  }

  /** Buttons in a list (the picker's matches, the passages with comments). */
  const choices = (items: [(string | Node)[], () => unknown][]) =>
    h("ul", { class: "list" }, ...items.map(([label, run]) => h("li", null, h("button", { type: "button", class: "link", onclick: run }, ...label))));

  /** The quote picker: type words from the passage, choose one of the matches (Enter: the first). */
  function picker(from: HTMLElement | null): void {
    let found: Described[] = [];
    const pick = (d: Described) => (reveal(d.start), compose(d));
    const results = h("div", { role: "status" });
    const input: HTMLInputElement = h("input", {
      type: "search",
      "aria-label": t("find"),
      oninput: () => {
        const text = m.text;
        found = [];
        for (const [s, e] of input.value.trim()[1] ? search(m, input.value, 8) : []) {
          const d = describeSpan(m, ...trim(text, ...snap(text, s, e)));
          if ("anchor" in d) found.push(d);
        }
        const context = (d: Described) => ["…" + text.slice(d.start - 40, d.start), h("mark", null, cut(pageText(m, d.start, d.end), 200)), text.slice(d.end, d.end + 40) + "…"];
        results.replaceChildren(input.value.trim() && !found.length ? t("noMatch") : choices(found.map((d) => [context(d), () => pick(d)])));
      },
      onkeydown: (e) => (e as KeyboardEvent).key == "Enter" && found[0] && pick(found[0]),
    });
    open(from, t("pick"), () => (from || doc.body).getBoundingClientRect(), input, results);
    input.focus();
  }

  /** "Passages with comments": every bubble as a button, in text order. */
  const listAll = () =>
    open(listButton, t("passageList"), () => listButton.getBoundingClientRect(), choices(groups.map((g) => [[labelOf(g)], () => (reveal(g.start), showGroup(g))]))).focus();

  // -- selection and shortcut -----------------------------------------------------------------

  /** After the selection settles: the "Comment" button for it (clipped to the article). */
  function check(): void {
    const sel = getSelection();
    const s = sel && !sel.isCollapsed ? spanOf(m, selectionRanges(sel)) : null;
    const d = s && describeSpan(m, s[0], s[1]);
    selected = d && "anchor" in d ? d : null;
    adder.hidden = !d;
    adder.disabled = !selected;
    adder.textContent = t(selected ? "adder" : "shorter");
    if (selected && said != s!.join()) core.announce(t("hint", { keys: mac ? "⌘⌥M" : "Ctrl+Alt+M" }));
    said = s ? s.join() : "";
    later();
  }
  const soon = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(check, ms);
  };

  on(doc, "selectionchange", () => down || soon(matchMedia("(pointer:coarse)").matches ? 300 : 100));
  on(doc, "pointerdown", (e: PointerEvent) => {
    down = e.pointerType == "mouse";
    if (!e.composedPath().includes(host) && !pop.querySelector("textarea")?.value) close(false);
  });
  on(doc, "pointerup", () => ((down = false), soon(10)));
  on(doc, "contextmenu", () => soon(10));
  /**
   * The page's tab stops in document order (open shadow roots included, the layer left out), with
   * each shown bubble right after its passage's block: Tab reaches a bubble after its passage's
   * own links, not at the end of the page.
   */
  function stops(): HTMLElement[] {
    const out: HTMLElement[] = [];
    const left = groups.map((g) => [blockAt(m, g.start), bubbles.get(g.key)!] as const).filter(([, b]) => !b.hidden);
    let i = 0;
    const walk = (n: ParentNode, light: boolean) => {
      for (let c = n.firstElementChild as HTMLElement | null; c; c = c.nextElementSibling as HTMLElement | null) {
        if (c == host) continue;
        // 20: following or inside; 4 alone: after the block
        while (light && left[i] && (left[i][0].compareDocumentPosition(c) & 20) == 4) out.push(left[i++][1]);
        if (c.tabIndex >= 0) out.push(c);
        if (c.shadowRoot) walk(c.shadowRoot, false);
        walk(c, light);
      }
    };
    walk(doc.body, true);
    while (left[i]) out.push(left[i++][1]);
    return out;
  }

  on(doc, "keydown", (e: KeyboardEvent) => {
    const target = e.composedPath()[0] as HTMLElement;
    if (e.key == "Tab") {
      const all = stops();
      const k = all.indexOf(target);
      const next = e.shiftKey ? all.slice(0, k).reverse() : all.slice(k + 1);
      // Only where a bubble is involved; the first that takes the focus (a disabled or hidden
      // control does not) wins, else the browser goes on as usual.
      if (k >= 0 && (target.getRootNode() == shadow || next[0]?.getRootNode() == shadow) && next.some((el) => (el.focus(), el.matches(":focus")))) e.preventDefault();
      return;
    }
    if (!e.altKey || !(e.ctrlKey || e.metaKey) || (e.code != "KeyM" && e.key != "m") || target.isContentEditable || /^(input|textarea|select)$/.test(target.localName)) return;
    e.preventDefault();
    check();
    selected ? compose(selected) : picker(null);
  });
  on(window, "resize", relayout);
  on(window, "scroll", relayout, true);
  if (visualViewport) on(visualViewport, "resize", relayout);
  const off = [
    core.on("render", update),
    core.on("card", later),
    core.on("posted", (c) => {
      update();
      // a reply posted in the popover: its card there takes the focus (the thread's cannot)
      setTimeout(() => pop.querySelector<HTMLElement>("#comment-" + (c as Comment).id)?.focus());
    }),
  ];

  build();
  update();
  return {
    refresh: () => (build(), update()),
    destroy: () => {
      stop.abort();
      off.forEach((f) => f());
      run.aborted = true;
      resized.disconnect();
      cancelAnimationFrame(frame);
      cancelAnimationFrame(placing);
      clearTimeout(timer);
      unpaint();
      host.remove();
      tools.remove();
    },
  };
}

window.Sidenote?._inline(setup);
