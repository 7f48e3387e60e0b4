/**
 * The Markdown report, for a change ticket, a wiki page or a chat message. Every log-derived string goes
 * through `markdownCell`: a hostile EHLO name must not open a link, an image, raw HTML or a new table cell.
 * Evidence is quoted as escaped text in bullets, never in code spans or fences: a backtick in the log
 * would close a code span, and a fence can be broken out of with a line of backticks.
 */
import { isLocalTime } from '../iso-time.js';
import type { CategoryInfo, InputStats, Report, ReportGroup } from '../types.js';
import { own } from '../report/record.js';
import type { FormatOptions } from './index.js';
import { markdownCell } from './sanitize.js';
import {
  categoryIds,
  categoryInfo,
  countOf,
  CONNECTOR_LOOKUP_NOTE,
  connectorLookup,
  connectorsWithFindings,
  coverageText,
  detailsSummary,
  directionLabel,
  emptyReason,
  filtersText,
  foldedText,
  FOLDED_GROUP_NOTE,
  evidenceSamples,
  findingsSummary,
  firstFinding,
  formatCount,
  formatTime,
  groupCategories,
  groupHint,
  isFailing,
  namesCategories,
  ignoredSummary,
  kindTotals,
  namesLabel,
  remoteLabel,
  runFindings,
  runSessions,
  sizeAndSpan,
  sortGroups,
  spanText,
  tlsSummary,
  viewOptions,
} from './table.js';
import { runLabel, timelineRuns, timelineTooWide, tooWideText } from './timeline-runs.js';
import { unreportedSessions } from '../report/span.js';

const MAX_PROBLEMS = 20;

/** A table row; cells are escaped here, so callers pass raw text. */
function row(cells: readonly string[]): string {
  return `| ${cells.map(markdownCell).join(' | ')} |`;
}

function table(header: readonly string[], align: ReadonlyArray<'l' | 'r'>, rows: ReadonlyArray<readonly string[]>): string[] {
  return [row(header), `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`, ...rows.map(row)];
}

function coverageSection(report: Report): string[] {
  const { servers } = report.coverage;
  const lines = ['## Coverage', ''];
  const filters = filtersText(report);
  if (filters !== null) lines.push(`Filters: ${markdownCell(filters)}`, '');
  const folded = foldedText(report);
  if (folded !== null) lines.push(`Folded: ${markdownCell(folded)}`, '');
  lines.push(`Overall: ${markdownCell(coverageText(report))}`, '');
  if (servers.length > 0) {
    append(lines, table(['Server', 'From (UTC)', 'To (UTC)'], ['l', 'l', 'l'], servers.map((s) => [s.server ?? '-', formatTime(s.from), formatTime(s.to)])), '');
  }
  return lines;
}

/** Inputs listed one by one in the Markdown report; beyond this, only those with something to say. */
const MAX_INPUT_ROWS = 30;

/** Inputs with an error, passed over, or with lines skipped other than headers and blanks: errors first. */
function notableInputs(inputs: readonly InputStats[]): InputStats[] {
  // Headers, blank lines and a queue export's continuation lines are skipped in every good file.
  const routine = new Set(['header', 'blank', 'queue-continuation']);
  const skippedLines = (i: InputStats) => Object.entries(i.skipped).some(([reason, n]) => !routine.has(reason) && (n ?? 0) > 0);
  const rank = (i: InputStats) => (i.error !== null ? 0 : i.ignored ? 1 : 2);
  return inputs.filter((i) => i.error !== null || Boolean(i.ignored) || skippedLines(i) || i.problems.length > 0).sort((a, b) => rank(a) - rank(b));
}

function inputsSection(report: Report): string[] {
  const inputs = report.inputs;
  const kinds = kindTotals(inputs)
    .map(([k, n]) => `${formatCount(n)} ${k}`)
    .join(', ');
  const files = `${formatCount(inputs.length)} file${inputs.length === 1 ? '' : 's'}${kinds === '' ? '' : `: ${kinds}`}.`;
  const lines = ['## Inputs', '', markdownCell(files), ''];
  const ignored = ignoredSummary(inputs);
  if (ignored !== null) lines.push(markdownCell(`Ignored: ${ignored}.`), '');
  if (inputs.length > 0) {
    // A month of hourly logs from three servers is thousands of files: a ticket needs the ones with something to say.
    const notable = inputs.length <= MAX_INPUT_ROWS ? inputs : notableInputs(inputs);
    const listed = notable.slice(0, MAX_INPUT_ROWS);
    const rows = listed.map((i) => [
      i.source,
      i.kind,
      formatCount(i.lines),
      formatCount(i.records),
      Object.entries(i.skipped)
        .filter(([, n]) => n !== undefined && n > 0)
        .map(([reason, n]) => `${reason} ${n ?? 0}`)
        .join(', '),
      i.error ?? (i.ignored ? `ignored: ${i.ignored}` : ''),
    ]);
    if (rows.length > 0) append(lines, table(['File', 'Kind', 'Lines', 'Records', 'Skipped', 'Error'], ['l', 'l', 'r', 'r', 'l', 'l'], rows), '');
    if (listed.length < inputs.length) {
      const more = notable.length - listed.length;
      const clean = inputs.length - notable.length;
      const what =
        listed.length === 0
          ? 'All files were read without a problem'
          : `The files above have errors, were passed over or had lines skipped${more > 0 ? `, as have ${formatCount(more)} more` : ''}; the other ${formatCount(clean)} were read without a problem`;
      lines.push(`${what} (the JSON report lists every input).`, '');
    }
  }
  const problems = inputs.flatMap((i) => i.problems.map((p) => ({ source: i.source, ...p })));
  if (problems.length > 0) {
    lines.push('Problems:', '');
    for (const p of problems.slice(0, MAX_PROBLEMS)) lines.push(`- ${markdownCell(p.line > 0 ? `${p.source}:${p.line}` : p.source)}: ${markdownCell(p.message)}`);
    if (problems.length > MAX_PROBLEMS) lines.push(`- … ${problems.length - MAX_PROBLEMS} more (see the JSON output)`);
    lines.push('');
  }
  return lines;
}

