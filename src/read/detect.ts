/**
 * What an input is, decided from its first bytes only (never from its file name): an SMTP protocol log (and its
 * direction), a queue export (delegated to the queue sniffer), or something logscan refuses with a reason.
 */
import type { Direction, InputKind, LogRecord } from '../types.js';
import { inferDirectionFrom } from './direction.js';
import { archiveKind, bomAt, isGzip, isIsoLike, looksLikeRowStart, sanitize, sniffEncoding, utf16Label, type TextEncoding } from './fields.js';
import { parseProtocolBuffer, type ProtocolHeader } from './protocol.js';
import { sniffQueue } from './queue/detect.js';
import { TextDecoder } from 'node:util';

export { emptyStats } from './stats.js';

export interface Detection {
  kind: InputKind;
  /** Human-readable, e.g. 'message-tracking log (#Log-type: Message Tracking Log): not a protocol log, it has no SMTP sessions' */
  reason: string;
  encoding: TextEncoding;
  /** `#Date` of a protocol-log header in the head (orders rotated files), else null. */
  headerDate: string | null;
  /**
   * Refused as another kind of file that a log folder holds anyway (other logs, empty, binary or unrecognised
   * files), as opposed to one that may hide logs (a compressed or archived file): see InputStats.ignored.
   */
  foreign: boolean;
}

/** Decide direction from rows when the header is missing (see direction.ts for the evidence it weighs). */
export function inferDirection(records: readonly LogRecord[]): 'send' | 'receive' | null {
  return inferDirectionFrom(records);
}

function toUtf8(head: Buffer, encoding: TextEncoding): Buffer {
  if (encoding === 'utf8') return head.subarray(bomAt(head, 0, head.length));
  // TextDecoder drops the BOM; a trailing odd byte (the head cut mid code unit) becomes U+FFFD at worst.
  return Buffer.from(new TextDecoder(utf16Label(encoding)).decode(head), 'utf8');
}

function directionKind(d: Direction): InputKind {
  return d === 'send' ? 'smtp-send' : 'smtp-receive';
}

function kindName(kind: InputKind): string {
  return kind === 'smtp-send' ? 'SMTP Send protocol log' : 'SMTP Receive protocol log';
}

/** Rows that have the protocol-log shape beyond just parsing: an ISO-like or placeholder first field. */
function shapedRows(records: readonly LogRecord[]): number {
  let n = 0;
  for (const r of records) if (isIsoLike(r.time) || looksLikeRowStart(r.time)) n++;
  return n;
}

/**
 * Decide what an input is from its first bytes (≤ 64 KiB are passed). Queue kinds are delegated to
 * `sniffQueue(text)` exported by `src/read/queue/detect.ts`.
 */
export function detectInput(head: Buffer): Detection {
  const found = { headerDate: null as string | null };
  const detection = detectKind(head, found);
  return { ...detection, headerDate: found.headerDate, foreign: detection.foreign === true };
}

