// Design §8 C: re-anchoring after article edits, with the acceptance gates, the cache and slicing.
import { describeRanges, describeSpan, type Anchor } from "../../src/inline/anchor";
import { locate, locateAll, resolve, type Resolution, type Store } from "../../src/inline/locate";
import { finish, runSliced } from "../../src/inline/slice";
import { buildTextModel, type TextModel } from "../../src/inline/text";
import { article, select } from "./fakedom";
import { assert, test } from "../harness";
import { articleHtml, prose } from "./prose";

const FILLER = prose(1500, 11, 50);
const P1 = "After two readings the budget was approved by the council in March despite objections from the harbour committee.";
const P2 = "The library will extend its opening hours during the winter season, the director said on Tuesday evening.";
const P3 = "Engineers measured the old stone bridge and found the granite piers in surprisingly good condition overall.";

/** An article of filler paragraphs with ours at fixed places. */
const doc = (...ours: string[]): string[] => [...FILLER.slice(0, 8), ours[0] ?? "", ...FILLER.slice(8, 16), ours[1] ?? "", ...FILLER.slice(16), ours[2] ?? ""];

function anchor(paragraphs: string[], needle: string, nth = 0): Anchor {
  const root = article(articleHtml(paragraphs));
  const d = describeRanges(buildTextModel(root), [select(root, needle, nth)]);
  if ("error" in d) throw new Error(d.error);
  return d.anchor;
}

function relocate(paragraphs: string[], a: Anchor): Resolution & { text: string; m: TextModel } {
  const m = buildTextModel(article(articleHtml(paragraphs)));
  const r = locate(m, a);
  return { ...r, text: r.start < 0 ? "" : m.text.slice(r.start, r.end), m };
}

const ORIGINAL = doc(P1, P2, P3);

test("unchanged article: every anchor resolves by fingerprint, without search", () => {
  const m = buildTextModel(article(articleHtml(ORIGINAL)));
  for (let i = 0; i < 50; i++) {
    const s = 37 + i * 211;
    const d = describeSpan(m, s, s + 40);
    if ("error" in d) throw new Error(d.error);
    const r = locate(m, d.anchor);
    assert.deepEqual([r.state, r.how, r.start, r.end], ["anchored", "fp", s, s + 40]);
  }
});

test("paragraph inserted above: found by exact search at its new place", () => {
  const a = anchor(ORIGINAL, "approved by the council in March");
  const edited = ["A new first paragraph written after the comment was posted."].concat(ORIGINAL);
  const r = relocate(edited, a);
  assert.equal(r.state, "anchored");
  assert.ok(r.how == "exact" || r.how == "position", r.how);
  assert.equal(r.text, "approved by the council in March");
});

test("whitespace, entity, smart-quote and soft-hyphen edits change nothing", () => {
  const a = anchor(ORIGINAL, "the director said on Tuesday");
  const html = articleHtml(ORIGINAL).replace("the director said on Tuesday", "the&nbsp;direc&shy;tor\n said   on Tues&#8203;day");
  const m = buildTextModel(article(html));
  const r = locate(m, a);
  assert.equal(r.how, "fp", "the normalized text is identical");
  const curly = articleHtml(doc(P1, P2.replace("library will", "library\u2019s staff will"), P3)).replace("Tuesday", "Tuesday&nbsp;");
  const r2 = locate(buildTextModel(article(curly)), anchor(doc(P1, P2.replace("library will", "library's staff will"), P3), "library's staff will extend"));
  assert.equal(r2.state, "anchored");
});

test("a one-character typo fixed inside a short quote: fuzzy match, marked edited", () => {
  const typo = P3.replace("granite piers", "granit piers");
  const a = anchor(doc(P1, P2, typo), "the granit piers in");
  const r = relocate(ORIGINAL, a);
  assert.deepEqual([r.state, r.how], ["edited", "fuzzy"]);
  assert.equal(r.text, "the granite piers in");
  assert.ok(r.score < 0.98);
});

