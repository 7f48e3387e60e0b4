/**
 * Text helpers for the HTML report. Every string that came from a log, a file name or a user rule is
 * hostile: it goes through {@link text} (or {@link attr}) before it touches markup, and through
 * {@link jsonForScript} before it touches a `<script>` block.
 */
import { formatDuration } from 'date-fns/formatDuration';
import { intervalToDuration } from 'date-fns/intervalToDuration';
import { escapeHtml, stripControl } from './sanitize.js';
import { LOCAL_TIME, ZONED_TIME } from '../iso-time.js';

// One escaping implementation for every output format: controls and bidi overrides become visible escapes
// (`\x1B`, `\u{202E}`) so a hostile EHLO name cannot display as a different host.
export { escapeHtml, stripControl };

/** Hostile text → safe element content. */
export function text(value: string | null | undefined): string {
  return value == null ? '' : escapeHtml(stripControl(value));
}

/** Hostile text → safe double-quoted attribute value (same escaping; kept separate so call sites read right). */
export function attr(value: string | null | undefined): string {
  return text(value);
}

/**
 * JSON for a `<script type="application/json">` block. `<` and `>` are escaped so no `</script>` or `<!--`
 * can end the block early; U+2028/2029 are escaped because older JS parsers treat them as line ends.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The URL when it is a plain absolute http(s) URL, else null. Category docs can come from user rules, so
 * `javascript:`, `data:` and friends must never become a link.
 */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (value == null || value.length > 2048) return null;
  // Whitespace and controls inside a URL are a smuggling trick (`java\tscript:`), never a real docs link.
  if (/[\s\u0000-\u001F\u007F-\u009F]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.href;
}

/** Milliseconds of an ISO-8601 timestamp with an explicit zone, or null (placeholders in excerpts). */
export function parseTime(value: string | null | undefined): number | null {
  if (value == null || value.length > 40 || !ZONED_TIME.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * `2024-05-01 13:04:05 UTC`; a zone-less time (a queue export's, the server's own clock) `2025-11-13 14:03:05
 * local`; unreadable values are shown as written (escaped by the caller).
 */
export function formatTime(value: string | null | undefined): string {
  if (value == null || value === '') return '';
  const local = LOCAL_TIME.exec(value);
  if (local) return `${local[1]} ${local[2]} local`;
  const ms = parseTime(value);
  if (ms === null) return value;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Human span between two ISO times, e.g. `2 days 9 hours 12 minutes`; '' when either is unreadable. */
export function formatSpan(from: string | null | undefined, to: string | null | undefined): string {
  const a = parseTime(from);
  const b = parseTime(to);
  if (a === null || b === null || b < a) return '';
  if (b - a < 60_000) return 'less than a minute';
  const d = intervalToDuration({ start: a, end: b });
  return formatDuration(d, { format: ['years', 'months', 'days', 'hours', 'minutes'] });
}

const NUMBER = new Intl.NumberFormat('en-US');

export function formatNumber(n: number): string {
  return Number.isFinite(n) ? NUMBER.format(n) : '0';
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Sum of the values of a count map, ignoring anything that is not a finite positive number. */
export function sumCounts(counts: Readonly<Record<string, number | undefined>>): number {
  let total = 0;
  for (const v of Object.values(counts)) if (typeof v === 'number' && Number.isFinite(v) && v > 0) total += v;
  return total;
}
