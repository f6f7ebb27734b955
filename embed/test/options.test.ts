import { assert, test } from "./harness";
import { oneOf, pageIdentity } from "../src/options";

test("the thread key is the page path without query or fragment", () => {
  assert.deepEqual(pageIdentity(null, "https://blog.example/posts/a?utm=x#comment-3"), {
    key: "/posts/a",
    url: "https://blog.example/posts/a?utm=x",
  });
});

test("a same-origin canonical URL names the thread", () => {
  assert.equal(pageIdentity("/posts/a", "https://blog.example/posts/a/amp?x=1").key, "/posts/a");
  assert.equal(pageIdentity("https://blog.example/p#top", "https://blog.example/q").url, "https://blog.example/p");
});

test("a canonical URL on another origin is ignored", () => {
  assert.equal(pageIdentity("https://elsewhere.example/p", "https://blog.example/q").key, "/q");
});

test("a broken canonical URL is ignored", () => {
  assert.equal(pageIdentity("http://[::1", "https://blog.example/q").key, "/q");
});

test("an unknown option value falls back to the default", () => {
  assert.equal(oneOf("sideways", ["light", "dark", "auto"], "auto"), "auto");
  assert.equal(oneOf("dark", ["light", "dark", "auto"], "auto"), "dark");
});
