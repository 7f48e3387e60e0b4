/**
 * The plain-text report for a terminal: the first screen an Exchange admin sees during an incident. It must
 * fit the terminal (lines are cut, never wrapped by the terminal), show the worst problems first, and never
 * let a log string drive the terminal (every span passes through `stripControl` before it is written).
 *
 * The helpers that decide order and wording of groups (`sortGroups`, `findingsSummary`, `tlsSummary`,
 * `formatTime` ...) are exported because the Markdown and CSV outputs show the same view.
 */
import type { CategoryInfo, InputStats, Report, ReportGroup, Sample, TlsCounts, TlsVersion } from '../types.js';
import type { FormatOptions } from './index.js';
import { stripControl, truncate } from './sanitize.js';
import { categoryOrder, failureCount, failureShare, severityTier } from '../report/severity.js';
import { compareText, rankIn } from '../compare-text.js';
import { own } from '../report/record.js';
import { LOCAL_TIME } from '../iso-time.js';
import { baseName } from '../base-name.js';
import { logsSpan, timelineSessions, unreportedSessions } from '../report/span.js';
import { runLabel, timelineRuns, timelineTooWide, tooWideText, type TimelineRun } from './timeline-runs.js';

// ---------------------------------------------------------------------------------------------------------
// Shared view helpers (also used by markdown.ts and csv.ts)
// ---------------------------------------------------------------------------------------------------------

/** TLS versions newest first, with the short labels of the TLS column. */
export const TLS_LABELS: ReadonlyArray<readonly [TlsVersion, string]> = [
  ['TLS1.3', '1.3'],
  ['TLS1.2', '1.2'],
  ['TLS1.1', '1.1'],
  ['TLS1.0', '1.0'],
  ['SSL3', 'ssl3'],
  ['none', 'none'],
  ['unknown', 'unknown'],
];

/** Categories that mean a warning (mail still flows) rather than mail not flowing; others show in red. */
const WARNING_CATEGORIES: ReadonlySet<string> = new Set(['legacy-tls', 'plaintext']);

const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `1234567` → `1,234,567`, independent of the machine's locale. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? COUNT_FORMAT.format(n) : String(n);
}

/** `1 session`, `2,400 sessions`. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Sum of a group's finding counts. */
export function findingTotal(group: ReportGroup): number {
  let total = 0;
  for (const n of Object.values(group.byCategory)) if (Number.isFinite(n) && n > 0) total += n;
  return total;
}

/** A group with at least one finding. */
export function isFailing(group: ReportGroup): boolean {
  return findingTotal(group) > 0 || group.mainCategory !== null;
}

/**
 * How much a group hurts, for ordering after its failures: findings for protocol-log groups; for queue groups the
 * messages waiting count as well, since one queue entry can hold hundreds of stuck messages.
 */
export function severityWeight(group: ReportGroup): number {
  const findings = findingTotal(group);
  return group.direction === 'queue' ? Math.max(findings, group.messages) : findings;
}

/**
 * Failed sessions, or for a failing queue group or connector its messages waiting when they are more: one
 * Get-Queue entry can hold hundreds of stuck messages, which must not rank below a few failed entries.
 */
function failedWeight(failed: number, x: { direction: string | null; messages: number }): number {
  return x.direction === 'queue' && failed > 0 ? Math.max(failed, x.messages) : failed;
}

/**
 * Worst first, as the JSON (see compareGroups in report/finalize.ts): failures before warnings; within a tier the
 * most failed sessions (a failing queue group: its messages waiting when more), then the higher share of failed
 * sessions, then all findings (queue: messages waiting when more); then by size, recency and name (stable).
 */
export function sortGroups(groups: readonly ReportGroup[], categories: readonly CategoryInfo[] = []): ReportGroup[] {
  // Sort keys once per group, not per comparison: a sort compares n log n times (200,000 groups: 25 s).
  const ranked = groups.map((group) => {
    const failed = failureCount(group, categories);
    return {
      group,
      tier: severityTier(group, categories),
      failed: failedWeight(failed, group),
      share: failureShare(failed, group.sessions),
      weight: severityWeight(group),
    };
  });
  ranked.sort((x, y) => {
    const a = x.group;
    const b = y.group;
    return (
      y.tier - x.tier ||
      y.failed - x.failed ||
      y.share - x.share ||
      y.weight - x.weight ||
      b.sessions - a.sessions ||
      compareText(b.lastSeen, a.lastSeen) ||
      compareText(a.direction, b.direction) ||
      compareText(a.server, b.server) ||
      compareText(a.connector, b.connector) ||
      compareText(a.remoteHost, b.remoteHost)
    );
  });
  return ranked.map((r) => r.group);
}

/**
 * Counts as `key:n`, largest first (ties in the order of `order`, then by key), zero and invalid counts left
 * out.
 */
function countsSummary(entries: Array<[string, number]>, order: readonly string[] = [], first: string | null = null): string {
  return entries
    .filter(([, n]) => Number.isFinite(n) && n > 0)
    .sort(firstThenByCount(rankIn(order), first))
    .map(([k, n]) => `${k}:${n}`)
    .join(' ');
}

/** `[category, count]` order: `first` (a group's main category), then most first, then by `rank`, then by id. */
function firstThenByCount(rank: (id: string) => number, first: string | null): (a: [string, number], b: [string, number]) => number {
  return (a, b) => Number(b[0] === first) - Number(a[0] === first) || b[1] - a[1] || rank(a[0]) - rank(b[0]) || compareText(a[0], b[0]);
}

/**
 * e.g. `tls-negotiation-failed:12 socket-error:3`; empty when the group is healthy. `first` (a group's main
 * category) leads; the others follow by count, equal counts in the report's category order (worst first), as the
 * group block's category lines do (see {@link groupCategories}).
 */
export function findingsSummary(byCategory: Record<string, number>, categories: readonly CategoryInfo[] = [], first: string | null = null): string {
  return countsSummary(Object.entries(byCategory), categoryOrder(categories), first);
}

/** e.g. `1.2:40 1.0:3`, newest version first. */
export function tlsSummary(tls: TlsCounts): string {
  return TLS_LABELS.map(([v, label]) => [label, tls[v] ?? 0] as const)
    .filter(([, n]) => Number.isFinite(n) && n > 0)
    .map(([label, n]) => `${label}:${n}`)
    .join(' ');
}

/** `direction` as a short column value. */
export function directionLabel(direction: ReportGroup['direction']): string {
  return direction === 'receive' ? 'recv' : direction;
}

/** The remote host with its first EHLO/banner name, e.g. `192.0.2.44 (smtp.example.org +1)`. */
export function remoteLabel(group: ReportGroup): string {
  const [first] = group.remoteNames;
  if (first === undefined || first === group.remoteHost) return group.remoteHost;
  const more = group.remoteNames.length > 1 ? ` +${group.remoteNames.length - 1}` : '';
  return `${group.remoteHost} (${first}${more})`;
}

const ISO_UTC = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d{1,9})?Z$/;
const ISO_OFFSET = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,9})?([+-]\d{2}:\d{2})$/;
/** What follows a queue export's zone-less time, which is the exporting server's clock, not UTC. */
export const LOCAL_MARK = ' local';

/**
 * `yyyy-MM-dd HH:mm:ss` in UTC. Only ISO-8601 text is converted: other text (placeholders such as
 * `Date/Time` in pasted excerpts) is shown as written, because guessing a culture's date order is how wrong
 * dates get into incident reports. A zone-less time (a queue export's) stays on its own clock and says so:
 * `2025-11-13 14:03:05 local`.
 */
export function formatTime(value: string | null): string {
  if (value === null || value === '') return '-';
  const utc = ISO_UTC.exec(value);
  if (utc) return `${utc[1]} ${utc[2]}`;
  const local = LOCAL_TIME.exec(value);
  if (local) return `${local[1]} ${local[2]}${LOCAL_MARK}`;
  const offset = ISO_OFFSET.exec(value);
  if (offset) {
    const ms = Date.parse(`${offset[1]}${offset[2]}`);
    if (Number.isFinite(ms)) return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  }
  return stripControl(value.length > 40 ? `${value.slice(0, 39)}…` : value);
}

