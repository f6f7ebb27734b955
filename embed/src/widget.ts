// One mounted discussion: loads the site config, strings and first page together, renders the
// thread inside the container's shadow root, and keeps it fresh (ETag revalidation, "N new").

import { Api, ApiError } from "./api";
import type { Composer, ComposerOptions } from "./composer";
import { en, type MessageKey } from "./en";
import type { CoreEvent, InlineInstance, InlineSetup, WidgetCore, WriteParts } from "./core";
import { h, uid } from "./dom";
import { insertServerHtml } from "./html";
import { I18n, loadLanguage } from "./i18n";
import { readAttributes, resolveOptions, type Options, type RawOptions } from "./options";
import { load, loadOwn, save, saveOwn, voterId, type OwnMap, type Session } from "./store";
import css from "./styles.css";
import { Tree, verifiedMark } from "./thread";
import type { Body, Comment, Posted, SiteConfig, ThreadInfo, ThreadPage } from "./types";

/** What POST guest/session or sso/session takes, less the site (signIn adds it). */
type SignInBody = Omit<Body<"guest_session">, "site"> | Omit<Body<"sso_session">, "site">;

/** Top-level comments per page. */
export const PAGE_SIZE = 50;
/** Revalidate the first page this often while the tab is visible. */
export const POLL_MS = 30_000;

let shared: CSSStyleSheet | null = null;

function styleSheets(): CSSStyleSheet[] {
  if (!("replaceSync" in CSSStyleSheet.prototype)) return [];
  if (!shared) (shared = new CSSStyleSheet()).replaceSync(css);
  return [shared];
}

export class Widget implements WidgetCore {
  readonly version = 1;
  readonly h = h;
  readonly root: ShadowRoot;
  readonly sheets = styleSheets();
  options!: Options;
  api!: Api;
  i18n = new I18n("en");
  config!: SiteConfig;
  thread!: ThreadInfo;
  readonly comments = new Map<number, Comment>();
  own: OwnMap = {};
  votes: Record<number, number> = {};
  inline: InlineInstance | null = null;
  /** write.js, once loaded (the composer and the cards' forms) */
  write: WriteParts | null = null;
  /** the signed-in reader (SSO user or verified guest), or null for a guest */
  session: Session | null = null;

  private readonly shell = h("section", { class: "sn" });
  tree!: Tree;
  private main!: HTMLElement;
  list!: HTMLOListElement;
  private heading!: HTMLElement;
  empty!: HTMLElement;
  private more!: HTMLButtonElement;
  private live!: HTMLButtonElement;
  private status!: HTMLElement;
  private focusView: HTMLElement | null = null;
  /** the one-line stand-in for the main composer until write.js is here */
  private line: HTMLInputElement | null = null;
  private returnTo: { y: number; element: HTMLElement | null } | null = null;
  /** the next page's cursor: null once every page is here */
  cursor: string | null = null;
  private etag: string | null = null;
  count = 0;
  private newer: { page: ThreadPage; etag: string | null } | null = null;
  private timer = 0;
  private polledAt = 0;
  private generation = 0;
  private readonly listeners: Partial<Record<CoreEvent, Set<(detail: unknown) => void>>> = {};
  private readonly media = matchMedia("(prefers-color-scheme: dark)");
  /** a page's own light/dark switch (a class or style on <html> or <body>) re-decides `auto` */
  private readonly pageTheme = new MutationObserver(() => this.theme());

  constructor(
    readonly host: HTMLElement,
    readonly base: string,
    private readonly layers: RawOptions[],
  ) {
    this.root = host.shadowRoot || host.attachShadow({ mode: "open" });
    this.root.adoptedStyleSheets = this.sheets;
  }

  // -- lifecycle ------------------------------------------------------------------------------

