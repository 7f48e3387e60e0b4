/**
 * The view of one protocol-log row that session facts are built from. Two implementations: {@link RecordRow}
 * over a {@link LogRecord} (library users, tests) and the reader's lazy buffer view (scan), which makes strings
 * only for the fields a fact needs. Facts code asks questions (`dataStarts('250')`, `verb()`) instead of reading
 * fields, so the fast path can answer them from bytes.
 */
import type { EventCode, LogRecord } from '../types.js';
import type { KeptLines } from '../read/row-view.js';

/** SMTP verbs the facts care about; everything else is `OTHER`. */
export const Verb = { OTHER: 0, STARTTLS: 1, QUIT: 2, EHLO: 3, HELO: 4, MAIL: 5, ANONYMOUSTLS: 6, AUTH: 7, RCPT: 8 } as const;
export type Verb = (typeof Verb)[keyof typeof Verb];

/**
 * A pre-test of a row on its bytes, for searches that make only the rows that may match: `needle` (ASCII, no
 * quote) occurs in every row `test` accepts, and `test` accepts every row the caller's full test accepts.
 */
export interface RowPeek {
  needle: string;
  test(row: Row): boolean;
}

/** A cheap, reusable reference to a row that may be materialized later (the last rows before a disconnect). */
export interface Pin {
  /** Position of the row within its session (0-based), to merge pinned rows with kept ones in order. */
  ordinal: number;
  record(shared?: SharedFields): LogRecord;
  /** The row in a scratch view, no strings made (rows kept as bytes only); valid until the next call. */
  view?(): Row;
  /** Nothing will read the row again: it need not be copied when its buffer is retired. */
  release?(): void;
}

/**
 * Fields that are the same on every row of a session. A record made from a lazy row reuses these strings when
 * the bytes are equal, so a kept row costs three new strings instead of nine.
 */
export interface SharedFields {
  connector: string;
  sessionId: string;
  local: string;
  remote: string;
}

export interface Row {
  readonly event: EventCode;
  readonly line: number;
  time(): string;
  /**
   * Milliseconds since the epoch for a canonical `yyyy-MM-ddTHH:mm:ss.fffZ` time, else NaN. A property, not a
   * method: the reader's view keeps it in a field, and a double returned by a call that V8 does not inline is boxed
   * as a new HeapNumber (one per row; whether the call is inlined changed from run to run).
   */
  readonly ms: number;
  connector(): string;
  sessionId(): string;
  /**
   * A hash of the session id and a test for it, so a session can be found again without making the id's string
   * for every row. Equal ids hash equal within one implementation; a hash says nothing without `sessionIdIs`.
   */
  sessionIdHash(): number;
  sessionIdIs(id: string): boolean;
  local(): string;
  remote(): string;
  data(): string;
  context(): string;
  /** ASCII prefix tests; cheap on bytes. */
  dataStarts(prefix: string): boolean;
  contextStarts(prefix: string): boolean;
  /** Whether `data` is exactly `text`, compared on the bytes where it can be (no string made). */
  dataIs(text: string): boolean;
  /** Whether `context` is exactly `text`, likewise. */
  contextIs(text: string): boolean;
  /** Length of `context` (bytes on the fast path, which agrees with the text's length for ASCII). */
  contextLength(): number;
  /** Char code of `data` at `i`, or -1 past its end. */
  dataCode(i: number): number;
  /** {@link advertisesStartTls} of `data`, read on the bytes where it can be (an EHLO reply is 100-200 bytes). */
  dataAdvertisesStartTls(): boolean;
  /** The command verb of `data`, as far as facts care. */
  verb(): Verb;
  /** The whole row as a record (strings made now, except `shared` ones that are equal). */
  record(shared?: SharedFields): LogRecord;
  /** A reference that can be materialized later; `reuse` is a previous pin of the same holder, to recycle. */
  pin(ordinal: number, reuse: Pin | null): Pin;
  /** Copies the row's bytes into `store` and returns true, or returns false when the row has no bytes (a record). */
  keepLine(store: KeptLines): boolean;
}

const VERBS: Record<string, Verb> = {
  STARTTLS: Verb.STARTTLS,
  QUIT: Verb.QUIT,
  EHLO: Verb.EHLO,
  HELO: Verb.HELO,
  MAIL: Verb.MAIL,
  RCPT: Verb.RCPT,
  'X-ANONYMOUSTLS': Verb.ANONYMOUSTLS,
  AUTH: Verb.AUTH,
};

