/**
 * The timeline chart of the HTML report: findings per category per hour or day, as inline SVG built here
 * (no chart library, nothing fetched). All bucket arithmetic is in UTC, like the logs.
 */
import { addHours } from 'date-fns/addHours';
import { differenceInHours } from 'date-fns/differenceInHours';
import type { ReportGroup, Timeline } from '../types.js';
import { escapeHtml, formatNumber, parseTime, text } from './html-text.js';

export type Bucket = Timeline['bucket'];

/** A chart never draws more bars than this; a wider span (usually a bogus timestamp) is not charted. */
export const MAX_BUCKETS = 1000;
/** Up to three days of logs are drawn per hour, anything longer per day. */
export const HOURLY_LIMIT_HOURS = 72;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A dense series ready to draw: `values.get(category)[i]` is the count in bucket `starts[i]`. */
export interface BucketSeries {
  bucket: Bucket;
  starts: number[];
  values: Map<string, number[]>;
  /**
   * Protocol-log sessions started per bucket, when the timeline counts them and protocol logs were read; null
   * otherwise (then no bucket is drawn as one without logs).
   */
  sessions: number[] | null;
  /** True when counts were spread from first/last seen instead of read from `report.timeline`. */
  estimated: boolean;
}

export interface ChartCategory {
  id: string;
  title: string;
  color: string;
}

export function chooseBucket(fromMs: number, toMs: number): Bucket {
  return differenceInHours(toMs, fromMs) <= HOURLY_LIMIT_HOURS ? 'hour' : 'day';
}

/** Start of the UTC hour or day holding `ms` (date-fns `startOf*` would use the local zone). */
export function bucketStart(ms: number, bucket: Bucket): number {
  const size = bucket === 'hour' ? HOUR_MS : DAY_MS;
  return Math.floor(ms / size) * size;
}

function nextBucket(ms: number, bucket: Bucket): number {
  // Days are added as 24 hours: calendar days in a local zone would drift at DST changes.
  return addHours(ms, bucket === 'hour' ? 1 : 24).getTime();
}

/** Every bucket start from `from` to `to` inclusive, or null when there would be too many. */
export function bucketRange(fromMs: number, toMs: number, bucket: Bucket): number[] | null {
  const first = bucketStart(fromMs, bucket);
  const last = bucketStart(toMs, bucket);
  const size = bucket === 'hour' ? HOUR_MS : DAY_MS;
  if (last < first || (last - first) / size + 1 > MAX_BUCKETS) return null;
  const starts: number[] = [];
  for (let t = first; t <= last; t = nextBucket(t, bucket)) starts.push(t);
  return starts;
}

