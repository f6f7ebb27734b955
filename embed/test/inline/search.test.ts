// Quote-picker search and block helpers.
import { search } from "../../src/inline/search";
import { blockAt, buildTextModel, spanOfElement } from "../../src/inline/text";
import { article, byTag } from "./fakedom";
import { assert, test } from "../harness";

const ROOT = "<article data-sidenote-article><h2>Harbour works</h2><p>The <em>Harbour</em> committee met on Tuesday.</p><ul><li>The harbour wall (north) needs repair.</li></ul></article>";

test("typed words find every case-insensitive match in text order, regex characters included", () => {
  const m = buildTextModel(article(ROOT));
  assert.deepEqual(search(m, "harbour").map(([s, e]) => m.text.slice(s, e)), ["Harbour", "Harbour", "harbour"]);
  assert.deepEqual(search(m, " wall  (north) ").map(([s, e]) => m.text.slice(s, e)), ["wall (north)"]);
  assert.equal(search(m, "harbour", 2).length, 2);
  assert.deepEqual(search(m, "   "), []);
});

test("without an exact match, approximate ones are offered", () => {
  const m = buildTextModel(article(ROOT));
  assert.deepEqual(search(m, "commitee met on Tusday").map(([s, e]) => m.text.slice(s, e)), ["committee met on Tuesday"]);
  assert.deepEqual(search(m, "xyzzy plugh"), []);
});

test("the block around a text index and an element's span", () => {
  const root = article(ROOT);
  const m = buildTextModel(root);
  const li = byTag(root, "li");
  assert.equal(blockAt(m, m.text.indexOf("committee")), byTag(root, "p"));
  assert.equal(blockAt(m, m.text.indexOf("wall")), li);
  const [s, e] = spanOfElement(m, li);
  assert.equal(m.text.slice(s, e), "The harbour wall (north) needs repair.");
  assert.deepEqual(spanOfElement(m, byTag(root, "em")).map((i) => m.text[i]), ["H", " "]);
});