/** Whole-token STARTTLS, so `X-ANONYMOUSTLS` does not count; `250-STARTTLS` and joined 250 replies do. */
export function advertisesStartTls(reply: string): boolean {
  let from = 0;
  for (;;) {
    const i = reply.indexOf('STARTTLS', from);
    if (i < 0) return false;
    const before = i === 0 ? 32 : reply.charCodeAt(i - 1);
    const after = i + 8 >= reply.length ? 32 : reply.charCodeAt(i + 8);
    if ((before === 32 || before === 45) && (after === 32 || after === 9)) return true;
    from = i + 8;
  }
}

/** {@link advertisesStartTls} of the text in bytes `[s, e)`: ASCII looked for in UTF-8 is found where it is. */
export function advertisesStartTlsBytes(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i + 8 <= e; i++) {
    if (b[i] !== 83 || !bytesAre(b, i, 'STARTTLS')) continue;
    const before = i === s ? 32 : b[i - 1];
    const after = i + 8 >= e ? 32 : b[i + 8];
    if ((before === 32 || before === 45) && (after === 32 || after === 9)) return true;
  }
  return false;
}

function bytesAre(b: Uint8Array, at: number, ascii: string): boolean {
  for (let k = 0; k < ascii.length; k++) if (b[at + k] !== ascii.charCodeAt(k)) return false;
  return true;
}

/** Upper-case first word of a command (`MAIL FROM:<…>` → `MAIL`). */
export function commandVerb(command: string): string {
  let end = 0;
  while (end < command.length && end < 16) {
    const c = command.charCodeAt(end);
    if (c === 32 || c === 58 || c === 9) break;
    end++;
  }
  return command.slice(0, end).toUpperCase();
}

export function verbOf(command: string): Verb {
  return VERBS[commandVerb(command)] ?? Verb.OTHER;
}

/** `STARTTLS` or `X-ANONYMOUSTLS` (Exchange-to-Exchange STARTTLS): a command whose `220` starts a TLS handshake. */
export function startsTlsVerb(verb: Verb): boolean {
  return verb === Verb.STARTTLS || verb === Verb.ANONYMOUSTLS;
}

class RecordPin implements Pin {
  constructor(
    public ordinal: number,
    public rec: LogRecord,
  ) {}
  record(): LogRecord {
    return this.rec;
  }
}

/** {@link Row} over an existing record. One instance can be re-pointed at each record in turn. */
export class RecordRow implements Row {
  r!: LogRecord;
  set(r: LogRecord): this {
    this.r = r;
    return this;
  }
  get event(): EventCode {
    return this.r.event;
  }
  get line(): number {
    return this.r.line;
  }
  time(): string {
    return this.r.time;
  }
  get ms(): number {
    return canonicalTimeMs(this.r.time);
  }
  connector(): string {
    return this.r.connector;
  }
  sessionId(): string {
    return this.r.sessionId;
  }
  sessionIdHash(): number {
    return hashText(this.r.sessionId);
  }
  sessionIdIs(id: string): boolean {
    return this.r.sessionId === id;
  }
  local(): string {
    return this.r.local;
  }
  remote(): string {
    return this.r.remote;
  }
  data(): string {
    return this.r.data;
  }
  context(): string {
    return this.r.context;
  }
  dataStarts(prefix: string): boolean {
    return this.r.data.startsWith(prefix);
  }
  contextStarts(prefix: string): boolean {
    return this.r.context.startsWith(prefix);
  }
  dataIs(text: string): boolean {
    return this.r.data === text;
  }
  contextIs(text: string): boolean {
    return this.r.context === text;
  }
  contextLength(): number {
    return this.r.context.length;
  }
  dataCode(i: number): number {
    return i < this.r.data.length ? this.r.data.charCodeAt(i) : -1;
  }
  dataAdvertisesStartTls(): boolean {
    return advertisesStartTls(this.r.data);
  }
  verb(): Verb {
    return verbOf(this.r.data);
  }
  record(): LogRecord {
    return this.r;
  }
  keepLine(): boolean {
    return false;
  }
  pin(ordinal: number, reuse: Pin | null): Pin {
    if (reuse instanceof RecordPin) {
      reuse.ordinal = ordinal;
      reuse.rec = this.r;
      return reuse;
    }
    return new RecordPin(ordinal, this.r);
  }
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The minutes {@link isoTime} formatted last, as text up to the seconds, in a few slots by minute: a session's
 * start and end are often in different minutes, and one slot would be replaced twice per session. One per
 * assembler, never shared.
 */
export interface IsoCache {
  minutes: number[];
  prefixes: string[];
}

const ISO_SLOTS = 8;

export function newIsoCache(): IsoCache {
  return { minutes: new Array<number>(ISO_SLOTS).fill(NaN), prefixes: new Array<string>(ISO_SLOTS).fill('') };
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** 9999-12-31T23:59:59.999Z: past it `toISOString` writes six-digit years. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;

/**
 * `new Date(ms).toISOString()`. Each session's start and end are written this way, and toISOString cost about
 * 0.5 µs a call (4 % of a scan); times of one log share their minute, so the text up to the seconds is reused.
 */
export function isoTime(ms: number, cache: IsoCache): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > LAST_FOUR_DIGIT_YEAR_MS) return new Date(ms).toISOString();
  const minute = Math.floor(ms / 60_000);
  const slot = minute & (ISO_SLOTS - 1);
  let prefix = cache.prefixes[slot]!;
  if (cache.minutes[slot] !== minute) {
    cache.minutes[slot] = minute;
    prefix = cache.prefixes[slot] = new Date(minute * 60_000).toISOString().slice(0, 17);
  }
  const rest = ms - minute * 60_000;
  const second = Math.floor(rest / 1000);
  return `${prefix}${TWO_DIGITS[second]!}.${THREE_DIGITS[rest - second * 1000]!}Z`;
}

