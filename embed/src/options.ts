// Embedding options: attributes on the script tag, overridden by the container's attributes,
// overridden by `Sidenote.mount(el, options)`. Names are `data-sidenote-<name>` / camelCase `<name>`.

import { pickLanguage } from "./i18n";
import { load } from "./store";
import type { Sort } from "./types";

/** The widget's colours: the page's own light/dark (auto), or forced. Not a wire type. */
export type Theme = "light" | "dark" | "auto";

export const OPTION_NAMES = ["site", "thread", "title", "lang", "theme", "sort", "sso"] as const;
export type OptionName = (typeof OPTION_NAMES)[number];
export type RawOptions = Partial<Record<OptionName, string>>;

export interface Options {
  site: string;
  thread: string;
  /** the page's URL as the server should store it (thread_url) */
  url: string;
  title: string;
  lang: string;
  theme: Theme;
  sort: Sort;
  /** the site's SSO token for its signed-in reader; "" when nobody is; undefined: not given */
  sso?: string;
}

export function readAttributes(el: Element | null): RawOptions {
  const options: RawOptions = {};
  for (const name of OPTION_NAMES) {
    const value = el?.getAttribute("data-sidenote-" + name);
    // data-sidenote-sso="" says "nobody is signed in on the site" (ends an SSO session)
    if (value || (value == "" && name == "sso")) options[name] = value;
  }
  return options;
}

/**
 * The page's URL and default thread key: the canonical URL when it is on this origin (so /a?x=1
 * and /a share a thread), else this page; the key is the path, without query or fragment.
 */
export function pageIdentity(canonical: string | null, here: string): { key: string; url: string } {
  const page = new URL(here);
  let chosen = page;
  if (canonical) {
    try {
      const url = new URL(canonical, here);
      if (url.origin == page.origin) chosen = url;
    } catch {
      // a broken canonical link: use this page
    }
  }
  chosen.hash = "";
  return { key: chosen.pathname, url: chosen.href };
}

export function resolveOptions(layers: RawOptions[], host: Element): Options {
  const raw: RawOptions = Object.assign({}, ...layers);
  const canonical = document.querySelector<HTMLLinkElement>('link[rel="canonical"]')?.getAttribute("href");
  const page = pageIdentity(canonical || null, location.href);
  return {
    site: raw.site || "",
    thread: raw.thread || page.key,
    url: page.url,
    title: raw.title || document.title,
    lang: pickLanguage([raw.lang, host.closest("[lang]")?.getAttribute("lang"), ...navigator.languages]),
    theme: oneOf(raw.theme, ["light", "dark", "auto"], "auto"),
    // the reader's last choice on this site (the widget's sort menu) before the page's default
    sort: oneOf(load<string>("sort:" + raw.site, "") || raw.sort, ["oldest", "newest", "top"], "oldest"),
    sso: raw.sso,
  };
}

export function oneOf<T extends string>(value: string | undefined, allowed: T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