test("a word deleted or inserted inside a long quote: fuzzy, and the highlight covers the new text", () => {
  const a = anchor(ORIGINAL, "was approved by the council in March despite objections from the harbour");
  const deleted = relocate(doc(P1.replace("council in March", "council March"), P2, P3), a);
  assert.deepEqual([deleted.state, deleted.text], ["edited", "was approved by the council March despite objections from the harbour"]);
  const inserted = relocate(doc(P1.replace("objections from", "strong objections from"), P2, P3), a);
  assert.deepEqual([inserted.state, inserted.text], ["edited", "was approved by the council in March despite strong objections from the harbour"]);
});

test("a word inserted into a 15-character quote orphans it (short quotes never guess)", () => {
  const a = anchor(ORIGINAL, "old stone bridge");
  const r = relocate(doc(P1, P2, P3.replace("old stone bridge", "old railway stone bridge")), a);
  assert.equal(r.state, "orphan");
});

test("the sentence before the quote rewritten: still anchored", () => {
  const p = "The storm closed the harbour for two days. Fishermen waited in the village hall for news of the boats.";
  const a = anchor(doc(P1, p, P3), "Fishermen waited in the village hall");
  const r = relocate(doc(P1, "Heavy weather kept every vessel in port until Sunday. Fishermen waited in the village hall for news of the boats.", P3), a);
  assert.deepEqual([r.state, r.text], ["anchored", "Fishermen waited in the village hall"]);
});

test("a passage moved to another section: anchored at its new place", () => {
  const a = anchor(ORIGINAL, "extend its opening hours during the winter season");
  const r = relocate(doc(P1, "", P3 + " " + P2), a);
  assert.deepEqual([r.state, r.text], ["anchored", "extend its opening hours during the winter season"]);
  assert.ok(r.start > r.m.text.indexOf("Engineers measured"));
});

test("a deleted passage orphans, even when a similar sentence exists elsewhere", () => {
  const withMay = doc(P1, P2, "Later the school budget was approved by the council in May after a short debate.");
  const a = anchor(withMay, "was approved by the council in March");
  const r = relocate(doc("", P2, "Later the school budget was approved by the council in May after a short debate."), a);
  assert.equal(r.state, "orphan");
  const long = anchor(ORIGINAL, "Engineers measured the old stone bridge and found the granite piers");
  assert.equal(relocate(doc(P1, P2, ""), long).state, "orphan");
});

test("a repeated phrase whose chosen copy was edited away orphans instead of jumping to a copy", () => {
  const line = "Read the full report on our website.";
  const ps = doc(`${P1} ${line}`, `${P2} ${line}`, `${P3} ${line}`);
  const a = anchor(ps, line, 1);
  const r = relocate(doc(`${P1} ${line}`, `${P2} The report is available at the library.`, `${P3} ${line}`), a);
  assert.equal(r.state, "orphan");
  const kept = relocate(["Inserted first."].concat(ps), a);
  assert.equal(kept.state, "anchored");
  assert.ok(kept.m.text.slice(0, kept.start).endsWith(P2 + " "));
});

test("two identical paragraphs: the position hint and context choose the commented copy", () => {
  const same = FILLER[3];
  const ps = [FILLER[0], same, FILLER[1], same, FILLER[2]];
  const needle = same.split(" ").slice(4, 12).join(" ");
  const a = anchor(ps, needle, 1);
  const r = relocate(["One more paragraph at the top."].concat(ps), a);
  assert.equal(r.state, "anchored");
  assert.ok(r.start > r.m.text.indexOf(FILLER[1]), "the second copy");
});

test("the whole article replaced: every anchor orphans", () => {
  const m = buildTextModel(article(articleHtml(ORIGINAL)));
  const other = buildTextModel(article(articleHtml(prose(1500, 99, 50))));
  let orphans = 0;
  for (let i = 0; i < 20; i++) {
    const d = describeSpan(m, 100 + i * 400, 100 + i * 400 + 20 + i * 10);
    if ("error" in d) throw new Error(d.error);
    if (locate(other, d.anchor).state == "orphan") orphans++;
  }
  assert.equal(orphans, 20);
});

test("an article that grew (read more expanded) still anchors, and a late body turns orphans into anchors", () => {
  const a = anchor(ORIGINAL, "found the granite piers in surprisingly good condition");
  const grown = relocate(ORIGINAL.concat(prose(3000, 5)), a);
  assert.deepEqual([grown.state, grown.text], ["anchored", "found the granite piers in surprisingly good condition"]);
  assert.equal(relocate(["Loading…"], a).state, "orphan");
});

