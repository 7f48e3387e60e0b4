/**
 * The `#Software/#Version/#Log-type/#Date/#Fields` header block of Exchange CSV logs: recognising header lines
 * (also the `#`-less forum copies), telling protocol logs from other Exchange logs, and mapping `#Fields` names
 * to column positions.
 */
import type { InputKind } from '../types.js';
import { sanitize } from './fields.js';

export type HeaderKey = 'software' | 'version' | 'logType' | 'date' | 'fields';

export interface HeaderLine {
  key: HeaderKey | null;
  value: string;
}

/** The nine protocol-log fields, identical from Exchange 2007 to 2019; assumed when a file has no `#Fields`. */
export const PROTOCOL_FIELDS: readonly string[] = [
  'date-time',
  'connector-id',
  'session-id',
  'sequence-number',
  'local-endpoint',
  'remote-endpoint',
  'event',
  'data',
  'context',
];

/** Longest `#Fields` list accepted; protocol logs have 9, message tracking 30. */
const MAX_FIELDS = 64;

const KEYS: ReadonlyArray<[string, HeaderKey]> = [
  ['software', 'software'],
  ['version', 'version'],
  ['log-type', 'logType'],
  ['date', 'date'],
  ['fields', 'fields'],
];

/**
 * Parses a `#` line (`#Fields: a,b`, also `## Fields:` or `# Fields:`). Unknown `#` lines give `key: null`: they
 * are still header/comment lines, just without meaning for the reader.
 */
export function parseHashLine(text: string): HeaderLine {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 35 || text.charCodeAt(i) === 32)) i++;
  return parseKeyValue(text, i, false) ?? { key: null, value: text.slice(i).trim() };
}

/**
 * Forum copies lose the `#` (Markdown turned the lines into headings): `Software: …`, `Log-type: …`. Only the
 * exact spellings count, so a data row can never be mistaken for one. Returns null when `text` is not one.
 */
export function parseBareHeaderLine(text: string): HeaderLine | null {
  return parseKeyValue(text, 0, true);
}

function parseKeyValue(text: string, start: number, exactCase: boolean): HeaderLine | null {
  const colon = text.indexOf(':', start);
  if (colon === -1 || colon - start > 10) return null;
  const name = text.slice(start, colon);
  for (const [spelling, key] of KEYS) {
    const match = exactCase ? name === spelling[0]!.toUpperCase() + spelling.slice(1) : name.toLowerCase() === spelling;
    if (match) return { key, value: text.slice(colon + 1).trim() };
  }
  return null;
}

export function splitFieldNames(value: string): string[] {
  return value.split(',').map((f) => f.trim());
}

/** What a `#Log-type` value says about the file. */
export interface LogTypeVerdict {
  kind: InputKind;
  /** Null when the file is an SMTP protocol log, else why it is refused. */
  refusal: string | null;
}

export function judgeLogType(value: string, hashless: boolean): LogTypeVerdict {
  const v = value.trim().toLowerCase();
  if (v === 'smtp receive protocol log') return { kind: 'smtp-receive', refusal: null };
  if (v === 'smtp send protocol log') return { kind: 'smtp-send', refusal: null };
  const shown = `${hashless ? '' : '#'}Log-type: ${sanitize(value.trim())}`;
  if (v === 'message tracking log') return { kind: 'message-tracking', refusal: messageTrackingReason(shown) };
  return { kind: 'unknown', refusal: otherLogReason(shown) };
}

export function messageTrackingReason(shown: string): string {
  return `message-tracking log (${shown}): not a protocol log, it has no SMTP sessions`;
}

export function otherLogReason(shown: string): string {
  return `another kind of Exchange log (${shown}): not an SMTP protocol log, it has no SMTP sessions`;
}

/** Column positions of the fields a record needs; -1 when the header does not name that field. */
export interface ColumnMap {
  /** Number of fields a row must have. */
  count: number;
  time: number;
  connector: number;
  sessionId: number;
  sequence: number;
  local: number;
  remote: number;
  event: number;
  data: number;
  context: number;
  /** Name of the last column, for messages about rows that lost it. */
  lastName: string;
}

/**
 * `protocolGaps`: a field list that is no other known log's and lacks what makes a protocol row (a damaged
 * `#Fields` line): inside a protocol log the reader keeps the fields it had instead of refusing the rest.
 */
