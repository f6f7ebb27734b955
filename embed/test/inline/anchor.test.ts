// Design §8 B: creating anchors from selections, in the server's wire format.
import { describePassage, describeRanges, describeSpan, quoteText, snap, spanOf, type Anchor } from "../../src/inline/anchor";
import { locate } from "../../src/inline/locate";
import { buildTextModel, type TextModel } from "../../src/inline/text";
import { article, byTag, detachedText, parse, rawRange, select, textNodes } from "./fakedom";
import { assert, test } from "../harness";
import { articleHtml, prose } from "./prose";
import { assertWire } from "./wire";

function anchorOf(m: TextModel, ...ranges: ReturnType<typeof select>[]): Anchor {
  const d = describeRanges(m, ranges);
  if ("error" in d) throw new Error(d.error);
  assertWire(d.anchor);
  return d.anchor;
}

const PAGE =
  "<header><nav>Home News</nav></header><article data-sidenote-article>" +
  "<h1>The budget</h1><section id='budget'><p>After two readings the budget was approved by the council in March " +
  "despite objections from the <em>harbour</em> <a href='/x'>committee</a> and <code>three</code> members.</p>" +
  "<ul><li>First item</li><li>Second item</li></ul><table><tr><td>cell one</td><td>cell two</td></tr></table></section>" +
  "<p>Closing words.<img src='x.png'> </p></article><footer>Contact us</footer>";

test("a selection inside one text node gives quote, word-cut context, position and fingerprint", () => {
  const body = parse(PAGE);
  const m = buildTextModel(byTag(body, "article"));
  const a = anchorOf(m, select(body, "was approved by the council in March"));
  assert.equal(a.kind, "quote");
  assert.equal(a.quote.exact, "was approved by the council in March");
  assert.equal(a.quote.prefix, "The budget After two readings the budget ");
  assert.equal(a.quote.suffix, " despite objections from the harbour committee and three");
  assert.equal(a.quote_end, null);
  assert.equal(m.text.slice(a.position.start, a.position.end), a.quote.exact);
  assert.deepEqual(a.doc, { length: m.text.length, fp: m.fp });
  assert.equal(a.scope, "budget");
  assert.equal(a.passage, null);
});

test("selections spanning inline elements and a link read as the visible text", () => {
  const body = parse(PAGE);
  const m = buildTextModel(byTag(body, "article"));
  assert.equal(anchorOf(m, select(body, "the harbour committee and three")).quote.exact, "the harbour committee and three");
});

test("selections across paragraphs, list items, table cells and a heading get a space at each boundary", () => {
  const body = parse(PAGE);
  const m = buildTextModel(byTag(body, "article"));
  assert.equal(anchorOf(m, select(body, "members.First item")).quote.exact, "members. First item");
  assert.equal(anchorOf(m, select(body, "itemSecond")).quote.exact, "item Second");
  assert.equal(anchorOf(m, select(body, "cell onecell two")).quote.exact, "cell one cell two");
  assert.equal(anchorOf(m, select(body, "budgetAfter two")).quote.exact, "budget After two");
});

test("leading and trailing whitespace is trimmed, also for a triple-click that ends in the next block", () => {
  const body = parse(PAGE);
  const root = byTag(body, "article");
  const m = buildTextModel(root);
  const p = byTag(root, "p");
  const tripleClick = { startContainer: p, startOffset: 0, endContainer: byTag(root, "ul"), endOffset: 0 };
  assert.ok(anchorOf(m, tripleClick).quote.exact.endsWith("three members."));
  const spaced = select(body, " two readings ");
  assert.equal(anchorOf(m, spaced).quote.exact, "two readings");
});

test("a selection starting in the page header is clipped to the article", () => {
  const body = parse(PAGE);
  const m = buildTextModel(byTag(body, "article"));
  const a = anchorOf(m, select(body, "News" + "The budgetAfter"));
  assert.equal(a.quote.exact, "The budget After");
  assert.equal(a.position.start, 0);
  assert.equal(a.quote.prefix, "");
});

