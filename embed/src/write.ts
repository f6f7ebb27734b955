// write.js: the writing parts (the composer with preview, author fields, verified-guest sign-up
// and notify; the reply, edit, delete and report forms; the account line) with their strings and
// styles. embed.js loads it on idle after the first render, and at once on a first writing action
// or when inline.js is wanted; it registers itself with `Sidenote._write`.

import { Composer } from "./composer";
import { enLater } from "./en";
import { cardForms } from "./thread";
import { widgetParts } from "./widget";
import inlineCss from "./inline/inline.css";
import css from "./write.css";

// inline.js's styles (the layer of bubbles and the popover, the quotes on thread cards) come here:
// the widget loads this file before it starts inline.js, and inline.js keeps within its budget.
window.Sidenote?._write({ Composer, cardForms, widget: widgetParts, strings: enLater, css: css + inlineCss });