  async start(): Promise<void> {
    const generation = ++this.generation;
    const [script, api] = this.layers;
    const o = (this.options = resolveOptions([script, readAttributes(this.host), api], this.host));
    this.api = new Api(this.base, voterId);
    const stored = load<Session | null>("session:" + o.site, null);
    this.setSession(stored && Date.parse(stored.expires_at) > Date.now() ? stored : null);
    this.own = loadOwn(o.site);
    this.votes = load("votes:" + o.site, {});
    this.theme();
    this.shell.replaceChildren(h("div", { class: "skel", role: "progressbar", "aria-label": this.i18n.t("loading") }));
    this.root.replaceChildren(...(this.sheets.length ? [] : [h("style", null, css + (this.write?.css || ""))]), this.shell);
    this.media.addEventListener("change", this.theme);
    for (const e of [document.documentElement, document.body]) e && this.pageTheme.observe(e, { attributes: true });
    // write.js comes alongside, at low priority, never in the way of the first paint. Until it is
    // here the composer is a one-line stand-in (using it loads it at once); once the thread shows,
    // swapping a composer in would move what the reader is reading, so it is usually here before.
    this.writing().catch(() => {});
    try {
      if (!o.site) throw new ApiError(0, "not_found", "data-sidenote-site is missing");
      const [i18n, config, first] = await Promise.all([
        loadLanguage(this.base, o.lang),
        this.api.get<"site_config">(`sites/${encodeURIComponent(o.site)}/config`),
        this.api.page(this.params()),
        this.autoLogin().catch((error) => console.warn("Sidenote:", error)),
      ]);
      if (generation != this.generation) return;
      this.i18n = i18n;
      this.config = config;
      this.thread = first.page!.thread;
      this.render();
      this.showPage(first.page!, first.etag);
    } catch (error) {
      if (generation != this.generation) return;
      // A page off the site's origins: the server says so (docs/deploying.md), the owner reads it here.
      const { code, message } = error as ApiError;
      const origin = code == "origin_not_allowed";
      console.warn("Sidenote:", origin ? message : error);
      return this.failed(generation, origin);
    }
    addEventListener("hashchange", this.onHash);
    document.addEventListener("visibilitychange", this.onVisible);
    this.timer = window.setInterval(this.poll, POLL_MS);
    this.polledAt = Date.now();
    this.onHash();
    this.emit("render", null);
    if (__SIDENOTE_INLINE__ && this.config.features.inline && document.querySelector("[data-sidenote-article]")) {
      Promise.all([loadInline(this.base), this.writing()]).then(([setup]) => generation == this.generation && (this.inline = setup(this)), (error) => console.warn("Sidenote:", error));
    }
  }

  /**
   * A failed load: say so, offer "Try again", and try again by itself once back online or shown
   * again. A page off the site's origins only gets its notice: trying again cannot help it.
   */
  private failed(generation: number, origin: boolean): void {
    const again = (): void => {
      if (document.hidden) return;
      removeEventListener("online", again);
      document.removeEventListener("visibilitychange", again);
      if (generation == this.generation) this.start();
    };
    if (!origin) {
      addEventListener("online", again);
      document.addEventListener("visibilitychange", again);
    }
    this.shell.replaceChildren(
      h("p", { class: "err", role: "alert" }, this.i18n.t(origin ? "origin_not_allowed" : "unavailable")),
      origin ? "" : h("button", { type: "button", onclick: again }, this.i18n.t("retry")),
    );
  }

  stop(): void {
    this.generation++;
    clearInterval(this.timer);
    removeEventListener("hashchange", this.onHash);
    document.removeEventListener("visibilitychange", this.onVisible);
    this.media.removeEventListener("change", this.theme);
    this.pageTheme.disconnect();
    this.inline?.destroy();
    this.inline = null;
    this.focusView = null;
    this.heading = null!; // not rendered: a sign-in now must not render the old discussion
    this.comments.clear();
    this.root.replaceChildren();
  }

  /** Re-read the options; the same thread reloads in place, another one mounts afresh. */
  refresh(): Promise<void> {
    const [script, api] = this.layers;
    const next = resolveOptions([script, readAttributes(this.host), api], this.host);
    if (this.config && this.heading && JSON.stringify(next) == JSON.stringify({ ...this.options, sort: next.sort })) {
      this.inline?.refresh();
      return this.reload();
    }
    this.stop();
    return this.start();
  }

