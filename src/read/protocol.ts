/**
 * Streaming reader for Exchange SMTP Send/Receive protocol logs.
 *
 * Physical lines are found first (one `indexOf(LF)` walk over each chunk), then fields, so a damaged line can
 * never swallow the lines after it. Lines without a `"` are split into field positions on the bytes; only lines
 * with a quote take the quote-aware path. The row is a lazy view (`row-view.ts`): `readProtocolRows` hands it to
 * the session stage, which makes strings only for the fields it needs; `readProtocolLog` makes records of it.
 * Every physical line lands in exactly one bucket (a record or one skip reason), which keeps the accounting
 * invariant `lines === records + sum(skipped)` true by construction.
 */
import type { InputKind, InputStats, LogRecord, SkipReason } from '../types.js';
import { eventOf, RowView, splitRow } from './row-view.js';
import { decideDirection, newVote, voteRecord, type DirectionVote } from './direction.js';
import {
  CR,
  hasByte,
  HASH,
  LF,
  QUOTE,
  bomAt,
  isIsoLike,
  looksLikeRowStart,
  sanitize,
  sniffEncoding,
  hasUtf16Bom,
  utf16Label,
  trimEnd,
} from './fields.js';
import {
  DEFAULT_COLUMNS,
  fieldGaps,
  judgeLogType,
  mapFields,
  parseBareHeaderLine,
  parseHashLine,
  splitFieldNames,
  type ColumnMap,
  type HeaderLine,
} from './header.js';
import { addProblem, countSkip, emptyStats, keepsProblems } from './stats.js';
import { TextDecoder } from 'node:util';

export interface ProtocolHeader {
  software: string | null;
  version: string | null;
  logType: string | null;
  date: string | null;
  fields: string[] | null;
}

export interface ProtocolReadOptions {
  /** Longest physical line accepted; longer ones are skipped as 'line-too-long' (default 1 MiB). */
  maxLineLength?: number | undefined;
  /** Called once the header block (if any) is read; may be called again if a header re-appears mid-file. */
  onHeader?: ((h: ProtocolHeader) => void) | undefined;
}

export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

/** Header values come from the file; a hostile 1 MB `#Date` must not end up in every report. */
const MAX_HEADER_VALUE = 256;

const EMPTY = Buffer.alloc(0);

function indexOr(buf: Buffer, byte: number, from: number): number {
  const i = buf.indexOf(byte, from);
  return i === -1 ? buf.length : i;
}

