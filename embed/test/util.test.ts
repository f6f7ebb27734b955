import { assert, test } from "./harness";
import { avatarHue, charCount, initial, websiteHref } from "../src/util";

test("an avatar seed always gives the same hue in range", () => {
  assert.equal(avatarHue("abc"), avatarHue("abc"));
  for (const seed of ["", "a", "0123456789abcdef", "ÿ€"]) {
    const hue = avatarHue(seed);
    assert.ok(hue >= 0 && hue < 360 && Number.isInteger(hue));
  }
  assert.notEqual(avatarHue("reader-1"), avatarHue("reader-2"));
});

test("the initial is the first character, upper case, astral-safe", () => {
  assert.equal(initial("morag"), "M");
  assert.equal(initial("  élan"), "É");
  assert.equal(initial("😀 smile"), "😀");
  assert.equal(initial(null), "?");
});

test("characters are counted as the server counts them (code points)", () => {
  assert.equal(charCount("a😀b"), 3);
});

test("only absolute http(s) websites become links", () => {
  assert.equal(websiteHref("https://example.org/x"), "https://example.org/x");
  assert.equal(websiteHref("javascript:alert(1)"), null);
  assert.equal(websiteHref("data:text/html,x"), null);
  assert.equal(websiteHref("//example.org"), null);
  assert.equal(websiteHref(""), null);
});
