/**
 * `Export-Csv` output and Queue Viewer "Export List" files, parsed with csv-parse as they stream. Quoted values
 * may span lines (a LastError with line breaks), so lines cannot be split first; instead each record's raw text
 * tells how many physical lines it used, which keeps `lines === records + skipped` exact. A record over
 * MAX_RECORD is walked past and skipped on its own, and parsing starts again after it.
 */
import { once } from 'node:events';
import { parse, type Options } from 'csv-parse';
import type { InputKind, InputStats, QueueEntry } from '../../types.js';
import { looksLikeMessages, splitHeaderLine } from './columns.js';
import { buildEntry } from './entry.js';
import { LineCounter, problem, skip, widen } from './stats.js';

const BATCH = 500;
/** A LastError is a few KB at most; this bounds memory on a file with a stray quote. */
const MAX_RECORD = 1024 * 1024;
const TYPE_LINE = /^#TYPE /;

/**
 * Where a CSV record ends, by csv-parse's rules for the options used here (quote and escape `"`, relax_quotes,
 * CRLF or LF records), keeping only its state between pieces. csv-parse stops for good at a record over
 * `max_record_size`; this walks past that record without holding it, so reading can start again after it.
 */
export class RecordEnd {
  #state: 'start' | 'plain' | 'quoted' | 'quote' = 'start';

  constructor(private readonly delimiter: string) {}

  /** Index just after the LF that ends the record, or -1 when `text` ends inside it. */
  scan(text: string): number {
    let state = this.#state;
    for (let i = 0; i < text.length; i++) {
      if (state === 'quoted') {
        const q = text.indexOf('"', i);
        if (q === -1) break;
        i = q;
        state = 'quote';
        continue;
      }
      const c = text[i];
      // `""` inside quotes is one quote. A closing quote followed by anything but a delimiter or a line end is
      // taken as text by relax_quotes: either way the field is no longer quoted.
      if (state === 'quote' && c === '"') state = 'quoted';
      else if (c === '\n') {
        this.#state = 'start';
        return i + 1;
      } else if (c === this.delimiter) state = 'start';
      // relax_quotes: a quote opens a quoted value only at the start of a field.
      else if (c === '"' && state === 'start') state = 'quoted';
      else state = 'plain';
    }
    this.#state = state;
    return -1;
  }

  /** Whether the text so far ended inside a quoted value. */
  get quoted(): boolean {
    return this.#state === 'quoted';
  }
}

/** Index just after the `count`-th LF of `text` at or after `from`. */
function afterLines(text: string, from: number, count: number): number {
  let at = from;
  for (let n = 0; n < count; n++) {
    const lf = text.indexOf('\n', at);
    if (lf === -1) return text.length;
    at = lf + 1;
  }
  return at;
}

function linesIn(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

interface CsvRow {
  record: string[];
  raw: string;
}

/** Lines a record covered. csv-parse's `raw` may or may not end with (part of) the record delimiter. */
function spanOf(raw: string): number {
  let body = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
  if (body.endsWith('\r')) body = body.slice(0, -1);
  let n = 1;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) n++;
  return n;
}

/** Read text until the header line is complete, to choose the delimiter before parsing starts. */
async function peekHeader(it: AsyncIterator<string>): Promise<{ head: string; done: boolean }> {
  let head = '';
  for (;;) {
    const lines = head.split('\n').filter((l) => l.trim() !== '' && !TYPE_LINE.test(l));
    if (lines.length >= 2 || head.length > 1024 * 1024) return { head, done: false };
    const r = await it.next();
    if (r.done) return { head, done: true };
    head += r.value;
  }
}

/** The text of the lines before 1-based line `header` (each with its line end); '' when there are none. */
function linesBefore(head: string, header: number): string {
  let end = 0;
  for (let n = 1; n < header; n++) end = head.indexOf('\n', end) + 1;
  return head.slice(0, end);
}

/** The header row and its 1-based line number (0 when the input has none). */
function headerLineOf(head: string): { text: string; line: number } {
  const lines = head.split('\n').map((l) => l.replace(/\r$/, ''));
  const i = lines.findIndex((l) => l.trim() !== '' && !TYPE_LINE.test(l));
  return i === -1 ? { text: '', line: 0 } : { text: lines[i] ?? '', line: i + 1 };
}