  // -- signing in: SSO tokens from the site, a verified guest's one-time code -----------------

  /**
   * A login code in the URL (a verified guest's link back), or the site's token (data-sidenote-sso).
   * Signing in is a writing part (write.js, requested at start anyway): pages with neither pay
   * nothing for it. See widgetParts.signInFromPage.
   */
  private autoLogin(): Promise<void> {
    return this.options.sso != null || /sidenote-login=/.test(location.hash) ? this.writing().then(() => this.signInFromPage()) : Promise.resolve();
  }

  login(token: string): Promise<void> {
    return this.writing().then(() => this.signIn("sso/session", { token }, token));
  }

  async logout(): Promise<void> {
    if (this.session) await this.api.call<"sso_logout">("POST", "sso/logout", { site: this.options.site }).catch(() => {});
    this.setSession(null);
  }

  setSession(session: Session | null): void {
    this.session = session;
    this.api.auth = session && session.session_token;
    save("session:" + this.options.site, session);
    if (this.heading) {
      this.render();
      this.reload();
    }
  }

  /**
   * `auto`: the page's own background decides (the first one that is not transparent from the
   * container up to <body> and <html>; dark when its luminance is low), else the OS's preference.
   */
  private theme = (): void => {
    const { theme } = this.options;
    let dark: boolean | null = null;
    for (let e: Element | null = this.host; e; e = e.parentElement) {
      const [r, g, b, a = 1] = getComputedStyle(e).backgroundColor.match(/[\d.]+/g)!.map(Number);
      if (a) {
        dark = 2 * r + 7 * g + b < 1280;
        break;
      }
    }
    // The host's look (transparent; the page's font and text colour) unless a theme is forced or a
    // dark preference meets a page without a background: then the widget's own background and text.
    this.shell.classList.toggle("own", theme != "auto" || (dark == null && this.media.matches));
    dark ??= this.media.matches;
    this.shell.classList.toggle("dark", theme == "dark" || (theme == "auto" && dark));
  };

  private params(cursor: string | null = null) {
    const o = this.options;
    return { site: o.site, thread: o.thread, sort: o.sort, limit: PAGE_SIZE, cursor };
  }

  // -- rendering ------------------------------------------------------------------------------

  private render(): void {
    const t = this.i18n.t.bind(this.i18n);
    const o = this.options;
    const headingId = uid("h");
    this.heading = h("h2", { id: headingId });
    const sort = h(
      "select",
      {
        onchange: () => {
          save("sort:" + o.site, (o.sort = sort.value as Options["sort"]));
          this.reload();
        },
      },
      ...(["oldest", "newest", "top"] as const).map((value) => h("option", { value, selected: value == o.sort }, t(value))),
    );
    this.list = h("ol", { class: "list", "aria-labelledby": headingId });
    this.live = h("button", { type: "button", class: "pri", hidden: true, onclick: () => this.showNewer() });
    this.more = h("button", { type: "button", class: "more", hidden: true, onclick: () => this.loadMore() }, t("loadMore"));
    this.empty = h("p", { class: "note", hidden: true }, t("empty"));
    this.status = h("div", { class: "sr", role: "status" });
    const top = this.thread.locked
      ? h("p", { class: "note" }, t("locked"))
      : this.config.sso_required && this.session?.user.kind != "sso"
        ? h("p", { class: "note" }, t("signInToComment"))
        : this.topComposer();
    this.main = h("div", null, this.write && this.account(), top, h("div", { class: "live" }, this.live), this.empty, this.list, this.more);
    this.shell.lang = this.i18n.lang;
    this.shell.setAttribute("aria-labelledby", headingId);
    this.shell.replaceChildren(
      h("header", { class: "hd" }, this.heading, h("label", { class: "sort" }, t("sortBy") + " ", sort)),
      this.main,
      this.status,
    );
  }

