// The comment form: write/preview tabs, author fields (remembered: after a first post they are a
// "Posting as NAME · Change" line), a draft kept locally, the character counter, the honeypot,
// "Notify me of" when the site offers subscriptions, and errors inside the cells of the fields the
// API names. The main composer is one line ("Join the discussion…") until it is used.

import { ApiError } from "./api";
import { h, uid } from "./dom";
import { insertServerHtml } from "./html";
import { load, save, type AuthorFields } from "./store";
import type { Anchor, Body, Comment } from "./types";
import { charCount } from "./util";
import type { Widget } from "./widget";

export interface ComposerOptions {
  /** reply to this comment */
  parent?: Comment | null;
  /** edit this (own) comment */
  edit?: Comment | null;
  /** an inline comment's anchor (top-level only) */
  anchor?: Anchor | null;
  /** text shown above the form, e.g. the quoted passage */
  quote?: string | null;
  /** called after a successful post or edit with the comment, or with null on cancel */
  done?: (comment: Comment | null) => void;
  /** offer Cancel (and Escape); default: for replies and edits */
  cancel?: boolean;
}

export class Composer {
  readonly form: HTMLFormElement;
  readonly text: HTMLTextAreaElement;
  private readonly inputs: Record<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>;
  private readonly honeypot: HTMLInputElement;
  private readonly counter: HTMLElement;
  private readonly error: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private readonly tabs: HTMLButtonElement[];
  private readonly panels: HTMLElement[];
  private readonly draftKey: string | null;
  private readonly cancellable: boolean;
  /** the main composer: one line until it is used, and again after a post */
  private readonly min: boolean;
  /** the author fields and the "Posting as" line (a guest's forms only) */
  private readonly who: HTMLElement | null = null;
  /** "Verify email": enabled once the email looks like an address */
  private v?: HTMLButtonElement;

  constructor(
    private readonly w: Widget,
    private readonly options: ComposerOptions = {},
  ) {
    const t = w.i18n.t.bind(w.i18n);
    const { parent, edit, anchor } = options;
    this.cancellable = options.cancel ?? !!(parent || edit);
    this.min = !parent && !edit && !anchor;
    const id = uid("f");
    // An inline comment keeps no draft: it would land in the main composer's slot (parent 0).
    this.draftKey = edit || anchor ? null : `draft:${w.options.site}:${w.options.thread}:${parent?.id || 0}`;

    // Who the reader posted as last on this site (before issue 22: on any site of this page's origin).
    const known = load<AuthorFields | null>("author:" + w.options.site, null) || load<AuthorFields | null>("author", null);
    const author = known || { name: "", email: "", website: "" };
    // A field is a grid cell of its own: label, input and (on a failed send) its error.
    const field = (name: keyof AuthorFields, label: string, type: string, auto: string, extra?: HTMLElement) =>
      h("div", { class: "fld" }, h("label", { for: id + name }, label), h("input", { id: id + name, name, type, autocomplete: auto, maxlength: name == "name" ? 100 : 254, value: author[name] }), extra);
    // A signed-in reader posts under their identity: no author fields. A guest may verify their email.
    if (!edit && !w.session) {
      const cells = [
        field("name", t("name"), "text", "name"),
        field("email", t(w.config.verify_guests ? "emailNeeded" : "email"), "email", "email", (this.v = h("button", { type: "button", class: "link", onclick: () => this.verify() }, t("verify")))),
        field("website", t("website"), "url", "url"),
      ];
      // A reply (or a passage's comment) from someone not known yet asks only for what the site
      // needs: a name, and the email where guests must confirm theirs.
      if (!known && !this.min) {
        cells[2].hidden = true;
        cells[1].hidden = !w.config.verify_guests;
      }
      this.who = h(
        "div",
        { class: known ? "who known" : "who" },
        ...cells,
        h("p", { class: "as" }, h("span", null, t("postingAs", { name: author.name || t("anonymous") })), h("span", { "aria-hidden": "true" }, " · "), h("button", { type: "button", class: "link", onclick: () => (this.reveal(), this.inputs["author.name"].focus()) }, t("change"))),
      );
    }

    const label = edit ? t("editing") : parent ? t("replyTo", { name: parent.author?.name || t("anonymous") }) : t("body");
    this.text = h("textarea", { id: id + "t", rows: 4, "aria-label": label, "aria-describedby": `${id}h ${id}c`, placeholder: this.min ? t("join") : null });
    this.text.value = edit ? w.own[edit.id]?.b || "" : this.draftKey ? load(this.draftKey, "") : "";

    this.tabs = [t("write"), t("preview")].map((text, i) =>
      h("button", { type: "button", role: "tab", id: `${id}tab${i}`, "aria-controls": `${id}p${i}`, "aria-selected": String(!i), tabindex: i ? -1 : 0, onclick: () => this.showTab(i), onkeydown: (e) => this.tabKey(e as KeyboardEvent) }, text),
    );
    this.panels = [
      h("div", { role: "tabpanel", id: id + "p0", "aria-labelledby": id + "tab0" }, this.text),
      h("div", { role: "tabpanel", id: id + "p1", "aria-labelledby": id + "tab1", class: "body pv", tabindex: 0, hidden: true }),
    ];
    this.counter = h("small", { id: id + "c" });
    this.honeypot = h("input", { name: "homepage", tabindex: -1, autocomplete: "off" });
    const notify =
      !edit && w.config.features.subscriptions
        ? h("select", { id: id + "n", name: "notify" }, ...(["none", "replies", "thread"] as const).map((value, i) => h("option", { value }, t((["notifyNone", "notifyReplies", "notifyThread"] as const)[i]))))
        : null;
    this.error = h("p", { class: "err", role: "alert" });
    this.submit = h("button", { type: "submit", class: "pri" }, edit ? t("save") : parent ? t("postReply") : t("post"));

    // The editor says until when the server accepts a change (the edit token's expiry).
    const until = edit && w.own[edit.id]?.x;
    // The text box comes first, the tabs under it: the one-line composer opens downwards and the
    // box the reader clicked stays where it was.
    this.form = h(
      "form",
      {
        class: "cm",
        novalidate: true,
        "aria-label": label,
        onsubmit: (e) => this.send(e),
        oninput: () => this.changed(),
        onfocusin: () => (w.formToken(), this.open()),
        onkeydown: (e) => this.key(e as KeyboardEvent),
      },
      options.quote ? h("blockquote", { class: "q" }, options.quote) : null,
      until ? h("p", { class: "note" }, t("editUntil", { when: w.i18n.exact(new Date(until).toISOString()) })) : null,
      ...this.panels,
      h("div", { class: "row" }, h("div", { role: "tablist", class: "tabs" }, ...this.tabs), h("small", { id: id + "h" }, t("markdown")), this.counter),
      this.who,
      h("div", { class: "hp", "aria-hidden": "true" }, h("label", null, "Homepage ", this.honeypot)),
      notify && h("div", { class: "fld" }, h("label", { for: id + "n" }, t("notify")), notify),
      this.error,
      h("div", { class: "btns" }, this.submit, this.cancellable ? h("button", { type: "button", onclick: () => this.cancel() }, t("cancel")) : null),
    );
    const inputs = (name: string) => this.form.querySelector<HTMLInputElement>(`[name=${name}]`)!;
    this.inputs = { body: this.text };
    if (this.who) for (const name of ["name", "email", "website"]) this.inputs["author." + name] = inputs(name);
    if (notify) this.inputs.notify = notify;
    this.changed(false);
    this.form.classList.toggle("min", this.min && !this.text.value);
  }

