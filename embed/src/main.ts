// embed.js: finds its own script tag, mounts the discussion into #sidenote-thread, and offers
// `Sidenote.mount/unmount/refresh` for single-page sites.

import { Api, ApiError } from "./api";
import type { InlineSetup, WriteParts } from "./core";
import { append, h, uid } from "./dom";
import { insertServerHtml } from "./html";
import { OPTION_NAMES, readAttributes, type RawOptions } from "./options";
import { registerInline, registerWrite, Widget } from "./widget";

performance.mark?.("sidenote:start");

const script =
  (document.currentScript as HTMLScriptElement | null) ||
  document.querySelector<HTMLScriptElement>("script[data-sidenote-site]") ||
  document.querySelector<HTMLScriptElement>('script[src*="embed.js"]');
/** Where embed.js came from: the API, the locales, write.js and inline.js live next to it. */
const base = script ? script.src.replace(/[^/]*$/, "") : location.origin + "/";
const scriptOptions = readAttributes(script);
const widgets = new Map<Element, Widget>();

/** Options from JS: the camelCase names without the prefix (`site`, `thread`, …). */
function pick(options: Record<string, unknown> = {}): RawOptions {
  const picked: RawOptions = {};
  for (const name of OPTION_NAMES) if (typeof options[name] == "string") picked[name] = options[name] as string;
  return picked;
}

function mount(el: HTMLElement, options?: Record<string, unknown>): Promise<void> {
  unmount(el);
  const widget = new Widget(el, base, [scriptOptions, pick(options)]);
  widgets.set(el, widget);
  return widget.start().then(() => {
    performance.mark?.("sidenote:rendered");
  });
}

function unmount(el: Element): void {
  widgets.get(el)?.stop();
  widgets.delete(el);
}

function refresh(el: Element): Promise<void> {
  const widget = widgets.get(el);
  return widget ? widget.refresh() : Promise.resolve();
}

/** Every mounted discussion at once (a page usually has one). */
const each = (run: (widget: Widget) => Promise<void>): Promise<void> => Promise.all(Array.from(widgets.values(), run)).then(() => {});

const api = {
  mount,
  unmount,
  refresh,
  /** Sign the site's reader in with the token the site signed (docs/sso.md); rejects if refused. */
  login: (token: string) => each((widget) => widget.login(token)),
  /** Sign the reader out of Sidenote (call it when they sign out of the site). */
  logout: () => each((widget) => widget.logout()),
  /** internal: inline.js registers itself here */
  _inline: registerInline as (setup: InlineSetup) => void,
  /** internal: the HTML re-check, for tests and inline.js */
  _insertHtml: insertServerHtml,
  /** internal: write.js registers itself here */
  _write: registerWrite as (parts: WriteParts) => void,
  /** internal: the modules write.js shares with embed.js (scripts/build.mjs) */
  _core: { api: { Api, ApiError }, html: { insertServerHtml }, dom: { h, append, uid } },
};

declare global {
  interface Window {
    Sidenote?: typeof api;
  }
}

function autoMount(): void {
  const el = document.getElementById("sidenote-thread");
  if (el && !widgets.has(el)) mount(el);
}

// A page that includes embed.js twice keeps the first copy (one widget per container).
if (!window.Sidenote) {
  window.Sidenote = api;
  if (document.readyState == "loading") document.addEventListener("DOMContentLoaded", autoMount);
  else autoMount();
}