  /** The main composer, or until write.js is here a one-line "Join the discussion…" that loads it. */
  private topComposer(): HTMLElement {
    if (this.write) return new this.write.Composer(this, { done: (c) => c && this.addOwn(c) }).form;
    const t = this.i18n.t.bind(this.i18n);
    return (this.line = h("input", { class: "join", placeholder: t("join"), "aria-label": t("body"), onfocus: () => this.writing().catch((error) => this.announce(this.errorText(error))) }));
  }

  /**
   * write.js, loaded once: its styles join the widget's, the account line appears and the stand-in
   * line becomes the composer, keeping focus and what was typed.
   */
  async writing(): Promise<WriteParts> {
    const parts = await loadWrite(this.base);
    if (this.write) return parts;
    this.write = parts;
    if (this.sheets.length) {
      this.sheets.push(writeSheet(parts.css));
      this.root.adoptedStyleSheets = this.sheets;
    } else this.root.prepend(h("style", null, parts.css));
    const account = this.heading && this.account();
    if (account) this.main.prepend(account);
    const line = this.line;
    this.line = null;
    if (line?.isConnected) {
      const focused = this.root.activeElement == line;
      const form = this.topComposer();
      const text = form.querySelector("textarea")!;
      if (line.value) {
        text.value = line.value;
        text.dispatchEvent(new Event("input", { bubbles: true }));
      }
      line.replaceWith(form);
      if (focused) {
        text.focus();
        text.selectionStart = text.value.length;
      }
    }
    return parts;
  }

  private showPage(page: ThreadPage, etag: string | null, append = false): void {
    const lockedBefore = this.thread.locked;
    this.thread = page.thread;
    if (!append) {
      if (page.thread.locked != lockedBefore) this.render();
      this.etag = etag;
      this.list.replaceChildren();
      this.tree = new Tree(this, this.list);
      this.newer = null;
      this.live.hidden = true;
    }
    this.count = page.thread.comment_count;
    this.cursor = page.next_cursor;
    this.tree.addPage(page.comments);
    // The reader's own comments as the server answered them, until its public reads list them
    // (those carry no status): pending ones, and approved ones a shadow ban keeps from others.
    let changed = false;
    for (const id in this.own) {
      const own = this.own[id];
      const { p } = own;
      const listed = this.comments.get(+id);
      if (p && listed && !listed.status) {
        delete own.p;
        changed = true;
      } else if (p && own.k == this.options.thread) {
        // A top-level one under "oldest" belongs after every page: it shows (and counts) with the
        // last one. Until then it may well be listed on a page not loaded yet.
        const last = !p.parent_id && this.options.sort == "oldest";
        if (last && this.cursor) continue;
        if (last || !append) this.tree.add(p, !p.parent_id && this.options.sort != "oldest");
        if (p.status != "pending") this.count++;
      }
    }
    this.setCount(this.count);
    if (changed) saveOwn(this.options.site, this.own);
    this.more.hidden = !this.cursor;
    this.setEmpty(!this.tree.items.size);
  }

  /** An empty thread invites the first comment and has nothing to sort. */
  setEmpty(empty: boolean): void {
    this.empty.hidden = !empty;
    (this.shell.querySelector(".sort") as HTMLElement).hidden = empty;
  }

  private async reload(): Promise<void> {
    this.list.setAttribute("aria-busy", "true");
    try {
      const { page, etag } = await this.api.page(this.params());
      this.showPage(page!, etag);
      this.emit("render", null);
    } catch (error) {
      this.announce(this.errorText(error));
    }
    this.list.removeAttribute("aria-busy");
  }

  private async loadMore(): Promise<void> {
    this.more.disabled = true;
    const before = new Set(this.tree.items.keys());
    try {
      const { page } = await this.api.page(this.params(this.cursor));
      this.showPage(page!, null, true);
      const first = page!.comments.find((c) => !before.has(c.id));
      if (first) this.focusComment(first.id, false, false);
      this.emit("render", null);
    } catch (error) {
      this.announce(this.errorText(error));
    }
    this.more.disabled = false;
  }

