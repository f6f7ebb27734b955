// The server's anchor rules (service/comments/anchors.py), restated for node tests: every anchor the
// engine creates must pass them. Lengths are UTF-16 units, which is what JS string lengths count.
import type { Anchor } from "../../src/inline/anchor";
import { assert } from "../harness";

const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function plain(s: string, max: number, what: string): void {
  assert.equal(typeof s, "string", what);
  assert.ok(!CONTROL.test(s), `${what} has a control character`);
  assert.ok(!LONE.test(s), `${what} has a lone surrogate (not UTF-16 encodable on the server)`);
  assert.ok(s.length <= max, `${what} is ${s.length} > ${max} units`);
}

export function assertWire(a: Anchor): void {
  assert.deepEqual(Object.keys(a).sort(), ["doc", "kind", "passage", "position", "quote", "quote_end", "quote_length", "scope", "v"]);
  assert.equal(a.v, 1);
  assert.ok(["quote", "block", "passage"].includes(a.kind));
  assert.deepEqual(Object.keys(a.quote).sort(), ["exact", "prefix", "suffix"]);
  plain(a.quote.exact, 2000, "exact");
  assert.ok(a.quote.exact.trim().length > 0, "exact is blank");
  plain(a.quote.prefix, 256, "prefix");
  plain(a.quote.suffix, 256, "suffix");
  const { start, end } = a.position;
  assert.ok(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= a.doc.length, "position");
  assert.equal(end - start, a.quote_length);
  assert.ok(a.quote_length >= 1 && a.quote_length <= 10000);
  assert.ok(Number.isInteger(a.doc.length) && a.doc.length >= 1 && a.doc.length <= 2000000);
  assert.ok(/^[0-9a-f]{16}$/.test(a.doc.fp), a.doc.fp);
  if (a.quote_end == null) assert.equal(a.quote.exact.length, a.quote_length);
  else {
    plain(a.quote_end, 500, "quote_end");
    assert.ok(a.quote_length > 2000 && a.quote.exact.length == 1000 && a.quote_end.length == 500, "long mode sizes");
  }
  assert.equal(a.kind == "passage", a.passage != null);
  if (a.passage) {
    assert.ok(/^[A-Za-z0-9_-]{1,64}$/.test(a.passage.key), a.passage.key);
    if (a.passage.question != null) plain(a.passage.question, 300, "question");
  }
  if (a.scope != null) assert.ok(/^[A-Za-z0-9_:.-]{1,128}$/.test(a.scope), a.scope);
}
