// The widget builds all of its DOM here: createElement, setAttribute and text nodes, never markup.

type Value = string | number | boolean | null | undefined;
export type Attrs = { [name: string]: Value | ((event: Event) => void) };
export type Child = Node | string | null | undefined | false;

/**
 * `h("button", {class: "x", onclick: fn}, "text")`. Strings become text nodes; `on*` become
 * listeners; `false`/`null` skip an attribute, `true` sets it empty.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const name in attrs) {
    const value = attrs[name];
    if (typeof value == "function") el.addEventListener(name.slice(2), value);
    else if (value != null && value !== false) el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element | DocumentFragment, children: Child[]): void {
  for (const child of children) if (child != null && child !== false) el.append(child);
}

let counter = 0;
/** A unique id for aria-* references inside one shadow root. */
export const uid = (prefix: string): string => `sn-${prefix}${++counter}`;