function parseIso(value: string | null): number | null {
  if (value === null) return null;
  if (!ISO_UTC.test(value) && !ISO_OFFSET.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** The length of a time span in words an admin reads at a glance (`36 h 39 min`, `2 d 4 h`). */
export function formatSpan(from: string | null, to: string | null): string | null {
  const a = parseIso(from);
  const b = parseIso(to);
  if (a === null || b === null || b < a) return null;
  const minutes = Math.floor((b - a) / 60_000);
  if (minutes < 1) return `${Math.floor((b - a) / 1000)} s`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

/** Skipped-line counts of all inputs, largest first. */
export function skippedTotals(inputs: readonly InputStats[]): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const input of inputs) {
    for (const [reason, n] of Object.entries(input.skipped)) {
      if (n !== undefined && n > 0) totals.set(reason, (totals.get(reason) ?? 0) + n);
    }
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
}

/** Input kinds with counts, largest first. */
export function kindTotals(inputs: readonly InputStats[]): Array<[string, number]> {
  const totals = new Map<string, number>();
  // Passed-over files are counted apart (see ignoredTotals): their kind is what they are not.
  for (const input of inputs) {
    const kind = isIgnored(input) ? 'ignored' : input.kind;
    totals.set(kind, (totals.get(kind) ?? 0) + 1);
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
}

/**
 * For a queue group, the command that names its Send connector (see CONNECTOR_LOOKUP_NOTE): Get-Queue gives the
 * next-hop connector as a GUID only. Null for other groups and for the all-zero GUID of Submission and shadow queues.
 */
export function connectorLookup(group: ReportGroup): string | null {
  if (group.direction !== 'queue' || !/^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(group.connector)) return null;
  if (/^[0-]+$/.test(group.connector)) return null;
  return `Get-SendConnector | Where-Object Guid -eq '${group.connector}'`;
}

/** What every output says after {@link connectorLookup}'s command. */
export const CONNECTOR_LOOKUP_NOTE = "names the queue's next-hop connector";

/**
 * `2 sessions, first → last` (a queue group: `1 queue entry, 27 messages waiting`), leaving out a span no time is
 * known for. `zone` follows UTC times; a queue group's zone-less times are marked local by formatTime instead.
 */
export function sizeAndSpan(group: ReportGroup, zone: string): string {
  const size =
    group.direction === 'queue'
      ? `${countOf(group.sessions, 'queue entry', 'queue entries')}, ${countOf(group.messages, 'message')} waiting`
      : countOf(group.sessions, 'session');
  if (group.firstSeen === null && group.lastSeen === null) return size;
  const first = formatTime(group.firstSeen);
  const last = formatTime(group.lastSeen);
  if (first.endsWith(LOCAL_MARK) && last.endsWith(LOCAL_MARK)) return `${size}, ${first.slice(0, -LOCAL_MARK.length)} → ${last}`;
  return `${size}, ${first} → ${last}${zone}`;
}

/** What a group's remote names are: EHLO names (receive), banner hosts (send), next-hop domain and FQDN (queue). */
export function namesLabel(group: ReportGroup): string {
  return group.direction === 'send' ? 'Banner' : group.direction === 'queue' ? 'Next hop' : 'EHLO';
}

/** Reports merged from older runs have no `ignored`. */
function isIgnored(input: InputStats): boolean {
  return input.ignored !== null && input.ignored !== undefined;
}

/** What a passed-over file is, in a word or two, from its reason (see InputStats.ignored). */
function ignoredLabel(reason: string): string {
  if (reason.startsWith('message-tracking log')) return 'message-tracking log';
  if (reason.startsWith('another kind of Exchange log')) return 'other Exchange log';
  if (reason.startsWith('IIS')) return 'IIS log';
  if (reason.startsWith('empty')) return 'empty';
  if (reason.startsWith('binary')) return 'binary';
  if (reason.startsWith('a copy of')) return COPY_LABEL;
  return 'unrecognised';
}

/** Files found in folders and passed over, counted by what they are; most first. */
export function ignoredTotals(inputs: readonly InputStats[]): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const input of inputs) {
    if (!isIgnored(input)) continue;
    const label = ignoredLabel(input.ignored!);
    totals.set(label, (totals.get(label) ?? 0) + 1);
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
}

/** The line that says which files were passed over, or null when none were. */
export function ignoredSummary(inputs: readonly InputStats[]): string | null {
  const all = ignoredTotals(inputs);
  const copies = all.find(([label]) => label === COPY_LABEL)?.[1] ?? 0;
  const totals = all.filter(([label]) => label !== COPY_LABEL);
  const parts: string[] = [];
  if (totals.length > 0) {
    const n = totals.reduce((s, [, c]) => s + c, 0);
    const what = totals.map(([label, c]) => `${formatCount(c)} ${label}`).join(', ');
    parts.push(`${formatCount(n)} file${n === 1 ? '' : 's'} found in folders or by patterns that are not SMTP protocol logs or queue exports (${what}); not read`);
  }
  // Protocol logs, but the same log as another input: reading them again would count their sessions twice.
  if (copies > 0) parts.push(`${formatCount(copies)} cop${copies === 1 ? 'y' : 'ies'} of logs given elsewhere too (the same first 4 KiB): read once`);
  return parts.length === 0 ? null : parts.join('; ');
}

const COPY_LABEL = 'copy of another input';

/**
 * The time span the report covers, as table and Markdown show it: `… → … UTC (1 h 52 min)`; for a report with no
 * session, when the logs read run (`no session in this report; the logs read run … → … UTC`).
 */
export function coverageText(report: Report): string {
  const { from, to } = report.coverage;
  if (from === null && to === null) {
    const logs = logsSpan(report);
    return logs === null ? 'no log times were read' : `no session in this report; the logs read run ${formatTime(logs.from)} → ${formatTime(logs.to)} UTC`;
  }
  const length = formatSpan(from, to);
  return `${formatTime(from)} → ${formatTime(to)} UTC${length === null ? '' : ` (${length})`}`;
}

/** Where Exchange writes the logs logscan reads, for an admin who handed over another kind (reference: default paths). */
const PROTOCOL_LOG_PLACES =
  'Protocol logs are in …\\TransportRoles\\Logs\\FrontEnd\\ProtocolLog, …\\Hub\\ProtocolLog and (Edge) …\\Edge\\ProtocolLog, in SmtpReceive and SmtpSend (Exchange 2010: …\\V14\\TransportRoles\\Logs\\ProtocolLog); queue exports come from Get-Queue or Get-Message | Export-Csv.';

/**
 * Why a report has no sessions and no queue entries, in plain words, or null when it has some.
 * An empty report is the most confusing one an admin can get, so it says which of the usual causes applies.
 */
export function emptyReason(report: Report): string | null {
  // Sessions read and left out by --category: the report has their timeline and says why the rest is empty.
  if (report.groups.length > 0 || report.totals.sessions > 0 || timelineSessions(report) > 0) return null;
  const inputs = report.inputs;
  if (inputs.length === 0) return 'No input was read: no files matched, or the input was empty.';
  const failed = inputs.filter((i) => i.error !== null).length;
  const ignored = inputs.filter(isIgnored).length;
  if (ignored > 0 && failed + ignored === inputs.length) {
    return `No SMTP protocol log or queue export was found: ${failed > 0 ? 'the inputs named were refused or could not be read, and ' : ''}the ${formatCount(ignored)} file${ignored === 1 ? '' : 's'} found in the folders ${ignored === 1 ? 'is' : 'are'} other kinds (see Ignored above). ${PROTOCOL_LOG_PLACES}`;
  }
  if (failed === inputs.length) {
    const which = inputs.length === 1 ? 'The only input was' : `All ${inputs.length} inputs were`;
    return `${which} refused or could not be read (see the errors above): logscan reads SMTP protocol logs and queue exports only. ${PROTOCOL_LOG_PLACES}`;
  }
  const records = inputs.reduce((s, i) => s + i.records, 0);
  if (records === 0) {
    return 'The inputs contained no SMTP protocol-log rows or queue entries (see the skipped lines above). Check that protocol logging is enabled on the connectors (ProtocolLoggingLevel Verbose).';
  }
  // Filters are the usual cause: rows of logs that end before --since are read, and then no session is kept.
  const logs = logsSpan(report);
  const span = logs === null ? '' : ` (the logs read run ${formatTime(logs.from)} → ${formatTime(logs.to)} UTC)`;
  return `${countOf(records, 'row')} ${records === 1 ? 'was' : 'were'} read but none formed an SMTP session or a queue entry that matches the filters given, if any (--since, --until, --host, --connector, --category)${span}.`;
}

/** Categories of the report, plus any id that only appears in counts (user rules), in report order. */
export function categoryIds(report: Report): string[] {
  const ids = report.categories.map((c) => c.id);
  const seen = new Set(ids);
  const extra = new Set<string>();
  for (const id of Object.keys(report.totals.byCategory)) if (!seen.has(id)) extra.add(id);
  for (const g of report.groups) for (const id of Object.keys(g.byCategory)) if (!seen.has(id)) extra.add(id);
  return [...ids, ...[...extra].sort()];
}

export function categoryInfo(report: Report, id: string): CategoryInfo | undefined {
  return report.categories.find((c) => c.id === id);
}

/** The hint to act on: the group's own, else its main category's. */
export function groupHint(report: Report, group: ReportGroup): string | null {
  if (group.hint !== null && group.hint !== '') return group.hint;
  if (group.mainCategory === null) return null;
  return categoryInfo(report, group.mainCategory)?.hint ?? null;
}

/** `{ SocketError: 18, NoCredentials: 2 }` → `SocketError 18, NoCredentials 2`, at most `max` entries. */
export function detailsSummary(details: Record<string, number> | undefined, max = 5): string {
  if (details === undefined) return '';
  const entries = Object.entries(details)
    .filter(([, n]) => Number.isFinite(n) && n > 0)
    .sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
  const shown = entries.slice(0, max).map(([k, n]) => `${k} ${n}`);
  if (entries.length > max) shown.push(`+${entries.length - max} more`);
  return shown.join(', ');
}

/**
 * A group's categories with findings, in the order its block lists them: its main category first (the report
 * builder's choice, which can be a failure that goes on after more numerous warnings), then most findings first,
 * ties in the report's category order (worst first: failures before warnings), then by id.
 */
export function groupCategories(report: Report, group: ReportGroup): Array<[string, number]> {
  return Object.entries(group.byCategory)
    .filter(([, n]) => n > 0)
    .sort(firstThenByCount(categoryRank(report), group.mainCategory));
}

/** Position of a category worst first (see categoryOrder); ids only found in counts (user rules) after all of it. */
function categoryRank(report: Report): (id: string) => number {
  return rankIn(categoryOrder(report.categories));
}

/**
 * The evidence rows a group block shows: up to `perCategory` rows of each category, category by category in
 * {@link groupCategories} order, and in the report's order (earliest first) within one. The report keeps its
 * samples per group and category (`--samples`), so every category listed for the group gets rows of its own,
 * however many rows an earlier category has. Samples of a category without a count come last.
 */
export function evidenceSamples(report: Report, group: ReportGroup, perCategory: number): Sample[] {
  if (!(perCategory > 0)) return [];
  const listed = groupCategories(report, group).map(([id]) => id);
  const position = new Map(listed.map((id, i) => [id, i]));
  const rank = categoryRank(report);
  const byCategory = new Map<string, Sample[]>();
  for (const s of group.samples) {
    const list = byCategory.get(s.category);
    if (list === undefined) byCategory.set(s.category, [s]);
    else list.push(s);
  }
  const at = (id: string): number => position.get(id) ?? listed.length;
  const ids = [...byCategory.keys()].sort((a, b) => at(a) - at(b) || rank(a) - rank(b) || compareText(a, b));
  const shown: Sample[] = [];
  for (const id of ids) for (const s of (byCategory.get(id) ?? []).slice(0, perCategory)) shown.push(s);
  return shown;
}

/**
 * When the group's findings began: the earliest time of its evidence rows, which the report keeps earliest first
 * per category (`--samples`), so their earliest is the group's first finding. Unlike the group's first-seen
 * time, which counts healthy sessions too. Null when there are no samples, or when a time is not ISO-8601 or
 * zone-less times are mixed with zoned ones: such times cannot be put in order (a queue export's culture dates).
 */
export function firstFinding(group: ReportGroup): string | null {
  let first: string | null = null;
  let firstMs = Number.POSITIVE_INFINITY;
  let local: boolean | null = null;
  for (const s of group.samples) {
    const isLocal = LOCAL_TIME.test(s.time);
    const ms = isLocal ? null : parseIso(s.time);
    if ((!isLocal && ms === null) || (local !== null && local !== isLocal)) return null;
    local = isLocal;
    // Zone-less times are all on one clock and in one form: they compare as text.
    if (isLocal ? first === null || s.time < first : ms! < firstMs) {
      first = s.time;
      firstMs = ms ?? firstMs;
    }
  }
  return first;
}

/** Where a block quotes rows of several categories, each row says which one it proves. */
export function namesCategories(samples: readonly Sample[]): boolean {
  return new Set(samples.map((s) => s.category)).size > 1;
}

/**
 * The one evidence row a single-cell view (CSV) shows: the earliest of the main category when the group has
 * one, else the earliest of all.
 */
export function mainSample(group: ReportGroup): Sample | undefined {
  return group.samples.find((s) => s.category === group.mainCategory) ?? group.samples[0];
}

/** Options with defaults applied and nonsense values ignored. */
export interface ViewOptions {
  color: boolean;
  width: number;
  top: number;
  samples: number;
}

const DEFAULT_WIDTH = 100;
const DEFAULT_SAMPLES = 3;

export function viewOptions(options: FormatOptions = {}): ViewOptions {
  const width = options.width !== undefined && Number.isFinite(options.width) && options.width >= 1 ? Math.floor(options.width) : DEFAULT_WIDTH;
  const top = options.top !== undefined && Number.isFinite(options.top) && options.top >= 0 ? Math.floor(options.top) : Number.POSITIVE_INFINITY;
  // Infinity: every sample the report holds, as a large number gives them.
  const samples = typeof options.samples === 'number' && options.samples >= 0 ? Math.floor(options.samples) : DEFAULT_SAMPLES;
  return { color: options.color === true, width, top, samples };
}

// ---------------------------------------------------------------------------------------------------------
// Terminal width: East Asian wide characters and emoji take two columns; combining marks, zero-width joiners
// and variation selectors take none, as terminals draw them on the character before. Counting them as one
// column each (as before) padded every later column short by one per mark, so names with accents
// (`e` + U+0301 for `é`) pushed the rest of their row out of line.
// ---------------------------------------------------------------------------------------------------------

function charWidth(cp: number): number {
  if (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x200b && cp <= 0x200d) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xfe20 && cp <= 0xfe2f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  ) {
    return 0;
  }
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f680 && cp <= 0x1f6ff) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x1fa70 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Columns the text takes in a terminal (see the note above). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0) ?? 0);
  return width;
}

