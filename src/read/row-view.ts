/**
 * The reader's lazy view of the current row: field positions in the input buffer, strings made only when asked.
 * Most rows of a multi-GB log are only looked at (event byte, reply code, verb) and never kept; making nine
 * strings and an object for each of them cost as much as everything else together.
 */
import type { EventCode, LogRecord } from '../types.js';
import { advertisesStartTls, advertisesStartTlsBytes, canonicalFromBytes, canonicalTimeMs, hashBytes, hashText, newMinuteCache, NOT_CANONICAL, offsetInMinute, Verb, verbOf, type Pin, type Row, type SharedFields } from '../sessions/row.js';
import type { ColumnMap } from './header.js';
import { COMMA, QUOTE, hasByte, parseSequence, parseSequenceBytes, splitQuoted } from './fields.js';

type FastSlices = Buffer & { utf8Slice(start: number, end: number): string };
type LatinSlices = Buffer & { latin1Slice(start: number, end: number): string };
type LatinWrites = Buffer & { latin1Write(text: string, offset: number, length: number): number };

/** Field slots a view starts with; a header with more columns grows them (see {@link splitRow}). */
const INITIAL_FIELDS = 16;

export class RowView implements Row {
  buf: Buffer = Buffer.alloc(0);
  line = 0;
  source = '';
  event: EventCode = '*';
  map!: ColumnMap;
  // Annotated: inferred, TypeScript 5.7+ writes `Int32Array<ArrayBuffer>` into the declarations, which older
  // compilers reject (`Type 'Int32Array' is not generic`) in the consumer's build (test/dts.test.ts).
  starts: Int32Array = new Int32Array(INITIAL_FIELDS);
  ends: Int32Array = new Int32Array(INITIAL_FIELDS);
  /**
   * Null on a line without quotes. On a line with quotes, the decoded text of each quoted field, and undefined
   * for the fields whose positions above apply.
   */
  strs: (string | undefined)[] | null = null;
  /** Reused for quoted lines. */
  readonly quotedFields: (string | undefined)[] = [];
  /**
   * The plain split's search cursor: no comma in `[commaFrom, commaAt)` of the current buffer. Whoever gives the
   * view another buffer, or new bytes in the same one, calls {@link forgetCommas}.
   */
  commaFrom = 0;
  commaAt = -1;
  /**
   * The row's time ({@link Row.ms}), set by {@link readTime}: the reader calls it for each row it accepts; rows split
   * again from kept bytes leave it NaN (nothing reads their time). A field that is always a number stays a double in
   * place, where a `number | undefined` one, or a method returning it uninlined, made a HeapNumber for every row.
   */
  ms = NaN;
  #data: string | undefined;
  #context: string | undefined;
  readonly #minutes = newMinuteCache();
  /** Bytes this view owns, for rows put back from kept text (never a reader's buffer, which it must not write). */
  #own: Buffer | null = null;

  /** This view's own buffer, at least `size` bytes; its content is the caller's until the next call. */
  ownBuffer(size: number): Buffer {
    const own = this.#own;
    if (own !== null && own.length >= size) return own;
    return (this.#own = Buffer.allocUnsafe(Math.max(size, 2 * (own?.length ?? 0), 1024)));
  }

  forgetCommas(): void {
    this.commaFrom = 0;
    this.commaAt = -1;
  }

  /** Called by the reader for each row, before anything reads it. */
  reset(): void {
    this.ms = NaN;
    this.#data = undefined;
    this.#context = undefined;
  }

  /** The decoded text of a quoted field, or undefined when the field's byte positions apply. */
  #text(col: number): string | undefined {
    return this.strs === null ? undefined : this.strs[col];
  }

  field(col: number): string {
    if (col < 0) return '';
    const t = this.#text(col);
    if (t !== undefined) return t;
    const s = this.starts[col]!;
    const e = this.ends[col]!;
    if (s === e) return '';
    // Buffer#utf8Slice is what toString('utf8') ends in, without its argument checks (one call per field).
    return (this.buf as FastSlices).utf8Slice(s, e);
  }

