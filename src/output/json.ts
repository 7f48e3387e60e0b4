/**
 * The JSON report (`logscan.report/1`): the full data, for scripts and for combining runs. It must stay valid
 * and portable for any string a log can contain, so lone surrogates (which strict parsers such as Rust's or
 * Python's `ensure_ascii=False` writers reject) become U+FFFD before serialising, and characters a terminal
 * acts on even inside a JSON string (C1 controls, bidi overrides, line separators) are written as `\uXXXX`
 * escapes: `cat report.json` then shows them instead of obeying them, and the parsed data is unchanged.
 */
import type { Report } from '../types.js';
import { toWellFormed } from './sanitize.js';

/** What `JSON.stringify` leaves raw but a terminal or an editor may act on. Only possible inside strings. */
const RAW_RISKY = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function unicodeEscape(char: string): string {
  return `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/** A copy of plain JSON data with every string (object keys included) made well-formed. */
export function wellFormedDeep(value: unknown): unknown {
  if (typeof value === 'string') return toWellFormed(value);
  if (Array.isArray(value)) return value.map(wellFormedDeep);
  if (value !== null && typeof value === 'object') {
    // No prototype: a hostile key such as `__proto__` stays an ordinary key instead of replacing the prototype.
    const out = Object.create(null) as Record<string, unknown>;
    for (const [rawKey, v] of Object.entries(value)) {
      const key = toWellFormed(rawKey);
      const item = wellFormedDeep(v);
      const prior = out[key];
      // Two keys that differed only in broken surrogates collide; counts are added rather than lost.
      out[key] = typeof prior === 'number' && typeof item === 'number' ? prior + item : item;
    }
    return out;
  }
  return value;
}

/** `JSON.stringify(report, null, 2)` plus a newline, safe for any string content (see above). */
export function renderJson(report: Report): string {
  return `${JSON.stringify(wellFormedDeep(report), null, 2).replace(RAW_RISKY, unicodeEscape)}\n`;
}