/** Min and max without spreading into arguments (a large report would overflow the call stack). */
function extent(values: readonly number[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

function emptySeries(bucket: Bucket, starts: number[], estimated: boolean): BucketSeries {
  return { bucket, starts, values: new Map(), sessions: null, estimated };
}

function add(series: BucketSeries, index: number, category: string, amount: number): void {
  let row = series.values.get(category);
  if (row === undefined) {
    row = new Array<number>(series.starts.length).fill(0);
    series.values.set(category, row);
  }
  row[index] = (row[index] ?? 0) + amount;
}

function positive(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0;
}

/**
 * Makes a report timeline dense: points are aligned to their bucket and gaps are filled with zeros, so
 * the x axis is real time. Null when no point has a readable time or the span is too wide. `logsRead`: protocol
 * logs were read (the timeline counts sessions somewhere), so a bucket without sessions is one without logs; a report of queue
 * exports alone has no sessions anywhere, and its buckets are not drawn as gaps.
 */
export function denseTimeline(timeline: Timeline, logsRead = true): BucketSeries | null {
  const bucket: Bucket = timeline.bucket === 'day' ? 'day' : 'hour';
  const points = timeline.points
    .map((p) => ({ ms: parseTime(p.t), sessions: p.sessions, byCategory: p.byCategory }))
    .filter((p): p is { ms: number; sessions: number | undefined; byCategory: Record<string, number> } => p.ms !== null);
  if (points.length === 0) return null;
  const span = extent(points.map((p) => p.ms));
  const starts = bucketRange(span.min, span.max, bucket);
  if (starts === null) return null;
  const series = emptySeries(bucket, starts, false);
  // Counted by every point, or the gaps would be wrong: a report that lacks the counts draws no gaps.
  if (logsRead && points.every((p) => typeof p.sessions === 'number')) series.sessions = new Array<number>(starts.length).fill(0);
  const first = starts[0] ?? 0;
  const size = bucket === 'hour' ? HOUR_MS : DAY_MS;
  for (const p of points) {
    const index = Math.round((bucketStart(p.ms, bucket) - first) / size);
    for (const [category, n] of Object.entries(p.byCategory)) if (positive(n)) add(series, index, category, n);
    if (series.sessions !== null && positive(p.sessions)) series.sessions[index] = (series.sessions[index] ?? 0) + p.sessions;
  }
  return series;
}

/**
 * Per bucket, whether it is drawn as one without logs: no protocol-log session started in it and no finding was
 * made in it (a session that starts at 10:59:58 and fails at 11:00:02 has its finding in an hour where it did not
 * start: that hour had logs). All false when sessions are not counted.
 */
export function gapBuckets(series: BucketSeries): boolean[] {
  const sessions = series.sessions;
  if (sessions === null) return series.starts.map(() => false);
  const rows = [...series.values.values()];
  return sessions.map((n, i) => n === 0 && !rows.some((row) => row[i]! > 0));
}

/**
 * A coarse timeline when the report has none: each group's count per category is spread evenly over the
 * buckets between its first and last seen. It shows when problems were active, not exact event times.
 */
export function deriveTimeline(groups: readonly ReportGroup[]): BucketSeries | null {
  const spans = groups
    .map((g) => {
      const a = parseTime(g.firstSeen);
      const b = parseTime(g.lastSeen);
      const from = a ?? b;
      const to = b ?? a;
      return from === null || to === null ? null : { group: g, from: Math.min(from, to), to: Math.max(from, to) };
    })
    .filter((s): s is { group: ReportGroup; from: number; to: number } => s !== null)
    .filter((s) => Object.values(s.group.byCategory).some(positive));
  if (spans.length === 0) return null;
  const from = extent(spans.map((s) => s.from)).min;
  const to = extent(spans.map((s) => s.to)).max;
  const bucket = chooseBucket(from, to);
  const starts = bucketRange(from, to, bucket);
  if (starts === null) return null;
  const series = emptySeries(bucket, starts, true);
  const first = starts[0] ?? 0;
  const size = bucket === 'hour' ? HOUR_MS : DAY_MS;
  for (const s of spans) {
    const i0 = Math.round((bucketStart(s.from, bucket) - first) / size);
    const i1 = Math.round((bucketStart(s.to, bucket) - first) / size);
    const width = i1 - i0 + 1;
    for (const [category, n] of Object.entries(s.group.byCategory)) {
      if (!positive(n)) continue;
      for (let i = i0; i <= i1; i += 1) add(series, i, category, n / width);
    }
  }
  return series;
}

/** A round axis maximum and step (1, 2 or 5 × 10^k) giving about four grid lines. */
export function niceScale(max: number): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 1 };
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const niceStep = max <= 4 && Number.isInteger(max) ? 1 : step;
  return { max: Math.ceil(max / niceStep) * niceStep, step: niceStep };
}

const LABEL_STEPS: Record<Bucket, number[]> = {
  hour: [1, 2, 3, 4, 6, 12, 24, 48, 72, 168],
  day: [1, 2, 7, 14, 28, 56, 91, 182, 364],
};

