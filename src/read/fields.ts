/**
 * Byte-level helpers for the protocol reader: line trimming, encoding sniffing and the quote-aware field splitter
 * (the plain one is `splitRow` in row-view.ts). They work on `Buffer` ranges, never on a whole line as a string.
 */

export const LF = 10;
export const CR = 13;
export const TAB = 9;
export const SPACE = 32;
export const COMMA = 44;
export const QUOTE = 34;
export const HASH = 35;

/**
 * Whether bytes `[s, e)` hold `byte`. Bounded, unlike `buf.indexOf`: a line still sits in its read chunk, and a
 * search from it would run on through the rest of the chunk when the byte does not follow.
 */
export function hasByte(buf: Uint8Array, s: number, e: number, byte: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] === byte) return true;
  return false;
}

/**
 * End of a line's content without trailing CR, spaces and tabs. Trimming before splitting is safe for quoted
 * fields: a closed quoted field ends in `"`, so only blanks after the closing quote (web-copy damage) go.
 */
export function trimEnd(buf: Uint8Array, s: number, e: number): number {
  while (e > s) {
    const b = buf[e - 1];
    if (b === SPACE || b === TAB || b === CR) e--;
    else break;
  }
  return e;
}

/** Whether bytes start with the gzip magic number (`1f 8b`). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The archive format whose magic number starts the bytes: logs sent as a zipped folder (Windows' "Compressed
 * folder") are common, and "binary data" would not tell the admin what to do.
 */