/** The longest prefix of `text` that fits in `max` columns. */
function takeWidth(text: string, max: number): string {
  let width = 0;
  let end = 0;
  for (const ch of text) {
    const w = charWidth(ch.codePointAt(0) ?? 0);
    if (width + w > max) break;
    width += w;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** The longest suffix of `text` that fits in `max` columns. */
function takeWidthFromEnd(text: string, max: number): string {
  const chars = Array.from(text);
  let width = 0;
  let start = chars.length;
  while (start > 0) {
    const w = charWidth(chars[start - 1]?.codePointAt(0) ?? 0);
    if (width + w > max) break;
    width += w;
    start -= 1;
  }
  return chars.slice(start).join('');
}

/** Cut at the end to `max` columns, marking the cut with `…`. */
export function fitEnd(text: string, max: number): string {
  if (max <= 0) return '';
  if (displayWidth(text) <= max) return text;
  return `${takeWidth(text, max - 1)}…`;
}

/** Cut at the start, keeping the end (file names are at the end of a path). */
function fitStart(text: string, max: number): string {
  if (max <= 0) return '';
  if (displayWidth(text) <= max) return text;
  return `…${takeWidthFromEnd(text, max - 1)}`;
}

/** Cut in the middle: a log row's time is at the start and its verdict (context) at the end. */
function fitMiddle(text: string, max: number): string {
  if (max <= 0) return '';
  if (displayWidth(text) <= max) return text;
  const head = Math.floor((max - 1) / 3);
  return `${takeWidth(text, head)}…${takeWidthFromEnd(text, max - 1 - head)}`;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Word-wraps our own prose (hints) to `max` columns; words longer than a line are cut into pieces. */
function wrapWords(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const rawWord of text.split(' ')) {
    let word = rawWord;
    if (word === '') continue;
    while (displayWidth(word) > max) {
      if (line !== '') {
        lines.push(line);
        line = '';
      }
      const head = takeWidth(word, max);
      if (head === '') return [...lines, fitEnd(word, max)];
      lines.push(head);
      word = word.slice(head.length);
    }
    const candidate = line === '' ? word : `${line} ${word}`;
    if (displayWidth(candidate) <= max) {
      line = candidate;
    } else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

// ---------------------------------------------------------------------------------------------------------
// Styled lines: plain text with a style per span, so width is measured on text and colour is added last.
// ---------------------------------------------------------------------------------------------------------

type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'green' | 'cyan';

interface Span {
  text: string;
  style?: Style;
}

type Line = Span[];

const SGR: Readonly<Record<Style, string>> = {
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  cyan: '\u001b[36m',
};
const RESET = '\u001b[0m';

function span(text: string, style?: Style): Span {
  return style === undefined ? { text } : { text, style };
}

/**
 * Writes one line: every span is sanitised again (idempotent, so a forgotten call upstream cannot leak an
 * ESC), the line is cut to `width` with `…`, trailing blanks are dropped, and colour is added when asked.
 */
function renderLine(line: Line, width: number, color: boolean): string {
  const spans = line.map((s) => ({ ...s, text: stripControl(s.text) }));
  // Trailing blanks (padding of the last column) are dropped first, so they never count as cut text.
  while (spans.length > 0 && (spans[spans.length - 1]?.text.trimEnd() ?? '') === '') spans.pop();
  const tail = spans[spans.length - 1];
  if (tail !== undefined) tail.text = tail.text.trimEnd();
  const fitted: Span[] = [];
  let used = 0;
  for (const s of spans) {
    const w = displayWidth(s.text);
    if (used + w <= width) {
      fitted.push(s);
      used += w;
      continue;
    }
    const room = width - used;
    if (room > 0) {
      fitted.push({ ...s, text: fitEnd(s.text, room) });
    } else {
      // The cut falls exactly on a span boundary: mark it on the last span that has text.
      const prev = fitted[fitted.length - 1];
      if (prev !== undefined) prev.text = fitEnd(`${prev.text}…`, displayWidth(prev.text));
    }
    break;
  }
  return fitted.map((s) => (color && s.style !== undefined && s.text.trim() !== '' ? `${SGR[s.style]}${s.text}${RESET}` : s.text)).join('');
}

// ---------------------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------------------

const MAX_ERRORS = 10;
const MAX_PROBLEMS = 5;
/** Healthy groups are listed in the table only when there are this few; otherwise one summary line. */
const FEW_HEALTHY = 3;
/** Evidence text is shown whole (wrapped) up to this many lines, then cut in the middle. */
const MAX_EVIDENCE_LINES = 6;
/** Prose (names, messages, hints) is wrapped up to this many lines, then cut. */
const MAX_WRAPPED_LINES = 20;
const LABEL = 10;

/**
 * Hard-wraps text at `max` columns. Log rows have commas rather than spaces, so a line breaks after the last
 * space or comma in its final third, else mid-token; no character is dropped or added.
 */
function chunkWidth(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest !== '') {
    let take = takeWidth(rest, Math.max(1, max));
    // A character wider than the line (a wide character on a 1-column line) still has to go somewhere.
    if (take === '') take = Array.from(rest)[0] ?? rest;
    if (take.length < rest.length) {
      const space = take.lastIndexOf(' ') + 1;
      const breakAt = space > (take.length * 2) / 3 ? space : take.lastIndexOf(',') + 1;
      if (breakAt > (take.length * 2) / 3) take = take.slice(0, breakAt);
    }
    chunks.push(take);
    rest = rest.slice(take.length);
  }
  return chunks;
}

/**
 * Our own prose (a label, then text) word-wrapped under the label. Used for inputs, errors and hints, which an
 * admin must be able to read whole; the group table is never wrapped.
 */
function wrapped(width: number, label: string, text: string, style?: Style, labelStyle: Style = 'bold'): Line[] {
  const indent = Math.min(displayWidth(label), Math.max(0, width - 10));
  const avail = Math.max(1, width - indent);
  // Bounded first: a megabyte-long hostile name must not cost quadratic time, nor fill the screen.
  const bounded = truncate(stripControl(text), avail * MAX_WRAPPED_LINES);
  return wrapWords(bounded, avail).map((chunk, i) => [
    span(i === 0 ? fitEnd(label, indent) : ' '.repeat(indent), i === 0 ? labelStyle : undefined),
    span(chunk, style),
  ]);
}

/**
 * What folding left out of the per-host rows (`--max-groups`), or null when nothing was folded: a reader of a
 * `(other hosts)` row must know it is not a host.
 */
export function foldedText(report: Report): string | null {
  const f = report.folded;
  if (f === undefined) return null;
  const queue = report.groups.some((g) => g.folded === true && g.direction === 'queue') ? ' (queue rows: entries)' : '';
  return (
    `more than ${formatCount(f.maxGroups)} groups (direction, server, connector and remote host): ${countOf(f.sessions, 'session')}${queue} of ` +
    `remote hosts past the limit are counted in '(other hosts)' rows, one per connector. Hosts of smaller connectors (send, relay) keep their rows, ` +
    `and on the largest connector hosts with findings, and failing hosts seen often, keep theirs; to see one host in full, scan again with --host or --connector, ` +
    `or --max-groups all (about 2 KB of memory per host)`
  );
}

/** Above a folded group's details: what its names, evidence and hint are. */
export const FOLDED_GROUP_NOTE =
  "Folded: many remote hosts past --max-groups, together. The names, certificates, evidence and hint below are some of theirs, not one host's; use --host to see one.";

/**
 * The filters a report was made with, as options (`--since 2025-11-10 09:00:00 UTC --category legacy-tls`), or null:
 * a report for a change ticket says what it leaves out.
 */
export function filtersText(report: Report): string | null {
  const f = report.filters;
  if (f === undefined) return null;
  const parts: string[] = [];
  if (f.since !== undefined) parts.push(`--since ${formatTime(f.since)} UTC`);
  if (f.until !== undefined) parts.push(`--until ${formatTime(f.until)} UTC`);
  if (f.categories !== undefined) parts.push(`--category ${f.categories.join(',')}`);
  if (f.connector !== undefined) parts.push(`--connector ${JSON.stringify(f.connector)}`);
  if (f.host !== undefined) parts.push(`--host ${JSON.stringify(f.host)}`);
  return parts.length === 0 ? null : parts.join(' ');
}

function headerSection(report: Report, width: number): Line[] {
  const lines: Line[] = [[span(`logscan ${report.generator.version} · Exchange SMTP TLS mail-flow report`, 'bold')]];
  const { servers } = report.coverage;
  const filters = filtersText(report);
  if (filters !== null) lines.push(...wrapped(width, 'Filters'.padEnd(LABEL), stripControl(filters), 'yellow'));
  const folded = foldedText(report);
  if (folded !== null) lines.push(...wrapped(width, 'Folded'.padEnd(LABEL), folded, 'yellow'));
  lines.push(...wrapped(width, 'Coverage'.padEnd(LABEL), coverageText(report)));
  // `-`: the sessions whose server is unknown, as in the SERVER column.
  const names = servers.map((s) => (s.server === null ? '-' : stripControl(s.server)));
  const serverWidth = Math.min(30, Math.max(0, ...names.map(displayWidth)));
  for (const [i, s] of servers.entries()) {
    lines.push([
      span(' '.repeat(LABEL)),
      span(pad(fitEnd(names[i]!, serverWidth), serverWidth, 'left')),
      span(`  ${formatTime(s.from)} → ${formatTime(s.to)}`),
    ]);
  }
  return lines;
}


const labelCache = new WeakMap<readonly InputStats[], Map<string, string>>();

/**
 * A short name for each input that no other input of the report shares: the file name, or, where two servers
 * have a `SEND2025111009-1.LOG` each, the shortest ending of the path that tells them apart, with the folders
 * the paths share left out (`EX01/…/SEND2025111009-1.LOG`, `EX01/Hub/…/SEND1.LOG`). Kept per report, as every
 * line asks again.
 */
export function sourceLabel(inputs: readonly InputStats[], source: string): string {
  let labels = labelCache.get(inputs);
  if (labels === undefined) labelCache.set(inputs, (labels = sourceLabels(inputs.map((i) => i.source))));
  return labels.get(source) ?? baseName(source);
}

export function sourceLabels(sources: readonly string[]): Map<string, string> {
  const paths = [...new Set(sources)].map((src) => ({ src, parts: src.split(/[\\/]/).filter((p) => p !== '') }));
  // How many folders from the end each path needs before no other path ends the same way: each round adds one
  // folder for the paths not yet told apart, so the work is linear in paths × depth.
  const needed = new Map<string, number>();
  let open = paths;
  for (let n = 1; open.length > 0; n++) {
    const ending = (parts: string[]) => parts.slice(-n).join('/');
    const count = new Map<string, number>();
    for (const o of open) count.set(ending(o.parts), (count.get(ending(o.parts)) ?? 0) + 1);
    const next: typeof open = [];
    for (const o of open) {
      // Unique now, or no folder left to add (the same path given twice).
      if (count.get(ending(o.parts)) === 1 || n >= o.parts.length) needed.set(o.src, n);
      else next.push(o);
    }
    open = next;
  }
  // Of those folders, the label keeps the ones where paths of the same file name differ (EX01 against EX02, Hub
  // against FrontEnd) and leaves out the ones they share (ProtocolLog, SmtpSend) as `…`.
  const byName = new Map<string, typeof paths>();
  for (const p of paths) {
    const name = p.parts[p.parts.length - 1] ?? p.src;
    const group = byName.get(name);
    if (group === undefined) byName.set(name, [p]);
    else group.push(p);
  }
  const out = new Map<string, string>();
  for (const group of byName.values()) {
    // Per place from the end, how many paths of the group have each folder name there.
    const seen: Array<Map<string, number>> = [];
    for (const p of group) {
      p.parts.forEach((part, i) => {
        const k = p.parts.length - 1 - i;
        const names = (seen[k] ??= new Map());
        names.set(part, (names.get(part) ?? 0) + 1);
      });
    }
    for (const p of group) {
      const n = needed.get(p.src)!;
      const kept: string[] = [];
      let gap = false;
      for (let k = n - 1; k >= 0; k--) {
        const part = p.parts[p.parts.length - 1 - k]!;
        const shared = k > 0 && seen[k]!.get(part) === group.length;
        if (shared) gap = true;
        else {
          kept.push(gap && kept.length > 0 ? `…/${part}` : part);
          gap = false;
        }
      }
      out.set(p.src, kept.join('/'));
    }
  }
  return out;
}

function inputsSection(report: Report, width: number): Line[] {
  const inputs = report.inputs;
  const lineCount = inputs.reduce((s, i) => s + i.lines, 0);
  const records = inputs.reduce((s, i) => s + i.records, 0);
  const kinds = kindTotals(inputs)
    .map(([k, n]) => `${formatCount(n)} ${k}`)
    .join(', ');
  const files = `${formatCount(inputs.length)} file${inputs.length === 1 ? '' : 's'}${kinds === '' ? '' : ` (${kinds})`}`;
  const lines = wrapped(width, 'Inputs'.padEnd(LABEL), `${files}, ${countOf(lineCount, 'line')}, ${countOf(records, 'record')}`);
  const skipped = skippedTotals(inputs);
  if (skipped.length > 0) {
    lines.push(...wrapped(width, 'Skipped'.padEnd(LABEL), skipped.map(([reason, n]) => `${formatCount(n)} ${reason}`).join(', '), 'dim'));
  }
  const ignored = ignoredSummary(inputs);
  if (ignored !== null) lines.push(...wrapped(width, 'Ignored'.padEnd(LABEL), ignored, 'dim'));
  const failed = inputs.filter((i) => i.error !== null);
  for (const input of failed.slice(0, MAX_ERRORS)) {
    lines.push(...wrapped(width, `${' '.repeat(LABEL)}error `, `${input.source}: ${input.error ?? ''}`, 'red', 'red'));
  }
  if (failed.length > MAX_ERRORS) {
    lines.push(...wrapped(width, ' '.repeat(LABEL), `… ${failed.length - MAX_ERRORS} more inputs with errors (see the JSON output)`, 'red'));
  }
  // A refused input's problem repeats its error, which is already shown.
  const problems = inputs.flatMap((i) =>
    i.problems.filter((p) => i.error === null || p.reason !== 'refused-input').map((p) => ({ source: i.source, ...p })),
  );
  for (const p of problems.slice(0, MAX_PROBLEMS)) {
    const name = sourceLabel(inputs, p.source);
    const where = p.line > 0 ? `${name}:${p.line}` : name;
    lines.push(...wrapped(width, `${' '.repeat(LABEL)}problem `, `${where} ${p.message}`, undefined, 'yellow'));
  }
  if (problems.length > MAX_PROBLEMS) {
    lines.push(...wrapped(width, ' '.repeat(LABEL), `… ${countOf(problems.length - MAX_PROBLEMS, 'more problem')} (see the JSON output)`, 'dim'));
  }
  return lines;
}

function totalsSection(report: Report, width: number): Line[] {
  const t = report.totals;
  const parts = [countOf(t.sessions, 'session')];
  const unreported = unreportedSessions(report);
  if (unreported > 0) parts[0] = `${parts[0]} with findings of the categories asked for (${formatCount(t.sessions + unreported)} read: --category keeps the others out)`;
  if (t.incompleteSessions > 0) parts.push(`${formatCount(t.incompleteSessions)} incomplete`);
  parts.push(countOf(t.findings, 'finding'));
  if (t.queueMessages > 0) parts.push(countOf(t.queueMessages, 'queued message'));
  const lines: Line[] = wrapped(width, 'Totals'.padEnd(LABEL), parts.join(', '));
  const tls = tlsSummary(t.tlsVersions);
  if (tls !== '') lines.push(...wrapped(width, 'TLS'.padEnd(LABEL), tls));
  lines.push([]);
  lines.push([span('FINDINGS BY CATEGORY', 'bold')]);
  const ids = categoryIds(report);
  const idWidth = Math.min(28, Math.max(0, ...ids.map((id) => displayWidth(stripControl(id)))));
  const counts = ids.map((id) => formatCount(own(t.byCategory, id) ?? 0));
  const countWidth = Math.max(0, ...counts.map((c) => c.length));
  ids.forEach((id, i) => {
    const n = own(t.byCategory, id) ?? 0;
    const style: Style | undefined = n === 0 ? 'dim' : WARNING_CATEGORIES.has(id) ? 'yellow' : 'red';
    lines.push([
      span('  '),
      span(pad(fitEnd(stripControl(id), idWidth), idWidth, 'left'), style),
      span('  '),
      span(pad(counts[i] ?? '0', countWidth, 'right'), style),
      span(`  ${categoryInfo(report, id)?.title ?? ''}`, n === 0 ? 'dim' : undefined),
    ]);
  });
  if (t.findings === 0 && unreported > 0) lines.push([span(`  No finding of the categories asked for in ${countOf(t.sessions + unreported, 'session')} read.`, 'green')]);
  else if (t.findings === 0 && t.sessions > 0) lines.push([span(`  No TLS problems found in ${countOf(t.sessions, 'session')}.`, 'green')]);
  return lines;
}

/**
 * `, 2025-11-10 06:04:00 → 14:57:37`: when the group's findings of a category were first and last made (the
 * group's last seen is its last session of any kind). Empty without a span, or for a single finding.
 */
export function spanText(group: ReportGroup, category: string): string {
  const span = own(group.findingSpans, category);
  if (span === undefined || span.first === span.last) return '';
  const first = formatTime(span.first);
  const last = formatTime(span.last);
  return `, ${first} → ${last.slice(0, 10) === first.slice(0, 10) ? last.slice(11) : last}`;
}

/** Timeline rows shown in the table, the latest; the earlier ones are counted (Markdown and HTML show them all). */
const TOP_RUNS = 24;

/** What a timeline run's size column says: sessions, or why there are none to count. */
export function runSessions(run: TimelineRun): string {
  if (run.kind === 'gap') return 'no protocol-log session (no logs read, or no mail)';
  return run.sessions === null ? '' : countOf(run.sessions, 'session');
}

/** What a timeline run's findings column says. */
export function runFindings(run: TimelineRun, categories: readonly CategoryInfo[]): string {
  if (run.kind === 'gap') return run.findings > 0 ? findingsSummary(Object.fromEntries(run.byCategory), categories) : '';
  return run.findings === 0 ? 'no findings' : `${countOf(run.findings, 'finding')}  ${findingsSummary(Object.fromEntries(run.byCategory), categories)}`;
}

function timelineSection(report: Report, width: number): Line[] {
  const runs = timelineRuns(report);
  if (runs.length === 0) {
    const wide = timelineTooWide(report);
    return wide === null ? [] : [[span('TIMELINE', 'bold'), span(`  ${fitEnd(tooWideText(wide), Math.max(10, width - 10))}`, 'dim')]];
  }
  const unit = runs[0]!.bucket;
  // The latest: after a change, the hours since are the ones that matter.
  const shown = runs.slice(-TOP_RUNS);
  const labels = shown.map(runLabel);
  const labelWidth = Math.max(0, ...labels.map((l) => l.length));
  const sizes = shown.map((r) => (r.kind === 'gap' ? '' : runSessions(r)));
  const sizeWidth = Math.max(0, ...sizes.map((s) => s.length));
  const counts = shown.map((r) => (r.findings > 0 ? countOf(r.findings, 'finding') : ''));
  const countWidth = Math.max(0, ...counts.map((s) => s.length));
  const lines: Line[] = [[span('TIMELINE', 'bold'), span(`  per ${unit}, UTC; ${unit}s alike are joined`, 'dim')]];
  if (runs.length > shown.length) lines.push([span(`  … ${countOf(runs.length - shown.length, 'earlier row')} (-f markdown or html: all of them)`, 'dim')]);
  shown.forEach((run, i) => {
    const label = span(pad(labels[i]!, labelWidth, 'left'));
    if (run.kind === 'gap') {
      lines.push([span('  '), label, span('  '), span(fitEnd(`${runSessions(run)}  ${runFindings(run, report.categories)}`.trim(), Math.max(10, width - labelWidth - 4)), 'dim')]);
      return;
    }
    const style: Style | undefined = run.kind === 'findings' ? 'yellow' : run.kind === 'clean' ? 'green' : undefined;
    const what = run.findings > 0 ? `${pad(counts[i]!, countWidth, 'right')}  ${findingsSummary(Object.fromEntries(run.byCategory), report.categories)}` : 'no findings';
    // No sessions column where the report did not count them (an older or merged one).
    const size = sizeWidth === 0 ? [] : [span(pad(sizes[i]!, sizeWidth, 'right')), span('  ')];
    lines.push([span('  '), label, span('  '), ...size, span(fitEnd(what, Math.max(10, width - labelWidth - sizeWidth - 6)), style)]);
  });
  return lines;
}

/** A connector with findings, all its remote hosts together (a row of {@link connectorsWithFindings}). */
export interface ConnectorRow {
  direction: string;
  connector: string;
  /** Sessions, or for a queue connector its waiting messages, as the size to show. */
  size: string;
  findings: string;
}

/**
 * The first `max` connectors with findings, in the order of `report.connectors` (failed sessions first), and how
 * many more there are. A connector to Exchange Online meets hundreds of EXO addresses, one group each, so its
 * groups rank low one by one while the connector as a whole fails most: the table and Markdown show this list.
 */
export function connectorsWithFindings(report: Report, max: number): { rows: ConnectorRow[]; more: number } {
  // As the groups are (sortGroups): a failing queue connector counts its messages waiting when they are more than
  // its failed entries, so 155 messages stuck behind one Get-Queue entry are not passed by a Get-Message export's
  // three rows. Otherwise the JSON's order (a stable sort keeps it).
  const rollups = report.connectors
    .filter((r) => Object.values(r.byCategory).some((n) => n > 0))
    .map((r) => ({ r, weight: failedWeight(failureCount(r, report.categories), r) }))
    .sort((a, b) => b.weight - a.weight)
    .map(({ r }) => r);
  const hosts = new Map<string, number>();
  // A folded group (past --max-groups) holds an unknown number of hosts: said, not counted as one.
  const folded = new Set<string>();
  for (const g of report.groups) {
    const key = `${g.direction}\u0000${g.connector}`;
    if (g.folded === true) folded.add(key);
    else hosts.set(key, (hosts.get(key) ?? 0) + 1);
  }
  const rows = rollups.slice(0, max).map((r): ConnectorRow => {
    const key = `${r.direction ?? ''}\u0000${r.key}`;
    const n = hosts.get(key) ?? 0;
    const hostText = !folded.has(key) ? countOf(n, 'host') : n === 0 ? 'other hosts' : `${countOf(n, 'host')} + other hosts`;
    return {
      direction: r.direction === null ? '' : directionLabel(r.direction as ReportGroup['direction']),
      connector: stripControl(r.key),
      size: r.direction === 'queue' ? countOf(r.messages, 'msg') : `${countOf(r.sessions, 'session')}, ${hostText}`,
      findings: findingsSummary(r.byCategory, report.categories),
    };
  });
  return { rows, more: rollups.length - rows.length };
}

/** Connectors shown in the table; the rest are counted. */
const TOP_CONNECTORS = 10;

function connectorsSection(report: Report, width: number): Line[] {
  const { rows, more } = connectorsWithFindings(report, TOP_CONNECTORS);
  if (rows.length === 0) return [];
  const nameWidth = Math.min(34, Math.max(0, ...rows.map((r) => displayWidth(r.connector))));
  const lines: Line[] = [[span('CONNECTORS WITH FINDINGS', 'bold'), span('  all remote hosts of a connector together', 'dim')]];
  for (const r of rows) {
    lines.push([
      span('  '),
      span(pad(r.direction, 5, 'left')),
      span('  '),
      span(pad(fitEnd(r.connector, nameWidth), nameWidth, 'left')),
      span('  '),
      span(fitEnd(`${r.size}  ${r.findings}`, Math.max(10, width - nameWidth - 11))),
    ]);
  }
  if (more > 0) lines.push([span(`  … ${countOf(more, 'more connector')} with findings (JSON: connectors)`, 'dim')]);
  return lines;
}

interface Column {
  header: string;
  align: 'left' | 'right';
  /** Columns that may be cut to fit the width; the others (numbers, dates) are never cut. */
  shrink: boolean;
  /** Narrowest useful width when cut (REMOTE HOST keeps a whole IPv4 address). */
  min: number;
  /** Share of the space left for shrinkable columns, relative to the others (the remote host matters most). */
  weight: number;
  cell: (g: ReportGroup) => string;
  style?: (g: ReportGroup) => Style | undefined;
}

function findingStyle(g: ReportGroup): Style | undefined {
  if (!isFailing(g)) return 'green';
  const main = g.mainCategory;
  return main !== null && WARNING_CATEGORIES.has(main) ? 'yellow' : 'red';
}

/**
 * The group columns. `timeLength` is how much of `yyyy-MM-dd HH:mm:ss` LAST SEEN shows (19, 16 or 10): on a
 * narrow terminal a date without seconds is better than a cut remote host.
 */
function groupColumns(groups: readonly ReportGroup[], timeLength: number, categories: readonly CategoryInfo[]): Column[] {
  const servers = new Set(groups.map((g) => g.server ?? ''));
  const columns: Column[] = [{ header: 'DIR', align: 'left', shrink: false, min: 3, weight: 0, cell: (g) => directionLabel(g.direction) }];
  // Send connectors are named the same on every server, so the server is shown when there is more than one.
  if (servers.size > 1) columns.push({ header: 'SERVER', align: 'left', shrink: true, min: 4, weight: 1, cell: (g) => g.server ?? '-' });
  columns.push(
    { header: 'CONNECTOR', align: 'left', shrink: true, min: 8, weight: 2, cell: (g) => g.connector },
    { header: 'REMOTE HOST', align: 'left', shrink: true, min: 15, weight: 3, cell: remoteLabel },
    {
      header: 'SESSIONS',
      align: 'right',
      shrink: false,
      min: 8,
      weight: 0,
      cell: (g) => (g.direction === 'queue' ? countOf(g.messages, 'msg') : formatCount(g.sessions)),
    },
    { header: 'FINDINGS', align: 'left', shrink: true, min: 8, weight: 3, cell: (g) => findingsSummary(g.byCategory, categories, g.mainCategory) || '-', style: findingStyle },
    { header: 'TLS', align: 'left', shrink: true, min: 5, weight: 2, cell: (g) => tlsSummary(g.tlsVersions) || '-' },
    {
      header: 'LAST SEEN',
      align: 'left',
      shrink: false,
      min: 9,
      weight: 0,
      cell: (g) => {
        const t = formatTime(g.lastSeen);
        // Only a formatted time is shortened (a local one keeps its mark); raw placeholder text keeps its own
        // (bounded) length.
        const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})( local)?$/.exec(t);
        return m ? `${(m[1] ?? '').slice(0, timeLength)}${m[2] ?? ''}` : t;
      },
    },
  );
  return columns;
}

const GAP = '  ';

/**
 * Column widths that fit `width` by weighted water-filling: each shrinkable column is capped at
 * `level × weight` (never below its minimum), the highest level that fits is chosen, and the columns still
 * cut get the spare columns one by one, heaviest first. Short columns keep their natural width.
 */
function fitColumns(natural: readonly number[], columns: readonly Column[], width: number): number[] {
  const total = natural.reduce((s, w) => s + w, 0) + GAP.length * (natural.length - 1);
  if (total <= width) return [...natural];
  const fixed = natural.reduce((s, w, i) => s + (columns[i]?.shrink ? 0 : w), 0) + GAP.length * (natural.length - 1);
  const available = width - fixed;
  const capped = (level: number): number[] =>
    natural.map((w, i) => {
      const col = columns[i];
      return col !== undefined && col.shrink ? Math.min(w, Math.max(Math.floor((level * col.weight) / 4), Math.min(col.min, w))) : w;
    });
  const used = (ws: readonly number[]): number => ws.reduce((s, w, i) => s + (columns[i]?.shrink ? w : 0), 0);
  let lo = 0;
  let hi = 4 * Math.max(0, ...natural);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (used(capped(mid)) <= available) lo = mid;
    else hi = mid - 1;
  }
  const widths = capped(lo);
  let spare = available - used(widths);
  const order = columns.map((c, i) => ({ c, i })).sort((a, b) => b.c.weight - a.c.weight || a.i - b.i);
  for (const { c, i } of order) {
    const w = widths[i] ?? 0;
    if (spare > 0 && c.shrink && w < (natural[i] ?? 0)) {
      const add = Math.min(spare, (natural[i] ?? 0) - w);
      widths[i] = w + add;
      spare -= add;
    }
  }
  return widths;
}