/** Connectors with findings, all their remote hosts together (see `connectorsWithFindings`); none: no section. */
function connectorsSection(report: Report): string[] {
  const { rows, more } = connectorsWithFindings(report, TOP_CONNECTORS);
  if (rows.length === 0) return [];
  const lines = ['## Connectors with findings', '', 'All remote hosts of a connector together, failed sessions first.', ''];
  append(lines, table(['Dir', 'Connector', 'Size', 'Findings'], ['l', 'l', 'l', 'l'], rows.map((r) => [r.direction, r.connector, r.size, r.findings])), '');
  if (more > 0) lines.push(`${countOf(more, 'more connector')} with findings (JSON: \`connectors\`).`, '');
  return lines;
}

/** Runs of alike hours or days (see `timelineRuns`): when each problem started and stopped, and gaps in the logs. */
function timelineSection(report: Report): string[] {
  const runs = timelineRuns(report);
  if (runs.length === 0) {
    const wide = timelineTooWide(report);
    return wide === null ? [] : ['## Timeline', '', `Timeline ${tooWideText(wide)}.`, ''];
  }
  const unit = runs[0]!.bucket;
  const lines = ['## Timeline', '', `Per ${unit}, UTC; ${unit}s alike (the same categories of findings, none, or no logs) are joined.`, ''];
  const rows = runs.map((r) => [runLabel(r), runSessions(r), runFindings(r, report.categories)]);
  append(lines, table(['When (UTC)', 'Sessions', 'Findings'], ['l', 'l', 'l'], rows), '');
  return lines;
}

/** Connectors listed in the Markdown report. */
const TOP_CONNECTORS = 20;

function totalsSection(report: Report): string[] {
  const t = report.totals;
  const unreported = unreportedSessions(report);
  const sessions = unreported > 0 ? `${countOf(t.sessions, 'session')} with findings of the categories asked for, of ${formatCount(t.sessions + unreported)} read (--category keeps the others out)` : countOf(t.sessions, 'session');
  const summary = [
    `${sessions} (${formatCount(t.incompleteSessions)} incomplete)`,
    countOf(t.findings, 'finding'),
    countOf(t.queueMessages, 'queued message'),
  ].join(', ');
  const tls = tlsSummary(t.tlsVersions);
  const lines = ['## Totals', '', `${markdownCell(summary)}.`, ''];
  if (tls !== '') lines.push(`TLS versions: ${markdownCell(tls)}`, '');
  const rows = categoryIds(report).map((id) => [id, categoryInfo(report, id)?.title ?? '', formatCount(own(t.byCategory, id) ?? 0)]);
  append(lines, table(['Category', 'Title', 'Findings'], ['l', 'l', 'r'], rows), '');
  return lines;
}

function groupsTable(groups: readonly ReportGroup[], categories: readonly CategoryInfo[]): string[] {
  const servers = new Set(groups.map((g) => g.server ?? ''));
  const withServer = servers.size > 1;
  const header = ['Dir', ...(withServer ? ['Server'] : []), 'Connector', 'Remote host', 'Sessions', 'Findings', 'TLS', 'Last seen (UTC)'];
  const align: Array<'l' | 'r'> = ['l', ...(withServer ? (['l'] as const) : []), 'l', 'l', 'r', 'l', 'l', 'l'];
  const rows = groups.map((g) => [
    directionLabel(g.direction),
    ...(withServer ? [g.server ?? '-'] : []),
    g.connector,
    remoteLabel(g),
    g.direction === 'queue' ? countOf(g.messages, 'msg') : formatCount(g.sessions),
    findingsSummary(g.byCategory, categories, g.mainCategory) || '-',
    tlsSummary(g.tlsVersions) || '-',
    formatTime(g.lastSeen),
  ]);
  return table(header, align, rows);
}

