// Design §8 A: normalization v1 and the offset maps of the text model.
import { VIRTUAL, buildTextModel, fingerprint, fold, indexOfPoint, normalize, pageText, rangeOf } from "../../src/inline/text";
import { article, byTag, detachedText, parse, textNodes } from "./fakedom";
import { assert, test } from "../harness";

const textOf = (html: string) => buildTextModel(article(html)).text;

test("whitespace runs, tabs, newlines and NBSP collapse to one space and the ends are trimmed", () => {
  assert.equal(textOf("<p>\n  one\t\ttwo&nbsp;&nbsp; three \n</p>"), "one two three");
  assert.equal(textOf("<p>a\u2003b\u3000c\u202fd</p>"), "a b c d");
});

test("entities are read through the DOM: AT&amp;T is AT&T", () => {
  assert.equal(textOf("<p>AT&amp;T &lt;b&gt; caf&#233;</p>"), "AT&T <b> café");
});

test("curly quotes and dashes fold 1:1 to straight ones", () => {
  const curly = textOf("<p>&ldquo;It&rsquo;s&rdquo; &mdash; 1&ndash;2 &#8216;x&#8217; &#8222;y&#8221; 3&#8722;1</p>");
  assert.equal(curly, "\"It's\" - 1-2 'x' \"y\" 3-1");
  assert.equal(curly.length, '"It\'s" - 1-2 \'x\' "y" 3-1'.length);
  assert.equal(fold(0x2014), 45);
  assert.equal(fold(0x2026), 0x2026, "the ellipsis changes length, so it is not folded");
});

test("pageText shows a span with the page's own quotes and dashes, whitespace and blocks as one space", () => {
  const m = buildTextModel(article("<p>&ldquo;It&rsquo;s\n  late&rdquo; &mdash; she said.</p><p>Don't-go.</p>"));
  assert.equal(m.text, "\"It's late\" - she said. Don't-go.");
  assert.equal(pageText(m, 0, m.text.length), "\u201cIt\u2019s late\u201d \u2014 she said. Don't-go.");
  assert.equal(pageText(m, 3, 8), "\u2019s la");
});

test("soft hyphens, zero-width spaces, word joiners, BOM and control characters are removed", () => {
  assert.equal(textOf("<p>hy&shy;phen\u200bation\u2060ok\ufeff\u0007 x\u0085y</p>"), "hyphenationok x y");
});

test("a space separates blocks and <br>, with or without whitespace in the source", () => {
  assert.equal(textOf("<p>foo<br>bar</p>"), "foo bar");
  assert.equal(textOf("<p>end.</p><p>Start</p>"), "end. Start");
  assert.equal(textOf("<h2>Title</h2><ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table>"), "Title one two a b");
  assert.equal(textOf("<p>a</p>\n\n<p>\n b</p>"), "a b");
});

test("inline elements inside a word add no space", () => {
  assert.equal(textOf("<p><b>Hel</b>lo <em>wor</em><a href='#'>ld</a><code>!</code></p>"), "Hello world!");
});

test("scripts, styles, templates, form controls, hidden and ignored subtrees are excluded", () => {
  const html =
    "<p>keep<script>var x = 1</script><style>p{}</style><noscript>no</noscript><template>t</template>" +
    "<button>Like</button><svg><text>icon</text></svg><span hidden>secret</span>" +
    "<aside data-sidenote-ignore>tweet</aside> this</p>";
  assert.equal(textOf(html), "keep this");
});

test("astral characters keep UTF-16 offsets in both directions", () => {
  const root = article("<p>a 😀 <b>b</b>\u{1F469}\u200d\u{1F4BB} c</p>");
  const m = buildTextModel(root);
  assert.equal(m.text, "a 😀 b\u{1F469}\u200d\u{1F4BB} c");
  const [t] = textNodes(root);
  assert.equal(indexOfPoint(m, t, 4), 4, "after the emoji (2 units) and a space");
  const r = rangeOf(m, 2, 4)!;
  assert.equal(r.startContainer, t);
  assert.deepEqual([r.startOffset, r.endOffset], [2, 4]);
});

test("every normalized character maps to its DOM position and back", () => {
  const root = article(
    "<article data-sidenote-article><h1> Big &amp; <i>bold</i></h1>\n<p>One  two&nbsp;&shy;three<br>four <b>fi</b>ve</p>" +
      "<script>x</script><ul><li> six </li><li>seven &mdash; eight</li></ul></article>",
  );
  const m = buildTextModel(root);
  assert.equal(m.text, "Big & bold One two three four five six seven - eight");
  for (let i = 0; i < m.text.length; i++) {
    if (m.offs[i] == VIRTUAL) {
      assert.equal(m.text[i], " ");
      continue;
    }
    const r = rangeOf(m, i, i + 1)!;
    const raw = (r.startContainer as Text).data.charCodeAt(r.startOffset);
    assert.equal(String.fromCharCode(fold(raw)), m.text[i], `index ${i}`);
    assert.equal(indexOfPoint(m, r.startContainer, r.startOffset), i);
    assert.equal(indexOfPoint(m, r.endContainer, r.endOffset), i + 1);
  }
});