  // -- live updates ---------------------------------------------------------------------------

  private onVisible = (): void => {
    if (!document.hidden && Date.now() - this.polledAt >= POLL_MS) this.poll();
  };

  /** Revalidate the first page; show "N new comments" rather than moving what the reader reads. */
  poll = async (): Promise<void> => {
    if (document.hidden || !this.etag) return;
    this.polledAt = Date.now();
    try {
      const { page, etag } = await this.api.page(this.params(), this.newer?.etag || this.etag);
      if (!page) return;
      const unseen = page.comments.flatMap((c) => [c, ...(c.replies || [])]).filter((c) => !c.deleted && !this.comments.has(c.id)).length;
      const n = Math.max(page.thread.comment_count - this.count, unseen);
      this.newer = { page, etag };
      if (n > 0) {
        this.live.textContent = this.i18n.t("newComments", { n });
        this.live.hidden = false;
      }
    } catch {
      // offline for a moment: try again next time
    }
  };

  private showNewer(): void {
    if (!this.newer) return;
    const known = new Set(this.comments.keys());
    this.back(false);
    this.showPage(this.newer.page, this.newer.etag);
    let first = 0;
    for (const [id, li] of this.tree.items) {
      if (known.has(id)) continue;
      li.children[0].classList.add("new");
      first ||= id;
    }
    if (first) this.focusComment(first);
    this.emit("render", null);
  }

  // -- views: permalinks and "continue this thread" -------------------------------------------

  private onHash = (): void => {
    const match = /^#comment-(\d+)$/.exec(location.hash);
    if (match) this.show(+match[1]);
  };

  /** Scroll to a comment and highlight it, loading it with its ancestors when it is not here. */
  async show(id: number): Promise<void> {
    if (this.focusComment(id, true)) return;
    try {
      const detail = await this.api.get<"get_comment">("comments/" + id);
      if (detail.thread.key != this.options.thread) return;
      const { replies, more_replies_cursor } = await this.api.get<"list_replies">(`comments/${id}/replies`);
      this.openFocus(null, this.i18n.t("viewAll"), detail.ancestors, detail.comment, replies, more_replies_cursor);
      this.focusComment(id, true);
    } catch (error) {
      this.announce(this.errorText(error));
    }
  }

  /** The subtree below `comment` on its own, unindented, with a way back. */
  async openThread(comment: Comment, from: HTMLElement): Promise<void> {
    const below = (c: Comment): boolean => {
      for (let p = this.comments.get(c.parent_id!); p; p = this.comments.get(p.parent_id!)) if (p.id == comment.id) return true;
      return false;
    };
    let replies = Array.from(this.comments.values()).filter(below);
    let cursor: string | null = null;
    if (!comment.deleted) {
      try {
        ({ replies, more_replies_cursor: cursor } = await this.api.get<"list_replies">(`comments/${comment.id}/replies`));
      } catch {
        // show what is loaded
      }
    }
    // the comment it answers above it, as context
    const parent = this.comments.get(comment.parent_id!);
    this.openFocus(from, this.i18n.t("back"), parent ? [parent] : [], comment, replies, cursor);
    this.focusComment(comment.id);
  }

  openFocus(from: HTMLElement | null, backLabel: string, ancestors: Comment[], comment: Comment, replies: Comment[], cursor: string | null): void {
    if (!this.focusView) this.returnTo = { y: scrollY, element: from };
    const context = h("ol", { class: "list ctx" });
    const list = h("ol", { class: "list" });
    const tree = new Tree(this, list, comment.depth);
    for (const ancestor of ancestors) {
      this.remember(ancestor);
      context.append(h("li", { class: "c" }, tree.card(ancestor)));
    }
    tree.add(comment);
    tree.addAll(replies);
    tree.moreReplies(comment, cursor);
    const view = h("div", { class: "focus" }, h("button", { type: "button", class: "link back", onclick: () => this.back() }, "← " + backLabel), ancestors.length ? context : null, list);
    (this.focusView || this.main).replaceWith(view);
    this.focusView = view;
  }