function labelStep(count: number, bucket: Bucket): number {
  const maxLabels = 12;
  return LABEL_STEPS[bucket].find((s) => count / s <= maxLabels) ?? Math.ceil(count / maxLabels);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function bucketTitle(ms: number, bucket: Bucket): string {
  const s = iso(ms);
  return bucket === 'hour' ? `${s.slice(0, 10)} ${s.slice(11, 16)}–${iso(ms + HOUR_MS).slice(11, 16)} UTC` : `${s.slice(0, 10)} (UTC day)`;
}

function formatCount(n: number, estimated: boolean): string {
  if (!estimated || Number.isInteger(n)) return formatNumber(n);
  return `≈${n < 10 ? n.toFixed(1) : formatNumber(Math.round(n))}`;
}

const W = 960;
const H = 280;
const M = { left: 52, right: 12, top: 14, bottom: 46 };

/**
 * Stacked columns, one per bucket, one colour per category (in `categories` order; unknown categories are
 * drawn last in grey). Every column carries a `<title>` so hovering shows exact counts.
 */
export function renderTimelineSvg(series: BucketSeries, categories: readonly ChartCategory[]): string {
  const known = new Set(categories.map((c) => c.id));
  const order: ChartCategory[] = [
    ...categories.filter((c) => series.values.has(c.id)),
    ...[...series.values.keys()].filter((id) => !known.has(id)).map((id) => ({ id, title: id, color: '#94a3b8' })),
  ];
  const n = series.starts.length;
  const totals = series.starts.map((_, i) => order.reduce((sum, c) => sum + (series.values.get(c.id)?.[i] ?? 0), 0));
  const scale = niceScale(Math.max(0, extent(totals).max));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / Math.max(1, n);
  const barW = Math.max(1, slot * (n > 200 ? 0.9 : 0.72));
  const y = (v: number): number => M.top + plotH - (v / scale.max) * plotH;
  const parts: string[] = [];
  const gaps = gapBuckets(series);

  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    const yy = y(v).toFixed(1);
    parts.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="tick" x="${M.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${formatNumber(Number(v.toPrecision(6)))}</text>`);
  }

  series.starts.forEach((start, i) => {
    const x = M.left + i * slot + (slot - barW) / 2;
    const lines = [bucketTitle(start, series.bucket)];
    const sessions = series.sessions?.[i];
    if (gaps[i] === true) {
      // Zero findings in a bucket without logs would read as "the problem stopped".
      const title = [lines[0]!, `no protocol-log session: no logs read for this ${series.bucket}, or no mail`];
      parts.push(`<rect class="gap" x="${(M.left + i * slot).toFixed(2)}" y="${M.top}" width="${slot.toFixed(2)}" height="${plotH}"><title>${title.map(text).join('\n')}</title></rect>`);
    } else if (sessions !== undefined) {
      lines.push(`${formatNumber(sessions)} session${sessions === 1 ? '' : 's'}`);
    }
    let base = 0;
    const rects: string[] = [];
    for (const c of order) {
      const v = series.values.get(c.id)?.[i] ?? 0;
      if (v <= 0) continue;
      lines.push(`${c.title}: ${formatCount(v, series.estimated)}`);
      const top = y(base + v);
      rects.push(`<rect x="${x.toFixed(2)}" y="${top.toFixed(2)}" width="${barW.toFixed(2)}" height="${Math.max(0.5, y(base) - top).toFixed(2)}" fill="${escapeHtml(c.color)}"/>`);
      base += v;
    }
    // Lines are escaped one by one: the newline between them is ours, and stripControl would make it visible.
    if (rects.length > 0) parts.push(`<g class="bar"><title>${lines.map(text).join('\n')}</title>${rects.join('')}</g>`);
    else if (sessions !== undefined && sessions > 0) {
      // Sessions and no finding: an invisible column, so hovering still says how many sessions were clean.
      lines.push('no findings');
      parts.push(`<rect class="clean" x="${x.toFixed(2)}" y="${M.top}" width="${barW.toFixed(2)}" height="${plotH}"><title>${lines.map(text).join('\n')}</title></rect>`);
    }
  });

  parts.push(`<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}"/>`);
  const step = labelStep(n, series.bucket);
  let lastDate = '';
  for (let i = 0; i < n; i += step) {
    const start = series.starts[i] ?? 0;
    const s = iso(start);
    const x = (M.left + i * slot + slot / 2).toFixed(1);
    const date = series.bucket === 'hour' ? s.slice(0, 10) : s.slice(0, 4);
    const main = series.bucket === 'hour' ? s.slice(11, 16) : s.slice(5, 10);
    parts.push(`<line class="tickmark" x1="${x}" x2="${x}" y1="${y(0).toFixed(1)}" y2="${(y(0) + 4).toFixed(1)}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${(y(0) + 16).toFixed(1)}" text-anchor="middle">${main}</text>`);
    if (date !== lastDate) parts.push(`<text class="tick sub" x="${x}" y="${(y(0) + 30).toFixed(1)}" text-anchor="middle">${date}</text>`);
    lastDate = date;
  }
  const unit = series.bucket === 'hour' ? 'hour' : 'day';
  parts.push(`<text class="axis-title" x="14" y="${(M.top + plotH / 2).toFixed(1)}" text-anchor="middle" transform="rotate(-90 14 ${(M.top + plotH / 2).toFixed(1)})">findings per ${unit}</text>`);
  const gapCount = gaps.filter(Boolean).length;
  const gapNote = gapCount > 0 ? `; ${gapCount} ${unit}${gapCount === 1 ? '' : 's'} without a protocol-log session, shaded` : '';
  const label = `Findings per ${unit} and category, ${n} ${unit}${n === 1 ? '' : 's'}${series.estimated ? ' (estimated)' : ''}${gapNote}`;
  return `<svg class="timeline" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(label)}" preserveAspectRatio="xMidYMid meet">${parts.join('')}</svg>`;
}
