/**
 * The timeline as text: runs of alike hours (or days) joined into one row, for the table and Markdown. Hours are
 * alike when they have the same categories of findings, or none, or no protocol-log session at all, so a row
 * starts where a problem starts or stops and where the logs have a gap: the "since when" and the "did the fix
 * work" of an incident, in a few lines instead of one per hour.
 */
import type { Report } from '../types.js';
import { timelineSessions } from '../report/span.js';
import { addTo, emptyRecord } from '../report/record.js';
import { rankIn } from '../compare-text.js';

export interface TimelineRun {
  /** Start of the first bucket and end of the last (exclusive), ISO UTC. */
  from: string;
  to: string;
  bucket: 'hour' | 'day';
  /**
   * `gap`: no protocol-log session started (no logs read, or no mail); `clean`: sessions and no finding;
   * `findings`: at least one finding; `quiet`: no finding, and sessions were not counted (an older report).
   */
  kind: 'gap' | 'clean' | 'findings' | 'quiet';
  /** Sessions started in the run; null when the report does not count them or read no protocol log. */
  sessions: number | null;
  findings: number;
  /** Findings per category, in the report's category order. */
  byCategory: Array<[string, number]>;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** As the HTML chart: a wider span comes from a bogus timestamp and is not shown. */
const MAX_BUCKETS = 1000;

/**
 * The first and last bucket of a timeline too wide to show as runs (more than 1,000 buckets: a log with a wrong
 * date-time, or logs years apart), so the outputs can say why there is none; null otherwise.
 */
export function timelineTooWide(report: Report): { first: string; last: string; bucket: 'hour' | 'day' } | null {
  const timeline = report.timeline;
  if (timeline === undefined) return null;
  const size = timeline.bucket === 'day' ? DAY_MS : HOUR_MS;
  let first = Infinity;
  let last = -Infinity;
  for (const p of timeline.points) {
    const ms = Date.parse(p.t);
    if (!Number.isFinite(ms)) continue;
    if (ms < first) first = ms;
    if (ms > last) last = ms;
  }
  if (!(last >= first) || Math.floor(last / size) - Math.floor(first / size) + 1 <= MAX_BUCKETS) return null;
  return { first: new Date(first).toISOString(), last: new Date(last).toISOString(), bucket: timeline.bucket };
}

/** What the table and Markdown say instead of a timeline too wide to show (see {@link timelineTooWide}). */
export function tooWideText(wide: { first: string; last: string; bucket: 'hour' | 'day' }): string {
  return `not shown: ${wide.first.slice(0, 10)} → ${wide.last.slice(0, 10)} is over 1,000 ${wide.bucket}s (a wrong date-time in a log, or logs years apart; narrow it with --since/--until)`;
}

/** The report's timeline as runs of alike buckets, oldest first; empty when there is none to show. */
export function timelineRuns(report: Report): TimelineRun[] {
  const timeline = report.timeline;
  if (timeline === undefined || timeline.points.length === 0) return [];
  const size = timeline.bucket === 'day' ? DAY_MS : HOUR_MS;
  // Added up per bucket: a merged or hand-made report may hold two points in one (`…20:00` and `…20:30`).
  const points = new Map<number, { sessions?: number; byCategory: Record<string, number> }>();
  for (const p of timeline.points) {
    const ms = Date.parse(p.t);
    if (!Number.isFinite(ms)) continue;
    const at = Math.floor(ms / size) * size;
    const into = points.get(at) ?? { byCategory: emptyRecord<number>() };
    if (typeof p.sessions === 'number') into.sessions = (into.sessions ?? 0) + p.sessions;
    // Own keys only: a category id from a report file may be `__proto__`.
    for (const [id, n] of Object.entries(p.byCategory)) if (n > 0) addTo(into.byCategory, id, n);
    points.set(at, into);
  }
  if (points.size === 0) return [];
  const starts = [...points.keys()].sort((a, b) => a - b);
  const first = starts[0]!;
  const last = starts[starts.length - 1]!;
  if ((last - first) / size + 1 > MAX_BUCKETS) return [];
  // Counted only when every point counts and protocol logs were read: queue exports alone have no sessions.
  const counted = timelineSessions(report) > 0 && timeline.points.every((p) => typeof p.sessions === 'number');
  const rank = rankIn(report.categories.map((c) => c.id));
  const runs: TimelineRun[] = [];
  let key = '';
  for (let t = first; t <= last; t += size) {
    const p = points.get(t);
    const sessions = counted ? (p?.sessions ?? 0) : null;
    const byCategory = Object.entries(p?.byCategory ?? {}).filter(([, n]) => n > 0);
    const kind: TimelineRun['kind'] = byCategory.length > 0 ? 'findings' : sessions === null ? 'quiet' : sessions === 0 ? 'gap' : 'clean';
    const next = `${kind}\u0000${byCategory.map(([id]) => id).sort().join(',')}`;
    const run = runs[runs.length - 1];
    if (run !== undefined && next === key) {
      run.to = new Date(t + size).toISOString();
      if (run.sessions !== null) run.sessions += sessions ?? 0;
      for (const [id, n] of byCategory) addCount(run, id, n);
      continue;
    }
    key = next;
    const added: TimelineRun = { from: new Date(t).toISOString(), to: new Date(t + size).toISOString(), bucket: timeline.bucket, kind, sessions, findings: 0, byCategory: [] };
    for (const [id, n] of byCategory) addCount(added, id, n);
    runs.push(added);
  }
  for (const run of runs) run.byCategory.sort((a, b) => rank(a[0]) - rank(b[0]));
  return runs;
}

function addCount(run: TimelineRun, id: string, n: number): void {
  run.findings += n;
  const entry = run.byCategory.find(([k]) => k === id);
  if (entry === undefined) run.byCategory.push([id, n]);
  else entry[1] += n;
}

/**
 * `2025-11-10 06:00–11:00`, `2025-11-10 22:00–11-11 03:00` across midnight, `2025-11-10` for one day and
 * `2025-11-10 – 2025-11-12` for days (the last day included).
 */
export function runLabel(run: TimelineRun): string {
  const from = run.from;
  if (run.bucket === 'day') {
    const lastDay = new Date(Date.parse(run.to) - DAY_MS).toISOString().slice(0, 10);
    return lastDay === from.slice(0, 10) ? lastDay : `${from.slice(0, 10)} – ${lastDay}`;
  }
  const to = run.to;
  const fromDay = from.slice(0, 10);
  const nextDay = new Date(Date.parse(`${fromDay}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);
  // Across New Year the end says its year.
  let end = to.slice(0, 4) === from.slice(0, 4) ? `${to.slice(5, 10)} ${to.slice(11, 16)}` : `${to.slice(0, 10)} ${to.slice(11, 16)}`;
  if (to.slice(0, 10) === fromDay) end = to.slice(11, 16);
  else if (to.slice(0, 10) === nextDay && to.slice(11, 16) === '00:00') end = '24:00';
  return `${fromDay} ${from.slice(11, 16)}–${end}`;
}
