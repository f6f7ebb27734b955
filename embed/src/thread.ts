// Comments on screen: a Tree nests a flat, pre-order list of comments up to the site's depth (then
// "continue this thread"), and each comment is a card with its own actions.

import type { WriteParts } from "./core";
import { h, uid } from "./dom";
import { insertServerHtml } from "./html";
import { save } from "./store";
import type { Body, Comment } from "./types";
import { avatarHue, initial, websiteHref } from "./util";
import type { Widget } from "./widget";

/** The ✓ of a reader the site vouches for (its SSO users). */
export const verifiedMark = (w: Widget): HTMLElement => h("span", { class: "tag ok", title: w.i18n.t("verified") }, "✓", h("span", { class: "sr" }, w.i18n.t("verified")));

export class Tree {
  /** comment id -> its <li> in this tree */
  readonly items = new Map<number, HTMLLIElement>();
  private readonly hidden = new Map<number, { button: HTMLButtonElement; count: number }>();

  /** `base`: the depth shown unindented (0 for the discussion, the focused comment's otherwise). */
  constructor(
    readonly w: Widget,
    readonly list: HTMLOListElement,
    readonly base = 0,
  ) {}

  /** Top-level comments, each with its replies (flat, pre-order) and "show more replies". */
  addPage(roots: Comment[]): void {
    for (const root of roots) {
      if (!this.add(root)) continue;
      this.addAll(root.replies || []);
      this.moreReplies(root, root.more_replies_cursor);
    }
  }

  addAll(comments: Comment[]): void {
    for (const comment of comments) this.add(comment);
  }

  /** Show a comment in its place; null if it was there already or lies beyond the shown depth. */
  add(comment: Comment, first = false): HTMLLIElement | null {
    const { w } = this;
    w.remember(comment);
    if (this.items.has(comment.id)) return null;
    const depth = comment.depth - this.base;
    let into: HTMLElement = this.list;
    if (depth > 0) {
      const parent = this.items.get(comment.parent_id!);
      if (!parent || depth > w.config.max_depth) {
        this.hide(comment);
        return null;
      }
      let replies = parent.querySelector<HTMLOListElement>(":scope>ol");
      if (!replies) parent.children[0].after((replies = h("ol", { class: "replies" })));
      into = replies;
    }
    const li = h("li", { class: "c", "data-id": comment.id }, this.card(comment));
    this.items.set(comment.id, li);
    if (first) into.prepend(li);
    else into.append(li);
    return li;
  }

  /** A reply beyond the shown depth: count it on the nearest shown ancestor's "continue" button. */
  private hide(comment: Comment): void {
    let ancestor = this.w.comments.get(comment.parent_id!);
    while (ancestor && !this.items.has(ancestor.id)) ancestor = this.w.comments.get(ancestor.parent_id!);
    if (!ancestor) return;
    let entry = this.hidden.get(ancestor.id);
    if (!entry) {
      const target = ancestor;
      const button = h("button", { type: "button", class: "link cont", onclick: () => this.w.openThread(target, button) });
      entry = { button, count: 0 };
      this.hidden.set(ancestor.id, entry);
      this.items.get(ancestor.id)!.append(button);
    }
    entry.button.textContent = this.w.i18n.t("continueThread", { n: ++entry.count });
  }

  moreReplies(root: Comment, cursor: string | null | undefined): void {
    const li = this.items.get(root.id);
    if (!cursor || !li) return;
    const button: HTMLButtonElement = h("button", {
      type: "button",
      class: "link",
      onclick: async () => {
        button.disabled = true;
        try {
          const more = await this.w.api.get<"list_replies">(`comments/${root.id}/replies`, { cursor });
          button.remove();
          this.addAll(more.replies);
          this.moreReplies(root, more.more_replies_cursor);
        } catch (error) {
          button.disabled = false;
          this.w.announce(this.w.errorText(error));
        }
      },
    }, this.w.i18n.t("moreReplies"));
    li.append(button);
  }

  /** Replace a shown comment's card (after an edit, a vote, a deletion). */
  update(comment: Comment): void {
    this.w.remember(comment);
    const li = this.items.get(comment.id);
    li?.replaceChild(this.card(comment), li.children[0]);
  }