  /** The one-line composer becomes the whole form (on focus, or when text arrives). */
  private open(): void {
    this.form.classList.remove("min");
  }

  /** The author fields instead of "Posting as": all of them, or the one cell an error names. */
  private reveal(cell?: Element | null): void {
    const who = this.who!;
    who.classList.remove("known");
    for (const el of cell ? [cell] : Array.from(who.children)) (el as HTMLElement).hidden = false;
  }

  focus(): void {
    this.text.focus();
  }

  /** Mail the guest a link that proves their address (they sign in from it). */
  private async verify(): Promise<void> {
    const { w } = this;
    try {
      await w.api.call<"guest_verify">("POST", "guest/verify", { site: w.options.site, thread_url: w.options.url, email: this.inputs["author.email"].value.trim() });
      this.clearErrors();
      this.error.textContent = w.i18n.t("verifySent");
    } catch (error) {
      this.showError(error);
    }
  }

  /** Escape cancels (where offered) or folds an empty main composer back to one line; Ctrl/⌘+Enter sends. */
  private key(e: KeyboardEvent): void {
    if (e.key == "Escape" && this.cancellable) this.cancel();
    if (e.key == "Escape" && this.min && !this.text.value) this.form.classList.add("min");
    if (e.key == "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.form.requestSubmit();
    }
  }

  private cancel(): void {
    this.options.done?.(null);
  }

  private changed(store = true): void {
    const max = this.w.config.max_body_chars;
    const count = charCount(this.text.value);
    this.counter.textContent = this.w.i18n.t("chars", { n: count, max });
    this.counter.classList.toggle("over", count > max);
    if (store && this.draftKey) save(this.draftKey, this.text.value);
    if (store) this.open();
    if (this.v) this.v.disabled = !/^\S+@\S+\.\S+$/.test(this.inputs["author.email"].value);
  }

  private tabKey(event: KeyboardEvent): void {
    const step = { ArrowRight: 1, ArrowLeft: -1, Home: -9, End: 9 }[event.key];
    if (!step) return;
    event.preventDefault();
    const next = step > 0 ? 1 : 0;
    this.showTab(next);
    this.tabs[next].focus();
  }