interface TableLayout {
  columns: Column[];
  cells: string[][];
  natural: number[];
}

/**
 * The table with the most precise LAST SEEN that still fits `width` when every shrinkable column is at its
 * minimum. A column's minimum is never below its header's width, so headers stay readable.
 */
function layoutTable(groups: readonly ReportGroup[], width: number, categories: readonly CategoryInfo[]): TableLayout {
  let layout: TableLayout | null = null;
  for (const length of [19, 16, 10]) {
    const columns = groupColumns(groups, length, categories).map((c) => ({ ...c, min: Math.max(c.min, displayWidth(c.header)) }));
    const cells = groups.map((g) => columns.map((c) => stripControl(c.cell(g))));
    const natural = columns.map((c, i) => Math.min(width, Math.max(displayWidth(c.header), ...cells.map((row) => displayWidth(row[i] ?? '')))));
    layout = { columns, cells, natural };
    const least = natural.reduce((s, w, i) => s + (columns[i]?.shrink ? Math.min(w, columns[i]?.min ?? w) : w), 0) + GAP.length * (columns.length - 1);
    if (least <= width) break;
  }
  // The loop runs at least once.
  return layout as TableLayout;
}

function groupTable(groups: readonly ReportGroup[], width: number, categories: readonly CategoryInfo[]): Line[] {
  const { columns, cells, natural } = layoutTable(groups, width, categories);
  const widths = fitColumns(natural, columns, width);
  const header: Line = [];
  columns.forEach((c, i) => {
    if (i > 0) header.push(span(GAP));
    header.push(span(pad(fitEnd(c.header, widths[i] ?? 0), widths[i] ?? 0, c.align), 'bold'));
  });
  const lines: Line[] = [header];
  groups.forEach((g, r) => {
    const line: Line = [];
    const healthy = !isFailing(g);
    columns.forEach((c, i) => {
      if (i > 0) line.push(span(GAP));
      const w = widths[i] ?? 0;
      line.push(span(pad(fitEnd(cells[r]?.[i] ?? '', w), w, c.align), healthy ? 'dim' : c.style?.(g)));
    });
    lines.push(line);
  });
  return lines;
}

