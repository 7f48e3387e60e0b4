/**
 * Culture-formatted dates from queue exports. A date is only turned into ISO when no other reading of the same
 * text is possible: `1/2/2024` could be 2 January or 1 February, and a wrong guess would put evidence on the
 * wrong day, so such texts keep `iso: null` and only their raw form.
 */
import { format } from 'date-fns/format';
import { isValid } from 'date-fns/isValid';
import { parse } from 'date-fns/parse';
import { parseISO } from 'date-fns/parseISO';
import type { DateValue } from '../../types.js';

/** Local wall-clock time; queue exports carry no zone, so none is invented. */
const ISO_LOCAL = "yyyy-MM-dd'T'HH:mm:ss";
const REF = new Date(2000, 0, 1);

const ISO_FORM = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const YMD = /^(\d{4})\/(\d{1,2})\/(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})$/;
/** `a/b/yyyy h:mm:ss[ AM]` with `/`, `.` or `-` between the numbers; day and month order is unknown. */
const NUMERIC_DMY = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?: ?([AaPp][Mm]))?$/;
/** `Friday, November 10, 2023 12:24:32 PM` and the same without the weekday. */
const LONG_EN = /^(?:([A-Za-z]{6,9}), )?([A-Za-z]{3,9} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AaPp][Mm])$/;

function fromFormat(text: string, pattern: string): string | null {
  const d = parse(text, pattern, REF);
  return isValid(d) ? format(d, ISO_LOCAL) : null;
}

/** The weekday is checked rather than parsed: date-fns would move the date to match a wrong weekday. */
function longEnglish(m: RegExpExecArray): string | null {
  const [, weekday, rest] = m;
  const d = parse(rest ?? '', 'MMMM d, yyyy h:mm:ss a', REF);
  if (!isValid(d)) return null;
  if (weekday !== undefined && format(d, 'EEEE').toLowerCase() !== weekday.toLowerCase()) return null;
  return format(d, ISO_LOCAL);
}

function numeric(m: RegExpExecArray, order: 'certain' | 'month-first' | 'day-first' = 'certain'): string | null {
  const [, a, , b, year, hh, mm, ss, ampm] = m;
  const first = Number(a);
  const second = Number(b);
  // Readable only when swapping day and month is impossible (one part > 12) or changes nothing (equal parts).
  let day: number;
  let month: number;
  if (order === 'month-first') [month, day] = [first, second];
  else if (order === 'day-first') [day, month] = [first, second];
  else if (first === second || second > 12) [month, day] = [first, second];
  else if (first > 12) [day, month] = [first, second];
  else return null;
  const time = ampm ? `${hh}:${mm}:${ss} ${ampm.toUpperCase()}` : `${hh}:${mm}:${ss}`;
  const pattern = ampm ? 'yyyy-M-d h:mm:ss a' : 'yyyy-M-d H:mm:ss';
  return fromFormat(`${year}-${month}-${day} ${time}`, pattern);
}

/** Parse a queue-export date when its reading is certain; otherwise keep only the raw text. */
export function parseQueueDate(raw: string): DateValue {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (text === '' || text.length > 64) return { raw, iso: null };
  let iso: string | null = null;
  if (ISO_FORM.test(text)) {
    iso = isValid(parseISO(text)) ? text.replace(' ', 'T') : null;
  } else {
    const ymd = YMD.exec(text);
    const num = ymd ? null : NUMERIC_DMY.exec(text);
    const long = ymd || num ? null : LONG_EN.exec(text);
    if (ymd) iso = fromFormat(text, 'yyyy/M/d H:mm:ss');
    else if (num) iso = numeric(num);
    else if (long) iso = longEnglish(long);
  }
  return { raw, iso };
}

/**
 * Every local wall-clock time a queue-export date can mean (`1/2/2024 …` two, a certain one one, an unreadable
 * one none), as ISO without a zone. A time filter drops an entry only when all of them lie outside its window.
 */
export function queueDateReadings(raw: string): string[] {
  const value = parseQueueDate(raw);
  if (value.iso !== null) return [value.iso];
  const m = NUMERIC_DMY.exec(raw.trim().replace(/\s+/g, ' '));
  if (m === null) return [];
  // An impossible reading (month 13) is null; equal day and month read the same both ways.
  const readings = [numeric(m, 'month-first'), numeric(m, 'day-first')].filter((r): r is string => r !== null);
  return [...new Set(readings)];
}
