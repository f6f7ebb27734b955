import { assert, test } from "./harness";
import { query, retryAfterSeconds } from "../src/api";

test("query strings repeat list parameters and skip empty ones", () => {
  assert.equal(query({ site: "demo", thread: ["/a", "/b&c"], cursor: null, limit: 50 }), "site=demo&thread=%2Fa&thread=%2Fb%26c&limit=50");
});

test("Retry-After is read as seconds or as an HTTP date", () => {
  assert.equal(retryAfterSeconds("42"), 42);
  assert.equal(retryAfterSeconds(null), 0);
  const now = Date.parse("2026-01-10T12:00:00Z");
  assert.equal(retryAfterSeconds("Sat, 10 Jan 2026 12:01:00 GMT", now), 60);
  assert.equal(retryAfterSeconds("soon"), 0);
});