  /** Leave the focused view; with `restore`, return to where the reader was. */
  back(restore = true): void {
    if (!this.focusView) return;
    this.focusView.replaceWith(this.main);
    this.focusView = null;
    if (restore && this.returnTo) {
      scrollTo(scrollX, this.returnTo.y);
      const element = this.returnTo.element;
      if (element?.isConnected) element.focus({ preventScroll: true });
      else this.heading.scrollIntoView();
    }
    this.returnTo = null;
  }

  /** Move focus (and the view) to a comment shown in the current view; false if it is not. */
  focusComment(id: number, highlight = false, center = true): boolean {
    const find = (scope: ParentNode | null) => scope?.querySelector<HTMLElement>("#comment-" + id);
    let card = find(this.focusView);
    if (!card) {
      if (!(card = find(this.main))) return false;
      this.back(false);
    }
    if (highlight) {
      for (const old of Array.from(this.root.querySelectorAll(".hl"))) old.classList.remove("hl");
      card.classList.add("hl");
    }
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: center ? "center" : "nearest" });
    return true;
  }

  // -- bookkeeping the cards and composers call -----------------------------------------------

  remember(comment: Comment): void {
    this.comments.set(comment.id, comment);
  }

  permalink(id: number): string {
    return location.href.split("#")[0] + "#comment-" + id;
  }

  setCount(count: number): void {
    this.count = Math.max(0, count);
    this.heading.textContent = this.i18n.t("count", { n: this.count });
  }

  announce(message: string): void {
    this.status.textContent = "";
    setTimeout(() => (this.status.textContent = message), 50);
  }

  errorText(error: unknown): string {
    const t = this.i18n.t.bind(this.i18n);
    if (!(error instanceof ApiError)) return t("failed", { message: String(error) });
    // An error code with words of its own (network, not_found, banned, thread_locked, …; the
    // writing ones arrive with write.js) says them, with the message and the wait filled in.
    const { code, message } = error;
    if (code in en) return t(code as MessageKey, { message, when: this.i18n.relativeIn(error.retryAfter || 60) });
    // A 5xx's own words already say something went wrong: "failed" would say it twice.
    return t("failed", { message: error.status < 500 ? error.message : "HTTP " + error.status });
  }

  // -- the interface for inline.js ------------------------------------------------------------

  loaded(): Comment[] {
    return Array.from(this.comments.values());
  }

  renderComments(list: HTMLOListElement, comments: Comment[]): void {
    new Tree(this, list).addPage(comments);
  }

  insertHtml(target: Element, html: string): number {
    return insertServerHtml(target, html);
  }

  on(event: CoreEvent, listener: (detail: unknown) => void): () => void {
    const set = (this.listeners[event] ||= new Set());
    set.add(listener);
    return () => set.delete(listener);
  }

  emit(event: CoreEvent, detail: unknown): void {
    this.listeners[event]?.forEach((listener) => listener(detail));
  }
}

let inlineSetup: Promise<InlineSetup> | null = null;
let resolveInline: (setup: InlineSetup) => void = () => {};

/** Load inline.js once (it calls `Sidenote._inline(setup)`), for every discussion that wants it. */
function loadInline(base: string): Promise<InlineSetup> {
  if (!inlineSetup) {
    inlineSetup = new Promise((resolve) => (resolveInline = resolve));
    document.head.append(h("script", { src: base + "inline.js?v=" + __SIDENOTE_INLINE_V__, async: true }));
  }
  return inlineSetup;
}

export function registerInline(setup: InlineSetup): void {
  resolveInline(setup);
  inlineSetup = Promise.resolve(setup);
}

let writeParts: Promise<WriteParts> | null = null;
let writeStyles: CSSStyleSheet | null = null;
let resolveWrite: (parts: WriteParts) => void = () => {};

function writeSheet(css: string): CSSStyleSheet {
  if (!writeStyles) (writeStyles = new CSSStyleSheet()).replaceSync(css);
  return writeStyles;
}