/**
 * One evidence row: `source:line  sessionId`, then the row's time (as {@link formatTime} writes it) and its text,
 * the text wrapped under itself. A time too wide to leave the text half the line gets a line of its own.
 */
function evidenceLines(sample: ReportGroup['samples'][number], indent: string, width: number, inputs: readonly InputStats[], labelled: boolean): Line[] {
  const avail = Math.max(1, width - displayWidth(indent));
  const id = stripControl(sample.sessionId);
  // Where a block quotes rows of several categories, each row says which one it proves.
  // A folded group's rows are several hosts': each names its own.
  const host = sample.remoteHost === undefined ? '' : `  ${stripControl(sample.remoteHost)}`;
  const idPart = `${id === '' ? '' : `  ${id}`}${host}${labelled ? `  ${stripControl(sample.category)}` : ''}`;
  const full = stripControl(`${sample.source}:${sample.line}`);
  // The full path when it fits beside the id, else the shortest name no other input shares.
  const short = () => fitStart(stripControl(`${sourceLabel(inputs, sample.source)}:${sample.line}`), Math.max(8, Math.floor(avail / 2)));
  const loc = displayWidth(full) + displayWidth(idPart) + 2 <= Math.floor(avail / 2) ? full : short();
  const textIndent = '  ';
  const textAvail = Math.max(1, avail - textIndent.length);
  const head: Line = [span(indent), span(loc, 'cyan'), span(idPart, 'dim')];
  const lines: Line[] = [head];
  // No time (an empty one) shows nothing rather than `-`, which reads like the `-` event of the row text.
  let time = sample.time === '' ? '' : `${formatTime(sample.time)}  `;
  if (time !== '' && displayWidth(time) > textAvail / 2) {
    lines.push([span(indent), span(textIndent), span(fitEnd(time.trimEnd(), textAvail))]);
    time = '';
  }
  const timeWidth = displayWidth(time);
  const chunkAvail = Math.max(1, textAvail - timeWidth);
  const text = fitMiddle(stripControl(sample.text), chunkAvail * MAX_EVIDENCE_LINES);
  chunkWidth(text, chunkAvail).forEach((chunk, i) =>
    lines.push([span(indent), span(textIndent), span(i === 0 ? time : ' '.repeat(timeWidth)), span(chunk)]),
  );
  return lines;
}

