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

/** What JSON.stringify writes for a lone surrogate (ES2019 well-formed stringify). */
const ESCAPED_SURROGATE = /\\ud[89a-f][0-9a-f]{2}/i;

/** Arrays that grow with the input (one item per remote host); they are written item by item. */
const LARGE_ARRAYS: ReadonlySet<string> = new Set(['inputs', 'groups', 'hosts', 'connectors']);

/**
 * `JSON.stringify(value, null, 2)` made safe (see above). The deep well-formed copy is made only when the text
 * shows a lone surrogate.
 */
function safeText(value: unknown): string {
  let text = JSON.stringify(value, null, 2) ?? 'null';
  // Plain searches first: on a 200 MB log's report they take 3 ms where the two patterns took 25 ms.
  if ((text.includes('\\ud') || text.includes('\\uD')) && ESCAPED_SURROGATE.test(text)) text = JSON.stringify(wellFormedDeep(value), null, 2);
  // Only DEL is risky below U+0080, and a text whose UTF-8 is as long as it is has nothing above U+007F.
  if (Buffer.byteLength(text) === text.length && !text.includes('\x7f')) return text;
  RAW_RISKY.lastIndex = 0;
  return RAW_RISKY.test(text) ? text.replace(RAW_RISKY, unicodeEscape) : text;
}

/** A value of the report's top level, as {@link safeText} prints it one level in. */
function safeMember(value: unknown): string {
  // JSON strings never contain a raw line break, so re-indenting line starts cannot touch string content.
  return safeText(value).replace(/\n/g, '\n  ');
}

/** Items of a large array stringified in one call: one call per group cost a third of the JSON time. */
const BATCH = 16;

/**
 * Items `[from, to)` of a large array as `JSON.stringify` prints them inside the report (four spaces in, one per
 * line, with a comma after each but the array's last), made safe (see above). Wrapping them as `{"a": [...]}`
 * puts them at that depth already, so no re-indenting pass is needed; the wrapper's own lines are cut off.
 */
function safeItems(items: readonly unknown[], from: number, to: number): string {
  const text = safeText({ a: items.slice(from, to) });
  // `{\n  "a": [` before the items and `\n  ]\n}` after them.
  const body = text.slice(WRAP_HEAD, text.length - WRAP_TAIL);
  return to < items.length ? `${body},` : body;
}

const WRAP_HEAD = '{\n  "a": ['.length;
const WRAP_TAIL = '\n  ]\n}'.length;

/**
 * The JSON report in pieces, byte for byte what {@link renderJson} returns: the CLI writes them one by one so a
 * report with tens of thousands of groups is never one giant string in memory.
 */
export function* jsonChunks(report: Report): Generator<string> {
  // Like JSON.stringify, leave out keys whose value is undefined.
  const entries = Object.entries(report).filter(([, v]) => v !== undefined);
  yield '{';
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    const comma = i < entries.length - 1 ? ',' : '';
    yield `\n  ${JSON.stringify(key)}: `;
    if (LARGE_ARRAYS.has(key) && Array.isArray(value) && value.length > 0) {
      yield '[';
      for (let j = 0; j < value.length; j += BATCH) yield safeItems(value, j, Math.min(j + BATCH, value.length));
      yield `\n  ]${comma}`;
    } else {
      yield `${safeMember(value)}${comma}`;
    }
  }
  yield entries.length > 0 ? '\n}\n' : '}\n';
}

/** `JSON.stringify(report, null, 2)` plus a newline, safe for any string content (see above). */
export function renderJson(report: Report): string {
  let out = '';
  for (const chunk of jsonChunks(report)) out += chunk;
  return out;
}