test("element boundary points map to the text around the child they point at", () => {
  const root = article("<article data-sidenote-article><p>alpha <em>beta</em> gamma</p><p>delta</p></article>");
  const m = buildTextModel(root);
  const p = byTag(root, "p");
  const p2 = byTag(root, "p", 1);
  assert.equal(indexOfPoint(m, p, 0), 0);
  assert.equal(indexOfPoint(m, p, 1), "alpha ".length, "before <em>");
  assert.equal(indexOfPoint(m, p, 3), m.text.indexOf("delta"), "after the last child: the next text");
  assert.equal(indexOfPoint(m, p2, 0), m.text.indexOf("delta"));
  assert.equal(indexOfPoint(m, root, 2), m.text.length, "after the last block");
});

test("points before the article clip to 0, after it or in another tree to the end", () => {
  const body = parse("<header>Site</header><article data-sidenote-article><p>body text</p></article><footer>foot</footer>");
  const root = byTag(body, "article");
  const m = buildTextModel(root);
  assert.equal(indexOfPoint(m, textNodes(byTag(body, "header"))[0], 2), 0);
  assert.equal(indexOfPoint(m, textNodes(byTag(body, "footer"))[0], 1), m.text.length);
  assert.equal(indexOfPoint(m, body, 0), 0);
  assert.equal(indexOfPoint(m, body, 3), m.text.length);
  assert.equal(indexOfPoint(m, detachedText("widget"), 1), m.text.length);
});

test("ranges skip virtual spaces and empty spans give null", () => {
  const root = article("<article data-sidenote-article><p>one</p><p>two</p></article>");
  const m = buildTextModel(root);
  const r = rangeOf(m, 0, 4)!;
  assert.equal((r.endContainer as Text).data, "one");
  assert.equal(r.endOffset, 3);
  assert.equal(rangeOf(m, 3, 4), null);
  assert.equal(rangeOf(m, 2, 2), null);
});

test("normalization is idempotent and matches the text model for plain text", () => {
  const raw = "  \u201cQuoted\u201d\u00a0text \u2013 with\u00adsoft   hyphens\t";
  assert.equal(normalize(normalize(raw)), normalize(raw));
  assert.equal(normalize(raw), textOf(`<p>${raw}</p>`));
});

test("the fingerprint is 16 hex digits, frozen for a text (other implementations must agree), different after one change", () => {
  assert.equal(fingerprint(""), "488bdcb81aee8d83");
  assert.equal(fingerprint("hello world"), "53ab9417d15d1014");
  assert.equal(fingerprint("a 😀 b"), "d90fa9da3ad83ec4", "hashed over UTF-16 code units");
  assert.notEqual(fingerprint("hello world"), fingerprint("hello worle"));
  assert.equal(buildTextModel(article("<p>hello   world</p>")).fp, fingerprint("hello world"));
});

test("author passages are found with key, question and trimmed span; the first of duplicates wins", () => {
  const warnings: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args);
  try {
    const m = buildTextModel(
      article(
        "<article data-sidenote-article><p data-sidenote-passage='pricing' data-sidenote-question='  Is this\n price &lt;b&gt;fair&lt;/b&gt;? '> Ten euros a month. </p>" +
          "<p>Other <span data-sidenote-passage='claim-3'>an inline phrase</span> here." +
          "<span data-sidenote-passage='pricing'>dup</span><span data-sidenote-passage='bad key!'>x</span></p>" +
          `<p data-sidenote-passage="long" data-sidenote-question="${"q".repeat(400)}">y</p>` +
          "<div data-sidenote-ignore><p data-sidenote-passage='hidden'>z</p></div></article>",
      ),
    );
    assert.deepEqual(
      m.passages.map((p) => [p.key, p.question, m.text.slice(p.start, p.end)]),
      [
        ["pricing", "Is this price <b>fair</b>?", "Ten euros a month."],
        ["claim-3", null, "an inline phrase"],
        ["long", "q".repeat(300), "y"],
      ],
    );
    assert.equal(warnings.length, 1, "one warning for the duplicate and the invalid key");
  } finally {
    console.warn = warn;
  }
});

test("element ids give scope spans", () => {
  const m = buildTextModel(article("<article data-sidenote-article><section id='budget'><h2>Budget</h2><p>Numbers.</p></section></article>"));
  const [s, e] = m.ids.get("budget")!;
  assert.equal(m.text.slice(s, e), "Budget Numbers.");
});