  private async showTab(index: number): Promise<void> {
    this.tabs.forEach((tab, i) => {
      tab.setAttribute("aria-selected", String(i == index));
      tab.tabIndex = i == index ? 0 : -1;
      this.panels[i].hidden = i != index;
    });
    if (!index) return;
    const panel = this.panels[1];
    const body = this.text.value;
    if (!body.trim()) {
      panel.textContent = this.w.i18n.t("nothingToPreview");
      return;
    }
    panel.setAttribute("aria-busy", "true");
    try {
      const { html } = await this.w.api.call<"preview">("POST", "preview", { site: this.w.options.site, body });
      insertServerHtml(panel, html);
    } catch (error) {
      this.showError(error);
    }
    panel.removeAttribute("aria-busy");
  }

  private async send(event: Event): Promise<void> {
    event.preventDefault();
    if (this.form.hasAttribute("aria-busy")) return;
    const { w, options } = this;
    const t = w.i18n.t.bind(w.i18n);
    this.clearErrors();
    const body = this.text.value;
    const max = w.config.max_body_chars;
    if (!body.trim() || charCount(body) > max) {
      return this.showError(new ApiError(400, "validation_failed", "", { body: body.trim() ? t("tooLong", { max }) : t("required") }));
    }
    this.busy(true);
    try {
      let comment: Comment;
      if (options.edit) {
        const own = w.own[options.edit.id];
        comment = await w.api.call<"edit_comment">("PATCH", "comments/" + options.edit.id, { body }, { "X-Sidenote-Edit-Token": own?.t || "" });
        w.edited(comment, body);
      } else {
        const value = (name: string) => (this.inputs[name]?.value || "").trim() || undefined;
        const author = { name: value("author.name"), email: value("author.email"), website: value("author.website") };
        const posted = await w.api.call<"create_comment">("POST", "comments", {
          site: w.options.site,
          thread: w.options.thread,
          thread_url: w.options.url,
          thread_title: w.options.title.replace(/[\0-\x1f\x7f]+/g, " ").trim().slice(0, 300) || undefined,
          parent_id: options.parent?.id,
          anchor: options.anchor || undefined,
          body,
          author,
          notify: value("notify") as Body<"create_comment">["notify"],
          form_token: (await w.formToken()) || undefined,
          homepage: this.honeypot.value,
        });
        if (this.who) {
          // Known from now on: "Posting as NAME · Change" instead of the fields, here and on return.
          save("author:" + w.options.site, { name: author.name || "", email: author.email || "", website: author.website || "" });
          this.who.classList.add("known");
          this.who.querySelector(".as>span")!.textContent = t("postingAs", { name: author.name || t("anonymous") });
        }
        comment = posted.comment;
        // "Notify me of" needs the link in the confirmation mail clicked; the next comment starts
        // from "Nothing" again, so it does not ask for (and mail) a second confirmation.
        const notify = this.inputs.notify;
        w.posted(posted, body, notify && notify.value != "none" ? " " + t("verifySent") : "");
        if (notify) notify.value = "none";
      }
      if (this.draftKey) save(this.draftKey, null);
      this.text.value = "";
      this.changed(false);
      this.showTab(0);
      if (this.min) this.form.classList.add("min");
      options.done?.(comment);
    } catch (error) {
      this.showError(error);
    } finally {
      this.busy(false);
    }
  }

  private busy(on: boolean): void {
    const t = this.w.i18n.t.bind(this.w.i18n);
    // aria-disabled, not disabled: a disabled button drops the focus, and a failed send keeps it there.
    this.submit.setAttribute("aria-disabled", String(on));
    this.text.readOnly = on;
    this.form.toggleAttribute("aria-busy", on);
    this.submit.textContent = on ? t("sending") : this.options.edit ? t("save") : this.options.parent ? t("postReply") : t("post");
  }

  private clearErrors(): void {
    this.error.textContent = "";
    for (const old of Array.from(this.form.querySelectorAll(".ferr"))) old.remove();
    for (const name in this.inputs) {
      const input = this.inputs[name];
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "").replace(/ ?sn-e\S*/g, ""));
    }
  }

  /**
   * API errors inside the cells of the fields they name (right under the input, linked by
   * aria-describedby; a field folded into "Posting as" opens first); the rest (and network
   * trouble) above the buttons.
   */
  showError(error: unknown): void {
    this.clearErrors();
    const general: string[] = [];
    let first: HTMLElement | null = null;
    if (error instanceof ApiError && error.code == "validation_failed" && Object.keys(error.fields).length) {
      for (const [path, message] of Object.entries(error.fields)) {
        const input = this.inputs[path];
        if (!input) {
          general.push(message);
          continue;
        }
        const id = uid("e");
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${id}`.trim());
        if (this.who?.contains(input)) this.reveal(input.parentElement);
        input.after(h("p", { class: "ferr", id }, message));
        first ||= input;
      }
      if (first) general.unshift(this.w.i18n.t("checkFields"));
    } else {
      general.push(this.w.errorText(error));
    }
    this.error.textContent = general.join(" ");
    if (first) {
      if (first == this.text) this.showTab(0);
      first.focus();
    }
  }
}
