// Deterministic filler prose for tests and the micro benchmark: sentences of varied words, so
// that quotes are unique the way they are in real articles.

const WORDS = (
  "the of and a to in is was for on that with as by at from it an be this which or are had not but " +
  "council budget river station market winter harbour library museum garden bridge village northern " +
  "report members proposal evening morning engineers farmers students teachers travellers visitors " +
  "approved rejected discussed measured painted repaired opened closed extended reduced described " +
  "quietly rapidly carefully nearly finally roughly slowly openly briefly partly clearly widely " +
  "stone copper timber glass paper cotton silver marble canvas leather granite iron wool " +
  "ancient modern narrow broad hidden public private seasonal coastal rural urban central eastern " +
  "decision question pattern season distance shelter journey harvest signal method window letter"
).split(" ");

export function prose(words: number, seed = 7, paragraph = 60): string[] {
  let s = seed;
  const rnd = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
  const paragraphs: string[] = [];
  let sentence: string[] = [];
  let para: string[] = [];
  for (let i = 0; i < words; i++) {
    let w = WORDS[rnd(WORDS.length)];
    if (!sentence.length) w = w[0].toUpperCase() + w.slice(1);
    sentence.push(w);
    if (sentence.length > 6 + rnd(14)) {
      para.push(sentence.join(" ") + (rnd(5) ? "." : ","));
      sentence = [];
    }
    if (para.length && i % paragraph == paragraph - 1) {
      paragraphs.push(para.join(" "));
      para = [];
    }
  }
  if (sentence.length) para.push(sentence.join(" ") + ".");
  if (para.length) paragraphs.push(para.join(" "));
  return paragraphs;
}

/** Paragraphs as an article: <article data-sidenote-article><p>…</p>…</article>. */
export const articleHtml = (paragraphs: string[]): string =>
  `<article data-sidenote-article>${paragraphs.map((p) => `<p>${p}</p>`).join("\n")}</article>`;