test("selections outside the article, in the widget, on an image or on whitespace give no anchor", () => {
  const body = parse(PAGE);
  const m = buildTextModel(byTag(body, "article"));
  assert.deepEqual(describeRanges(m, [select(body, "Home News")]), { error: "empty" });
  assert.deepEqual(describeRanges(m, [select(body, "Contact")]), { error: "empty" });
  const w = detachedText("Reply to this comment");
  assert.deepEqual(describeRanges(m, [{ startContainer: w, startOffset: 0, endContainer: w, endOffset: 5 }]), { error: "empty" });
  const last = byTag(body, "p", 1);
  assert.deepEqual(describeRanges(m, [{ startContainer: last, startOffset: 1, endContainer: last, endOffset: 3 }]), { error: "empty" }, "image and space");
  assert.deepEqual(describeRanges(m, []), { error: "empty" });
});

test("a selection inside an ignored subtree gives no anchor; one reaching into it is clipped", () => {
  const body = parse("<article data-sidenote-article><p>Before the embed.</p><div data-sidenote-ignore><p>Tweet text</p></div><p>After it.</p></article>");
  const m = buildTextModel(byTag(body, "article"));
  assert.deepEqual(describeRanges(m, [select(body, "Tweet")]), { error: "empty" });
  assert.equal(anchorOf(m, select(body, "embed.Tweet text")).quote.exact, "embed.");
});

test("several ranges (Firefox table cells) give their union, in any order", () => {
  const body = parse(PAGE);
  const m = buildTextModel(byTag(body, "article"));
  const a = anchorOf(m, select(body, "cell two"), select(body, "cell one"));
  assert.equal(a.quote.exact, "cell one cell two");
});

test("mid-word selections snap to whole words, with Intl.Segmenter and with the fallback", () => {
  const body = parse(PAGE);
  const m = buildTextModel(byTag(body, "article"));
  assert.equal(anchorOf(m, select(body, "proved by the coun")).quote.exact, "approved by the council");
  const text = "naïve café owners";
  assert.deepEqual(snap(text, 2, 8), [0, 10]);
  assert.deepEqual(snap(text, 2, 8, null), [0, 10]);
  assert.deepEqual(snap(text, 6, 10), [6, 10], "whole words stay as they are");
  assert.deepEqual(spanOf(m, [select(body, "proved by the coun")], false)!.map((i) => m.text[i]), ["p", "c"], "without snapping");
});

test("selections never split an emoji or a grapheme cluster", () => {
  const text = "go \u{1F469}\u200d\u{1F4BB}\u{1F44D}\u{1F3FD} now";
  const [s, e] = snap(text, 4, 9);
  assert.equal(text.slice(s, e), "\u{1F469}\u200d\u{1F4BB}\u{1F44D}\u{1F3FD}");
  const [s2, e2] = snap(text, 4, 9, null);
  assert.equal(s2, 3);
  assert.equal(e2, 10);
});

test("right-to-left text keeps its logical order, also across a bidi boundary", () => {
  const root = article("<p>Hello <span dir='rtl'>שלום עולם</span> world</p>");
  const m = buildTextModel(root);
  assert.equal(anchorOf(m, select(root, "עולם world")).quote.exact, "עולם world");
});

test("combining marks stay with their letter", () => {
  const text = "cafe\u0301 cre\u0300me";
  assert.deepEqual(snap(text, 4, 9), [0, 12], "start on the accent of é, end between e and its accent");
  assert.deepEqual(snap(text, 4, 9, null), [0, 12]);
});

test("a phrase repeated three times gets context until unique and re-anchors to the chosen copy", () => {
  const phrase = "Subscribe to our newsletter for updates.";
  const html = (lead: string) =>
    articleHtml([lead, `Intro one. ${phrase} Then a middle part.`, `Intro two. ${phrase} Then a middle part.`, `Intro three. ${phrase} Then a middle part.`]);
  const before = article(html("Lead."));
  const m = buildTextModel(before);
  const a = anchorOf(m, select(before, phrase, 1));
  assert.equal(m.text.indexOf(a.quote.prefix + a.quote.exact + a.quote.suffix), m.text.lastIndexOf(a.quote.prefix + a.quote.exact + a.quote.suffix));
  const after = buildTextModel(article(html("A much longer lead paragraph was added above everything else here.")));
  const r = locate(after, a);
  assert.equal(r.state, "anchored");
  assert.ok(after.text.slice(0, r.start).endsWith("Intro two. "));
});