/**
 * Reads `yyyy-MM-ddTHH:mm:ss.fffZ` (what Exchange writes) from bytes `[s, e)`. Only this exact form counts, so
 * that `new Date(ms).toISOString()` gives back the same text and times can be compared as numbers.
 */
export function canonicalFromBytes(b: Uint8Array, s: number, e: number, cache?: MinuteCache): number {
  if (cache !== undefined) {
    const offset = offsetInMinute(b, s, e, cache);
    if (offset >= 0) return cache.base + offset;
    if (offset === NOT_CANONICAL) return NaN;
  }
  if (e - s !== 24) return NaN;
  const value = parseCanonical(b, s);
  if (cache !== undefined && value === value) {
    cache.minute.set(b.subarray(s, s + 17));
    cache.base = value - (value % 60_000);
  }
  return value;
}

/** {@link offsetInMinute}: the time is not canonical. */
export const NOT_CANONICAL = -1;
/** {@link offsetInMinute}: the time is not in the cached minute (parse it whole). */
export const OTHER_MINUTE = -2;

/**
 * The ms of a canonical time `[s, e)` past the start of the cache's minute, when the time is in that minute (rows
 * of a log share their minute with the row before: 17 bytes compared instead of a parse and Date.UTC); else
 * {@link NOT_CANONICAL} or {@link OTHER_MINUTE}. A small integer, not the time itself: a function that returns a
 * double it was not inlined into boxes it as a new HeapNumber, one per row.
 */
export function offsetInMinute(b: Uint8Array, s: number, e: number, cache: MinuteCache): number {
  if (e - s !== 24) return NOT_CANONICAL;
  if (cache.base !== cache.base || b[s + 19] !== 46 || b[s + 23] !== 90) return OTHER_MINUTE;
  const minute = cache.minute;
  for (let i = 0; i < 17; i++) if (b[s + i] !== minute[i]) return OTHER_MINUTE;
  const second = digits(b, s + 17, 2);
  const ms = digits(b, s + 20, 3);
  return second >= 0 && second <= 59 && ms >= 0 ? second * 1000 + ms : NOT_CANONICAL;
}

/** The last minute (`yyyy-MM-ddTHH:mm:`) read and its start in ms; one per reader. */
export interface MinuteCache {
  minute: Uint8Array;
  base: number;
}

export function newMinuteCache(): MinuteCache {
  return { minute: new Uint8Array(17), base: NaN };
}

function parseCanonical(b: Uint8Array, s: number): number {
  if (b[s + 4] !== 45 || b[s + 7] !== 45 || b[s + 10] !== 84 || b[s + 13] !== 58 || b[s + 16] !== 58 || b[s + 19] !== 46 || b[s + 23] !== 90) {
    return NaN;
  }
  const year = digits(b, s, 4);
  const month = digits(b, s + 5, 2);
  const day = digits(b, s + 8, 2);
  const hour = digits(b, s + 11, 2);
  const minute = digits(b, s + 14, 2);
  const second = digits(b, s + 17, 2);
  const ms = digits(b, s + 20, 3);
  // `digits` gives -1 for a non-digit: every field is checked at both ends.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return NaN;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS[month - 1]! + (leap ? 1 : 0)) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

function digits(b: Uint8Array, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

export function canonicalTimeMs(time: string): number {
  if (time.length !== 24) return NaN;
  // Only ASCII: latin1 encoding would fold U+0130 onto `0` and make a different text look canonical.
  for (let i = 0; i < 24; i++) if (time.charCodeAt(i) > 127) return NaN;
  return canonicalFromBytes(Buffer.from(time, 'latin1'), 0, 24);
}

/** FNV-1a over the char codes of a text, cut to 30 bits so the result is a small integer (never boxed). */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

/** FNV-1a over bytes `[s, e)`: the same as {@link hashText} of their Latin-1 reading (ASCII ids hash alike). */
export function hashBytes(b: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h & 0x3fffffff;
}