/**
 * A header that names fewer than two known columns, whichever delimiter splits it: its rows would be read as
 * entries without a LastError, a clean report of a file that was never understood. The input fails instead, and
 * every line is counted as not read.
 */
async function refuseHeader(head: string, done: boolean, it: AsyncIterator<string>, stats: InputStats, line: number): Promise<void> {
  const counter = new LineCounter();
  counter.feed(head);
  if (!done) for (let r = await it.next(); !r.done; r = await it.next()) counter.feed(r.value);
  const message = 'the header row names no known Get-Queue, Get-Message or Queue Viewer columns when split at commas, semicolons or tabs';
  skip(stats, 'malformed-row', counter.lines);
  problem(stats, line, 'malformed-row', message);
  stats.error = `line ${line}: ${message}`;
  stats.lines += counter.lines;
}

/** A row that is the header again (appended exports), compared cell by cell: joining both per row was a tenth of a read. */
function repeatsHeader(cells: readonly string[], header: readonly string[]): boolean {
  if (cells.length !== header.length) return false;
  for (let i = 0; i < cells.length; i++) if (cells[i] !== header[i]) return false;
  return true;
}

/** Trailing empty cells (a Queue Viewer row ending in a tab) are not a column-count error. */
function fitsHeader(record: string[], width: number): boolean {
  if (record.length === width) return true;
  if (record.length < width) return false;
  return record.slice(width).every((v) => v.trim() === '');
}

