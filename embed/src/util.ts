// Small pure helpers, kept apart so the unit tests can reach them.

/** A hue (0–359) from the server's opaque avatar seed: same reader, same colour. */
export function avatarHue(seed: string): number {
  let hash = 2166136261;
  for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 16777619);
  return (hash >>> 0) % 360;
}

/** The first letter of a name, upper case ("?" for none). */
export function initial(name: string | null | undefined): string {
  const first = Array.from((name || "").trim())[0];
  return first ? first.toLocaleUpperCase() : "?";
}

/** Characters as the server counts them (code points, like Python's len). */
export const charCount = (text: string): number => Array.from(text).length;

/** A reader's website as a link target: absolute http(s) only, else nothing. */
export function websiteHref(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol == "http:" || url.protocol == "https:" ? url.href : null;
  } catch {
    return null;
  }
}