  fieldLength(col: number): number {
    if (col < 0) return 0;
    const t = this.#text(col);
    return t !== undefined ? t.length : this.ends[col]! - this.starts[col]!;
  }

  /** Char code (byte on the fast path) at `i` of a field, or -1 past its end. */
  code(col: number, i: number): number {
    if (col < 0) return -1;
    const t = this.#text(col);
    if (t !== undefined) return i < t.length ? t.charCodeAt(i) : -1;
    const p = this.starts[col]! + i;
    return p < this.ends[col]! ? this.buf[p]! : -1;
  }

  fieldStarts(col: number, prefix: string): boolean {
    if (col < 0) return prefix === '';
    const t = this.#text(col);
    if (t !== undefined) return t.startsWith(prefix);
    const s = this.starts[col]!;
    if (this.ends[col]! - s < prefix.length) return false;
    const buf = this.buf;
    for (let i = 0; i < prefix.length; i++) if (buf[s + i] !== prefix.charCodeAt(i)) return false;
    return true;
  }

  time(): string {
    return this.field(this.map.time);
  }
  /** Reads the row's time into {@link ms}; called once the row is split (and repaired). */
  readTime(): void {
    const col = this.map.time;
    if (col < 0 || this.#text(col) !== undefined) {
      this.ms = canonicalTimeMs(this.field(col));
      return;
    }
    // Most rows: the minute's start plus a small integer. One store per branch, no `a ? b : c` of the three: a
    // value that merges a computed double with a call's result is boxed, a HeapNumber per row.
    const minutes = this.#minutes;
    const offset = offsetInMinute(this.buf, this.starts[col]!, this.ends[col]!, minutes);
    if (offset >= 0) this.ms = minutes.base + offset;
    else if (offset === NOT_CANONICAL) this.ms = NaN;
    else this.ms = canonicalFromBytes(this.buf, this.starts[col]!, this.ends[col]!, minutes);
  }
  connector(): string {
    return this.field(this.map.connector);
  }
  sessionId(): string {
    return this.field(this.map.sessionId);
  }
  sessionIdHash(): number {
    const col = this.map.sessionId;
    if (col < 0) return hashText('');
    const t = this.#text(col);
    return t !== undefined ? hashText(t) : hashBytes(this.buf, this.starts[col]!, this.ends[col]!);
  }
  sessionIdIs(id: string): boolean {
    return this.fieldIs(this.map.sessionId, id);
  }
  local(): string {
    return this.field(this.map.local);
  }
  remote(): string {
    return this.field(this.map.remote);
  }
  // Facts read the data or context of the rows they keep (EHLO, TLS lines): the record reuses that string.
  data(): string {
    return (this.#data ??= this.field(this.map.data));
  }
  context(): string {
    return (this.#context ??= this.field(this.map.context));
  }
  dataStarts(prefix: string): boolean {
    return this.fieldStarts(this.map.data, prefix);
  }
  contextStarts(prefix: string): boolean {
    return this.fieldStarts(this.map.context, prefix);
  }
  dataIs(text: string): boolean {
    return this.#data !== undefined ? this.#data === text : this.fieldIs(this.map.data, text);
  }
  contextIs(text: string): boolean {
    return this.#context !== undefined ? this.#context === text : this.fieldIs(this.map.context, text);
  }
  contextLength(): number {
    return this.#context !== undefined ? this.#context.length : this.fieldLength(this.map.context);
  }
  dataAdvertisesStartTls(): boolean {
    const col = this.map.data;
    if (col < 0 || this.#data !== undefined || this.#text(col) !== undefined) return advertisesStartTls(this.data());
    return advertisesStartTlsBytes(this.buf, this.starts[col]!, this.ends[col]!);
  }
  dataCode(i: number): number {
    return this.code(this.map.data, i);
  }

  verb(): Verb {
    const col = this.map.data;
    if (col < 0 || this.#text(col) !== undefined) return verbOf(this.field(col));
    // The first word, upper-cased, compared with the few verbs facts use; no string is made.
    const buf = this.buf;
    const s = this.starts[col]!;
    const e = Math.min(this.ends[col]!, s + 16);
    let end = s;
    while (end < e) {
      const c = buf[end]!;
      if (c === 32 || c === 58 || c === 9) break;
      end++;
    }
    switch (end - s) {
      case 4:
        if (wordIs(buf, s, 'QUIT')) return Verb.QUIT;
        if (wordIs(buf, s, 'EHLO')) return Verb.EHLO;
        if (wordIs(buf, s, 'HELO')) return Verb.HELO;
        if (wordIs(buf, s, 'MAIL')) return Verb.MAIL;
        if (wordIs(buf, s, 'AUTH')) return Verb.AUTH;
        if (wordIs(buf, s, 'RCPT')) return Verb.RCPT;
        return Verb.OTHER;
      case 8:
        return wordIs(buf, s, 'STARTTLS') ? Verb.STARTTLS : Verb.OTHER;
      case 14:
        return wordIs(buf, s, 'X-ANONYMOUSTLS') ? Verb.ANONYMOUSTLS : Verb.OTHER;
      default:
        return Verb.OTHER;
    }
  }

  /** `sequence-number` as {@link parseSequence} reads it, from the bytes when it can (no string per record). */
  #sequence(col: number): number {
    if (col < 0 || this.#text(col) !== undefined) return parseSequence(this.field(col));
    return parseSequenceBytes(this.buf, this.starts[col]!, this.ends[col]!);
  }

  /** Whether the field holds exactly `text`; compared on the bytes when it can be (ASCII `text`). */
  fieldIs(col: number, text: string): boolean {
    if (col < 0) return text === '';
    const t = this.#text(col);
    if (t !== undefined) return t === text;
    const s = this.starts[col]!;
    const n = this.ends[col]! - s;
    // UTF-8 never has fewer bytes than UTF-16 has code units, and has more only for non-ASCII text.
    if (n < text.length) return false;
    if (n > text.length) return !isAscii(text) && this.field(col) === text;
    const buf = this.buf;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // A non-ASCII character is more than one byte: lengths that agree can still hide a match.
      if (c > 127) return this.field(col) === text;
      if (buf[s + i] !== c) return false;
    }
    return true;
  }

  /** The field's text, or `same` when the field holds exactly that text (no new string). */
  fieldOr(col: number, same: string | undefined): string {
    if (same === undefined || same === '' || col < 0 || this.#text(col) !== undefined) return this.field(col);
    return this.fieldIs(col, same) ? same : this.field(col);
  }

  keepLine(store: KeptLines): boolean {
    store.add(this);
    return true;
  }

  record(shared?: SharedFields): LogRecord {
    const map = this.map;
    return {
      source: this.source,
      line: this.line,
      time: this.field(map.time),
      connector: this.fieldOr(map.connector, shared?.connector),
      sessionId: this.fieldOr(map.sessionId, shared?.sessionId),
      sequence: this.#sequence(map.sequence),
      local: this.fieldOr(map.local, shared?.local),
      remote: this.fieldOr(map.remote, shared?.remote),
      event: this.event,
      data: this.data(),
      context: this.context(),
    };
  }

  // Pins: the current line's bytes stay referenced until the reader retires the buffer, then are copied.
  lineStart = 0;
  lineEnd = 0;
  #epoch = 0;
  #live: BufferPin[] = [];
  #liveKept: KeptLines[] = [];

  /** Registers a store of kept rows that holds rows of the current buffer (see {@link retire}). */
  liveKept(store: KeptLines): void {
    if (store.epoch === this.#epoch) return;
    store.epoch = this.#epoch;
    this.#liveKept.push(store);
  }
  #pinView: RowView | null = null;

  /**
   * Pins of reported sessions, for new sessions to take: three pins per session and the bytes each owns once its
   * chunk is retired were a tenth of all allocations. Only released pins come here (see {@link BufferPin.release}).
   */
  readonly #freePins: BufferPin[] = [];

  pin(ordinal: number, reuse: Pin | null): Pin {
    const p = reuse instanceof BufferPin ? reuse : this.#freePin();
    p.ordinal = ordinal;
    p.buf = this.buf;
    p.s = this.lineStart;
    p.e = this.lineEnd;
    p.line = this.line;
    p.source = this.source;
    p.map = this.map;
    if (p.epoch !== this.#epoch) {
      p.epoch = this.#epoch;
      this.#live.push(p);
    }
    return p;
  }

  #freePin(): BufferPin {
    const p = this.#freePins.pop();
    if (p === undefined) return new BufferPin((this.#pinView ??= new RowView()), this.#freePins);
    p.free = false;
    return p;
  }

  /**
   * The reader is done with the buffers of this chunk: pinned lines get their own copy (a few per open session,
   * not one per row), so a pin never keeps a whole chunk alive.
   */
  retire(): void {
    const epoch = this.#epoch;
    for (const p of this.#live) {
      if (p.epoch !== epoch) continue;
      // Into the pin's own bytes, kept from chunk to chunk: a session's pins cross many chunks, and a new
      // Buffer (and the view to copy from) for each crossing was a sizeable share of all allocations.
      const n = p.e - p.s;
      let own = p.own;
      if (own === null || own.length < n) own = p.own = Buffer.allocUnsafe(Math.max(n, 160));
      p.buf.copy(own, 0, p.s, p.e);
      p.buf = own;
      p.s = 0;
      p.e = n;
    }
    this.#live = [];
    for (const store of this.#liveKept) store.own();
    this.#liveKept = [];
    this.#epoch = epoch + 1;
  }
}

/** Until a pin is set: sessions make pins by the hundred thousand, and each `Buffer.alloc(0)` is an object. */
const NO_BYTES = Buffer.alloc(0);

class BufferPin implements Pin {
  /**
   * `scratch` is shared by the pins of one reader (materializing is synchronous, so one scratch view is enough);
   * `pool` is where the reader takes pins from, and where a released pin goes back.
   */
  constructor(
    private readonly scratch: RowView,
    private readonly pool: BufferPin[],
  ) {}
  ordinal = 0;
  buf: Buffer = NO_BYTES;
  s = 0;
  e = 0;
  line = 0;
  source = '';
  map!: ColumnMap;
  epoch = -1;
  /** Where the line's bytes are copied when its chunk is retired; reused by every later row of the pin. */
  own: Buffer | null = null;

  record(shared?: SharedFields): LogRecord {
    return recordOfLine(this.scratch, this.buf, this.s, this.e, this.line, this.source, this.map, shared);
  }

  view(): RowView {
    return viewOfLine(this.scratch, this.buf, this.s, this.e, this.line, this.source, this.map);
  }

  /** In the reader's pool: released and not yet taken by another session. */
  free = false;

  /**
   * Nothing reads the row again (its session was reported): it needs no copy when its chunk is retired, and the
   * pin, with the bytes it owns, goes back to the reader for a new session. Reading it afterwards gives another
   * session's row, as for the released rows of {@link KeptLines}. Once only: twice would hand it to two sessions.
   */
  release(): void {
    if (this.free) return;
    this.epoch = -1;
    this.free = true;
    this.pool.push(this);
  }
}

/**
 * The record of a row the reader accepted earlier, from its bytes `[s, e)`: split again the way the reader split
 * it, including its one repair (a row one field short gets an empty last field). `view` is a scratch view.
 */
function recordOfLine(view: RowView, buf: Buffer, s: number, e: number, line: number, source: string, map: ColumnMap, shared?: SharedFields): LogRecord {
  return viewOfLine(view, buf, s, e, line, source, map).record(shared);
}

/** The row at `[s, e)` split into `view` the way the reader split it; no strings are made. */
function viewOfLine(view: RowView, buf: Buffer, s: number, e: number, line: number, source: string, map: ColumnMap): RowView {
  view.map = map;
  view.source = source;
  view.line = line;
  view.forgetCommas();
  // Bounded (hasByte): a pinned row still sits in its read chunk.
  const n = splitRow(view, buf, s, e, map.count, hasByte(buf, s, e, QUOTE));
  if (n === map.count - 1) {
    // Without this the last field would keep its position from the row the scratch view held before.
    if (view.strs !== null) view.strs[n] = '';
    view.starts[n] = e;
    view.ends[n] = e;
  }
  // The row was accepted when it was read, so it has an event; the fallback is unreachable.
  view.event = eventOf(view) ?? '*';
  return view;
}

/** Entries of a row in {@link KeptLines}. */
const ROW_ENTRIES = 6;
/**
 * Rows most sessions keep (7 or 8 on the generated receive and send logs). Room for them from the start: grown
 * by push, the array was reallocated three times on the way to 48 entries (about 1.1 kB per session).
 */
const USUAL_KEPT_ROWS = 8;

/**
 * The kept rows of one session as the bytes they were read from, made into records only when something asks
 * for them: the built-in rules read rows only of sessions whose facts point at a finding, and most sessions are
 * healthy. A kept row is at first only its position in the reader's buffer; when the reader retires that buffer
 * while the session is still open, it becomes a copy of its bytes. Most sessions end in the chunk they were read
 * in, so most kept rows are never copied at all.
 */
export class KeptLines {
  /**
   * Six entries per row: its bytes (the reader's buffer, or once retired a latin1 string of one byte per
   * character, so the UTF-8 comes back unchanged), their start and end, its line number, source and column map.
   * One array, not a buffer per session: a session keeps about ten rows, and growing buffers cost more.
   */
  readonly #rows: Array<Buffer | string | number | ColumnMap> = new Array<Buffer | string | number | ColumnMap>(ROW_ENTRIES * USUAL_KEPT_ROWS);
  /** Entries in use: {@link #rows} starts with room for the usual session and grows past it. */
  #size = 0;
  /** Rows before this one are copies already (retired). */
  #owned = 0;
  /** The reader epoch this store is registered for retirement in (see {@link RowView.retire}). */
  epoch = -1;

  /** Keeps the view's current row by position; the view copies it if its buffer is retired first. */
  add(view: RowView): void {
    const rows = this.#rows;
    const k = this.#size;
    rows[k] = view.buf;
    rows[k + 1] = view.lineStart;
    rows[k + 2] = view.lineEnd;
    rows[k + 3] = view.line;
    rows[k + 4] = view.source;
    rows[k + 5] = view.map;
    this.#size = k + ROW_ENTRIES;
    view.liveKept(this);
  }

  /** Nothing will read these rows again (their session was reported): they need not be copied. */
  release(): void {
    this.#owned = this.#size;
  }

  /** The reader is about to reuse its buffers: rows still held by position become copies. */
  own(): void {
    const rows = this.#rows;
    for (let i = this.#owned; i < this.#size; i += ROW_ENTRIES) {
      const bytes = rows[i];
      if (typeof bytes === 'string') continue;
      const s = rows[i + 1] as number;
      const e = rows[i + 2] as number;
      rows[i] = (bytes as LatinSlices).latin1Slice(s, e);
      rows[i + 1] = 0;
      rows[i + 2] = e - s;
    }
    this.#owned = this.#size;
  }

  /** Whether the `i`-th kept row's bytes contain `needle` (ASCII), searched within the row only; no split. */
  includes(i: number, needle: string): boolean {
    const rows = this.#rows;
    const bytes = rows[ROW_ENTRIES * i]!;
    if (typeof bytes === 'string') return bytes.includes(needle);
    return bytesInclude(bytes as Buffer, rows[ROW_ENTRIES * i + 1] as number, rows[ROW_ENTRIES * i + 2] as number, needle);
  }

  /** The `i`-th kept row split into the scratch `view`, no strings made; valid until the view's next use. */
  view(i: number, view: RowView): RowView {
    const rows = this.#rows;
    const k = ROW_ENTRIES * i;
    let bytes = rows[k]!;
    let s = rows[k + 1] as number;
    let e = rows[k + 2] as number;
    if (typeof bytes === 'string') {
      const own = view.ownBuffer(bytes.length);
      e = (own as LatinWrites).latin1Write(bytes, 0, bytes.length);
      s = 0;
      bytes = own;
    }
    return viewOfLine(view, bytes as Buffer, s, e, rows[k + 3] as number, rows[k + 4] as string, rows[k + 5] as ColumnMap);
  }

  /**
   * The `i`-th kept row as a record; `view` is a scratch view. Copied bytes go back into the view's own buffer,
   * reused from row to row: a record's strings are copies, so nothing keeps the buffer.
   */
  record(i: number, view: RowView, shared: SharedFields): LogRecord {
    return this.view(i, view).record(shared);
  }
}

/** Whether bytes `[s, e)` contain the ASCII `needle`; bounded, unlike `Buffer#indexOf` (see `hasByte` in fields.ts). */
function bytesInclude(buf: Buffer, s: number, e: number, needle: string): boolean {
  const n = needle.length;
  const first = needle.charCodeAt(0);
  for (let i = s; i + n <= e; i++) {
    if (buf[i] !== first) continue;
    let k = 1;
    while (k < n && buf[i + k] === needle.charCodeAt(k)) k++;
    if (k === n) return true;
  }
  return false;
}

/**
 * Splits `[s, e)` into the view: positions for the fields, and decoded strings for quoted fields (quote-aware,
 * as csv-parse with relax_quotes) on a line with a quote. Returns the field count (at most `max + 1`), or -1
 * for a quote left open.
 */
export function splitRow(view: RowView, buf: Buffer, s: number, e: number, max: number, quoted: boolean): number {
  view.buf = buf;
  view.lineStart = s;
  view.lineEnd = e;
  view.reset();
  if (view.starts.length < max + 2) {
    // A #Fields line with many columns: room for all of them plus the one that tells "too many".
    view.starts = new Int32Array(max + 2);
    view.ends = new Int32Array(max + 2);
  }
  const starts = view.starts;
  const ends = view.ends;
  if (quoted) {
    const out = view.quotedFields;
    view.strs = out;
    return splitQuoted(buf, s, e, out, starts, ends, max);
  }
  view.strs = null;
  let count = 0;
  let from = s;
  // Native indexOf (memchr) beats a byte loop on lines of 100–300 bytes. Its search runs past `e` into the
  // lines after; where it ends is remembered, so lines without commas ahead of a far comma are not searched
  // again (each byte of a buffer is searched once, not once per line).
  let i = view.commaFrom <= s && s <= view.commaAt ? view.commaAt : buf.indexOf(COMMA, s);
  for (; i !== -1 && i < e; i = buf.indexOf(COMMA, i + 1)) {
    starts[count] = from;
    ends[count++] = i;
    if (count > max) return count;
    from = i + 1;
  }
  view.commaFrom = from;
  view.commaAt = i === -1 ? buf.length : i;
  starts[count] = from;
  ends[count++] = e;
  return count;
}

/** The event code of a split row; `\*` and empty events of Markdown-damaged copies are repaired. Null: invalid. */
export function eventOf(view: RowView): EventCode | null {
  const col = view.map.event;
  const n = view.fieldLength(col);
  const c = view.code(col, 0);
  if (n === 1) {
    switch (c) {
      case 62:
        return '>';
      case 60:
        return '<';
      case 43:
        return '+';
      case 45:
        return '-';
      case 42:
        return '*';
      default:
        return null;
    }
  }
  if (n === 0 || (n === 2 && c === 92 && view.code(col, 1) === 42)) {
    // Markdown ate or escaped the `*`; only an information row (it has text) can be repaired.
    const map = view.map;
    if (view.fieldLength(map.data) === 0 && view.fieldLength(map.context) === 0) return null;
    return '*';
  }
  return null;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/** ASCII case-insensitive comparison of `word.length` bytes with an upper-case word. */
function wordIs(buf: Buffer, s: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    let c = buf[s + i]!;
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}