  card(c: Comment): HTMLElement {
    const { w } = this;
    const t = w.i18n.t.bind(w.i18n);
    const nameId = uid("n");
    if (c.deleted) {
      return h("article", { class: "card gone", id: "comment-" + c.id, tabindex: -1, "aria-labelledby": nameId }, h("p", { id: nameId }, t("deleted")));
    }
    const author = c.author!;
    const name = author.name || t("anonymous");
    const href = websiteHref(author.website);
    const avatar = h("span", { class: "av", "aria-hidden": "true" }, initial(author.name));
    avatar.style.setProperty("--h", String(avatarHue(author.avatar)));
    const own = w.own[c.id];
    const editable = own && own.x > Date.now();
    // a signed-in reader may delete their own comments (from any device, at any time)
    const mine = editable || author.avatar == w.session?.user.avatar;
    const slot = h("div", { class: "slot" });
    const body = h("div", { class: "body" });
    insertServerHtml(body, c.html || "");
    const pending = c.status == "pending";
    const open = (make: () => HTMLElement | null, button: HTMLElement) => {
      const content = make();
      slot.replaceChildren(...(content ? [content] : []));
      if (!content) button.focus();
    };
    // the forms live in write.js: a click loads it (at once when it is here already), then acts
    const action = (label: string, run: (button: HTMLButtonElement, write: WriteParts) => void, name?: string) => {
      const button: HTMLButtonElement = h("button", { type: "button", class: "link", "aria-label": name, onclick: () => w.writing().then((write) => run(button, write), (error) => w.announce(w.errorText(error))) }, label);
      return button;
    };
    const composer = (button: HTMLButtonElement, edit: boolean, { Composer }: WriteParts) => {
      const form = new Composer(w, {
        parent: edit ? null : c,
        edit: edit ? c : null,
        done: (result) => {
          slot.replaceChildren();
          card.classList.remove("ed");
          if (!result) return button.focus();
          if (edit) return this.update(result), w.focusComment(result.id);
          const li = this.add(result);
          if (li) w.focusComment(result.id);
          else w.openThread(c, button);
        },
      });
      open(() => form.form, button);
      // the editor takes the comment's place (write.css hides the body and the actions of .ed)
      card.classList.toggle("ed", edit);
      form.focus();
    };

    const card = h(
      "article",
      { class: "card" + (pending ? " pend" : "") + (c.pinned ? " pin" : ""), id: "comment-" + c.id, tabindex: -1, "aria-labelledby": nameId },
      h(
        "div",
        { class: "meta" },
        avatar,
        href ? h("a", { class: "name", id: nameId, href, rel: "nofollow ugc noopener noreferrer" }, name) : h("span", { class: "name", id: nameId }, name),
        author.verified ? verifiedMark(w) : null,
        h("a", { class: "when", href: w.permalink(c.id) }, h("time", { datetime: c.created_at, title: w.i18n.exact(c.created_at) }, w.i18n.relative(c.created_at))),
        c.pinned ? h("span", { class: "tag" }, t("pinned")) : null,
        c.edited_at ? h("span", { class: "tag", title: w.i18n.exact(c.edited_at) }, t(c.edited_by_moderator ? "editedByModerator" : "edited")) : null,
      ),
      pending ? h("p", { class: "note" }, t("awaiting")) : null,
      body,
      h(
        "div",
        { class: "acts" },
        pending ? null : this.votes(c),
        !pending && !w.thread.locked ? action(t("reply"), (b, m) => composer(b, false, m), t("replyTo", { name })) : null,
        editable ? action(t("edit"), (b, m) => composer(b, true, m)) : null,
        mine ? action(t("delete"), (b, m) => open(() => m.cardForms.confirmDelete.call(this, c, b, slot), b)) : null,
        pending ? null : action(t("report"), (b, m) => open(() => m.cardForms.reportForm.call(this, c, b, slot), b), t("reportOf", { name })),
      ),
      slot,
    );
    if (c.anchor) w.emit("card", { comment: c, card });
    return card;
  }

  private votes(c: Comment): HTMLElement {
    const { w } = this;
    const mine = w.votes[c.id] || 0;
    const button = (value: 1 | -1, count: number, label: string, arrow: string) =>
      h(
        "button",
        {
          type: "button",
          class: "vote",
          "aria-pressed": String(mine == value),
          onclick: async () => {
            const next = mine == value ? 0 : value;
            try {
              const scores = await w.api.call<"vote">("POST", `comments/${c.id}/vote`, { value: next });
              if (next) w.votes[c.id] = next;
              else delete w.votes[c.id];
              save("votes:" + w.options.site, w.votes);
              this.update({ ...c, ...scores });
              (this.items.get(c.id)?.querySelector(`.vote:nth-child(${value > 0 ? 1 : 2})`) as HTMLElement | null)?.focus();
            } catch (error) {
              w.announce(w.errorText(error));
            }
          },
        },
        h("span", { "aria-hidden": "true" }, arrow),
        h("span", { class: "sr" }, label),
        count ? " " + w.i18n.number(count) : "",
      );
    return h("span", { class: "votes" }, button(1, c.upvotes, w.i18n.t("upvote"), "▲"), button(-1, c.downvotes, w.i18n.t("downvote"), "▼"));
  }
}

