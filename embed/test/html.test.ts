// The attribute policy in isolation (the DOM part runs in Chromium: tests/browser).
import { assert, test } from "./harness";
import { attributeAllowed, hrefAllowed } from "../src/html";

test("links keep only http, https and mailto schemes", () => {
  for (const ok of ["https://a.example", "HTTP://a.example", " mailto:x@y.example", "https:x"]) assert.ok(hrefAllowed(ok), ok);
  for (const bad of ["javascript:alert(1)", "java\tscript:alert(1)", "\x01javascript:x", "data:text/html,x", "/relative", "//evil.example", "vbscript:x", ""]) {
    assert.ok(!hrefAllowed(bad), JSON.stringify(bad));
  }
});

test("tab and newline inside a scheme are read the way the browser reads them", () => {
  assert.ok(hrefAllowed("ht\ntps://a.example"));
  assert.ok(!hrefAllowed("jav\r\nascript:alert(1)"));
});

test("attributes follow the server's allowlist", () => {
  assert.ok(attributeAllowed("a", "title", "anything"));
  assert.ok(attributeAllowed("a", "rel", "nofollow ugc noopener noreferrer"));
  assert.ok(!attributeAllowed("a", "rel", "opener"));
  assert.ok(!attributeAllowed("a", "onclick", "x"));
  assert.ok(!attributeAllowed("a", "target", "_blank"));
  assert.ok(attributeAllowed("code", "class", "language-python"));
  assert.ok(!attributeAllowed("code", "class", "x language-python"));
  assert.ok(attributeAllowed("ol", "start", "3"));
  assert.ok(!attributeAllowed("ol", "start", "-1"));
  assert.ok(!attributeAllowed("p", "style", "color:red"));
  assert.ok(!attributeAllowed("img", "src", "https://a.example/x.png"));
});
