/**
 * The CSV report: one row per group, for a spreadsheet or a ticket attachment. Every cell goes through
 * `csvCell` (RFC 4180 quoting, CSV-injection guard, control characters escaped); rows end in CRLF as RFC 4180
 * and Excel expect. Times stay ISO-8601 (UTC) so spreadsheets and scripts read them without guessing.
 */
import type { Report, ReportGroup, Sample, TlsVersion } from '../types.js';
import { own } from '../report/record.js';
import { csvCell } from './sanitize.js';
import { categoryIds, mainSample, sortGroups } from './table.js';

const CRLF = '\r\n';

/** TLS columns, oldest first as a spreadsheet reader expects them. */
const TLS_COLUMNS: readonly TlsVersion[] = ['TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3', 'SSL3', 'none', 'unknown'];

function sampleText(sample: Sample | undefined): string {
  return sample === undefined ? '' : `${sample.source}:${sample.line} ${sample.text}`;
}

function groupRow(group: ReportGroup, categories: readonly string[]): Array<string | number | null> {
  return [
    group.direction,
    group.server,
    group.connector,
    group.remoteHost,
    group.remoteNames.join(';'),
    group.sessions,
    group.messages,
    ...categories.map((id) => own(group.byCategory, id) ?? 0),
    ...TLS_COLUMNS.map((version) => group.tlsVersions[version] ?? 0),
    group.firstSeen,
    group.lastSeen,
    group.mainCategory,
    group.hint,
    sampleText(mainSample(group)),
    // Appended after `sample`, so scripts that read the older columns by name or position still work.
    mainSample(group)?.time ?? null,
    mainSample(group)?.sessionId ?? null,
    // Appended in turn: when the main finding was first and last made (a worklist needs the last legacy session,
    // not the last session), and the AUTH users that tell which device an address is.
    group.mainCategory === null ? null : (own(group.findingSpans, group.mainCategory)?.first ?? null),
    group.mainCategory === null ? null : (own(group.findingSpans, group.mainCategory)?.last ?? null),
    (group.authUsers ?? []).join(';'),
    // `true` on a connector's row of hosts folded past --max-groups: `(other hosts)` alone can be a log's own text.
    group.folded === true ? 'true' : null,
  ];
}

/** Header row, then one row per group (worst first, as in the table output). */
export function renderCsv(report: Report): string {
  let out = '';
  for (const piece of csvChunks(report)) out += piece;
  return out;
}

/** The CSV report a row at a time, byte for byte what {@link renderCsv} returns (see jsonChunks for why). */
export function* csvChunks(report: Report): Generator<string> {
  const categories = categoryIds(report);
  const header = [
    'direction',
    'server',
    'connector',
    'remoteHost',
    'remoteNames',
    'sessions',
    'messages',
    ...categories,
    ...TLS_COLUMNS,
    'firstSeen',
    'lastSeen',
    'mainCategory',
    'hint',
    'sample',
    'sampleTime',
    'sampleSessionId',
    'mainFirstSeen',
    'mainLastSeen',
    'authUsers',
    'folded',
  ];
  yield header.map(csvCell).join(',') + CRLF;
  for (const g of sortGroups(report.groups, report.categories)) yield groupRow(g, categories).map(csvCell).join(',') + CRLF;
}