test("a long-mode anchor: moved is exact, head edited and tail intact is fuzzy, a far longer span or a deleted tail orphans", () => {
  const ps = prose(2000, 21, 40);
  const m = buildTextModel(article(articleHtml(ps)));
  const s = m.text.indexOf(ps[5]);
  const d = describeSpan(m, s, s + 3000);
  if ("error" in d) throw new Error(d.error);
  assert.ok(d.anchor.quote_end);
  const headWord = ps[5].split(" ")[3];
  const edited = ps.slice();
  edited[5] = ps[5].replace(` ${headWord} `, ` ${headWord}s `);
  const r = relocate(edited, d.anchor);
  assert.deepEqual([r.state, r.how], ["edited", "fuzzy"]);
  assert.ok(Math.abs(r.end - r.start - 3001) <= 1);
  const stretched = ps.slice(0, 7).concat(prose(1500, 8), ps.slice(7));
  assert.equal(relocate(stretched, d.anchor).state, "orphan", "span more than 25 % longer");
  const moved = relocate(["A paragraph inserted above."].concat(ps), d.anchor);
  assert.deepEqual([moved.state, moved.how, moved.end - moved.start], ["anchored", "exact", d.end - d.start], "cut ends are not word edges");
  const tail = r.m.text.slice(d.end - 500, d.end);
  assert.equal(relocate([ps.join(" ").replace(tail, "")], d.anchor).state, "orphan");
});

test("author passage: the key wins over edits; marker removed falls back to the text; both gone orphans", () => {
  const html = (attrs: string, text: string) =>
    `<article data-sidenote-article><p>${FILLER[0]}</p><p ${attrs}>${text}</p><p>${FILLER[1]}</p></article>`;
  const key = "data-sidenote-passage='pricing' data-sidenote-question='Fair?'";
  const m = buildTextModel(article(html(key, P2)));
  const d = describeSpan(m, m.passages[0].start, m.passages[0].end, "passage", { key: "pricing", question: "Fair?" });
  if ("error" in d) throw new Error(d.error);
  const rewritten = buildTextModel(article(html(key, "Completely different words now.")));
  assert.deepEqual(
    (({ state, how }) => [state, how])(locate(rewritten, d.anchor)),
    ["anchored", "passage"],
  );
  const unmarked = locate(buildTextModel(article(html("", P2))), d.anchor);
  assert.equal(unmarked.state, "edited", "marker removed, text found");
  assert.equal(locate(buildTextModel(article(html("", "Other text."))), d.anchor).state, "orphan");
});

test("the scope element is searched first", () => {
  const same = "Opening hours change in winter and the staff will announce them soon enough.";
  const root = article(`<article data-sidenote-article><section id='a'><p>${same}</p></section><p>${FILLER[0]}</p><section id='b'><p>${same}</p></section></article>`);
  const m = buildTextModel(root);
  const d = describeRanges(m, [select(root, same, 1)]);
  if ("error" in d) throw new Error(d.error);
  assert.equal(d.anchor.scope, "b");
  const forged = { ...d.anchor, quote: { ...d.anchor.quote, prefix: "", suffix: "" }, position: { start: 200, end: 200 + same.length }, doc: { ...d.anchor.doc, fp: "0000000000000000" } };
  assert.equal(locate(m, forged).start, d.start);
});

test("unknown normalization versions and empty quotes orphan", () => {
  const a = anchor(ORIGINAL, "approved by the council");
  const m = buildTextModel(article(articleHtml(ORIGINAL)));
  assert.equal(locate(m, { ...a, v: 2 as 1 }).state, "orphan");
  assert.equal(locate(m, { ...a, quote: { ...a.quote, exact: "" } }).state, "orphan");
});

function mapStore(): Store & { map: Map<string, string>; reads: number } {
  const map = new Map<string, string>();
  return { map, reads: 0, getItem(k) { this.reads++; return map.get(k) ?? null; }, setItem: (k, v) => void map.set(k, v) };
}