export type FieldsVerdict =
  | { map: ColumnMap; refusal: null; kind: null; protocolGaps?: undefined }
  | { map: null; refusal: string; kind: InputKind; protocolGaps?: boolean };

/**
 * Maps `#Fields` names to positions. Message-tracking field lists (`date-time,client-ip,…`) and lists without the
 * fields that make a protocol row (`session-id`, `event`) are refused.
 */
export function mapFields(names: readonly string[], shownPrefix: string): FieldsVerdict {
  const shown = `${shownPrefix}${sanitize(names.slice(0, 3).join(','))}${names.length > 3 ? ',…' : ''}`;
  if (names[0] === 'date-time' && names[1] === 'client-ip') {
    return { map: null, refusal: messageTrackingReason(shown), kind: 'message-tracking' };
  }
  // IIS writes W3C `#Fields:` separated by spaces; saying "IIS log" tells the user which folder they picked.
  if (names.length === 1 && (names[0] ?? '').split(' ').some((n) => n === 's-ip' || n === 'c-ip' || n === 'cs-method')) {
    return { map: null, refusal: `IIS / W3C web server log (${shown}): not an SMTP protocol log, it has no SMTP sessions`, kind: 'unknown' };
  }
  const at = (name: string): number => names.indexOf(name);
  const sessionId = at('session-id');
  const event = at('event');
  if (names.length > MAX_FIELDS || sessionId === -1 || event === -1) {
    return { map: null, refusal: otherLogReason(shown), kind: 'unknown', protocolGaps: names.length <= MAX_FIELDS };
  }
  const map: ColumnMap = {
    count: names.length,
    time: at('date-time'),
    connector: at('connector-id'),
    sessionId,
    sequence: at('sequence-number'),
    local: at('local-endpoint'),
    remote: at('remote-endpoint'),
    event,
    data: at('data'),
    context: at('context'),
    lastName: names[names.length - 1] ?? '',
  };
  return { map, refusal: null, kind: null };
}

export const DEFAULT_COLUMNS: ColumnMap = (() => {
  const v = mapFields(PROTOCOL_FIELDS, '');
  if (v.map === null) throw new Error('unreachable: the standard field list must map');
  return v.map;
})();

/** What the report loses without each column; `session-id` and `event` are never missing from a usable list. */
const LOST_WITHOUT: Readonly<Record<string, string>> = {
  'date-time': 'times (coverage, first and last seen, --since and --until)',
  'connector-id': 'connector names',
  'sequence-number': 'sequence numbers',
  'local-endpoint': 'local endpoints',
  'remote-endpoint': 'remote hosts (sessions are grouped under "unknown")',
  data: 'SMTP commands and replies (EHLO, STARTTLS, reply codes), so most failures cannot be found',
  context: 'TLS results, certificates and disconnect reasons, so TLS shows as unknown and TLS findings are missing',
};

/**
 * What a usable `#Fields` list lacks or repeats of the nine protocol-log fields, and what the report cannot show
 * because of it; null when it has each of them once. Renamed or lost columns otherwise turn every TLS result into
 * "unknown" without a word.
 */
export function fieldGaps(names: readonly string[]): string | null {
  const missing = PROTOCOL_FIELDS.filter((f) => !names.includes(f));
  const repeated = PROTOCOL_FIELDS.filter((f) => names.indexOf(f) !== names.lastIndexOf(f));
  if (missing.length === 0 && repeated.length === 0) return null;
  const parts: string[] = [];
  if (missing.length > 0) {
    const strange = names.filter((n) => !PROTOCOL_FIELDS.includes(n)).slice(0, 3);
    const instead = strange.length > 0 ? ` (it names ${sanitize(strange.join(', '), 80)} instead)` : '';
    parts.push(`has no ${missing.join(', ')} column${missing.length === 1 ? '' : 's'}${instead}`);
  }
  if (repeated.length > 0) parts.push(`names ${repeated.join(', ')} more than once (the first is read)`);
  const lost = missing.map((f) => LOST_WITHOUT[f]).filter((l) => l !== undefined);
  return `#Fields ${parts.join(' and ')}${lost.length > 0 ? `: the report cannot show ${lost.join('; ')}` : ''}`;
}
