// The approximate matcher against a plain dynamic-programming reference (design §4.5).
import { editDistance, fuzzy, scan, similarity, startOf } from "../../src/inline/match";
import { finish } from "../../src/inline/slice";
import { assert, test } from "../harness";

/** Ends (1-based) where some substring ending there is within k edits of p, with the least edits. */
function reference(t: string, p: string, k: number): string {
  let prev = Array.from({ length: p.length + 1 }, (_, i) => i);
  const out: string[] = [];
  for (let j = 1; j <= t.length; j++) {
    const cur = [0];
    for (let i = 1; i <= p.length; i++) cur[i] = Math.min(prev[i] + 1, cur[i - 1] + 1, prev[i - 1] + (p[i - 1] == t[j - 1] ? 0 : 1));
    if (cur[p.length] <= k) out.push(`${j}:${cur[p.length]}`);
    prev = cur;
  }
  return out.join(",");
}

function random(seed: number) {
  return (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
}

test("Myers' search agrees with the DP reference on random strings, one block and many", () => {
  const rnd = random(42);
  for (let trial = 0; trial < 1500; trial++) {
    const alphabet = "abcdef".slice(0, 2 + rnd(4));
    const str = (n: number) => Array.from({ length: n }, () => alphabet[rnd(alphabet.length)]).join("");
    const p = str(1 + rnd(trial % 2 ? 150 : 40));
    let t = str(rnd(250));
    if (rnd(2)) {
      const at = rnd(t.length + 1);
      t = t.slice(0, at) + p + t.slice(at);
    }
    const k = rnd(Math.ceil(p.length / 2) + 2);
    const got: string[] = [];
    finish(scan(t, p, k, 0, t.length, (e, errors) => got.push(`${e}:${errors}`)));
    assert.equal(got.join(","), reference(t, p, k), JSON.stringify({ p, t, k }));
  }
});

test("a search restricted to a window only reports ends inside it", () => {
  const ends: number[] = [];
  finish(scan("abc xx abc xx abc", "abc", 0, 5, 12, (e) => ends.push(e)));
  assert.deepEqual(ends, [10]);
});

test("fuzzy hits cluster nearby ends and find where each match starts", () => {
  const text = "The quick brown fox jumps over the lazy dog; a quick brown cat jumps over the lazy fox.";
  const pattern = "quick brown fox jumps";
  const hits = finish(fuzzy(text, pattern, 5, 0, text.length));
  assert.equal(hits.length, 2);
  const [a, b] = hits.map((h) => ({ ...h, start: startOf(text, pattern, h.end, h.errors) }));
  assert.deepEqual([text.slice(a.start, a.end), a.errors], ["quick brown fox jumps", 0]);
  assert.deepEqual([text.slice(b.start, b.end), b.errors], ["quick brown cat jumps", 3]);
  const inserted = "so the quick brown old fox jumps";
  const h = finish(fuzzy(inserted, pattern, 5, 0, inserted.length))[0];
  assert.equal(inserted.slice(startOf(inserted, pattern, h.end, h.errors), h.end), "quick brown old fox jumps");
});

test("matching works on UTF-16 units, emoji included", () => {
  const text = "we 😀 love 😀 code";
  const hits = finish(fuzzy(text, "😀 lov", 1, 0, text.length));
  assert.equal(text.slice(startOf(text, "😀 lov", hits[0].end, hits[0].errors), hits[0].end), "😀 lov");
});

test("edit distance and similarity", () => {
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("same", "same"), 0);
  assert.equal(similarity("", ""), 1);
  assert.equal(similarity("abcd", "abcf"), 0.75);
});