function groupBlock(report: Report, group: ReportGroup, index: number, opts: ViewOptions): Line[] {
  const indent = '    ';
  const where = [directionLabel(group.direction), group.server ?? '', group.connector].filter((s) => s !== '').join('  ');
  const lines: Line[] = [[span(`[${index}] `, 'bold'), span(where, 'bold'), span(' → '), span(group.remoteHost, 'cyan')]];
  if (group.folded === true) lines.push(...wrapped(opts.width, indent, FOLDED_GROUP_NOTE, 'yellow'));
  if (group.remoteNames.length > 0) {
    const names = group.remoteNames.slice(0, 5).join(', ') + (group.remoteNames.length > 5 ? ` +${group.remoteNames.length - 5} more` : '');
    lines.push(...wrapped(opts.width, `${indent}${namesLabel(group)}: `, names, undefined, 'dim'));
  }
  if (group.authUsers && group.authUsers.length > 0) {
    lines.push(...wrapped(opts.width, `${indent}AUTH users: `, stripControl(group.authUsers.join(', ')), undefined, 'dim'));
  }
  for (const c of group.certificates ?? []) {
    const text = [c.role, c.subject ? `subject ${c.subject}` : null, c.issuer ? `issuer ${c.issuer}` : null, c.thumbprint ? `thumbprint ${c.thumbprint}` : null, c.notAfter ? `expires ${c.notAfter.slice(0, 10)}` : null]
      .filter((x) => x !== null)
      .join(', ');
    lines.push(...wrapped(opts.width, `${indent}Certificate: `, stripControl(text), undefined, 'dim'));
  }
  const tls = tlsSummary(group.tlsVersions);
  lines.push(...wrapped(opts.width, indent, `${sizeAndSpan(group, '')}${tls === '' ? '' : `, TLS ${tls}`}`));
  const lookup = connectorLookup(group);
  if (lookup !== null) lines.push(...wrapped(opts.width, `${indent}Connector: `, `${lookup} ${CONNECTOR_LOOKUP_NOTE}`, undefined, 'dim'));
  for (const [id, n] of groupCategories(report, group)) {
    const title = categoryInfo(report, id)?.title ?? id;
    const details = detailsSummary(own(group.details, id));
    lines.push(...wrapped(opts.width, indent, `${title}: ${formatCount(n)}${details === '' ? '' : ` (${details})`}${spanText(group, id)}`, WARNING_CATEGORIES.has(id) ? 'yellow' : 'red'));
  }
  const hint = groupHint(report, group);
  // Hints are remediation steps: wrapped rather than cut.
  if (hint !== null) lines.push(...wrapped(opts.width, `${indent}Hint: `, hint));
  const docs = group.mainCategory === null ? null : (categoryInfo(report, group.mainCategory)?.docs ?? null);
  if (docs !== null) {
    // A URL is hard-wrapped, not cut: a cut link is useless, a wrapped one can still be copied.
    const label = `${indent}Docs: `;
    chunkWidth(stripControl(docs), Math.max(1, opts.width - label.length)).forEach((chunk, i) =>
      lines.push([span(i === 0 ? label : ' '.repeat(label.length), 'dim'), span(chunk, 'dim')]),
    );
  }
  const samples = evidenceSamples(report, group, opts.samples);
  if (samples.length > 0) {
    const first = firstFinding(group);
    lines.push([span(indent), span(first === null ? 'Evidence:' : `Evidence (first finding ${formatTime(first)}):`, 'dim')]);
    const labelled = namesCategories(samples);
    for (const s of samples) lines.push(...evidenceLines(s, `${indent}  `, opts.width, report.inputs, labelled));
  }
  return lines;
}