function startsWithAscii(buf: Buffer, s: number, e: number, text: string): boolean {
  if (e - s < text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[s + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** First letters of the `#`-less header spellings (`Software:`, `Version:`, `Log-type:`, `Date:`, `Fields:`). */
function mayBeBareHeader(b: number | undefined): boolean {
  return b === 83 || b === 86 || b === 76 || b === 68 || b === 70;
}

const BARE_PREFIXES = ['Software:', 'Version:', 'Log-type:', 'Date:', 'Fields:'];

/**
 * A time Exchange did not write but that is one (`2025-11-10 23:59:59Z`, an export that changed the form): kept as
 * text, as before. Exchange's own form is read as a number before this is asked.
 */
const LOOSE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

function isLooseTimestamp(time: string): boolean {
  const m = LOOSE_TIME.exec(time);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.parse rolls 2025-02-30 over into March: the day must exist.
  return month >= 1 && month <= 12 && day >= 1 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/**
 * A documentation placeholder of a pasted excerpt (`Date/Time.ConnectorId`, KB 4495258): it names the field
 * instead of holding a time, so it is no damage; facts and reports keep it apart from times (it has no digit first).
 */
function isPlaceholderTime(time: string): boolean {
  return !isIsoLike(time) && looksLikeRowStart(time) && /date|time/i.test(time);
}

/** First bytes looked at for a line end before deciding whether lines end in CR alone. */
const CR_SNIFF_BYTES = 4096;

/**
 * Lines end in CR alone: the first bytes hold no LF but a CR with more text after it. A CRLF file cannot look so
 * (its CRs are followed by LF); an LF file whose first line is longer than the bytes looked at has no CR in it.
 */
function crOnlyLines(head: Buffer): boolean {
  const bytes = head.subarray(0, CR_SNIFF_BYTES);
  if (bytes.indexOf(LF) !== -1) return false;
  const cr = bytes.indexOf(CR);
  return cr !== -1 && cr + 1 < bytes.length;
}


/** A copy with every CR turned into LF: the chunk is the caller's and must not be written. */
function crToLf(chunk: Buffer): Buffer {
  const out = Buffer.from(chunk);
  for (let i = out.indexOf(CR); i !== -1; i = out.indexOf(CR, i + 1)) out[i] = LF;
  return out;
}

/** How far a log's `#Date` may lie before the rows read so far before the logs count as out of order. */
const OUT_OF_ORDER_MS = 60_000;

/** The incremental parser behind both public entry points. One instance per input; not shared. */
class ProtocolParser {
  private readonly stats: InputStats;
  private readonly maxLine: number;
  private readonly onHeader: ((h: ProtocolHeader) => void) | undefined;

  // Encoding: decided from the first bytes; UTF-16 input (either order) is transcoded to UTF-8 before line splitting.
  private sniffed = false;
  private pendingHead: Buffer | null = null;
  private utf16: TextDecoder | null = null;
  /** Lines end in CR alone (no LF in the first bytes): each CR is read as a line end. */
  private crOnly = false;

  // Lines: the unfinished last line of the previous chunk(s), or discard mode for an over-long line.
  private lineNo = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;
  private discarding = false;

  // Forward-only cursors over the current buffer, so each byte is searched at most once per needle.
  private nextQuote = -1;
  private nextNul = -1;

  private map: ColumnMap = DEFAULT_COLUMNS;
  /** Line of the `#Fields` header that gave `map` (0: none yet, the standard fields). */
  private fieldsLine = 0;
  /** `map` without its time column, for rows whose date-time is not a time; made again when `map` changes. */
  private timeless: ColumnMap | null = null;
  private timelessOf: ColumnMap | null = null;
  /** Missing or repeated columns were reported (once per input). */
  private fieldsNoted = false;
  private header: ProtocolHeader | null = null;
  private kindFromHeader = false;
  /** Logs joined out of time order were noticed (said once per input). */
  private outOfOrder = false;
  private refused = false;
  private vote: DirectionVote | null = newVote();

  private batch: LogRecord[] = [];
  private readonly view = new RowView();
  private readonly onRow: ((row: RowView) => void) | null;
  // Canonical times are compared as numbers; stats.from/to get them back as text at the end of each chunk.
  private minMs = Infinity;
  private maxMs = -Infinity;

  constructor(stats: InputStats, options: ProtocolReadOptions, onRow: ((row: RowView) => void) | null = null) {
    this.stats = stats;
    this.onRow = onRow;
    const max = options.maxLineLength;
    this.maxLine = max !== undefined && Number.isFinite(max) && max > 0 ? Math.floor(max) : DEFAULT_MAX_LINE_LENGTH;
    this.onHeader = options.onHeader;
  }

  push(chunk: Buffer): LogRecord[] {
    this.stats.bytes += chunk.length;
    this.batch = [];
    const data = this.decodeInput(chunk, false);
    if (data.length > 0) this.consume(data);
    this.settleDirection(false);
    this.settleTimes();
    this.view.retire();
    return this.batch;
  }

  end(): LogRecord[] {
    this.batch = [];
    const data = this.decodeInput(EMPTY, true);
    if (data.length > 0) this.consume(data);
    this.finishLastLine();
    this.closeHeader();
    this.settleDirection(true);
    this.settleTimes();
    this.view.retire();
    return this.batch;
  }

  private decodeInput(chunk: Buffer, final: boolean): Buffer {
    if (!this.sniffed) {
      const head = this.pendingHead === null ? chunk : Buffer.concat([this.pendingHead, chunk]);
      // Too few bytes to tell UTF-16 from UTF-8, or CR-only line ends from a long first line, yet: the decision
      // rests on the same first bytes however the input is cut into chunks.
      const undecided = (head.length < 4 && !hasUtf16Bom(head)) || (head.length < CR_SNIFF_BYTES && head.indexOf(LF) === -1);
      if (!final && undecided) {
        this.pendingHead = Buffer.from(head);
        return EMPTY;
      }
      this.pendingHead = null;
      this.sniffed = true;
      const encoding = sniffEncoding(head);
      if (encoding !== 'utf8') this.utf16 = new TextDecoder(utf16Label(encoding));
      this.crOnly = crOnlyLines(head);
      if (this.crOnly) {
        addProblem(
          this.stats,
          0,
          'cr-line-ends',
          'the lines end in CR alone (old Mac style), not CRLF as Exchange writes them or LF: each CR is read as a line end, so line numbers count CRs',
        );
      }
      chunk = head;
    }
    if (this.utf16 !== null) {
      // The streaming decoder keeps a code unit or surrogate pair that is split across chunks for the next call.
      chunk = Buffer.from(this.utf16.decode(chunk, { stream: !final }), 'utf8');
    }
    return this.crOnly ? crToLf(chunk) : chunk;
  }

  /** A new buffer starts: the forward cursors belong to the previous one. */
  private resetCursors(): void {
    this.nextQuote = -1;
    this.nextNul = -1;
    this.view.forgetCommas();
  }

  private consume(buf: Buffer): void {
    let pos = 0;
    if (this.discarding) {
      const lf = buf.indexOf(LF);
      if (lf === -1) return;
      this.discarding = false;
      this.lineTooLong();
      pos = lf + 1;
    } else if (this.carryLen > 0) {
      const lf = buf.indexOf(LF);
      if (lf === -1) {
        this.keepTail(buf, 0);
        return;
      }
      if (this.carryLen + lf > this.maxLine) {
        this.carry = [];
        this.carryLen = 0;
        this.lineTooLong();
      } else {
        this.carry.push(buf.subarray(0, lf));
        const line = Buffer.concat(this.carry, this.carryLen + lf);
        this.carry = [];
        this.carryLen = 0;
        this.resetCursors();
        this.line(line, 0, line.length, true);
      }
      pos = lf + 1;
    }
    this.resetCursors();
    const max = this.maxLine;
    for (;;) {
      const lf = buf.indexOf(LF, pos);
      if (lf === -1) break;
      if (lf - pos > max) this.lineTooLong();
      else this.line(buf, pos, lf, true);
      pos = lf + 1;
    }
    if (pos < buf.length) this.keepTail(buf, pos);
  }

  /** Keeps the unfinished last line for the next chunk: a copy of the tail only, never of the whole chunk. */
  private keepTail(buf: Buffer, pos: number): void {
    const n = buf.length - pos;
    if (this.carryLen + n > this.maxLine) {
      // Memory stays bounded: forget what we have and drop bytes until the next LF.
      this.carry = [];
      this.carryLen = 0;
      this.discarding = true;
      return;
    }
    this.carry.push(Buffer.from(buf.subarray(pos)));
    this.carryLen += n;
  }

  /**
   * The input broke off (a read error, a cut .gz): the bytes after the last line end are part of a line that will
   * never be whole. It is counted as a skipped line, not parsed and not dropped: every line read ends in a record
   * or a counted skip.
   */
  abandon(): void {
    if (this.carryLen === 0 && !this.discarding) return;
    this.carry = [];
    this.carryLen = 0;
    this.discarding = false;
    const lineNo = ++this.lineNo;
    this.stats.lines++;
    this.skip('truncated-last-line');
    addProblem(this.stats, lineNo, 'truncated-last-line', `line ${lineNo}: cut off where the input broke off (see the read error); skipped`);
  }

  private finishLastLine(): void {
    if (this.discarding) {
      this.discarding = false;
      this.lineTooLong();
    } else if (this.carryLen > 0) {
      const line = Buffer.concat(this.carry, this.carryLen);
      this.carry = [];
      this.carryLen = 0;
      this.resetCursors();
      this.line(line, 0, line.length, false);
    }
  }

  private skip(reason: SkipReason): void {
    countSkip(this.stats, reason);
  }

  private lineTooLong(): void {
    const lineNo = ++this.lineNo;
    this.stats.lines++;
    if (this.refused) return this.skip('refused-input');
    this.skip('line-too-long');
    addProblem(this.stats, lineNo, 'line-too-long', `line ${lineNo} is longer than ${this.maxLine} bytes; skipped`);
  }

  /** One physical line `[s, rawEnd)` without its LF. `terminated` is false only for a last line without LF. */
  private line(buf: Buffer, s: number, rawEnd: number, terminated: boolean): void {
    const stats = this.stats;
    const lineNo = ++this.lineNo;
    stats.lines++;
    if (this.refused) return this.skip('refused-input');
    s += bomAt(buf, s, rawEnd);
    if (this.nextNul < s) this.nextNul = indexOr(buf, 0, s);
    if (this.nextNul < rawEnd) {
      this.skip('binary');
      addProblem(stats, lineNo, 'binary', `line ${lineNo} contains NUL bytes (binary data); skipped`);
      return;
    }
    const e = trimEnd(buf, s, rawEnd);
    if (e === s) return this.skip('blank');

    const b0 = buf[s];
    if (b0 === HASH) {
      const text = buf.toString('utf8', s, e);
      if (text.includes('\r')) this.headerLinesWithCr(text, lineNo);
      else this.headerLine(parseHashLine(text), '#', lineNo);
      return;
    }
    if (mayBeBareHeader(b0)) {
      for (const prefix of BARE_PREFIXES) {
        if (!startsWithAscii(buf, s, e, prefix)) continue;
        const h = parseBareHeaderLine(buf.toString('utf8', s, e));
        // Without its `#`, a `Fields:` line is weak evidence: only a field list we know makes it a header.
        if (h !== null && (h.key !== 'fields' || this.knownFieldList(h.value))) {
          this.headerLine(h, '', lineNo);
          return;
        }
      }
    } else if (b0 === 100 && startsWithAscii(buf, s, e, 'date-time,') && this.bareFieldRow(buf.toString('utf8', s, e), lineNo)) {
      return;
    }
    if (this.header !== null) this.closeHeader();
    this.row(buf, s, e, terminated, lineNo);
  }

  private row(buf: Buffer, s: number, e: number, terminated: boolean, lineNo: number): void {
    const stats = this.stats;
    const map = this.map;
    const want = map.count;
    const view = this.view;
    view.map = map;
    view.line = lineNo;
    view.source = stats.source;
    if (this.nextQuote < s) this.nextQuote = indexOr(buf, QUOTE, s);
    let n = splitRow(view, buf, s, e, want, this.nextQuote < e);

    if (n === -1) {
      if (!terminated) return this.truncated(lineNo);
      this.skip('unclosed-quote');
      addProblem(stats, lineNo, 'unclosed-quote', `line ${lineNo}: a quoted field is not closed before the end of the line; skipped`);
      return;
    }
    if (n !== want) {
      if (n === want - 1 && want > 1 && terminated) {
        // Web copies lose a comma (KB 4495258): the row is still usable with an empty last field.
        if (view.strs !== null) view.strs[want - 1] = '';
        view.starts[want - 1] = e;
        view.ends[want - 1] = e;
        n = want;
        addProblem(stats, lineNo, 'short-row', `line ${lineNo} has ${want - 1} fields where ${want} are expected; the missing last field (${sanitize(map.lastName, 32)}) was taken as empty`);
      } else if (!terminated && n < want && isIsoLike(view.field(0))) {
        return this.truncated(lineNo);
      } else {
        const got = n > want ? `more than ${want} fields` : `${n} field${n === 1 ? '' : 's'}`;
        // Searched on the line's bytes only: a malformed row's cost stays its own length.
        const joined = hasByte(buf, s, e, CR) ? '; a CR inside the line: rows whose line end lost its LF' : '';
        return this.badRow(lineNo, n >= (want + 1) >> 1 && looksLikeRowStart(view.field(0)), `${got} where ${want} are expected${joined}`);
      }
    }

    const event = eventOf(view);
    if (event === null) {
      const ev = view.field(map.event);
      if (ev === '' || ev === '\\*') {
        return this.badRow(lineNo, true, `event field ${ev === '' ? 'empty' : '\\*'} and no data or context: a lost + or - cannot be recovered`);
      }
      return this.badRow(lineNo, looksLikeRowStart(view.field(0)), `event field ${JSON.stringify(sanitize(ev, 12))} is not one of + - > < *`);
    }
    view.event = event;
    stats.records++;
    view.readTime();
    const ms = view.ms;
    if (ms === ms) {
      if (ms < this.minMs) this.minMs = ms;
      if (ms > this.maxMs) this.maxMs = ms;
    } else {
      const time = view.time();
      if (isLooseTimestamp(time)) {
        if (stats.from === null || time < stats.from) stats.from = time;
        if (stats.to === null || time > stats.to) stats.to = time;
      } else if (!isPlaceholderTime(time)) this.notATimestamp(time, map, lineNo);
    }
    // One record at most: made only while the direction is still voted on, or when the caller wants records.
    const record = this.vote !== null || this.onRow === null ? view.record() : null;
    if (this.vote !== null) voteRecord(this.vote, record!);
    if (this.onRow !== null) this.onRow(view);
    else this.batch.push(record!);
  }

  /**
   * A row whose date-time is no time (`garbage`, empty, `2025-13-45T…`, a time with text after it) is damaged
   * where Exchange writes a fixed form: its other fields still belong to its session (a STARTTLS or TLS row left
   * out would change what the session shows), but its time must not become a session's first or last time, the
   * coverage or what --since/--until compare. The row goes on without a time column: its time reads as empty
   * everywhere, the rows it is kept as included.
   */
  private notATimestamp(time: string, map: ColumnMap, lineNo: number): void {
    if (this.timelessOf !== map) {
      this.timeless = { ...map, time: -1 };
      this.timelessOf = map;
    }
    this.view.map = this.timeless!;
    // A log whose every date-time was rewritten would make this message for each row, to keep the first few.
    if (!keepsProblems(this.stats)) return;
    addProblem(
      this.stats,
      lineNo,
      'not-a-timestamp',
      `line ${lineNo}: date-time ${JSON.stringify(sanitize(time, 40))} is not a timestamp; the row is kept for its session without a time`,
    );
  }

  /** Folds the numeric time range (canonical times) into the text range of the stats. */
  private settleTimes(): void {
    const stats = this.stats;
    if (this.minMs !== Infinity) {
      const from = new Date(this.minMs).toISOString();
      if (stats.from === null || from < stats.from) stats.from = from;
    }
    if (this.maxMs !== -Infinity) {
      const to = new Date(this.maxMs).toISOString();
      if (stats.to === null || to > stats.to) stats.to = to;
    }
  }

  private badRow(lineNo: number, rowLike: boolean, why: string): void {
    const reason: SkipReason = rowLike ? 'malformed-row' : 'not-a-protocol-row';
    this.skip(reason);
    const what = rowLike ? 'malformed protocol-log row' : 'not an SMTP protocol-log row';
    addProblem(this.stats, lineNo, reason, `line ${lineNo}: ${what} (${why}); skipped`);
  }

  private truncated(lineNo: number): void {
    this.skip('truncated-last-line');
    addProblem(
      this.stats,
      lineNo,
      'truncated-last-line',
      `line ${lineNo}: the last line has no line end and is incomplete (the file may still be being written); skipped`,
    );
  }

  /** A field list that is a protocol log's or a message-tracking log's (the latter is then refused). */
  private knownFieldList(value: string): boolean {
    const verdict = mapFields(splitFieldNames(value), '');
    return verdict.map !== null || verdict.kind === 'message-tracking';
  }

  /** A bare `date-time,…` field-name row (some Exchange logs write one before `#Software:`). */
  private bareFieldRow(text: string, lineNo: number): boolean {
    if (!this.knownFieldList(text)) return false;
    this.headerLine({ key: 'fields', value: text }, 'row', lineNo);
    return true;
  }

  /**
   * A header line with a CR inside (`#Log-type: …␍#Date: …`): a file whose lines end in CRLF and, here and there,
   * in CR alone. Read whole, the `#Log-type` value took in the next header line and the file was refused as
   * another kind of log. Each piece is a header line of its own; the physical line is still counted once.
   */
  private headerLinesWithCr(text: string, lineNo: number): void {
    const pieces = text.split('\r');
    this.headerLine(parseHashLine(pieces[0]!), '#', lineNo);
    for (let i = 1; i < pieces.length && !this.refused; i++) {
      const piece = pieces[i]!.trim();
      if (piece === '') continue;
      if (piece.charCodeAt(0) === HASH) this.headerLine(parseHashLine(piece), '#', lineNo, false);
      else {
        addProblem(
          this.stats,
          lineNo,
          'header',
          `line ${lineNo}: text after a CR inside a header line is not a header line and is not read (${JSON.stringify(sanitize(piece, 40))})`,
        );
      }
    }
  }

  /** `style`: how the line was written: `#Key: v`, `Key: v` (web copy), or a bare field-name row. */
  private headerLine(h: HeaderLine, style: '#' | '' | 'row', lineNo: number, counted = true): void {
    if (counted) this.skip('header');
    if (this.header === null) this.header = { software: null, version: null, logType: null, date: null, fields: null };
    const header = this.header;
    const value = h.value.slice(0, MAX_HEADER_VALUE);
    switch (h.key) {
      case 'software':
        header.software = value;
        break;
      case 'version':
        header.version = value;
        break;
      case 'date':
        header.date = value;
        // Reports print it next to findings: keep it short and free of control characters.
        if (this.stats.headerDate === null) this.stats.headerDate = sanitize(h.value, 64);
        this.headerDate(h.value, lineNo);
        break;
      case 'logType': {
        header.logType = value;
        const verdict = judgeLogType(h.value, style !== '#');
        if (verdict.refusal !== null) this.refuse(verdict.kind, verdict.refusal, lineNo);
        else this.headerKind(verdict.kind, lineNo);
        break;
      }
      case 'fields': {
        const names = splitFieldNames(h.value);
        header.fields = names.slice(0, 64);
        const verdict = mapFields(names, style === 'row' ? '' : `${style}Fields: `);
        if (verdict.map !== null) {
          this.map = verdict.map;
          this.fieldsLine = lineNo;
          const gaps = this.fieldsNoted ? null : fieldGaps(names);
          if (gaps !== null) {
            this.fieldsNoted = true;
            addProblem(this.stats, lineNo, 'fields', `line ${lineNo}: ${gaps}`);
          }
        } else if (verdict.protocolGaps === true && (this.fieldsLine > 0 || this.kindFromHeader || this.stats.records > 0)) {
          // A damaged `#Fields` inside a protocol log: refusing would drop every row after it.
          const lacks = ['session-id', 'event'].filter((f) => !names.includes(f)).join(' and ');
          const kept = this.fieldsLine > 0 ? `the fields of line ${this.fieldsLine}` : 'the standard protocol-log fields';
          addProblem(
            this.stats,
            lineNo,
            'fields',
            `line ${lineNo}: #Fields has no ${lacks} column (${sanitize(names.slice(0, 4).join(','), 80)}${names.length > 4 ? ',…' : ''}), which every protocol-log row has; it is passed over and the rows after it are read with ${kept}`,
          );
        } else this.refuse(verdict.kind, verdict.refusal, lineNo);
        break;
      }
      default:
        break;
    }
  }

  /**
   * Logs joined into one input (`cat RECV*.LOG | logscan -`) must be in time order: a session that continues
   * into the next log is joined only if that log comes next. A shell lists `RECV…-10.LOG` before `RECV…-2.LOG`,
   * and two servers' logs joined one after the other go back in time too. Nothing can reorder a stream without
   * holding it, so this says what happened and what to do instead.
   */
  private headerDate(value: string, lineNo: number): void {
    const ms = Date.parse(value.trim());
    // A new log starts after the rows of the one before it; a minute's leeway, as rows are written in batches.
    if (this.outOfOrder || !(ms < this.maxMs - OUT_OF_ORDER_MS)) return;
    this.outOfOrder = true;
    addProblem(
      this.stats,
      lineNo,
      'out-of-order',
      `line ${lineNo}: this log starts (#Date ${sanitize(value, 64)}) before the rows already read end (${new Date(this.maxMs).toISOString()}): ` +
        'logs joined out of time order (a shell lists RECV…-10.LOG before RECV…-2.LOG), so a session that continues in a log ' +
        'that does not come next is split in two; give logscan the folder or a pattern instead (it sorts logs by date), or join them in time order',
    );
  }

  private headerKind(kind: InputKind, lineNo: number): void {
    const stats = this.stats;
    if (this.kindFromHeader && stats.kind !== kind) {
      // Concatenated logs of both directions: keep the first, sessions would mix otherwise unnoticed.
      addProblem(stats, lineNo, 'log-type-changed', `line ${lineNo}: the log type changes to ${kind} mid-file; the input is still read as ${stats.kind}`);
      return;
    }
    stats.kind = kind;
    this.kindFromHeader = true;
    this.vote = null;
  }

  private refuse(kind: InputKind, reason: string, lineNo: number): void {
    const stats = this.stats;
    this.refused = true;
    if (stats.records === 0 && !this.kindFromHeader) stats.kind = kind;
    const problem = `line ${lineNo}: ${reason}; the rest of the input is not read`;
    // After rows were read, the file is a protocol log with something else joined to it: the error says where, and
    // that what came before counts, not that the whole file is the other kind.
    if (stats.error === null) stats.error = stats.records === 0 ? reason : `${problem} (the ${stats.records} rows before it are read)`;
    addProblem(stats, lineNo, 'refused-input', problem);
    // onHeader is about protocol-log headers: a foreign block is reported through stats.error instead.
    this.header = null;
  }

  private closeHeader(): void {
    const h = this.header;
    if (h === null) return;
    this.header = null;
    this.onHeader?.(h);
  }

  private settleDirection(final: boolean): void {
    const vote = this.vote;
    // A header's Log-type, and the kind of a refused input, are not second-guessed from rows.
    if (vote === null || this.kindFromHeader || this.stats.kind !== 'unknown') return;
    const d = decideDirection(vote, final);
    if (d === null) return;
    this.stats.kind = d === 'send' ? 'smtp-send' : 'smtp-receive';
    this.vote = null;
  }
}

/** Streams opened with an encoding hand out strings (the UTF-8 they were decoded from); web streams give Uint8Array. */
function asBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Reads an SMTP Send/Receive protocol log from raw byte chunks. Yields records in batches (one array per input
 * chunk, possibly empty arrays are not yielded) because per-record async iteration is too slow for GB inputs.
 * Updates `stats` as it goes: lines, records, skipped[reason], problems (keep at most 20, each with 1-based line,
 * reason, message), from/to (min/max record time string), headerDate, kind ('smtp-receive' | 'smtp-send' once known).
 * Never throws on bad data. Invariant at the end: stats.lines === stats.records + sum(stats.skipped).
 */
export async function* readProtocolLog(
  chunks: AsyncIterable<Buffer>,
  stats: InputStats,
  options: ProtocolReadOptions = {},
): AsyncIterable<LogRecord[]> {
  const parser = new ProtocolParser(stats, options);
  try {
    for await (const chunk of chunks) {
      const buf = asBuffer(chunk as Buffer | Uint8Array | string);
      const records = parser.push(buf);
      if (records.length > 0) yield records;
    }
  } catch (e) {
    if (!allDataRead(e)) {
      parser.abandon();
      throw e;
    }
    const last = parser.end();
    if (last.length > 0) yield last;
    throw e;
  }
  const last = parser.end();
  if (last.length > 0) yield last;
}

/**
 * The fast way through a protocol log: like {@link readProtocolLog}, but each row is handed to `onRow` as a lazy
 * view (valid during the call only) instead of becoming a record. `scan()` feeds sessions this way.
 */
export async function readProtocolRows(
  chunks: AsyncIterable<Buffer>,
  stats: InputStats,
  onRow: (row: RowView) => void,
  options: ProtocolReadOptions = {},
): Promise<void> {
  const parser = new ProtocolParser(stats, options, onRow);
  try {
    for await (const chunk of chunks) parser.push(asBuffer(chunk as Buffer | Uint8Array | string));
  } catch (e) {
    if (allDataRead(e)) parser.end();
    else parser.abandon();
    throw e;
  }
  parser.end();
}

/**
 * An error raised after every byte of the log was delivered (bytes after the end of a .gz, `TrailingGarbageError`
 * in inputs.ts, known by its code so this module need not import the input layer): the log itself ended, so its
 * last line without a line end, the header and the direction are finished as at any end, and the caller reports
 * the error.
 */
function allDataRead(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'GZIP_TRAILING_GARBAGE';
}

/** Whole-buffer parse with options; detection uses it on the first bytes of an input. */
export function parseProtocolBuffer(
  input: Buffer,
  source: string,
  options: ProtocolReadOptions = {},
): { records: LogRecord[]; stats: InputStats } {
  const stats = emptyStats(source);
  const parser = new ProtocolParser(stats, options);
  const records = parser.push(input);
  for (const r of parser.end()) records.push(r);
  return { records, stats };
}

/** Same parser, synchronous over a whole buffer/string: used by tests and by the differential test. */
export function parseProtocolText(text: string | Buffer, source = 'text'): { records: LogRecord[]; stats: InputStats } {
  return parseProtocolBuffer(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, source);
}
