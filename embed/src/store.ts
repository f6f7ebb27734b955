// What the widget remembers in the reader's browser (localStorage, prefix "sidenote:"). Nothing
// here leaves the browser except the voter id (as X-Sidenote-Voter) and edit tokens (as
// X-Sidenote-Edit-Token, to the server that issued them).

import type { Comment, SessionAnswer } from "./types";

const PREFIX = "sidenote:";
/**
 * How long after its edit window the reader's own comment is still shown to them from here while
 * the server does not list it (pending, or shadow-banned: answered `approved`, never listed).
 */
const KEEP_DAYS = 14;

export function load<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

export function save(key: string, value: unknown): void {
  try {
    if (value == null || value === "") localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the widget still works, it just forgets.
  }
}

/** The reader's random voter id, created once. */
export function voterId(): string {
  let id = load<string>("voter", "");
  if (!/^[\w-]{8,128}$/.test(id)) {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
    save("voter", id);
  }
  return id;
}

/** A comment the reader wrote: its edit token and expiry, its source, and its JSON until listed. */
export interface Own {
  /** edit token */
  t: string;
  /** edit window end, ms since epoch */
  x: number;
  /** Markdown source, to edit it again */
  b: string;
  /** thread key */
  k: string;
  /** the comment as the server answered its author, until public reads list it (shown only here) */
  p?: Comment;
}

export type OwnMap = Record<string, Own>;

export function loadOwn(site: string, now = Date.now()): OwnMap {
  const own = load<OwnMap>("own:" + site, {});
  for (const id in own) {
    const entry = own[id];
    const keep = entry.x > now || (entry.p && entry.x + KEEP_DAYS * 864e5 > now);
    if (!keep) delete own[id];
  }
  return own;
}

export function saveOwn(site: string, own: OwnMap): void {
  save("own:" + site, Object.keys(own).length ? own : null);
}

/**
 * A signed-in reader (SSO user or verified guest): the server's answer (its token goes out as
 * Authorization: Bearer on writes) plus, for SSO, the site's token it was exchanged for, so the
 * same token on the next page is not exchanged again.
 */
export type Session = SessionAnswer & { j?: string };

export interface AuthorFields {
  name: string;
  email: string;
  website: string;
}