export function archiveKind(bytes: Uint8Array): 'ZIP' | '7-Zip' | 'RAR' | null {
  const starts = (magic: readonly number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  // Local file header, end of an empty archive, spanned archive marker.
  if (starts([0x50, 0x4b, 0x03, 0x04]) || starts([0x50, 0x4b, 0x05, 0x06]) || starts([0x50, 0x4b, 0x07, 0x08])) return 'ZIP';
  if (starts([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7-Zip';
  if (starts([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07])) return 'RAR';
  return null;
}

/** 3 when a UTF-8 BOM starts at `s` (a new file, or concatenated files), else 0. */
export function bomAt(buf: Uint8Array, s: number, e: number): number {
  return e - s >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf ? 3 : 0;
}

/** Field text for bytes `[s, e)`, decoded as UTF-8 (U+FFFD for bad bytes). */
function decode(buf: Buffer, s: number, e: number): string {
  return buf.toString('utf8', s, e);
}

/** How a text input is encoded; UTF-16 inputs are transcoded to UTF-8 before anything else reads them. */
export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be';

/**
 * Encoding from the first bytes: a UTF-16 BOM (`FF FE` little-endian, `FE FF` big-endian, which Windows
 * PowerShell's `-Encoding BigEndianUnicode` writes), or BOM-less UTF-16 ASCII text (NUL in every odd byte for
 * little-endian, every even byte for big-endian; UTF-8 text never has NULs). Anything else is read as UTF-8.
 */
export function sniffEncoding(head: Uint8Array): TextEncoding {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  if (head.length < 4) return 'utf8';
  if (asciiUnits(head, 0)) return 'utf16le';
  if (asciiUnits(head, 1)) return 'utf16be';
  return 'utf8';
}

/** The first two UTF-16 code units are non-NUL ASCII with their low byte at `low` (0: little-endian). */
function asciiUnits(head: Uint8Array, low: 0 | 1): boolean {
  const high = 1 - low;
  for (const unit of [0, 2]) {
    const lo = head[unit + low]!;
    if (head[unit + high] !== 0 || lo === 0 || lo >= 0x80) return false;
  }
  return true;
}

/** Whether the first bytes are a UTF-16 byte order mark of either order. */
export function hasUtf16Bom(head: Uint8Array): boolean {
  return head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff));
}

/** The WHATWG label of a UTF-16 encoding, for TextDecoder. */
export function utf16Label(encoding: 'utf16le' | 'utf16be'): 'utf-16le' | 'utf-16be' {
  return encoding === 'utf16le' ? 'utf-16le' : 'utf-16be';
}

/**
 * Quote-aware split of one line (`"` quoting, `""` escapes), matching csv-parse with `relax_quotes`: a quote
 * inside an unquoted field is literal, and a closing quote followed by something other than a comma turns the
 * field back into literal text (`"a"b` stays `"a"b`). A quoted field with `""` escapes or text after its closing
 * quote is decoded into `out[i]`; any other field gets `out[i] = undefined` and its byte range in
 * `starts[i]`/`ends[i]` (for a quoted one, the bytes between the quotes), so a row with quoted fields pays for
 * strings only where it must. Writes at most `max + 1` fields (so callers can tell "too many"), returns the
 * count, or -1 when a quoted field is still open at the end of the line.
 * Every search is bounded by `e`, so a damaged line costs time proportional to its own length only.
 */
export function splitQuoted(
  buf: Buffer,
  s: number,
  e: number,
  out: (string | undefined)[],
  starts: Int32Array,
  ends: Int32Array,
  max: number,
): number {
  // Positions are absolute and every result past the line end `e` is ignored (see byteIn): a view bounded at
  // the line end would be an object for every quoted line.
  let count = 0;
  let pos = s;
  for (;;) {
    if (count > max) return count;
    if (pos < e && buf[pos] === QUOTE) {
      let p = pos + 1;
      let doubled = false;
      let q: number;
      for (;;) {
        q = byteIn(buf, QUOTE, p, e);
        if (q === -1) return -1;
        if (q + 1 < e && buf[q + 1] === QUOTE) {
          doubled = true;
          p = q + 2;
          continue;
        }
        break;
      }
      const next = q + 1;
      if (!doubled && (next === e || buf[next] === COMMA)) {
        // Without `""` escapes the value is the bytes between the quotes: positions, like an unquoted field, and
        // a string only if someone reads it (most quoted fields are banners and certificate lines nobody does).
        out[count] = undefined;
        starts[count] = pos + 1;
        ends[count++] = q;
        if (next === e) return count;
        pos = next + 1;
        continue;
      }
      let value = decode(buf, pos + 1, q);
      if (doubled) value = value.replaceAll('""', '"');
      if (next === e) {
        out[count++] = value;
        return count;
      }
      if (buf[next] === COMMA) {
        out[count++] = value;
        pos = next + 1;
        continue;
      }
      // Junk after the closing quote: keep the field as literal text up to the next comma.
      const c = byteIn(buf, COMMA, next, e);
      const fe = c === -1 ? e : c;
      out[count++] = '"' + value + '"' + decode(buf, next, fe);
      if (c === -1) return count;
      pos = c + 1;
      continue;
    }
    const c = byteIn(buf, COMMA, pos, e);
    const fe = c === -1 ? e : c;
    out[count] = undefined;
    starts[count] = pos;
    ends[count++] = fe;
    if (c === -1) return count;
    pos = c + 1;
  }
}

/**
 * First `byte` in `buf[from, to)`, or -1. The native search may run past `to`, but only up to the next such
 * byte: the stretches searched for the lines of a buffer do not overlap, so a buffer is searched at most once.
 */
function byteIn(buf: Buffer, byte: number, from: number, to: number): number {
  if (from >= to) return -1;
  const i = buf.indexOf(byte, from);
  return i !== -1 && i < to ? i : -1;
}

/**
 * Makes log-derived text safe to put in a message: control, line-separator and bidi-override characters become
 * `?` (they could fake lines or reorder text in a terminal or report) and the result is cut at `max` characters.
 */
export function sanitize(text: string, max = 80): string {
  let out = '';
  const n = Math.min(text.length, max);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const bad =
      c < 0x20 ||
      (c >= 0x7f && c < 0xa0) ||
      c === 0x2028 ||
      c === 0x2029 ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      c === 0x200e ||
      c === 0x200f;
    out += bad ? '?' : text[i];
  }
  return text.length > max ? out + '…' : out;
}

/** `sequence-number` as a number: plain decimal digits only, else -1 (placeholders, damage). */
export function parseSequence(text: string): number {
  const n = text.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** {@link parseSequence} of the bytes `[s, e)`: the same rule, without making a string. */
export function parseSequenceBytes(buf: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** `yyyy-…`: the start of an ISO date-time (the only kind of time that may set the from/to coverage). */
export function isIsoLike(text: string): boolean {
  if (text.length < 10) return false;
  for (let i = 0; i < 4; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return text.charCodeAt(4) === 45;
}

/**
 * A first field that can start a protocol row: ISO-like, or a documentation placeholder such as
 * `Date/Time.ConnectorId` (a letter, no blanks, short).
 */
export function looksLikeRowStart(text: string): boolean {
  if (isIsoLike(text)) return true;
  if (text.length === 0 || text.length > 64) return false;
  const c0 = text.charCodeAt(0);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) return false;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 44 || c === 34) return false;
  }
  return true;
}