/** Load write.js once (it calls `Sidenote._write(parts)`); after a failed load the next call tries again. */
function loadWrite(base: string): Promise<WriteParts> {
  if (!writeParts) {
    writeParts = new Promise((resolve, reject) => {
      resolveWrite = resolve;
      const onerror = () => {
        writeParts = null;
        script.remove();
        reject(new ApiError(0, "network", "write.js did not load"));
      };
      const script = h("script", { src: base + "write.js?v=" + __SIDENOTE_WRITE_V__, async: true, fetchpriority: "low", onerror });
      document.head.append(script);
    });
  }
  return writeParts;
}

export function registerWrite(parts: WriteParts): void {
  Object.assign(Widget.prototype, parts.widget);
  Object.assign(en, parts.strings);
  resolveWrite(parts);
  writeParts = Promise.resolve(parts);
}

/** The widget's side of the writing parts: they ship in write.js and join Widget's prototype there. */
export interface Widget {
  /** the signed-in reader's line (name, "My data", "Sign out") or a guest's "Sign in" link */
  account(): HTMLElement | null;
  /** `note`: said after "published" (e.g. that a confirmation mail is on its way) */
  posted(posted: Posted, body: string, note?: string): void;
  edited(comment: Comment, body: string): void;
  deleted(comment: Comment): void;
  /** a posted top-level comment joins the thread, focused, or says where it is when that is far */
  addOwn(comment: Comment): void;
  /** a top-level comment of the reader's in its place in the thread, if that place is loaded */
  placeOwn(comment: Comment): HTMLLIElement | null;
  composer(options: ComposerOptions): Composer;
  /** The form token, fetched once when a composer is first used (none when the server has none). */
  formToken(): Promise<string | null>;
  signInFromPage(): Promise<void>;
  signIn(path: "guest/session" | "sso/session", body: SignInBody, j?: string): Promise<void>;
  token?: Promise<string | null> | null;
  tokenAt?: number;
}