function detectKind(head: Buffer, found: { headerDate: string | null }): Omit<Detection, 'headerDate' | 'foreign'> & { foreign?: boolean } {
  const encoding = sniffEncoding(head);
  if (head.length === 0) return { kind: 'unknown', reason: 'empty input: nothing to analyse', encoding, foreign: true };
  if (isGzip(head)) {
    return { kind: 'unknown', reason: 'gzip-compressed data that was not decompressed', encoding };
  }
  const archive = archiveKind(head);
  if (archive !== null) {
    return { kind: 'unknown', reason: `a ${archive} archive: extract it and give logscan the folder (it decompresses .gz files only)`, encoding };
  }
  const utf8 = toUtf8(head, encoding);
  const hasNul = utf8.indexOf(0) !== -1;
  // The head may end mid-line (and mid-character): only complete lines are judged.
  const lastLf = utf8.lastIndexOf(10);
  const complete = lastLf === -1 ? utf8 : utf8.subarray(0, lastLf + 1);

  const headers: ProtocolHeader[] = [];
  const { records, stats } = parseProtocolBuffer(complete, 'detect', { onHeader: (h) => headers.push(h) });
  found.headerDate = stats.headerDate;
  // NUL padding after a crash or power loss, or one damaged row, must not cost the admin the log that shows what
  // happened: the reader skips those lines one by one. Refused only when NUL lines outnumber the lines that read.
  if (hasNul) {
    const read = stats.records + (stats.skipped.header ?? 0);
    if (read === 0 || read < (stats.skipped.binary ?? 0)) {
      return { kind: 'unknown', reason: 'binary data (NUL bytes): not a text log or export', encoding, foreign: true };
    }
  }
  const text = utf8.toString('utf8');
  const hashless = text.startsWith('Log-type:') || text.includes('\nLog-type:') || text.startsWith('Fields:') || text.includes('\nFields:');
  const copyNote = hashless ? "; header lines without '#', a web copy" : '';

  // A foreign header before any protocol row: message tracking or another Exchange log.
  if (stats.error !== null && records.length === 0) return { kind: stats.kind, reason: stats.error, encoding, foreign: true };

  const logType = headers.find((h) => h.logType !== null)?.logType ?? null;
  if (logType !== null && (stats.kind === 'smtp-receive' || stats.kind === 'smtp-send')) {
    return { kind: stats.kind, reason: `${kindName(stats.kind)} (${hashless ? '' : '#'}Log-type: ${sanitize(logType)}${copyNote})`, encoding };
  }

  const fieldsHeader = headers.some((h) => h.fields !== null);
  if (fieldsHeader) {
    const d = inferDirection(records);
    if (d !== null) {
      return { kind: directionKind(d), reason: `${kindName(directionKind(d))} (#Fields header without #Log-type; direction inferred from its rows${copyNote})`, encoding };
    }
    return { kind: 'unknown', reason: 'SMTP protocol-log #Fields header without #Log-type and without rows to tell send from receive', encoding };
  }

  const queue = sniffQueue(text);
  if (queue !== null) return { kind: queue, reason: `queue or message export (${queue})`, encoding };

  const shaped = shapedRows(records);
  const candidates = stats.lines - (stats.skipped.blank ?? 0) - (stats.skipped.header ?? 0) - (stats.skipped.binary ?? 0);
  if (shaped > 0 && shaped * 2 >= candidates) {
    const d = inferDirection(records);
    if (d !== null) {
      return {
        kind: directionKind(d),
        reason: `${kindName(directionKind(d))} without header, by row shape (${shaped} of ${candidates} lines are protocol-log rows; direction inferred from them)`,
        encoding,
      };
    }
  }
  const known = knownOther(text);
  if (known !== null) return { kind: 'unknown', reason: known, encoding, foreign: true };
  return {
    kind: 'unknown',
    reason: 'not recognised: no protocol-log header, no rows of the protocol-log shape, not a queue export',
    encoding,
    foreign: true,
  };
}

/** The header line of PowerShell's table view of Get-Queue or Get-Message (`Identity  DeliveryType Status …`). */
const TABLE_HEADER = /^[ \t]*Identity[ \t]+(?:DeliveryType|FromAddress)(?![A-Za-z])/;
/** The line of dashes under it: one run of one character class, anchored, so linear on any line. */
const TABLE_RULE = /^[ \t-]+$/;

/**
 * Whether the first lines hold PowerShell's table view: a header line over a line of dashes. Line by line, a few
 * dozen lines at most: one pattern over the head backtracked without end on a line of dashes followed by text.
 */
function isTableView(text: string): boolean {
  const lines = text.split('\n', 40);
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!TABLE_HEADER.test(lines[i]!)) continue;
    const rule = lines[i + 1]!.replace(/\r$/, '');
    return rule.includes('---') && TABLE_RULE.test(rule);
  }
  return false;
}

/**
 * Inputs an admin is likely to hand over by mistake, named with what to give instead: a refusal that says only
 * "not recognised" leaves them guessing.
 */
function knownOther(text: string): string | null {
  const start = text.replace(/^\uFEFF?\s*/, '');
  if (start.startsWith('{') && text.includes('"logscan.report/1"')) {
    return "a logscan JSON report: to combine reports, run 'logscan merge' on them";
  }
  if (isTableView(start)) {
    return 'PowerShell table output of Get-Queue or Get-Message, whose columns are cut to the window: save it with | Export-Csv -NoTypeInformation or | Format-List > file.txt and give logscan that file';
  }
  return null;
}
