// Build-time constants (scripts/build.mjs and scripts/test.mjs define them) and CSS-as-text imports.

/** The server's HTML allowlist, from `service.rendering.allowlist_for_widget()` at build time. */
declare const __SIDENOTE_ALLOWLIST__: {
  tags: string[];
  attributes: Record<string, string[]>;
  schemes: string[];
  rel: string;
  codeClass: string;
  olStart: string;
};

/** True when the build found `src/inline/entry.ts` and wrote `inline.js` next to `embed.js`. */
declare const __SIDENOTE_INLINE__: boolean;

/** The content hashes of write.js and inline.js (their `?v=`), built before embed.js. */
declare const __SIDENOTE_WRITE_V__: string;
declare const __SIDENOTE_INLINE_V__: string;

declare module "*.css" {
  const css: string;
  export default css;
}