/** The terminal report. See `docs/reading-the-report.md` for what each part means. */
export function renderTable(report: Report, options: FormatOptions = {}): string {
  const opts = viewOptions(options);
  const lines: Line[] = [...headerSection(report, opts.width), ...inputsSection(report, opts.width), []];
  const empty = emptyReason(report);
  if (empty !== null) {
    lines.push([span('No SMTP sessions or queue entries were found.', 'bold')]);
    for (const text of wrapWords(empty, opts.width)) lines.push([span(text)]);
    return `${lines.map((l) => renderLine(l, opts.width, opts.color)).join('\n')}\n`;
  }
  lines.push(...totalsSection(report, opts.width), []);
  const timeline = timelineSection(report, opts.width);
  if (timeline.length > 0) lines.push(...timeline, []);
  const connectors = connectorsSection(report, opts.width);
  if (connectors.length > 0) lines.push(...connectors, []);

  const sorted = sortGroups(report.groups, report.categories);
  const failing = sorted.filter(isFailing);
  const healthy = sorted.filter((g) => !isFailing(g));
  const shownFailing = failing.slice(0, opts.top);
  const room = opts.top - shownFailing.length;
  const shownHealthy = healthy.length <= FEW_HEALTHY ? healthy.slice(0, Math.max(0, room)) : [];
  const rows = [...shownFailing, ...shownHealthy];

  lines.push([span('GROUPS', 'bold'), span('  worst first; one row per direction, connector and remote host', 'dim')]);
  // A loop, not push(...): with `top` unlimited there is a line per failing group, and a spread of some 120,000
  // items overflows the call stack (markdown.ts says the same).
  if (rows.length > 0) for (const line of groupTable(rows, opts.width, report.categories)) lines.push(line);
  if (failing.length > shownFailing.length) {
    lines.push(...wrapped(opts.width, '', `… ${countOf(failing.length - shownFailing.length, 'more group')} with findings not shown (top ${opts.top})`, 'yellow'));
  }
  const hiddenHealthy = healthy.slice(shownHealthy.length);
  if (hiddenHealthy.length > 0) {
    const sessions = hiddenHealthy.reduce((s, g) => s + g.sessions, 0);
    lines.push(...wrapped(opts.width, '', `${countOf(hiddenHealthy.length, 'healthy group')}, ${countOf(sessions, 'session')} (no findings)`, 'green'));
  }
  if (failing.length === 0) lines.push([span('No group has findings.', 'green')]);

  shownFailing.forEach((g, i) => {
    lines.push([], ...groupBlock(report, g, i + 1, opts));
  });
  return `${lines.map((l) => renderLine(l, opts.width, opts.color)).join('\n')}\n`;
}