/** The forms behind a card's Delete and Report (in write.js, not embed.js); `this` is the card's Tree. */
export const cardForms = {
  confirmDelete(this: Tree, c: Comment, opener: HTMLButtonElement, slot: HTMLElement): HTMLElement {
    const { w } = this;
    const t = w.i18n.t.bind(w.i18n);
    const close = () => (slot.replaceChildren(), opener.focus());
    const yes = h("button", {
      type: "button",
      class: "dgr",
      onclick: async () => {
        try {
          await w.api.call<"delete_comment">("DELETE", "comments/" + c.id, undefined, { "X-Sidenote-Edit-Token": w.own[c.id]?.t || "" });
          w.deleted(c);
          const li = this.items.get(c.id);
          if (li?.querySelector("li")) this.update({ ...c, deleted: true, author: null, html: null });
          else if (li) {
            const near = li.previousElementSibling || li.nextElementSibling || li.parentElement!.closest("li");
            li.remove();
            this.items.delete(c.id);
            (near?.firstElementChild as HTMLElement | null)?.focus();
          }
          w.announce(t("commentDeleted"));
        } catch (error) {
          slot.replaceChildren(h("p", { class: "err", role: "alert" }, w.errorText(error)));
          opener.focus();
        }
      },
    }, t("delete"));
    // The destructive button never has the focus by default: Cancel has it, and Escape closes.
    // (Not class "ask": inline.css marks passage-question bubbles of that class with a "?".)
    const no = h("button", { type: "button", onclick: close }, t("cancel"));
    queueMicrotask(() => no.focus());
    return h("div", { class: "cfm", role: "group", "aria-label": t("confirmDelete"), onkeydown: (e) => (e as KeyboardEvent).key == "Escape" && close() }, h("p", null, t("confirmDelete")), h("div", { class: "btns" }, yes, no));
  },

  reportForm(this: Tree, c: Comment, opener: HTMLButtonElement, slot: HTMLElement): HTMLElement {
    const { w } = this;
    const t = w.i18n.t.bind(w.i18n);
    const group = uid("r");
    const note = h("textarea", { rows: 2, maxlength: 500, "aria-label": t("reportNote"), placeholder: t("reportNote") });
    // No reason is preselected: the reader picks one, or is told to.
    const reasons = (["spam", "abuse", "off_topic", "other"] as const).map((reason) =>
      h("label", { class: "opt" }, h("input", { type: "radio", name: group, value: reason }), " " + t(reason)),
    );
    const fieldset = h("fieldset", null, h("legend", null, t("reportReason")), ...reasons);
    const form: HTMLFormElement = h(
      "form",
      {
        class: "rep",
        onsubmit: async (event) => {
          event.preventDefault();
          const err = form.querySelector(".err")!;
          const chosen = form.querySelector<HTMLInputElement>("input:checked");
          fieldset.setAttribute("aria-invalid", String(!chosen));
          if (!chosen) {
            err.textContent = t("checkFields");
            return form.querySelector("input")!.focus();
          }
          const reason = chosen.value as Body<"report">["reason"];
          try {
            await w.api.call<"report">("POST", `comments/${c.id}/report`, { reason, note: note.value.trim() });
            slot.replaceChildren(h("p", { class: "note", role: "status" }, t("reported")));
            opener.focus();
          } catch (error) {
            err.textContent = w.errorText(error);
          }
        },
        onkeydown: (e) => (e as KeyboardEvent).key == "Escape" && (slot.replaceChildren(), opener.focus()),
      },
      fieldset,
      note,
      h("p", { class: "err", role: "alert" }),
      h("div", { class: "btns" }, h("button", { type: "submit", class: "pri" }, t("sendReport")), h("button", { type: "button", onclick: () => (slot.replaceChildren(), opener.focus()) }, t("cancel"))),
    );
    queueMicrotask(() => form.querySelector("input")?.focus());
    return form;
  },
};