function groupSection(report: Report, group: ReportGroup, index: number, samples: number): string[] {
  const where = [directionLabel(group.direction), group.server ?? '', group.connector].filter((s) => s !== '').join(' · ');
  const lines = [`### ${index}. ${markdownCell(`${where} → ${group.remoteHost}`)}`, ''];
  if (group.folded === true) lines.push(`- ${markdownCell(FOLDED_GROUP_NOTE)}`);
  if (group.remoteNames.length > 0) lines.push(`- ${namesLabel(group)}: ${markdownCell(group.remoteNames.join(', '))}`);
  lines.push(`- ${markdownCell(sizeAndSpan(group, ' UTC'))}`);
  const lookup = connectorLookup(group);
  if (lookup !== null) lines.push(`- Connector: \`${lookup}\` ${CONNECTOR_LOOKUP_NOTE}`);
  const tls = tlsSummary(group.tlsVersions);
  if (tls !== '') lines.push(`- TLS: ${markdownCell(tls)}`);
  if (group.authUsers && group.authUsers.length > 0) lines.push(`- AUTH users: ${markdownCell(group.authUsers.join(', '))}`);
  for (const [id, n] of groupCategories(report, group)) {
    const details = detailsSummary(own(group.details, id));
    lines.push(`- ${markdownCell(`${categoryInfo(report, id)?.title ?? id}: ${formatCount(n)}${details === '' ? '' : ` (${details})`}${spanText(group, id)}`)}`);
  }
  const hint = groupHint(report, group);
  if (hint !== null) lines.push(`- **Hint:** ${markdownCell(hint)}`);
  const docs = group.mainCategory === null ? null : (categoryInfo(report, group.mainCategory)?.docs ?? null);
  // Only http(s) links become links; anything else (a user rule could say `javascript:`) stays escaped text.
  if (docs !== null) lines.push(`- Docs: ${/^https?:\/\/[\x21-\x3b\x3d\x3f-\x7e]{1,2000}$/.test(docs) ? `<${docs}>` : markdownCell(docs)}`);
  const shown = evidenceSamples(report, group, samples);
  if (shown.length > 0) {
    const first = firstFinding(group);
    lines.push(first === null ? '- Evidence:' : `- Evidence (first finding ${markdownCell(formatTime(first))}):`);
    const labelled = namesCategories(shown);
    for (const s of shown) {
      const id = `${s.sessionId === '' ? '' : ` session ${s.sessionId}`}${s.remoteHost === undefined ? '' : ` from ${s.remoteHost}`}`;
      const category = labelled ? ` (${s.category})` : '';
      // The row's time before its text, as the table shows it; none for a row without one.
      const time = s.time === '' ? '' : `${formatTime(s.time)} `;
      lines.push(`  - ${markdownCell(`${s.source}:${s.line}${id}${category}:`)} ${markdownCell(`${time}${s.text}`)}`);
    }
  }
  lines.push('');
  return lines;
}

/** Queue exports carry the server's local clock without a zone: such times are marked, not converted. */
const LOCAL_NOTE = ', except those marked local: a queue export gives its server\'s local time, without a zone';

function hasLocalTimes(report: Report): boolean {
  return report.groups.some((g) => isLocalTime(g.firstSeen) || isLocalTime(g.lastSeen));
}

/** The Markdown report. `top` limits the groups listed; `samples` the evidence lines per group and category. */
export function renderMarkdown(report: Report, options: FormatOptions = {}): string {
  const opts = viewOptions(options);
  const lines = [
    '# Exchange SMTP TLS mail-flow report',
    '',
    `Generated by logscan ${markdownCell(report.generator.version)} (schema ${markdownCell(report.schema)}). Times are UTC${hasLocalTimes(report) ? LOCAL_NOTE : ''}.`,
    '',
    ...coverageSection(report),
    ...inputsSection(report),
  ];
  const empty = emptyReason(report);
  if (empty !== null) {
    lines.push('## Result', '', '**No SMTP sessions or queue entries were found.**', '', markdownCell(empty), '');
    return `${lines.join('\n')}`;
  }
  append(lines, totalsSection(report));
  append(lines, timelineSection(report));
  append(lines, connectorsSection(report));
  const sorted = sortGroups(report.groups, report.categories);
  const shown = sorted.slice(0, opts.top);
  lines.push('## Groups', '', 'Worst first: one row per direction, connector and remote host.', '');
  if (shown.length > 0) append(lines, groupsTable(shown, report.categories), '');
  if (sorted.length > shown.length) lines.push(`${countOf(sorted.length - shown.length, 'more group')} not shown (top ${opts.top}).`, '');
  const failing = shown.filter(isFailing);
  if (failing.length > 0) {
    lines.push('## Findings by group', '');
    failing.forEach((g, i) => append(lines, groupSection(report, g, i + 1, opts.samples)));
  } else {
    lines.push('No group has findings.', '');
  }
  return `${lines.join('\n')}`;
}

/**
 * Adds a section's lines, then the given extra lines. A loop, not `push(...section)`: a section has a line per
 * input or group, and a spread of 200,000 of them overflows the call stack.
 */
function append(lines: string[], section: readonly string[], ...extra: string[]): void {
  for (const line of section) lines.push(line);
  for (const line of extra) lines.push(line);
}
