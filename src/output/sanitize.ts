/**
 * Escaping helpers for every output format. Log text is written by strangers (EHLO names, certificate
 * subjects, SMTP replies), so anything that came from a log passes through one of these before it reaches a
 * terminal, a spreadsheet, a Markdown renderer or a browser.
 *
 * All regular expressions here are single character classes or fixed-width lookarounds: linear on any input.
 */

/**
 * Characters a terminal or a text renderer acts on instead of showing: C0 controls (ESC, CR, LF, BEL, TAB ...),
 * DEL, C1 controls (U+0080–U+009F, where U+009B is an 8-bit CSI), the bidi controls that can make text read
 * backwards (U+202A–U+202E overrides/embeddings, U+2066–U+2069 isolates, and the LRM/RLM/ALM marks) and
 * U+2028/U+2029, which some renderers treat as line breaks.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A high surrogate without a low one after it, or a low surrogate without a high one before it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function hex(codePoint: number, digits: number): string {
  return codePoint.toString(16).toUpperCase().padStart(digits, '0');
}

/** `\xNN` for one-byte code points, `\u{NNNN}` above: visible, and unambiguous about what was there. */
export function escapeCodePoint(char: string): string {
  const cp = char.codePointAt(0) ?? 0;
  return cp <= 0xff ? `\\x${hex(cp, 2)}` : `\\u{${hex(cp, 4)}}`;
}

/**
 * Replaces lone UTF-16 surrogates with U+FFFD (`String.prototype.toWellFormed`, written out because the
 * ES2022 lib this project compiles against does not declare it). Lone surrogates come from broken decoding of
 * hostile bytes; strict JSON and UTF-8 consumers reject them.
 */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Makes log text safe for a terminal: every control, bidi or line-separator character is shown as an escape
 * (`\x1B`, `\x0A`, `\u{202E}`) so nothing is hidden and nothing is executed. Lone surrogates become U+FFFD.
 * Backslashes are left alone: connector names (`EX01\Default Frontend EX01`) are full of them.
 */
export function stripControl(text: string): string {
  return toWellFormed(text).replace(CONTROL, escapeCodePoint);
}

/**
 * First characters a spreadsheet reads as a formula (OWASP CSV injection): `= + - @`, TAB and CR, and their
 * full-width forms, which some spreadsheet locales normalise. Leading spaces are skipped because some
 * spreadsheets trim them before deciding.
 */
const FORMULA_START = /^ *[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/** Characters that force an RFC 4180 quoted field. `;` too: Excel in many locales splits on it. */
const NEEDS_QUOTES = /[",;\r\n]/;

/**
 * One CSV field: RFC 4180 quoting, plus OWASP CSV-injection neutralising for strings (a leading `'`).
 * Numbers stay numbers (a negative count is not a formula); any string that could start a formula, such as
 * `-1+1`, is neutralised. Control characters are escaped too, so `cat report.csv` cannot drive a terminal.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  const text = stripControl(guarded);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CommonMark punctuation that could start markup, a link, an HTML tag, a table cell or an entity. */
const MARKDOWN_SPECIAL = /[\\|`<>*_[\]~&]/g;

/** A first character that starts a list item, a heading or a setext underline. */
const BLOCK_START = /^[-+#=]/;
/** `1. ` or `1)` (then a blank or the end) at the start: an ordered list item. */
const ORDERED_LIST_START = /^(\d{1,9})[.)](?=[ \t]|$)/;

/** CRLF, CR, LF, and the Unicode line/paragraph separators. */
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/g;

/**
 * What GitHub's autolink extension (cmark-gfm, and micromark's GFM on GitLab and remark) links in plain text:
 * `http://` and `https://` (and `mailto:`/`xmpp:`, which need an `@`), `www.`, and e-mail addresses. Backslash
 * escapes do not stop it: e-mail addresses are found after escapes are resolved, and `http\://` still links in
 * micromark. So the text is changed the way security reports defang addresses: `[:]//`, `www[.]`, `[@]`.
 */
const AUTOLINK = /:\/\/|www\.|@/gi;

function defang(match: string): string {
  // The brackets are written escaped, as MARKDOWN_SPECIAL escapes them: literal `[` and `]`, never a link.
  if (match === '@') return '\\[@\\]';
  return match === '://' ? '\\[:\\]//' : `${match.slice(0, 3)}\\[.\\]`;
}

/**
 * Text for a Markdown table cell or paragraph: line breaks become spaces (a newline would end the table row),
 * other control characters are shown as escapes, and Markdown punctuation is backslash-escaped so a hostile
 * EHLO name cannot open a link, an image, an HTML tag or a new cell. A leading `-`, `+`, `#`, `=` or `1.` is
 * escaped too, so the text cannot turn into a list or a heading when it starts a paragraph. Addresses that a
 * GitHub-style renderer would link on its own are defanged (see AUTOLINK): `http[:]//x`, `www[.]x`, `a[@]b`.
 */
export function markdownCell(text: string): string {
  const escaped = stripControl(text.replace(LINE_BREAK, ' ')).replace(MARKDOWN_SPECIAL, '\\$&').replace(AUTOLINK, defang);
  // At the start of a paragraph these open a list, a heading or a setext underline; escaping is harmless in a cell.
  if (BLOCK_START.test(escaped)) return `\\${escaped}`;
  const ordered = ORDERED_LIST_START.exec(escaped);
  return ordered ? `${ordered[1]}\\${escaped.slice(ordered[1]?.length ?? 0)}` : escaped;
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * Shortens text to at most `max` code points, ending with `…` when something was cut. Counting code points
 * (not UTF-16 units) never splits a surrogate pair. `max` is floored; a non-finite `max` means no limit.
 */
export function truncate(text: string, max: number): string {
  if (!Number.isFinite(max)) return text;
  const limit = Math.max(0, Math.floor(max));
  // Cheap exit: a string of at most `limit` UTF-16 units has at most `limit` code points.
  if (text.length <= limit) return text;
  const points = Array.from(text);
  if (points.length <= limit) return text;
  if (limit === 0) return '';
  return points.slice(0, limit - 1).join('') + '…';
}