test("repeated boilerplate extends context past 64 units, up to 256", () => {
  const boiler = "This paragraph is the same boilerplate text that the site repeats in many places, word for word, again.";
  const paragraphs = ["Alpha " + boiler, "Beta " + boiler, "Gamma " + boiler];
  const root = article(articleHtml(paragraphs));
  const m = buildTextModel(root);
  const a = anchorOf(m, select(root, "word for word", 2));
  assert.ok(a.quote.prefix.length > 64 && a.quote.prefix.length <= 256, `prefix ${a.quote.prefix.length}`);
  assert.ok(a.quote.prefix.includes("Gamma"));
});

test("a 3,000-unit selection is stored in long mode; 12,000 units are refused", () => {
  const root = article(articleHtml(prose(4000, 3)));
  const m = buildTextModel(root);
  const long = describeSpan(m, 100, 3100);
  if ("error" in long) throw new Error(long.error);
  assertWire(long.anchor);
  assert.equal(long.anchor.quote_length, long.end - long.start);
  assert.equal(long.anchor.quote.exact, m.text.slice(long.start, long.start + 1000));
  assert.equal(long.anchor.quote_end, m.text.slice(long.end - 500, long.end));
  assert.ok(/ … /.test(quoteText(long.anchor)), quoteText(long.anchor));
  assert.deepEqual(describeSpan(m, 100, 12100), { error: "too-long" });
  assert.deepEqual(describeRanges(m, [rawRange(root, 0, root.textContent!.length)]), { error: "too-long" }, "select all");
});

test("long mode widens rather than cut an emoji at the head or tail boundary", () => {
  const body = "x".repeat(999) + "😀" + "y".repeat(1400) + "😀" + "z".repeat(499);
  const m = buildTextModel(article(`<p>${body}</p>`));
  const d = describeSpan(m, 0, m.text.length);
  if ("error" in d) throw new Error(d.error);
  assertWire(d.anchor);
  assert.equal(d.anchor.quote_length, m.text.length - 2, "the span moved in by one unit at each end");
  const d2 = describeSpan(m, 1, m.text.length - 1);
  if ("error" in d2) throw new Error(d2.error);
  assertWire(d2.anchor);
});

test("context never splits a surrogate pair and stays within the server's limits", () => {
  const emoji = "😀".repeat(200);
  const root = article(articleHtml([emoji + " middle words here " + emoji]));
  const m = buildTextModel(root);
  const a = anchorOf(m, select(root, "middle words"));
  assert.ok(a.quote.prefix.length <= 64 && a.quote.suffix.length <= 64);
});

test("author passages are anchored by key with the text snapshot and the question", () => {
  const root = article(
    "<article data-sidenote-article><p>Intro.</p><p data-sidenote-passage='pricing' data-sidenote-question='Is this price fair?'>It costs ten euros a month.</p></article>",
  );
  const m = buildTextModel(root);
  const d = describePassage(m, m.passages[0]);
  if ("error" in d) throw new Error(d.error);
  assertWire(d.anchor);
  assert.equal(d.anchor.kind, "passage");
  assert.deepEqual(d.anchor.passage, { key: "pricing", question: "Is this price fair?" });
  assert.equal(d.anchor.quote.exact, "It costs ten euros a month.");
});

test("an empty passage gives no anchor", () => {
  const m = buildTextModel(article("<article data-sidenote-article><p data-sidenote-passage='x'> </p><p>t</p></article>"));
  assert.deepEqual(describePassage(m, m.passages[0]), { error: "empty" });
});

test("text of an unmapped node before a mapped one starts at that node", () => {
  const root = article("<article data-sidenote-article><p>one <b>two</b></p></article>");
  const m = buildTextModel(root);
  const [, two] = textNodes(root);
  assert.equal(spanOf(m, [{ startContainer: two, startOffset: 0, endContainer: two, endOffset: 3 }])!.join(), "4,7");
});