export const widgetParts = {
  /**
   * The code signs in by itself only in the browser that asked for it (the server knows it by our
   * voter id, sent on every write); elsewhere the reader must confirm who they sign in as.
   */
  async signInFromPage(this: Widget): Promise<void> {
    const { sso } = this.options;
    const code = /sidenote-login=(snc_[\w-]+)/.exec(location.hash);
    if (code) {
      history.replaceState(history.state, "", location.href.split("#")[0]);
      const body = { code: code[1] };
      return this.signIn("guest/session", body).catch((e: ApiError) => {
        // confirmation_required: its fields.confirm asks "Sign in as NAME on this device?"
        const question = e.fields?.confirm;
        if (!question || !confirm(question)) throw e;
        return this.signIn("guest/session", { ...body, confirm: true });
      });
    }
    if (sso == null) return;
    if (!sso) return this.session?.user.kind == "sso" ? this.logout() : undefined;
    if (this.session?.j != sso) return this.signIn("sso/session", { token: sso }, sso);
  },

  async signIn(this: Widget, path: "guest/session" | "sso/session", body: SignInBody, j?: string): Promise<void> {
    this.setSession({ ...(await this.api.call<"guest_session" | "sso_session">("POST", path, { site: this.options.site, ...body })), j });
  },

  /** The form token, fetched once when a composer is first used (none when the server has none). */
  formToken(this: Widget): Promise<string | null> {
    if (!this.token || Date.now() - this.tokenAt! > 3_600_000) {
      this.tokenAt = Date.now();
      // Resolves once the server's minimum compose time has passed since the token came, so a fast
      // paster's send waits out the rest (showing "Sending…") instead of being held as too fast.
      this.token = this.api.get<"form_token">("form-token", { site: this.options.site }).then(
        (answer) => new Promise((ok) => setTimeout(ok, answer.min_compose_seconds * 1e3, answer.form_token)),
        (error) => {
          if (!(error instanceof ApiError && error.status == 404)) this.token = null;
          return null;
        },
      );
    }
    return this.token;
  },

  /** Signed in: name, mark, "My comments and data", "Sign out"; a guest: the site's sign-in link. */
  account(this: Widget): HTMLElement | null {
    const t = this.i18n.t.bind(this.i18n);
    const user = this.session?.user;
    const { login_url, logout_url } = this.config;
    const link = (onclick: () => void, text: string) => h("button", { type: "button", class: "link", onclick }, text);
    return user
      ? h(
          "p",
          { class: "note" },
          t("signedIn", { name: user.name || t("anonymous") }),
          user.verified ? verifiedMark(this) : null,
          link(() => {
            // the data page, on a short-lived link (the page stays on our server, never in the widget)
            this.api.call<"my_data_link">("POST", "me/link", { site: this.options.site }).then(
              ({ url }) => open(url, "_blank", "noopener"),
              (error) => this.announce(this.errorText(error)),
            );
          }, t("myData")),
          link(async () => {
            await this.logout();
            if (user.kind == "sso" && logout_url) location.assign(logout_url);
          }, t("signOut")),
        )
      : login_url
        ? h("p", { class: "note" }, h("a", { href: login_url }, t("signIn")))
        : null;
  },

  /** `note`: said after "published" (e.g. that a confirmation mail is on its way). */
  posted(this: Widget, posted: Posted, body: string, note = ""): void {
    const { comment } = posted;
    const pending = comment.status == "pending";
    this.own[comment.id] = { t: posted.edit_token, x: Date.parse(posted.edit_expires_at), b: body, k: this.options.thread, p: comment };
    saveOwn(this.options.site, this.own);
    this.remember(comment);
    if (!pending) this.setCount(this.count + 1);
    this.announce(this.i18n.t(pending ? "pending" : "posted") + note);
    this.emit("posted", comment);
  },

  edited(this: Widget, comment: Comment, body: string): void {
    const own = this.own[comment.id];
    if (own) {
      own.b = body;
      own.p = comment;
      saveOwn(this.options.site, this.own);
    }
    if (comment.status == "pending") this.announce(this.i18n.t("pending"));
  },

  deleted(this: Widget, comment: Comment): void {
    delete this.own[comment.id];
    saveOwn(this.options.site, this.own);
    if (comment.status != "pending") this.setCount(this.count - 1);
    queueMicrotask(() => this.setEmpty(!this.list.children.length));
  },

  addOwn(this: Widget, comment: Comment): void {
    const t = this.i18n.t.bind(this.i18n);
    const { id } = comment;
    this.back(false);
    const card = this.placeOwn(comment)?.firstElementChild;
    this.setEmpty(!this.tree.items.size);
    this.root.querySelector(".pub")?.remove();
    // In view (a new thread, or sorted newest first): go to it. Under "oldest" it is at the end of
    // what may be a long thread, or not loaded yet: say so where the reader is, and offer the way.
    if (card && card.getBoundingClientRect().top < innerHeight) return void this.focusComment(id);
    const show: HTMLButtonElement = h(
      "button",
      {
        type: "button",
        class: "link",
        onclick: () => {
          notice.remove();
          if (this.focusComment(id, true)) return;
          this.openFocus(null, t("viewAll"), [], comment, [], null);
          this.focusComment(id, true);
        },
      },
      t("showIt"),
    );
    const notice = h("p", { class: "note pub" }, t(comment.status == "pending" ? "pending" : "posted") + " ", show);
    this.list.parentElement!.querySelector(":scope>.cm")!.after(notice);
    show.focus();
  },

  /** Under "oldest" a new comment's place is after every page: while some are not loaded, none yet. */
  placeOwn(this: Widget, comment: Comment): HTMLLIElement | null {
    const oldest = this.options.sort == "oldest";
    return oldest && this.cursor ? null : this.tree.add(comment, !oldest);
  },

  composer(this: Widget, options: ComposerOptions): Composer {
    return new this.write!.Composer(this, {
      cancel: true,
      ...options,
      done: (comment) => {
        if (comment && !comment.parent_id && comment.status != "pending") this.placeOwn(comment);
        options.done?.(comment);
      },
    });
  },
};
