// Strings, numbers and dates in the reader's language. English is built in; de, fr, es, ko and ja
// are JSON files fetched from `${base}static/locales/${lang}.json` only when needed.

import { en, type MessageKey, type Messages } from "./en";

export const LANGUAGES = ["en", "de", "fr", "es", "ko", "ja"];

type Message = string | Record<string, string>;
export type Vars = Record<string, string | number>;

/** The first supported language among the candidates (BCP 47 tags), else English. */
export function pickLanguage(candidates: (string | null | undefined)[]): string {
  for (const tag of candidates) {
    const primary = (tag || "").toLowerCase().split(/[-_]/)[0];
    if (LANGUAGES.includes(primary)) return primary;
  }
  return "en";
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 31536e3],
  ["month", 2592e3],
  ["week", 6048e2],
  ["day", 864e2],
  ["hour", 3600],
  ["minute", 60],
];

export class I18n {
  private readonly plural: Intl.PluralRules;
  private readonly numbers: Intl.NumberFormat;
  private readonly relativeFormat: Intl.RelativeTimeFormat;
  private readonly exactFormat: Intl.DateTimeFormat;

  constructor(
    readonly lang: string,
    private readonly messages: Partial<Record<MessageKey, Message>> = {},
  ) {
    this.plural = new Intl.PluralRules(lang);
    this.numbers = new Intl.NumberFormat(lang);
    this.relativeFormat = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    this.exactFormat = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" });
  }

  t(key: MessageKey, vars: Vars = {}): string {
    // English: write.js adds `enLater` to `en` (it ships the later strings)
    let message: Message = this.messages[key] || (en as Messages)[key];
    if (typeof message != "string") message = message[this.plural.select(+vars.n || 0)] || message.other;
    return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = vars[name];
      return value == null ? whole : typeof value == "number" ? this.numbers.format(value) : value;
    });
  }

  number(value: number): string {
    return this.numbers.format(value);
  }

  /** "3 hours ago", "yesterday", "now" */
  relative(iso: string, now = Date.now()): string {
    return this.relativeIn((Date.parse(iso) - now) / 1000);
  }

  /** "in 30 seconds", "in 2 minutes" */
  relativeIn(seconds: number): string {
    for (const [unit, size] of UNITS) {
      if (Math.abs(seconds) >= size) return this.relativeFormat.format(Math.trunc(seconds / size), unit);
    }
    return this.relativeFormat.format(Math.round(seconds), "second");
  }

  exact(iso: string): string {
    return this.exactFormat.format(new Date(iso));
  }
}

/** The strings of `lang` (English needs no request); English strings when the file cannot load. */
export async function loadLanguage(base: string, lang: string): Promise<I18n> {
  if (lang == "en") return new I18n(lang);
  try {
    const response = await fetch(`${base}static/locales/${lang}.json`);
    if (response.ok) return new I18n(lang, await response.json());
  } catch {
    // fall through to English
  }
  return new I18n("en");
}