test("locateAll reports cheap results first, caches searched ones and reuses them", () => {
  const items = [
    { id: 1, anchor: anchor(ORIGINAL, "the granite piers in") },
    { id: 2, anchor: anchor(ORIGINAL, "approved by the council in March") },
    { id: 3, anchor: anchor(ORIGINAL, "The library will extend its opening hours") },
  ];
  const edited = doc(P1.replace("council in", "councill in"), P2, P3.replace("granite piers", "granit piers"));
  const m = buildTextModel(article(articleHtml(["Added on top."].concat(edited))));
  const store = mapStore();
  const order: (string | number)[] = [];
  const results = new Map<string | number, Resolution>();
  finish(locateAll(m, items, (it, r) => (order.push(it.id), results.set(it.id, r)), store));
  assert.deepEqual(order, [3, 1, 2], "exact hit first, fuzzy ones after");
  assert.deepEqual([1, 2, 3].map((id) => results.get(id)!.state), ["edited", "edited", "anchored"]);
  assert.equal(store.map.size, 3);
  const again: Resolution[] = [];
  finish(locateAll(m, items, (_, r) => again.push(r), store));
  assert.deepEqual(again, [results.get(1), results.get(2), results.get(3)]);
  // A tampered exact entry does not pass verification and is recomputed.
  const key = [...store.map.keys()].find((k) => k.startsWith("sidenote:3:"))!;
  store.map.set(key, JSON.stringify({ ...results.get(3), start: 0, end: 5 }));
  const third: Resolution[] = [];
  finish(locateAll(m, [items[2]], (_, r) => third.push(r), store));
  assert.deepEqual(third[0], results.get(3));
});

test("a broken store (disabled or full) does not stop anchoring", () => {
  const broken: Store = { getItem: () => { throw new Error("denied"); }, setItem: () => { throw new Error("quota"); } };
  const m = buildTextModel(article(articleHtml(ORIGINAL)));
  const out: Resolution[] = [];
  finish(locateAll(m, [{ id: 1, anchor: { ...anchor(ORIGINAL, "the director said"), doc: { length: 1, fp: "0000000000000000" } } }], (_, r) => out.push(r), broken));
  assert.equal(out[0].state, "anchored");
});

test("a whole-text fuzzy search yields many times, so it can be sliced", () => {
  const big = prose(20000, 4);
  const m = buildTextModel(article(articleHtml(big)));
  const d = describeSpan(m, 5000, 5600);
  if ("error" in d) throw new Error(d.error);
  const m2 = buildTextModel(article(articleHtml(big.join(" ").replace(m.text.slice(5000, 5600), "").split("\n"))));
  const task = resolve(m2, d.anchor);
  let yields = 0;
  let r = task.next();
  for (; !r.done; r = task.next()) yields++;
  assert.equal(r.value!.state, "orphan");
  assert.ok(yields >= m2.text.length / 8192, `${yields} yields`);
});

test("runSliced pauses when the budget is spent, and stops when aborted", async () => {
  let clock = 0;
  let pauses = 0;
  function* work(): Generator<void, string> {
    for (let i = 0; i < 10; i++) {
      clock += 3;
      yield;
    }
    return "done";
  }
  const out = await runSliced(work(), { budget: 8, now: () => clock, pause: async () => void pauses++ });
  assert.equal(out, "done");
  assert.equal(pauses, 3);
  const signal = { aborted: false };
  let steps = 0;
  function* endless(): Generator<void, string> {
    for (;;) {
      if (++steps == 5) signal.aborted = true;
      yield;
    }
  }
  assert.equal(await runSliced(endless(), { signal, pause: async () => {} }), undefined);
  assert.equal(steps, 5);
});

test("locateAll runs to the end under runSliced with the default pause", async () => {
  const m = buildTextModel(article(articleHtml(["Top."].concat(ORIGINAL))));
  const items = [P1, P2, P3].map((p, id) => ({ id, anchor: anchor(ORIGINAL, p.slice(10, 60)) }));
  const seen: Resolution[] = [];
  await runSliced(locateAll(m, items, (_, r) => seen.push(r)), { budget: 0 });
  assert.deepEqual(seen.map((r) => r.state), ["anchored", "anchored", "anchored"]);
});
