// Defence in depth for the server's comment HTML. The server renders and sanitises once, at write
// time; the widget re-checks against the same allowlist (generated at build time from
// service.rendering.allowlist_for_widget()) before anything reaches the page.
//
// `insertServerHtml` is the ONLY place where the widget turns a string into markup. It parses into
// an inert <template> (nothing there runs or loads) and rebuilds a fresh tree from allowed
// elements, allowed attributes and text, so nothing is ever re-serialised and parsed again (mXSS).

const ALLOW = __SIDENOTE_ALLOWLIST__;
const TAGS = new Set(ALLOW.tags);
const CODE_CLASS = new RegExp(ALLOW.codeClass);
const OL_START = new RegExp(ALLOW.olStart);

/** Absolute http(s)/mailto links only, judged the way the browser will read the scheme. */
export function hrefAllowed(value: string): boolean {
  const url = value.trim().replace(/^[\0- ]+/, "").replace(/[\t\n\r]/g, "");
  const scheme = /^([a-z][a-z\d+.-]*):/i.exec(url);
  return !!scheme && ALLOW.schemes.includes(scheme[1].toLowerCase());
}

/** The same policy as service.rendering.attribute_allowed. */
export function attributeAllowed(tag: string, name: string, value: string): boolean {
  if (!(ALLOW.attributes[tag] || []).includes(name)) return false;
  if (tag == "a" && name == "href") return hrefAllowed(value);
  if (tag == "a" && name == "rel") return value == ALLOW.rel;
  if (tag == "code") return CODE_CLASS.test(value);
  if (tag == "ol") return OL_START.test(value);
  return true;
}

/**
 * Replace `target`'s children with the allowed part of `html`; return how many elements,
 * attributes or other nodes were dropped (0 for anything the server produced).
 */
export function insertServerHtml(target: Element, html: string): number {
  const template = document.createElement("template");
  template.innerHTML = html;
  const dropped = { count: 0 };
  const fragment = document.createDocumentFragment();
  rebuild(template.content, fragment, dropped);
  target.replaceChildren(fragment);
  return dropped.count;
}

function rebuild(from: Node, to: Node, dropped: { count: number }): void {
  for (const node of Array.from(from.childNodes)) {
    const element = node.nodeType == 1 ? (node as Element) : null;
    if (node.nodeType == 3) {
      to.appendChild(document.createTextNode((node as Text).data));
    } else if (element && TAGS.has(element.localName)) {
      const tag = element.localName;
      const copy = document.createElement(tag);
      for (const attribute of Array.from(element.attributes)) {
        if (attributeAllowed(tag, attribute.name, attribute.value)) copy.setAttribute(attribute.name, attribute.value);
        else dropped.count++;
      }
      rebuild(element, copy, dropped);
      to.appendChild(copy);
    } else {
      // A disallowed element keeps its text, like the server's sanitiser (strip=True); comments,
      // processing instructions and the like go entirely.
      dropped.count++;
      if (element) rebuild(element, to, dropped);
    }
  }
}
