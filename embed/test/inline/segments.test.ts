// Highlight depth segments (design §5.1, §8 case 40) and painting through CSS.highlights.
import { paint, unpaint, canHighlight } from "../../src/inline/paint";
import { segment, segmentAt } from "../../src/inline/segments";
import { buildTextModel } from "../../src/inline/text";
import { article } from "./fakedom";
import { assert, test } from "../harness";

const flat = (spans: Parameters<typeof segment>[0]) => segment(spans).map((s) => `${s.start}-${s.end}:${s.ids.join("+")}`);

test("nested, partly overlapping and identical spans split into disjoint depth segments", () => {
  assert.deepEqual(flat([{ id: "a", start: 0, end: 10 }, { id: "b", start: 3, end: 6 }]), ["0-3:a", "3-6:a+b", "6-10:a"]);
  assert.deepEqual(flat([{ id: "a", start: 0, end: 6 }, { id: "b", start: 4, end: 9 }]), ["0-4:a", "4-6:a+b", "6-9:b"]);
  assert.deepEqual(flat([{ id: 1, start: 2, end: 5 }, { id: 2, start: 2, end: 5 }, { id: 3, start: 2, end: 5 }]), ["2-5:1+2+3"]);
});

test("disjoint, touching and empty spans", () => {
  assert.deepEqual(flat([{ id: "b", start: 8, end: 9 }, { id: "a", start: 0, end: 4 }, { id: "c", start: 4, end: 6 }, { id: "z", start: 7, end: 7 }]), [
    "0-4:a",
    "4-6:c",
    "8-9:b",
  ]);
  assert.deepEqual(segment([]), []);
});

test("the segment under a text index lists every thread at that point", () => {
  const segs = segment([{ id: "a", start: 0, end: 10 }, { id: "b", start: 5, end: 20 }, { id: "c", start: 30, end: 40 }]);
  assert.deepEqual(segmentAt(segs, 7)!.ids, ["a", "b"]);
  assert.deepEqual(segmentAt(segs, 0)!.ids, ["a"]);
  assert.equal(segmentAt(segs, 20), undefined);
  assert.equal(segmentAt(segs, 25), undefined);
  assert.deepEqual(segmentAt(segs, 39)!.ids, ["c"]);
});

test("painting is a no-op without CSS.highlights", () => {
  assert.equal(canHighlight(), false);
  const m = buildTextModel(article("<p>some text</p>"));
  paint(m, segment([{ id: 1, start: 0, end: 4 }]));
  unpaint();
});

test("painting registers one highlight per depth and the active one on top", () => {
  const registry = new Map<string, { ranges: StaticRangeInit[]; priority: number }>();
  const g = globalThis as Record<string, unknown>;
  g.CSS = { highlights: registry };
  g.Highlight = class {
    priority = 0;
    ranges: StaticRangeInit[];
    constructor(...ranges: StaticRangeInit[]) {
      this.ranges = ranges;
    }
  };
  g.StaticRange = class {
    constructor(init: StaticRangeInit) {
      Object.assign(this, init);
    }
  };
  try {
    assert.equal(canHighlight(), true);
    const m = buildTextModel(article("<article data-sidenote-article><p>one two three</p><p>four five</p></article>"));
    const spans = [
      { id: "a", start: 0, end: 13 },
      { id: "b", start: 4, end: 9 },
      { id: "c", start: 4, end: 9 },
      { id: "d", start: 6, end: 23 },
    ];
    paint(m, segment(spans), [spans[3]]);
    const sizes = ["sidenote-1", "sidenote-2", "sidenote-3", "sidenote-active"].map((n) => registry.get(n)!.ranges.length);
    assert.deepEqual(sizes, [2, 1, 2, 1], "0-4 a, 13-23 d | 9-13 a+d | 4-6 a+b+c, 6-9 a+b+c+d | d");
    assert.equal(registry.get("sidenote-active")!.priority, 3);
    const active = registry.get("sidenote-active")!.ranges[0];
    assert.equal((active.startContainer as Text).data.slice(active.startOffset), "o three");
    assert.equal((active.endContainer as Text).data.slice(0, active.endOffset), "four five");
    unpaint();
    assert.equal(registry.size, 0);
  } finally {
    delete g.CSS;
    delete g.Highlight;
    delete g.StaticRange;
  }
});