export async function* readCsvExport(text: AsyncIterable<string>, stats: InputStats, kind: InputKind): AsyncGenerator<QueueEntry[]> {
  const it = text[Symbol.asyncIterator]();
  const { head, done } = await peekHeader(it);
  const headerLine = headerLineOf(head);
  const { delimiter, names, known } = splitHeaderLine(headerLine.text);
  if (headerLine.line > 0 && known < 2) {
    await refuseHeader(head, done, it, stats, headerLine.line);
    return;
  }
  const entryKind = kind === 'message-csv' || (kind === 'queue-viewer' && looksLikeMessages(names)) ? 'message' : 'queue';

  // Records are taken in `on_record`, synchronously while each piece is written: a parse error at the end
  // (an unclosed quote) then cannot take the records already parsed down with the stream.
  const rows: CsvRow[] = [];
  let failure: unknown = null;
  // With `raw: true`, csv-parse hands `on_record` a `{ record, raw }` pair; its typings only know `string[]`.
  const options: Options<CsvRow, CsvRow> = {
    delimiter,
    raw: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    record_delimiter: ['\r\n', '\n'],
    max_record_size: MAX_RECORD,
    on_record: (row: CsvRow) => {
      rows.push(row);
      return null;
    },
  };
  const start = () => {
    const parser = parse(options as unknown as Options);
    // Errors are read from `parser.errored` after each write and from `ended`; this only keeps them handled.
    parser.on('error', () => undefined);
    parser.resume();
    const ended = once(parser, 'end').then(
      () => null,
      (e: unknown) => e,
    );
    return { parser, ended };
  };
  let current = start();

  const counter = new LineCounter();
  let line = 0;
  let header: string[] | null = null;
  let batch: QueueEntry[] = [];
  // The text csv-parse was given from the start of the record it has not finished: if that record grows past
  // MAX_RECORD, it is where the record began. It holds at most one record, so at most about MAX_RECORD.
  let pending = '';
  // Set while walking past a record over MAX_RECORD (no parser meanwhile), with the lines it has used so far.
  let oversized = null as RecordEnd | null;
  let oversizedLines = 0;

  const take = (row: CsvRow): number => {
    const span = spanOf(row.raw);
    const first = line + 1;
    line += span;
    const cells = row.record;
    const only = cells.length === 1 ? (cells[0] ?? '') : null;
    if (only !== null && only.trim() === '') {
      skip(stats, 'blank', span);
    } else if (only !== null && TYPE_LINE.test(only)) {
      skip(stats, 'header', span);
    } else if (header === null || repeatsHeader(cells, header)) {
      // The first row names the columns; a repeated header comes from appended exports.
      header ??= cells.map((c) => c.trim());
      skip(stats, 'header', span);
    } else if (!fitsHeader(cells, header.length)) {
      skip(stats, 'malformed-row', span);
      problem(stats, first, 'malformed-row', `row has ${cells.length} fields, the header has ${header.length}`);
    } else {
      // fromEntries defines own properties, so a hostile `__proto__` column stays a column; first name wins.
      const seen = new Set<string>();
      const pairs: Array<[string, string]> = [];
      header.forEach((name, i) => {
        if (!seen.has(name)) pairs.push([name, cells[i] ?? '']);
        seen.add(name);
      });
      const fields: Record<string, string> = Object.fromEntries(pairs);
      const entry = buildEntry(fields, entryKind, { source: stats.source, line: first }, stats);
      stats.records++;
      skip(stats, 'queue-continuation', span - 1);
      widen(stats, entry.time?.iso ?? null);
      batch.push(entry);
    }
    return span;
  };

  const takeRows = (): void => {
    let at = 0;
    for (const row of rows.splice(0)) at = afterLines(pending, at, take(row));
    pending = pending.slice(at);
  };

  const overMaxRecord = (e: unknown): boolean => (e as { code?: string } | null)?.code === 'CSV_MAX_RECORD_SIZE';

  const skipOversized = (lines: number, reason: 'line-too-long' | 'unclosed-quote'): void => {
    const first = line + 1;
    line += lines;
    skip(stats, reason, lines);
    const why =
      reason === 'unclosed-quote'
        ? 'a quoted value in it is not closed before the end of the input'
        : 'the record is longer than 1 MiB, the most one queue CSV record may hold';
    problem(stats, first, reason, `${first === line ? `line ${first}` : `lines ${first}-${line}`} skipped: ${why}`);
  };

  const write = (piece: string): void => {
    counter.feed(piece); // lines after a parse error still count, as skipped
    let text = piece;
    while (text !== '') {
      if (oversized !== null) {
        const end = oversized.scan(text);
        oversizedLines += linesIn(text, end === -1 ? text.length : end);
        if (end === -1) return;
        skipOversized(oversizedLines, 'line-too-long');
        oversized = null;
        current = start();
        text = text.slice(end);
        continue;
      }
      if (failure !== null) return;
      pending += text;
      current.parser.write(text);
      takeRows();
      const error: unknown = current.parser.errored;
      if (error === null) return;
      if (!overMaxRecord(error)) {
        failure = error;
        return;
      }
      // Only this record is lost: walk from where it began to its end, then parse again after it.
      oversized = new RecordEnd(delimiter);
      oversizedLines = 0;
      text = pending;
      pending = '';
    }
  };

  // The lines before the header (`#TYPE …`, blank) are counted here and not parsed: csv-parse takes its first
  // record's length for the file's, and against a one-field `#TYPE` line every row of the export was a column-count
  // error it built an object for (a 100 MB Get-Queue export: 68 s, a fifth of it in those errors).
  const before = linesBefore(head, headerLine.line);
  const skipped = before.split('\n').slice(0, -1);
  for (const text of skipped) skip(stats, TYPE_LINE.test(text) ? 'header' : 'blank', 1);
  line += skipped.length;
  counter.feed(before);
  write(head.slice(before.length));
  if (!done) {
    for (let r = await it.next(); !r.done; r = await it.next()) {
      write(r.value);
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
  }
  if (oversized !== null) {
    skipOversized(counter.lines - line, oversized.quoted ? 'unclosed-quote' : 'line-too-long');
  } else if (failure === null) {
    current.parser.end();
    failure = await current.ended;
    takeRows();
  }
  if (batch.length > 0) yield batch;

  const total = Math.max(counter.lines, line);
  if (total > line) {
    const code = (failure as { code?: string } | null)?.code;
    const reason = code === 'CSV_QUOTE_NOT_CLOSED' ? 'unclosed-quote' : 'malformed-row';
    skip(stats, reason, total - line);
    const message = failure instanceof Error ? failure.message : 'the rest of the input could not be parsed';
    problem(stats, line + 1, reason, `lines ${line + 1}-${total} not read: ${message}`);
  } else if (failure !== null) {
    problem(stats, line, 'malformed-row', failure instanceof Error ? failure.message : String(failure));
  }
  stats.lines += total;
}
