/**
 * The self-contained HTML report: one file an admin can attach to a change ticket. It makes no network
 * request (CSP `default-src 'none'`, no external assets), works from disk, prints, and treats every
 * log-derived string as hostile (escaped in markup, `\u003c`-escaped in the JSON block, links only http(s)).
 */
import { createHash } from 'node:crypto';
import type {
  CategoryInfo,
  InputStats,
  Report,
  ReportGroup,
  ReportRollup,
  Sample,
  SkipReason,
  TlsCounts,
  TlsVersion,
} from '../types.js';
import { checkDate, checkNumberAtLeast, checkOptionsObject, checkType } from '../option-error.js';
import { own } from '../report/record.js';
import { REPORT_CSS, REPORT_SCRIPT } from './html-assets.js';
import { CONNECTOR_LOOKUP_NOTE, connectorLookup, filtersText, FOLDED_GROUP_NOTE, foldedText } from './table.js';
import { denseTimeline, deriveTimeline, gapBuckets, renderTimelineSvg, type ChartCategory } from './html-chart.js';
import {
  attr,
  formatBytes,
  formatNumber,
  formatSpan,
  formatTime,
  jsonForScript,
  parseTime,
  safeHttpUrl,
  stripControl,
  sumCounts,
  text,
} from './html-text.js';
import { timelineSessions } from '../report/span.js';

export interface HtmlOptions {
  title?: string | undefined;
  /** now, for 'generated at' (tests pass a fixed date); a valid Date */
  generatedAt?: Date | undefined;
  /**
   * Rows of the groups table: the first `top` groups of the report, worst first, a number >= 0 (rounded down) or
   * Infinity (default: every group). The CLI
   * passes 1000: a browser takes seconds to open a page of ten thousand groups, and the report of a large folder
   * can hold a hundred thousand.
   */
  top?: number | undefined;
}

const DEFAULT_TITLE = 'Exchange SMTP TLS mail-flow report';

/** Fixed colours for the built-in categories, so every report reads the same. */
const BUILTIN_COLORS: Readonly<Record<string, string>> = {
  'tls-negotiation-failed': '#dc2626',
  'socket-error': '#ea580c',
  'starttls-required': '#7c3aed',
  'starttls-not-offered': '#c026d3',
  'legacy-tls': '#ca8a04',
  plaintext: '#2563eb',
};
/** Short column titles for the built-in categories; the full title stays in the tooltip. */
const BUILTIN_SHORT: Readonly<Record<string, string>> = {
  'tls-negotiation-failed': 'TLS failed',
  'socket-error': 'Socket error',
  'starttls-required': 'STARTTLS required',
  'starttls-not-offered': 'STARTTLS not offered',
  'legacy-tls': 'Legacy TLS',
  plaintext: 'Plaintext',
};
const EXTRA_COLORS = ['#0d9488', '#db2777', '#4f46e5', '#65a30d', '#0891b2', '#9333ea', '#b45309', '#475569'];

/** TLS versions from best to worst, with the colours of the stacked bars. */
export const TLS_ORDER: ReadonlyArray<{ version: TlsVersion; label: string; color: string }> = [
  { version: 'TLS1.3', label: 'TLS 1.3', color: '#166534' },
  { version: 'TLS1.2', label: 'TLS 1.2', color: '#22c55e' },
  { version: 'TLS1.1', label: 'TLS 1.1', color: '#f59e0b' },
  { version: 'TLS1.0', label: 'TLS 1.0', color: '#ea580c' },
  { version: 'SSL3', label: 'SSL 3 or older', color: '#991b1b' },
  { version: 'none', label: 'No TLS', color: '#475569' },
  { version: 'unknown', label: 'Unknown', color: '#cbd5e1' },
];
/** Versions a change ticket should act on. */
const WEAK_TLS: ReadonlySet<TlsVersion> = new Set<TlsVersion>(['TLS1.1', 'TLS1.0', 'SSL3', 'none']);

const SKIP_LABELS: Readonly<Record<SkipReason, string>> = {
  blank: 'blank',
  header: 'header (#…)',
  'malformed-row': 'malformed row',
  'unclosed-quote': 'unclosed quote',
  'line-too-long': 'line too long',
  'not-a-protocol-row': 'not a protocol row',
  'truncated-last-line': 'truncated last line',
  'refused-input': 'refused input',
  binary: 'binary',
  'queue-continuation': 'queue continuation',
};

const DIRECTION_LABELS: Readonly<Record<string, string>> = {
  receive: 'Receive',
  send: 'Send',
  queue: 'Queue',
};

/** The categories to show, in report order, then any id that only appears in counts (user rules). */
interface CategoryView extends ChartCategory {
  info: CategoryInfo | null;
  total: number;
}

