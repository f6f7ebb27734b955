import { assert, test } from "./harness";
import { en as core, enLater } from "../src/en";
import { I18n, LANGUAGES, pickLanguage } from "../src/i18n";

import de from "../src/locales/de.json";
import es from "../src/locales/es.json";
import fr from "../src/locales/fr.json";
import ja from "../src/locales/ja.json";
import ko from "../src/locales/ko.json";

type Locale = Record<string, string | Record<string, string>>;
const locales: Record<string, Locale> = { de, es, fr, ja, ko };
/** every English string: embed.js's `en` and write.js's `enLater` */
const en = { ...core, ...enLater };
const placeholders = (value: unknown) => Array.from(new Set(JSON.stringify(value).match(/\{\w+\}/g) || [])).sort();

test("every supported language but English has a locale file", () => {
  assert.deepEqual(Object.keys(locales).sort(), LANGUAGES.filter((l) => l != "en").sort());
});

for (const [file, messages] of Object.entries(locales)) {
  test(`${file} has exactly the English keys with the same placeholders`, () => {
    assert.deepEqual(Object.keys(messages).sort(), Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      assert.deepEqual(placeholders(messages[key]), placeholders(en[key]), `${file}: ${key}`);
      assert.equal(typeof messages[key], typeof en[key], `${file}: ${key} plural shape`);
      const value = messages[key];
      if (typeof value == "object") assert.ok(value.other, `${file}: ${key} needs "other"`);
    }
  });
}

test("embed.js and write.js ship disjoint sets of English strings", () => {
  assert.deepEqual(Object.keys(core).filter((key) => key in enLater), []);
});

test("plural forms follow the language's rules", () => {
  const english = new I18n("en");
  assert.equal(english.t("count", { n: 1 }), "1 comment");
  assert.equal(english.t("count", { n: 1234 }), "1,234 comments");
  const german = new I18n("de", de);
  assert.equal(german.t("count", { n: 1 }), "1 Kommentar");
  assert.equal(german.t("count", { n: 1234 }), "1.234 Kommentare");
  const japanese = new I18n("ja", ja);
  assert.equal(japanese.t("count", { n: 1 }), "コメント 1 件");
});

test("a missing placeholder value stays visible rather than vanishing", () => {
  assert.equal(new I18n("en").t("rate_limited"), "Too many attempts. Please try again {when}.");
});

test("a language is picked from the first supported candidate", () => {
  assert.equal(pickLanguage(["pt-BR", "de-AT", "fr"]), "de");
  assert.equal(pickLanguage([undefined, "", "ko_KR"]), "ko");
  assert.equal(pickLanguage(["xx"]), "en");
});

test("relative times pick the largest whole unit", () => {
  const english = new I18n("en");
  const now = Date.parse("2026-01-10T12:00:00Z");
  assert.equal(english.relative("2026-01-10T11:59:50Z", now), "10 seconds ago");
  assert.equal(english.relative("2026-01-10T09:00:00Z", now), "3 hours ago");
  assert.equal(english.relative("2026-01-09T12:00:00Z", now), "yesterday");
  assert.equal(english.relativeIn(90), "in 1 minute");
});
