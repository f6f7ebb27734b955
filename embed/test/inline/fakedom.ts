// A tiny DOM for node tests: the few Node/Element/Text members the inline engine reads, and a
// small HTML parser (tags, attributes, entities) so fixtures read like the pages they stand for.

class FakeNode {
  parentNode: FakeNode | null = null;
  childNodes: FakeNode[] = [];
  nextSibling: FakeNode | null = null;
  constructor(readonly nodeType: number) {}
  get firstChild(): FakeNode | null {
    return this.childNodes[0] || null;
  }
  append(...nodes: FakeNode[]): this {
    for (const node of nodes) {
      const last = this.childNodes[this.childNodes.length - 1];
      if (last) last.nextSibling = node;
      node.parentNode = this;
      this.childNodes.push(node);
    }
    return this;
  }
  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join("");
  }
}

class FakeText extends FakeNode {
  constructor(public data: string) {
    super(3);
  }
  override get textContent(): string {
    return this.data;
  }
}

class FakeElement extends FakeNode {
  attrs = new Map<string, string>();
  constructor(readonly localName: string) {
    super(1);
  }
  get id(): string {
    return this.attrs.get("id") || "";
  }
  hasAttribute(name: string): boolean {
    return this.attrs.has(name);
  }
  getAttribute(name: string): string | null {
    return this.attrs.get(name) ?? null;
  }
}

const ENTITIES: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", shy: "\u00ad",
  mdash: "\u2014", ndash: "\u2013", lsquo: "\u2018", rsquo: "\u2019", ldquo: "\u201c", rdquo: "\u201d", hellip: "\u2026",
};
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) =>
    e[0] == "#" ? String.fromCodePoint(e[1] == "x" || e[1] == "X" ? parseInt(e.slice(2), 16) : +e.slice(1)) : (ENTITIES[e] ?? all),
  );
const VOID = new Set(["br", "hr", "img", "wbr", "input", "meta", "link"]);

/** Parses an HTML fragment into a fake <body> element (enough HTML for fixtures, not a real parser). */
export function parse(html: string): Element {
  const body = new FakeElement("body");
  const stack: FakeNode[] = [body];
  for (const [token, close, tag, attrs] of html.matchAll(/<!--[\s\S]*?-->|<(\/?)([a-zA-Z][\w-]*)([^>]*)>|[^<]+/g)) {
    const top = stack[stack.length - 1];
    if (token.startsWith("<!--")) continue;
    if (!tag) top.append(new FakeText(decode(token)));
    else if (close) {
      while (stack.length > 1 && (stack.pop() as FakeElement).localName != tag.toLowerCase());
    } else {
      const el = new FakeElement(tag.toLowerCase());
      for (const [, name, a, b, c] of attrs.matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>/]+)))?/g))
        el.attrs.set(name.toLowerCase(), decode(a ?? b ?? c ?? ""));
      top.append(el);
      if (!VOID.has(el.localName) && !attrs.endsWith("/")) stack.push(el);
    }
  }
  return body as unknown as Element;
}

/** Depth-first search for the first element matching `pred`. */
export function find(root: Node, pred: (el: Element) => boolean): Element {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.shift()!;
    if (node.nodeType == 1 && node != root && pred(node as Element)) return node as Element;
    stack.unshift(...Array.from(node.childNodes));
  }
  throw new Error("no such element");
}

export const byTag = (root: Node, tag: string, nth = 0): Element => {
  let i = 0;
  return find(root, (el) => el.localName == tag && i++ == nth);
};

/** The article root of a parsed page: the element with data-sidenote-article, else the body. */
export function article(html: string): Element {
  const body = parse(html);
  try {
    return find(body, (el) => el.hasAttribute("data-sidenote-article"));
  } catch {
    return body;
  }
}

/** Text nodes under `root` in document order. */
export function textNodes(root: Node): Text[] {
  const out: Text[] = [];
  const walk = (n: Node) => {
    if (n.nodeType == 3) out.push(n as Text);
    n.childNodes.forEach(walk);
  };
  walk(root);
  return out;
}

export interface Range {
  startContainer: Node;
  startOffset: number;
  endContainer: Node;
  endOffset: number;
}

/** The DOM point at offset `i` of root.textContent (the way a browser selection sees raw text). */
export function pointAt(root: Node, i: number, preferNext = false): [Node, number] {
  const nodes = textNodes(root);
  for (const t of nodes) {
    if (i < t.data.length || (i == t.data.length && !preferNext)) return [t, i];
    i -= t.data.length;
  }
  const last = nodes[nodes.length - 1];
  return [last, last.data.length];
}

/** A range over root.textContent[from, to). */
export function rawRange(root: Node, from: number, to: number): Range {
  const [startContainer, startOffset] = pointAt(root, from, true);
  const [endContainer, endOffset] = pointAt(root, to);
  return { startContainer, startOffset, endContainer, endOffset };
}

/** A range over the nth occurrence of `needle` in root.textContent (as a reader would select it). */
export function select(root: Node, needle: string, nth = 0): Range {
  const text = root.textContent!;
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" #${nth} not in the page`);
  }
  return rawRange(root, at, at + needle.length);
}

/** A detached text node, like content in another tree (the widget's shadow root). */
export const detachedText = (data: string): Node => new FakeText(data) as unknown as Node;