function categoryViews(report: Report): CategoryView[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  const push = (id: string): void => {
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  };
  report.categories.forEach((c) => push(c.id));
  Object.keys(report.totals.byCategory).forEach(push);
  report.groups.forEach((g) => Object.keys(g.byCategory).forEach(push));
  let extra = 0;
  return ids.map((id) => {
    const info = report.categories.find((c) => c.id === id) ?? null;
    const color = own(BUILTIN_COLORS, id) ?? EXTRA_COLORS[extra++ % EXTRA_COLORS.length] ?? '#475569';
    return { id, title: info?.title || id, color, info, total: count(own(report.totals.byCategory, id)) };
  });
}

function count(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

function directionBadge(direction: string | null): string {
  if (direction === null) return '';
  return `<span class="badge ${attr(direction)}">${text(own(DIRECTION_LABELS, direction) ?? direction)}</span>`;
}

function categoryBadge(view: CategoryView | undefined, id: string): string {
  const color = view?.color ?? '#475569';
  return `<span class="badge cat" style="background:${color}">${text(view?.title ?? id)}</span>`;
}

function timeCell(value: string | null): string {
  if (value === null || value === '') return '<span class="muted">—</span>';
  return `<span class="small">${text(formatTime(value))}</span>`;
}

/** Date over time on two short lines (narrow table columns); the full UTC time is the tooltip. */
function compactTime(value: string | null): string {
  if (value === null || value === '') return '<span class="muted">—</span>';
  const ms = parseTime(value);
  const local = formatTime(value);
  if (ms === null && local.endsWith(' local')) {
    return `<span class="when" title="${attr(`${local} time of the export`)}"><span>${text(local.slice(0, 10))}</span><span class="muted">${text(local.slice(11))}</span></span>`;
  }
  if (ms === null) return `<span class="small break">${text(value)}</span>`;
  const iso = new Date(ms).toISOString();
  return `<span class="when" title="${attr(formatTime(value))}"><span>${iso.slice(0, 10)}</span><span class="muted">${iso.slice(11, 19)}</span></span>`;
}

// ---------------------------------------------------------------------------------------------------------
// Header, summary, scope

function renderHeader(report: Report, title: string, generatedAt: Date): string {
  const { from, to } = report.coverage;
  const span = formatSpan(from, to);
  const coverage =
    from || to
      ? `Logs cover <strong>${text(formatTime(from) || '?')}</strong> → <strong>${text(formatTime(to) || '?')}</strong>${span ? ` <span class="muted">(${text(span)})</span>` : ''}`
      : 'The inputs held no readable timestamps: the covered period is unknown.';
  return `<header class="top"><div class="page">
<h1>${text(title)}</h1>
<div class="meta">Generated ${text(formatTime(generatedAt.toISOString()))} by ${text(report.generator.name)} ${text(report.generator.version)} · ${text(report.schema)}</div>
<div class="coverage" id="coverage">${coverage}</div>
<nav class="toc"><a href="#summary">Summary</a><a href="#scope">Servers and inputs</a><a href="#timeline">Timeline</a><a href="#groups-section">Groups</a><a href="#tls">TLS per host</a><a href="#categories">What the findings mean</a></nav>
</div></header>`;
}

function tile(n: number, label: string, color?: string): string {
  const style = color ? ` style="border-left-color:${color}"` : '';
  return `<div class="tile${n === 0 ? ' zero' : ''}"${style}><div class="n">${formatNumber(n)}</div><div class="l">${label}</div></div>`;
}

function renderSummary(report: Report, cats: CategoryView[]): string {
  const t = report.totals;
  const foldedRows = report.groups.filter((g) => g.folded === true).length;
  const tiles = [
    tile(count(t.sessions), 'SMTP sessions'),
    tile(count(t.incompleteSessions), 'incomplete sessions'),
    tile(count(t.findings), 'findings'),
    tile(report.groups.length - foldedRows, 'groups (connector + remote host)'),
  ];
  // An (other hosts) row is many hosts: counted as a group it made the tile disagree with the groups an admin can look up.
  if (report.folded !== undefined) tiles.push(tile(count(report.folded.sessions), 'sessions in (other hosts) rows'));
  if (count(t.queueMessages) > 0) tiles.push(tile(count(t.queueMessages), 'messages waiting in queues'));
  const catTiles = cats.map((c) => tile(c.total, text(c.title), c.color));
  const tlsTotal = sumCounts(t.tlsVersions);
  const tls = tlsTotal > 0 ? `<h3>TLS versions over all sessions</h3>${tlsStack(t.tlsVersions, tlsTotal, 'all sessions')}${tlsLegend()}` : '';
  return `<section class="card" id="summary"><h2>Summary</h2>
<p class="lead">Totals over every input read. A group is one direction + connector + remote host.</p>
<div class="tiles">${tiles.join('')}</div>
<h3>Findings per category</h3>
${catTiles.length > 0 ? `<div class="tiles">${catTiles.join('')}</div>` : '<p class="empty">No categories.</p>'}
${tls}
</section>`;
}

function skippedText(skipped: InputStats['skipped']): string {
  const parts = (Object.entries(skipped) as Array<[SkipReason, number | undefined]>)
    .filter(([, n]) => count(n) > 0)
    .map(([reason, n]) => `${formatNumber(count(n))} ${text(own(SKIP_LABELS, reason) ?? reason)}`);
  return parts.length > 0 ? `<span class="small">${parts.join('<br>')}</span>` : '<span class="muted">—</span>';
}

function problemsText(input: InputStats): string {
  const items = input.problems.map(
    (p) => `<li>${p.line > 0 ? `line ${formatNumber(p.line)}` : 'input'} · <span class="mono">${text(p.reason)}</span>: ${text(p.message)}</li>`,
  );
  const error = input.error
    ? `<div class="err">${text(input.error)}</div>`
    : input.ignored
      ? `<div class="muted">ignored: ${text(input.ignored)}</div>`
      : '';
  if (items.length === 0 && !error) return '<span class="muted">—</span>';
  return `${error}${items.length > 0 ? `<ul class="small" style="margin:0;padding-left:16px">${items.join('')}</ul>` : ''}`;
}

function inputRow(i: InputStats): string {
  return `<tr><td class="break mono">${text(i.source)}</td><td><span class="badge">${text(i.kind)}</span></td><td class="num nowrap">${text(formatBytes(i.bytes))}</td><td class="num">${formatNumber(i.lines)}</td><td class="num">${formatNumber(i.records)}</td><td>${skippedText(i.skipped)}</td><td class="nowrap">${timeCell(i.from)}<br>${timeCell(i.to)}</td><td>${problemsText(i)}</td></tr>`;
}

/** The server of sessions whose logs name none: `-`, as in the text outputs. */
const UNKNOWN_SERVER = '<span class="muted" title="Server unknown: send logs outside a server folder, or standard input">-</span>';

/** Coverage per server and one row per input: a review of many thousand rotated files is written row by row. */
function* renderScope(report: Report): Generator<string> {
  const servers = report.coverage.servers.map(
    (s) => `<tr><td class="break">${s.server === null ? UNKNOWN_SERVER : text(s.server)}</td><td>${timeCell(s.from)}</td><td>${timeCell(s.to)}</td><td class="small muted">${text(formatSpan(s.from, s.to))}</td></tr>`,
  );
  const serverTable =
    servers.length > 0
      ? `<div class="wrap"><table><thead><tr><th>Server</th><th>From</th><th>To</th><th>Span</th></tr></thead><tbody>${servers.join('')}</tbody></table></div>`
      : '<p class="empty">No per-server coverage.</p>';
  const inputs = report.inputs;
  const errors = inputs.filter((i) => i.error).length;
  const ignored = inputs.filter((i) => i.ignored).length;
  const totalLines = inputs.reduce((s, i) => s + count(i.lines), 0);
  const totalRecords = inputs.reduce((s, i) => s + count(i.records), 0);
  const filters = filtersText(report);
  const folded = foldedText(report);
  const skipped = inputs.reduce((s, i) => s + sumCounts(i.skipped), 0);
  const summary = `${formatNumber(inputs.length)} input${inputs.length === 1 ? '' : 's'}: ${formatNumber(totalLines)} lines, ${formatNumber(totalRecords)} records, ${formatNumber(skipped)} lines skipped${errors > 0 ? `, <span class="err">${formatNumber(errors)} with errors</span>` : ''}${ignored > 0 ? `, ${formatNumber(ignored)} ignored (other kinds of file found in the folders)` : ''}`;
  yield `<section class="card" id="scope"><h2>Servers and inputs</h2>
<p class="lead">What the report is based on. Lines = records + skipped lines for every input; a short span means Exchange had already rotated older logs away.</p>
${filters === null ? '' : `<p class="note">Made with filters: <span class="mono">${text(filters)}</span>. Totals, groups and the timeline's findings count only what they keep.</p>`}
${folded === null ? '' : `<p class="note">Folded: ${text(folded)}.</p>\n`}<h3>Time covered per server</h3>${serverTable}
<h3>Inputs read</h3>`;
  if (inputs.length > 0) {
    yield `<details${inputs.length <= 25 || errors > 0 ? ' open' : ''}><summary>${summary}</summary><div class="wrap"><table id="inputs"><thead><tr><th>Input</th><th>Kind</th><th class="num">Size</th><th class="num">Lines</th><th class="num">Records</th><th>Skipped lines</th><th>Records from / to</th><th>Problems</th></tr></thead><tbody>`;
    for (const i of inputs) yield inputRow(i);
    yield '</tbody></table></div></details>';
  } else {
    yield '<p class="empty">No inputs were read.</p>';
  }
  yield '\n</section>';
}

// ---------------------------------------------------------------------------------------------------------
// Timeline

function renderTimeline(report: Report, cats: CategoryView[]): string {
  const series = report.timeline ? denseTimeline(report.timeline, timelineSessions(report) > 0) : deriveTimeline(report.groups);
  const findings = series !== null && [...series.values.values()].some((row) => row.some((v) => v > 0));
  const sessions = series?.sessions?.some((n) => n > 0) === true;
  const hasData = findings || sessions;
  const gaps = series !== null && gapBuckets(series).includes(true);
  const legend = hasData
    ? `<div class="legend">${cats
        .filter((c) => series!.values.has(c.id))
        .map((c) => `<span><span class="sw" style="background:${c.color}"></span>${text(c.title)}</span>`)
        .join('')}${gaps ? '<span><span class="sw gap"></span>no protocol-log session (no logs read, or no mail)</span>' : ''}</div>`
    : '';
  const note =
    series?.estimated === true && hasData
      ? `<p class="note">Estimated: this report carries no per-finding timeline, so each group's findings are spread evenly between its first and last seen. Use it to see when problems were active, not exact counts.</p>`
      : '';
  const tooWide = series === null && (report.timeline?.points.length ?? 0) > 0;
  const body = hasData
    ? renderTimelineSvg(series!, cats)
    : tooWide
      ? '<p class="empty">Not charted: the times span more than 1,000 hours or days (a wrong clock, or logs of years apart).</p>'
      : '<p class="empty">No timeline data: no finding has a readable time.</p>';
  const unit = series?.bucket === 'day' ? 'day' : 'hour';
  const clean = hasData && !findings ? ` No ${unit} has a finding.` : '';
  return `<section class="card" id="timeline"><h2>Timeline</h2>
<p class="lead">Findings per category per ${unit} (UTC). Hover a column for exact counts${series?.sessions ? ` and the sessions that started in it; shaded ${unit}s had no protocol-log session` : ''}.${clean}</p>
${note}${body}${legend}
</section>`;
}

// ---------------------------------------------------------------------------------------------------------
// TLS bars

function tlsStack(counts: TlsCounts, total: number, what: string): string {
  const spans = TLS_ORDER.filter((v) => count(counts[v.version]) > 0).map((v) => {
    const n = count(counts[v.version]);
    const pct = (n / total) * 100;
    return `<span style="width:${pct.toFixed(3)}%;background:${v.color}" title="${attr(`${v.label}: ${formatNumber(n)} of ${formatNumber(total)} ${what} (${pct.toFixed(1)}%)`)}"></span>`;
  });
  return `<div class="stack" role="img" aria-label="${attr(tlsSummary(counts, total))}">${spans.join('')}</div>`;
}

function tlsMini(counts: TlsCounts): string {
  const total = sumCounts(counts);
  if (total === 0) return '<span class="muted">—</span>';
  const spans = TLS_ORDER.filter((v) => count(counts[v.version]) > 0).map(
    (v) => `<span style="width:${((count(counts[v.version]) / total) * 100).toFixed(3)}%;background:${v.color}"></span>`,
  );
  return `<span class="small">${text(tlsSummary(counts, total))}</span><div class="mini" title="${attr(tlsSummary(counts, total))}">${spans.join('')}</div>`;
}

function tlsSummary(counts: TlsCounts, total: number): string {
  return TLS_ORDER.filter((v) => count(counts[v.version]) > 0)
    .map((v) => `${v.label} ${Math.round((count(counts[v.version]) / total) * 100)}%`)
    .join(', ');
}

function tlsLegend(): string {
  return `<div class="legend">${TLS_ORDER.map((v) => `<span><span class="sw" style="background:${v.color}"></span>${v.label}</span>`).join('')}</div>`;
}

function weakShare(counts: TlsCounts): number {
  const total = sumCounts(counts);
  if (total === 0) return 0;
  return TLS_ORDER.filter((v) => WEAK_TLS.has(v.version)).reduce((s, v) => s + count(counts[v.version]), 0) / total;
}

/** Hosts shown as bars; more are summarised in one line (they stay in the JSON report). */
export const MAX_TLS_HOSTS = 500;

function* renderTlsHosts(hosts: readonly ReportRollup[]): Generator<string> {
  const withTls = hosts
    .map((h, index) => ({ h, index, total: sumCounts(h.tlsVersions), weak: weakShare(h.tlsVersions) }))
    .filter((x) => x.total > 0)
    .sort((a, b) => b.weak - a.weak || b.total - a.total || a.index - b.index);
  const shown = withTls.slice(0, MAX_TLS_HOSTS);
  const rows = shown.map(
    ({ h, total }) =>
      `<div class="tlsrow"><div class="h">${text(h.key)}${directionBadge(h.direction)}</div>${tlsStack(h.tlsVersions, total, 'sessions')}<div class="n">${formatNumber(total)} session${total === 1 ? '' : 's'}</div></div>`,
  );
  const hidden = withTls.length - shown.length;
  const noTls = hosts.length - withTls.length;
  const notes = [
    hidden > 0 ? `${formatNumber(hidden)} more hosts are in the JSON report.` : '',
    noTls > 0 ? `${formatNumber(noTls)} host${noTls === 1 ? ' has' : 's have'} no TLS version data (for example queue entries).` : '',
  ].filter(Boolean);
  yield `<section class="card" id="tls"><h2>TLS versions per remote host</h2>
<p class="lead">Share of sessions per negotiated version; hosts with the largest share of TLS 1.1 or older (or no TLS) first.</p>
${tlsLegend()}
<div id="tls-hosts" style="margin-top:10px">`;
  if (rows.length > 0) yield* rows;
  else yield '<p class="empty">No TLS version data.</p>';
  yield `</div>
${notes.length > 0 ? `<p class="small muted">${notes.join(' ')}</p>` : ''}
</section>`;
}

// ---------------------------------------------------------------------------------------------------------
// Groups table

interface Column {
  key: string;
  /** Markup (already escaped). */
  label: string;
  type: 'num' | 'text';
  title?: string;
  className?: string;
}

const TLS_RANK: Readonly<Record<TlsVersion, number>> = {
  none: 0,
  SSL3: 1,
  'TLS1.0': 2,
  'TLS1.1': 3,
  'TLS1.2': 4,
  'TLS1.3': 5,
  unknown: 6,
};

/** Sort key of the TLS column: the weakest version seen, so ascending puts the worst hosts first. */
function weakestRank(counts: TlsCounts): number | null {
  const ranks = (Object.keys(counts) as TlsVersion[]).filter((v) => count(counts[v]) > 0).map((v) => own(TLS_RANK, v) ?? 6);
  return ranks.length > 0 ? Math.min(...ranks) : null;
}

function groupColumns(cats: CategoryView[], withMessages: boolean): Column[] {
  return [
    { key: 'direction', label: 'Direction', type: 'text' },
    { key: 'connector', label: 'Server / connector', type: 'text' },
    { key: 'host', label: 'Remote host', type: 'text' },
    { key: 'sessions', label: 'Sessions', type: 'num', className: 'num' },
    ...(withMessages ? [{ key: 'messages', label: 'Messages', type: 'num' as const, className: 'num' }] : []),
    ...cats.map((c) => ({
      key: `cat:${c.id}`,
      label: own(BUILTIN_SHORT, c.id) ?? text(c.title),
      type: 'num' as const,
      title: `${c.title} (${c.id})`,
      className: 'num catcol',
    })),
    { key: 'tls', label: 'TLS versions', type: 'num', title: 'Sorted by the weakest version seen' },
    { key: 'first', label: 'First seen', type: 'text' },
    { key: 'last', label: 'Last seen', type: 'text' },
  ];
}

function sortValues(g: ReportGroup, cats: CategoryView[], withMessages: boolean): Array<string | number | null> {
  return [
    g.direction,
    `${g.server ?? ''} ${g.connector}`.trim(),
    g.remoteHost,
    count(g.sessions),
    ...(withMessages ? [count(g.messages)] : []),
    ...cats.map((c) => count(own(g.byCategory, c.id))),
    weakestRank(g.tlsVersions),
    parseTime(g.firstSeen) === null ? (g.firstSeen ?? null) : new Date(parseTime(g.firstSeen) ?? 0).toISOString(),
    parseTime(g.lastSeen) === null ? (g.lastSeen ?? null) : new Date(parseTime(g.lastSeen) ?? 0).toISOString(),
  ];
}

const MAX_NAMES_INLINE = 3;

function namesText(names: readonly string[]): string {
  if (names.length === 0) return '';
  const shown = names.slice(0, MAX_NAMES_INLINE).map(text).join(', ');
  const more = names.length > MAX_NAMES_INLINE ? ` +${names.length - MAX_NAMES_INLINE} more` : '';
  return `<div class="names">${shown}${more}</div>`;
}

function samplesTable(samples: readonly Sample[], cats: CategoryView[]): string {
  if (samples.length === 0) return '<p class="small muted">No evidence samples were kept for this group.</p>';
  const rows = samples.map(
    (s) => `<tr><td class="small">${text(formatTime(s.time))}</td><td class="small mono break">${text(s.source)}:${formatNumber(s.line)}</td><td class="small mono">${text(s.sessionId)}${s.remoteHost === undefined ? '' : `<div>${text(s.remoteHost)}</div>`}</td><td>${categoryBadge(cats.find((c) => c.id === s.category), s.category)}${s.detail ? `<div class="small">${text(s.detail)}</div>` : ''}</td><td class="text">${text(s.text)}</td></tr>`,
  );
  return `<table class="samples"><colgroup><col class="c-time"><col class="c-file"><col class="c-session"><col class="c-cat"><col></colgroup><thead><tr><th>Time</th><th>File:line</th><th>Session</th><th>Category</th><th>Log text</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function detailsList(g: ReportGroup, cats: CategoryView[]): string {
  const items: string[] = [];
  const main = g.mainCategory === null ? '<span class="badge ok">no finding</span>' : categoryBadge(cats.find((c) => c.id === g.mainCategory), g.mainCategory);
  if (g.folded === true) items.push(`<dt>Folded</dt><dd>${text(FOLDED_GROUP_NOTE)}</dd>`);
  items.push(`<dt>Main finding</dt><dd>${main}</dd>`);
  for (const [category, details] of Object.entries(g.details)) {
    const parts = Object.entries(details)
      .filter(([, n]) => count(n) > 0)
      .map(([d, n]) => `<span class="mono">${text(d)}</span> × ${formatNumber(count(n))}`);
    if (parts.length > 0) items.push(`<dt>${text(cats.find((c) => c.id === category)?.title ?? category)}</dt><dd>${parts.join(', ')}</dd>`);
  }
  // When each category's findings were first and last made: a retirement worklist needs the last legacy session.
  for (const [category, span] of Object.entries(g.findingSpans ?? {})) {
    const title = cats.find((c) => c.id === category)?.title ?? category;
    items.push(`<dt>${text(title)}: first, last</dt><dd>${text(formatTime(span.first))} → ${text(formatTime(span.last))}</dd>`);
  }
  if (g.remoteNames.length > 0) items.push(`<dt>Remote names</dt><dd class="break">${g.remoteNames.map(text).join(', ')}</dd>`);
  const lookup = connectorLookup(g);
  if (lookup !== null) items.push(`<dt>Send connector</dt><dd class="break mono">${text(`${lookup} ${CONNECTOR_LOOKUP_NOTE}`)}</dd>`);
  // The AUTH user tells which printer or application hides behind an IP.
  if (g.authUsers && g.authUsers.length > 0) items.push(`<dt>AUTH users</dt><dd class="break">${g.authUsers.map(text).join(', ')}</dd>`);
  for (const c of g.certificates ?? []) {
    const parts = [
      c.subject ? `subject <span class="mono">${text(c.subject)}</span>` : '',
      c.issuer ? `issuer <span class="mono">${text(c.issuer)}</span>` : '',
      c.thumbprint ? `thumbprint <span class="mono">${text(c.thumbprint)}</span>` : '',
      c.notAfter ? `expires ${text(c.notAfter.slice(0, 10))}` : '',
    ].filter((p) => p !== '');
    items.push(`<dt>${text(c.role)}</dt><dd class="break">${parts.join(', ')}</dd>`);
  }
  if (g.hint) items.push(`<dt>What to do</dt><dd>${text(g.hint)}</dd>`);
  return `<dl class="kv">${items.join('')}</dl>`;
}

function groupBody(g: ReportGroup, index: number, cats: CategoryView[], withMessages: boolean, columnCount: number): string {
  // The main finding's count is a coloured pill, so the row says what matters without an extra column.
  const catCells = cats.map((c) => {
    const n = count(own(g.byCategory, c.id));
    if (n === 0) return '<td class="num zero">0</td>';
    if (c.id === g.mainCategory) return `<td class="num"><span class="pill" style="background:${c.color}" title="${attr(`Main finding: ${c.title}`)}">${formatNumber(n)}</span></td>`;
    return `<td class="num"><strong>${formatNumber(n)}</strong></td>`;
  });
  const row = `<tr class="row"><td><button type="button" class="expander needs-js" aria-expanded="false" aria-controls="g${index}-detail" title="Show evidence">+</button></td><td>${directionBadge(g.direction)}</td><td class="conn">${g.server ? `<div class="srv">${text(g.server)}</div>` : ''}${text(g.connector)}</td><td class="host"><div class="h">${text(g.remoteHost)}</div>${g.folded === true ? '<div class="names">folded: remote hosts past --max-groups, together</div>' : ''}${namesText(g.remoteNames)}</td><td class="num">${formatNumber(count(g.sessions))}</td>${withMessages ? `<td class="num">${formatNumber(count(g.messages))}</td>` : ''}${catCells.join('')}<td>${tlsMini(g.tlsVersions)}</td><td>${compactTime(g.firstSeen)}</td><td>${compactTime(g.lastSeen)}</td></tr>`;
  const detail = `<tr class="detail" id="g${index}-detail"><td colspan="${columnCount}">${detailsList(g, cats)}${samplesTable(g.samples, cats)}</td></tr>`;
  return `<tbody data-i="${index}">${row}${detail}</tbody>`;
}

/** What the groups section and its JSON block share: the columns, the categories that occur, and each group's. */
interface GroupsLayout {
  used: CategoryView[];
  withMessages: boolean;
  columns: Column[];
  /** Per group (report order), the indexes into `used` of the categories it has sessions in. */
  groupCats: number[][];
}

function groupsLayout(report: Report, cats: CategoryView[]): GroupsLayout {
  const used = cats.filter((c) => report.groups.some((g) => count(own(g.byCategory, c.id)) > 0));
  const withMessages = report.groups.some((g) => count(g.messages) > 0);
  const catIndex = new Map(used.map((c, i) => [c.id, i]));
  return { used, withMessages, columns: groupColumns(used, withMessages), groupCats: report.groups.map((g) => groupCats(g, catIndex)) };
}

/** Indexes (into `used`) of the categories a group has sessions in. */
function groupCats(g: ReportGroup, catIndex: ReadonlyMap<string, number>): number[] {
  return Object.entries(g.byCategory)
    .filter(([, n]) => count(n) > 0)
    .map(([id]) => catIndex.get(id))
    .filter((i): i is number => i !== undefined);
}

/**
 * The groups section, one piece per group: a report of many thousand groups is written as it is made, never
 * held as one string (the page of a 2 GB log is some 90 MB).
 */
function* renderGroups(report: Report, layout: GroupsLayout, total: number): Generator<string> {
  const { used, withMessages, columns } = layout;
  const columnCount = columns.length + 1;
  const head = columns
    .map((c, i) => {
      const cls = c.className ? ` class="${c.className}"` : '';
      const title = c.title ? ` title="${attr(c.title)}"` : '';
      return `<th${cls}${title} data-col="${i}" aria-sort="none"><button type="button" data-sort="${i}">${c.label}</button></th>`;
    })
    .join('');
  const perCat = used.map(() => 0);
  let healthy = 0;
  for (const ids of layout.groupCats) {
    for (const i of ids) perCat[i]!++;
    if (ids.length === 0) healthy++;
  }
  const boxes = used.map(
    (c, i) =>
      `<label><input type="checkbox" data-cat="${i}" checked> <span class="sw" style="background:${c.color}"></span>${text(c.title)} <span class="muted">(${formatNumber(perCat[i]!)})</span></label>`,
  );
  if (healthy > 0) boxes.push(`<label><input type="checkbox" data-cat="none" checked> No finding <span class="muted">(${formatNumber(healthy)})</span></label>`);
  const controls = `<div class="controls needs-js">
<fieldset><legend>Show groups with</legend>${boxes.join('')}<button type="button" id="cats-all">All</button><button type="button" id="cats-none">None</button></fieldset>
<input type="search" id="group-search" placeholder="Filter by host, EHLO name or connector" aria-label="Filter groups by text">
<span class="spacer"></span><span class="small muted" id="group-count">${formatNumber(report.groups.length)} groups</span>
<button type="button" id="expand-all">Expand all</button><button type="button" id="collapse-all">Collapse all</button>
</div>`;
  yield `<section class="card" id="groups-section"><h2>Groups</h2>
<p class="lead">One row per direction + connector + remote host. Click a column title to sort, <strong>+</strong> to see the evidence (log file, line, session id and the quoted row). A coloured count is the group's main finding.</p>
${report.groups.length > 0 ? controls : ''}${cutNote(report.groups, total)}`;
  if (report.groups.length > 0) {
    yield `<div class="wrap"><table id="groups"><thead><tr><th><span class="sr">Evidence</span></th>${head}</tr></thead>`;
    for (let i = 0; i < report.groups.length; i++) yield groupBody(report.groups[i]!, i, used, withMessages, columnCount);
    yield '</table></div>';
  } else {
    yield '<p class="empty">No groups: no sessions or queue entries were found.</p>';
  }
  yield '\n</section>';
}

/** What a page cut to the worst groups leaves out, and where to find it. */
function cutNote(shown: readonly ReportGroup[], total: number): string {
  if (shown.length >= total) return '';
  return `<p class="small muted">This page shows the ${formatNumber(shown.length)} worst of ${formatNumber(total)} groups; the other ${formatNumber(total - shown.length)} are in the JSON and CSV reports (<code>--format json</code>), or on this page with <code>--top all</code>.</p>`;
}

/**
 * The JSON block that feeds sorting and the text filter, row by row. It gets the same control/bidi cleaning as
 * the markup; escaping is per character, so the pieces join to exactly `jsonForScript` of the whole object.
 */
function* groupsData(report: Report, layout: GroupsLayout): Generator<string> {
  const { used, withMessages, columns } = layout;
  const head = jsonForScript({ columns: columns.map((c) => ({ key: stripControl(c.key), type: c.type })), cats: used.map((c) => stripControl(c.id)) });
  yield `${head.slice(0, -1)},"rows":[`;
  for (let i = 0; i < report.groups.length; i++) {
    const g = report.groups[i]!;
    const row = {
      v: sortValues(g, used, withMessages).map((v) => (typeof v === 'string' ? stripControl(v) : v)),
      cats: layout.groupCats[i]!,
      text: stripControl([g.remoteHost, ...g.remoteNames, g.connector, g.server ?? ''].join(' ')).toLowerCase(),
    };
    yield `${i > 0 ? ',' : ''}${jsonForScript(row)}`;
  }
  yield ']}';
}

// ---------------------------------------------------------------------------------------------------------
// Categories

function renderCategories(cats: CategoryView[]): string {
  const cards = cats.map((c) => {
    const info = c.info;
    const url = safeHttpUrl(info?.docs);
    const docs =
      url !== null
        ? `<p class="small"><a href="${attr(url)}" rel="noopener noreferrer" target="_blank">Microsoft documentation</a></p>`
        : info?.docs
          ? `<p class="small muted">Documentation (not a web link, shown as text): <span class="mono break">${text(info.docs)}</span></p>`
          : '';
    return `<div class="catcard" style="border-top-color:${c.color}"><h3><span>${text(c.title)}</span><span class="count">${formatNumber(c.total)}</span></h3>
<div class="id">${text(c.id)}</div>
${info?.explanation ? `<p>${text(info.explanation)}</p>` : '<p class="muted">No description (category from a user rule).</p>'}
${info?.hint ? `<p class="hint"><strong>What to do:</strong> ${text(info.hint)}</p>` : ''}
${docs}</div>`;
  });
  return `<section class="card" id="categories"><h2>What the findings mean</h2>
<p class="lead">Each category, what it means for mail flow, the usual fix, and Microsoft's documentation.</p>
<div class="catcards">${cards.join('')}</div>
</section>`;
}

// ---------------------------------------------------------------------------------------------------------

function sha256Base64(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64');
}

/** The report as one HTML document. Pure: the same report and options give the same bytes. */
export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  checkHtmlOptions('renderHtml()', options);
  let out = '';
  for (const piece of pieces(report, options ?? {})) out += piece;
  return out;
}

/**
 * The HTML document in pieces, byte for byte what {@link renderHtml} returns: the CLI writes them one by one, so
 * memory does not grow with the number of groups the way one string would. The options are checked when it is
 * called, not at the first piece.
 */
export function htmlChunks(report: Report, options: HtmlOptions = {}): Generator<string> {
  checkHtmlOptions('htmlChunks()', options);
  return pieces(report, options ?? {});
}

/** As scan() checks its options: an invalid `generatedAt` failed in toISOString() with a RangeError naming no option. */
function checkHtmlOptions(where: string, options: HtmlOptions | null | undefined): void {
  checkOptionsObject(where, options);
  if (options == null) return;
  checkType(where, 'title', options.title, 'string');
  checkDate(where, 'generatedAt', options.generatedAt);
  checkNumberAtLeast(where, 'top', options.top, 0);
}

function* pieces(report: Report, options: HtmlOptions): Generator<string> {
  const title = options.title ?? DEFAULT_TITLE;
  const generatedAt = options.generatedAt ?? new Date();
  const cats = categoryViews(report);
  const top = Math.floor(options.top ?? Infinity);
  // Only the groups table is cut: totals, timeline and category cards still describe the whole report.
  const page = top < report.groups.length ? { ...report, groups: report.groups.slice(0, top) } : report;
  const layout = groupsLayout(page, cats);
  // The script is allowed by hash, not 'unsafe-inline': even if markup were ever injected, it could not run.
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${sha256Base64(REPORT_SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;
  yield `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${attr(`${report.generator.name} ${report.generator.version}`)}">
<title>${text(title)}</title>
<link rel="icon" href="data:,">
<style>${REPORT_CSS}</style>
<noscript><style>tr.detail{display:table-row}.needs-js{display:none!important}</style></noscript>
</head>
<body>
${renderHeader(report, title, generatedAt)}
<main class="page">
${renderSummary(report, cats)}
`;
  yield* renderScope(report);
  yield `
${renderTimeline(report, cats)}
`;
  yield* renderGroups(page, layout, report.groups.length);
  yield '\n';
  yield* renderTlsHosts(report.hosts);
  yield `
${renderCategories(cats)}
<footer>Self-contained report: no scripts, fonts or images are loaded from anywhere; log text is shown escaped. Generated by ${text(report.generator.name)} ${text(report.generator.version)}.</footer>
</main>
<script type="application/json" id="logscan-data">`;
  yield* groupsData(page, layout);
  yield `</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}
