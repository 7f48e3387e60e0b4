import { RecentItems } from '../bounded-cache.js';
import { compareText, rankIn } from '../compare-text.js';
import { addTo, emptyRecord, own, ownOr, setOwn } from './record.js';
import { categoryOrder, detailHint, failureCount, failureShare, severityOf, severityTier } from './severity.js';
import { isLocalTime } from '../iso-time.js';
import type { CategoryInfo, Coverage, FindingSpan, GroupCertificate, InputStats, Report, ReportFilters, ReportGroup, ReportRollup, Sample, Timeline, TlsCounts } from '../types.js';
import { isTimestamp } from '../sessions/facts.js';

/**
 * A report group while it is being filled. There is one per remote host, so thousands of them live until the
 * end: lists are replaced, never changed in place, which lets each be allocated at its exact size (an array that
 * is pushed to reserves 17 slots, and most groups hold one name) and lets one empty list serve every group;
 * counts by category only appear with the first finding, so a healthy group has none.
 */
export interface GroupState {
  readonly direction: ReportGroup['direction'];
  readonly server: string | null;
  readonly connector: string;
  readonly remoteHost: string;
  sessions: number;
  messages: number;
  remoteNames: readonly string[];
  authUsers: readonly string[];
  certificates: readonly GroupCertificate[];
  byCategory: Record<string, number> | null;
  details: Record<string, Record<string, number>> | null;
  tlsVersions: TlsCounts;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Per category, the first and last finding time; null until the first finding with a time. */
  findingSpans: Record<string, FindingSpan> | null;
  /** A merged part had findings without spans (an older report): the group shows none rather than a wrong one. */
  spansUnknown?: boolean;
  samples: readonly Sample[];
  /** The connector's group for remote hosts past the group limit ({@link OTHER_HOSTS}); never in the {@link GroupTable}. */
  folded?: true;
  /** Its entries are Get-Message rows (its connector is their queue's identity). */
  listed?: true;
  /** Its messages are among a Get-Queue entry's MessageCount in the same report (read from a merged report). */
  countedInQueue?: true;
}

/**
 * The remote host of a connector's folded group. No IP address or DNS name looks like it, but a log's endpoint
 * text can be anything: `folded: true` is what marks the group.
 */
export const OTHER_HOSTS = '(other hosts)';

/** The connector of a direction's last folded group, once folded groups reach the limit themselves (hostile logs). */
export const OTHER_CONNECTORS = '(other connectors)';

const NONE: readonly never[] = Object.freeze([]);

export function newGroupState(direction: GroupState['direction'], server: string | null, connector: string, remoteHost: string): GroupState {
  return {
    direction, server, connector, remoteHost, sessions: 0, messages: 0, remoteNames: NONE, authUsers: NONE, certificates: NONE,
    byCategory: null, details: null, tlsVersions: {}, firstSeen: null, lastSeen: null, findingSpans: null, samples: NONE,
  };
}

/** Widens the span of the group's `category` findings to `first`..`last` (log times; placeholders are not times). */
export function widenFindingSpan(group: GroupState, category: string, first: string, last: string): void {
  if (!isTimestamp(first) || !isTimestamp(last)) return;
  const spans = (group.findingSpans ??= emptyRecord<FindingSpan>());
  const known = own(spans, category);
  if (known === undefined) setOwn(spans, category, { first, last });
  else {
    if (first < known.first) known.first = first;
    if (last > known.last) known.last = last;
  }
}

/** Adds `n` to the group's count for `category`; the counts are made with the first finding. */
export function addCategoryCount(group: GroupState, category: string, n: number): void {
  addTo((group.byCategory ??= emptyRecord()), category, n);
}

/** The group's detail counts for `category`, made when first asked for. */
export function categoryDetails(group: GroupState, category: string): Record<string, number> {
  return ownOr((group.details ??= emptyRecord()), category, emptyRecord<number>);
}

/**
 * Groups by direction, server and connector, then by remote host. Two levels instead of one joined key: the
 * remote host string is the group's own, so a group costs no key string of its own.
 */
export class GroupTable {
  readonly #byConnector = new Map<string, Map<string, GroupState>>();
  /**
   * The connectors asked for lately, compared as they are: a server has a few receive connectors whose sessions
   * interleave, and one remembered connector was missed on every other session (its key rebuilt each time).
   */
  readonly #recent = new RecentItems<ConnectorHosts>(RECENT_CONNECTORS);

  find(direction: GroupState['direction'], server: string | null, connector: string, remoteHost: string): GroupState | undefined {
    return this.#hosts(direction, server, connector, false)?.get(remoteHost);
  }

  /** Adds a group that {@link find} did not find, and returns it. */
  add(group: GroupState): GroupState {
    this.#hosts(group.direction, group.server, group.connector, true)!.set(group.remoteHost, group);
    this.#size++;
    return group;
  }

  /**
   * Takes out a group that {@link add} put in (it is folded into its connector's other hosts). A connector left
   * without groups is forgotten: a log with a new connector id on every row must not keep an empty map for each.
   */
  delete(group: GroupState): void {
    const hosts = this.#hosts(group.direction, group.server, group.connector, false);
    if (hosts?.delete(group.remoteHost) !== true) return;
    this.#size--;
    if (hosts.size > 0) return;
    this.#byConnector.delete(connectorKey(group.direction, group.server, group.connector));
    this.#recent.removeWhere((r) => r.hosts === hosts);
  }

  /** The hosts map of a connector, or undefined when it has no group. */
  hostsIfAny(direction: GroupState['direction'], server: string | null, connector: string): Map<string, GroupState> | undefined {
    return this.#hosts(direction, server, connector, false);
  }

  /** The hosts map of a connector, made when missing (the builder keys its own per-connector state by it). */
  hostsOf(direction: GroupState['direction'], server: string | null, connector: string): Map<string, GroupState> {
    return this.#hosts(direction, server, connector, true)!;
  }

  /** Groups held. */
  get size(): number {
    return this.#size;
  }

  #size = 0;

  #hosts(direction: string, server: string | null, connector: string, create: boolean): Map<string, GroupState> | undefined {
    for (const r of this.#recent.items) if (r.connector === connector && r.server === server && r.direction === direction) return r.hosts;
    const key = connectorKey(direction, server, connector);
    let hosts = this.#byConnector.get(key);
    if (hosts === undefined) {
      if (!create) return undefined;
      this.#byConnector.set(key, (hosts = new Map()));
    }
    // A review of many connectors costs RECENT_CONNECTORS comparisons and a key per miss.
    this.#recent.add({ direction, server, connector, hosts });
    return hosts;
  }

  *values(): IterableIterator<GroupState> {
    for (const hosts of this.#byConnector.values()) yield* hosts.values();
  }
}

interface ConnectorHosts {
  direction: string;
  server: string | null;
  connector: string;
  hosts: Map<string, GroupState>;
}

const RECENT_CONNECTORS = 8;

export function connectorKey(direction: string, server: string | null, connector: string): string {
  return JSON.stringify([direction, server, connector]);
}

/** Everything a report is computed from; several of these (or finished reports) merge into one. */
export interface Accumulated {
  version: string;
  categories: CategoryInfo[];
  inputs: InputStats[];
  groups: GroupTable;
  /** Per server (null: sessions whose server is unknown): earliest and latest session time. */
  servers: Map<string | null, { from: string; to: string }>;
  /** Findings per hour bucket and category. */
  hours: Map<string, Record<string, number>>;
  /** Protocol-log sessions per hour bucket of their start. */
  sessionHours: Map<string, number>;
  /** Set when a merged report did not count sessions per bucket: the timeline then leaves the counts out. */
  sessionHoursUnknown?: boolean;
  sessions: number;
  incomplete: number;
  samplesPerCategory: number;
  /** Set when a merged part was already bucketed per day: hours cannot be recovered from it. */
  dayBuckets?: boolean;
  filters?: ReportFilters;
  /** Groups past which remote hosts are folded (Infinity: none are); reported only when some were. */
  maxGroups: number;
  /** Per connector ({@link connectorKey}), the group of its remote hosts past the limit. */
  folded: Map<string, GroupState>;
  /**
   * Identities (upper case) of the queues Get-Queue exports listed, so that the Get-Message rows of the same queues
   * are not counted again in the totals (at most {@link MAX_QUEUES}; a server has a few dozen queues).
   */
  queues: Set<string>;
}

/** Queue identities remembered for {@link Accumulated.queues}. */
export const MAX_QUEUES = 100_000;

/** A Get-Queue entry's identity, remembered so that Get-Message rows of its queue count once. */
export function addQueue(acc: Accumulated, identity: string): void {
  if (acc.queues.size < MAX_QUEUES) acc.queues.add(identity.toUpperCase());
}

/**
 * Get-Message rows of a queue that a Get-Queue export of the same report lists: their messages are among that
 * queue's MessageCount, so totals and roll-ups count them once, with the queue. Getting the messages of a failing
 * queue after Get-Queue is what the docs advise; counted twice, 143 queued messages read 146.
 */
function countedInQueue(g: GroupState, queues: ReadonlySet<string>): boolean {
  return g.countedInQueue === true || (g.listed === true && queues.has(g.connector.toUpperCase()));
}

export function emptyAccumulated(version: string, categories: CategoryInfo[], samplesPerCategory: number, maxGroups = Infinity): Accumulated {
  return {
    version, categories, inputs: [], groups: new GroupTable(), servers: new Map(), hours: new Map(), sessionHours: new Map(), sessions: 0, incomplete: 0, samplesPerCategory,
    maxGroups, folded: new Map(), queues: new Set(),
  };
}

/** The connector's group of folded remote hosts, made when first needed. */
export function foldedGroup(acc: Accumulated, direction: GroupState['direction'], server: string | null, connector: string): GroupState {
  const key = connectorKey(direction, server, connector);
  let group = acc.folded.get(key);
  if (group === undefined) acc.folded.set(key, (group = { ...newGroupState(direction, server, connector, OTHER_HOSTS), folded: true }));
  return group;
}

/** Adds finding counts to the timeline bucket `t` (an hour, or a day in a merged day-bucketed report). */
export function addTimelineCounts(acc: Accumulated, t: string, counts: Readonly<Record<string, number>>): void {
  const into = acc.hours.get(t) ?? emptyRecord<number>();
  addCounts(into, counts);
  acc.hours.set(t, into);
}

/** Adds `n` sessions to the timeline bucket `t` (an hour, or a day in a merged day-bucketed report). */
export function addTimelineSessions(acc: Accumulated, t: string, n: number): void {
  acc.sessionHours.set(t, (acc.sessionHours.get(t) ?? 0) + n);
}

/** Widens the time span covered for a server to include `from`..`to` (both log times). */
export function widenServer(acc: Accumulated, name: string | null, from: string, to: string): void {
  const known = acc.servers.get(name);
  if (known === undefined) acc.servers.set(name, { from, to });
  else {
    if (from < known.from) known.from = from;
    if (to > known.to) known.to = to;
  }
}

/** Up to three days of data are charted per hour, longer spans per day. */
export const HOURLY_LIMIT_MS = 72 * 3600_000;

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number | undefined>>): void {
  for (const [k, v] of Object.entries(from)) if (v) addTo(into, k, v);
}

function sumValues(counts: Readonly<Record<string, number | undefined>>): number {
  let n = 0;
  for (const v of Object.values(counts)) n += v ?? 0;
  return n;
}

/** A group with its sort keys worked out once, not once per comparison (a sort compares n log n times). */
interface Ranked {
  group: ReportGroup;
  tier: number;
  /** Findings of failure categories (sessions in which mail failed). */
  failed: number;
  /** failed / sessions, at most 1. */
  share: number;
  /** All findings, warnings included. */
  findings: number;
}

/**
 * Worst first: failures before warnings; within a tier, the most failed sessions, then the higher share of failed
 * sessions, then all findings (warnings included) and sessions; ties broken by identity.
 *
 * Failed sessions come before warnings: 400 legacy-TLS warnings with 2 failures are a group that works, 30 of 30
 * sessions failing is one that does not, and a volume-first order put it at #22, outside `--top 20`. The count of
 * failed sessions comes before their share because it is the mail that did not flow: a path that is broken
 * outright fails on every retry, so its count grows with time, whereas a share first would put every host that
 * tried once and failed once (an Internet scanner, 1 of 1 = 100%) above a busy connector losing mail by the dozen.
 * The share then decides between equal counts: 30 of 30 before 30 of 4,000.
 */
function compareGroups(x: Ranked, y: Ranked): number {
  const a = x.group;
  const b = y.group;
  return (
    y.tier - x.tier ||
    y.failed - x.failed ||
    y.share - x.share ||
    y.findings - x.findings ||
    b.sessions - a.sessions ||
    compareText(a.direction, b.direction) ||
    compareText(a.server, b.server) ||
    compareText(a.connector, b.connector) ||
    compareText(a.remoteHost, b.remoteHost)
  );
}

/**
 * The category with the most findings (on equal counts the worse one), unless the group is failing now: when the
 * warnings stopped and a failure took over (all of a failure category's findings, two or more, come after the last
 * warning), the failure with the most findings among those. A connector that negotiated TLS 1.0 all night and fails
 * since the peer refused it this morning has more legacy-TLS findings than failures, and the TLS 1.0 hint (mail
 * flows; ask the peer to update) would send the admin the wrong way. Failures mixed in with warnings that go on (a
 * device on TLS 1.0 that dropped twice), or one failure after them, keep the count's choice. Spans that are not ISO
 * times with a zone (queue exports) cannot be compared: the count decides.
 */
function mainCategory(
  byCategory: Readonly<Record<string, number>>,
  spans: Readonly<Record<string, FindingSpan>> | null,
  rank: (id: string) => number,
  categories: readonly CategoryInfo[],
): string | null {
  const more = (id: string, best: string | null) => {
    if (best === null) return true;
    const n = byCategory[id]!;
    const current = byCategory[best]!;
    return n > current || (n === current && rank(id) < rank(best));
  };
  let best: string | null = null;
  for (const [id, n] of Object.entries(byCategory)) if (n > 0 && more(id, best)) best = id;
  if (best === null || spans === null || severityOf(best, categories) !== 'warning') return best;
  let lastWarning = -Infinity;
  for (const [id, n] of Object.entries(byCategory)) {
    if (!(n > 0) || severityOf(id, categories) !== 'warning') continue;
    const last = spanTime(spans, id, 'last');
    if (last === null) return best;
    if (last > lastWarning) lastWarning = last;
  }
  let failingNow: string | null = null;
  for (const [id, n] of Object.entries(byCategory)) {
    if (!(n >= 2) || severityOf(id, categories) === 'warning') continue;
    const first = spanTime(spans, id, 'first');
    if (first !== null && first > lastWarning && more(id, failingNow)) failingNow = id;
  }
  return failingNow ?? best;
}

/** When a category's findings first or last occurred, as a number; null when unknown or not a time with a zone. */
function spanTime(spans: Readonly<Record<string, FindingSpan>>, id: string, end: 'first' | 'last'): number | null {
  const time = own(spans, id)?.[end];
  if (time === undefined || isLocalTime(time)) return null;
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? ms : null;
}


function rollup(groups: readonly ReportGroup[], keyOf: (g: ReportGroup) => string, withDirection: boolean, categories: readonly CategoryInfo[]): ReportRollup[] {
  const map = new Map<string, ReportRollup>();
  for (const g of groups) {
    const key = keyOf(g);
    const mapKey = withDirection ? `${g.direction}\u0000${key}` : key;
    let r = map.get(mapKey);
    if (r === undefined) {
      r = { key, direction: withDirection ? g.direction : null, sessions: 0, messages: 0, byCategory: emptyRecord(), tlsVersions: emptyRecord(), firstSeen: null, lastSeen: null };
      map.set(mapKey, r);
    }
    r.sessions += g.sessions;
    if (g.countedInQueue !== true) r.messages += g.messages;
    addCounts(r.byCategory, g.byCategory);
    addCounts(r.tlsVersions as Record<string, number>, g.tlsVersions);
    spanRollup(r, g);
  }
  // As the groups (see compareGroups): failed sessions, their share, then all findings, sessions and the key.
  const ranked = Array.from(map.values(), (r) => {
    const failed = failureCount(r, categories);
    return { r, failed, share: failureShare(failed, r.sessions), findings: sumValues(r.byCategory) };
  });
  ranked.sort(
    (x, y) => y.failed - x.failed || y.share - x.share || y.findings - x.findings || y.r.sessions - x.r.sessions || compareText(x.r.key, y.r.key),
  );
  return ranked.map((x) => x.r);
}

/**
 * Widen a rollup's span with a group's. A host seen in the protocol logs (UTC) and in a queue export (local,
 * zone-less) would otherwise get a span whose ends are on different clocks: UTC times win, and local times are
 * kept only while the rollup has no other.
 */
function spanRollup(r: ReportRollup, g: ReportGroup): void {
  const local = isLocalTime(g.firstSeen) || isLocalTime(g.lastSeen);
  const rLocal = isLocalTime(r.firstSeen) || isLocalTime(r.lastSeen);
  if (local && r.firstSeen !== null && !rLocal) return;
  if (!local && rLocal && g.firstSeen !== null) {
    r.firstSeen = null;
    r.lastSeen = null;
  }
  if (g.firstSeen !== null && (r.firstSeen === null || g.firstSeen < r.firstSeen)) r.firstSeen = g.firstSeen;
  if (g.lastSeen !== null && (r.lastSeen === null || g.lastSeen > r.lastSeen)) r.lastSeen = g.lastSeen;
}

function canonicalRollup(r: ReportRollup, order: readonly string[]): ReportRollup {
  return { ...r, byCategory: sorted(r.byCategory, order), tlsVersions: sorted(r.tlsVersions, TLS_ORDER) };
}

/**
 * A bucket for every hour (or day) with a finding or a session start, so that a gap in the points is a gap in
 * the logs. Session counts are left out when a merged report did not have them.
 */
function timeline(acc: Accumulated, order: readonly string[]): Timeline | undefined {
  const { hours, sessionHours } = acc;
  const keys = [...new Set([...hours.keys(), ...sessionHours.keys()])].sort();
  if (keys.length === 0) return undefined;
  const span = Date.parse(keys[keys.length - 1]!) - Date.parse(keys[0]!);
  const daily = acc.dayBuckets === true || span > HOURLY_LIMIT_MS;
  const buckets = new Map<string, { sessions: number; byCategory: Record<string, number> }>();
  for (const t of keys) {
    const key = daily ? `${t.slice(0, 10)}T00:00:00.000Z` : t;
    let into = buckets.get(key);
    if (into === undefined) buckets.set(key, (into = { sessions: 0, byCategory: emptyRecord<number>() }));
    into.sessions += sessionHours.get(t) ?? 0;
    const counts = hours.get(t);
    if (counts !== undefined) addCounts(into.byCategory, counts);
  }
  const counted = acc.sessionHoursUnknown !== true;
  const points = [...buckets].map(([t, b]) =>
    counted ? { t, sessions: b.sessions, byCategory: sorted(b.byCategory, order) } : { t, byCategory: sorted(b.byCategory, order) },
  );
  return { bucket: daily ? 'day' : 'hour', points };
}

function coverage(acc: Accumulated): Coverage {
  let from: string | null = null;
  let to: string | null = null;
  const consider = (f: string | null, t: string | null) => {
    if (f !== null && (from === null || f < from)) from = f;
    if (t !== null && (to === null || t > to)) to = t;
  };
  // Sessions only: queue exports carry local, zone-less times that cannot be compared with UTC log times.
  for (const s of acc.servers.values()) consider(s.from, s.to);
  const servers = [...acc.servers.entries()]
    .map(([server, s]) => ({ server, from: s.from, to: s.to }))
    // The unknown server last.
    .sort((a, b) => (a.server === null ? (b.server === null ? 0 : 1) : b.server === null ? -1 : compareText(a.server, b.server)));
  return { from, to, servers };
}

/**
 * The hint of the group's main category, sharpened by its most frequent detail when one has its own hint. On equal
 * counts the detail listed first among the rule's detail hints wins (certificate errors come before SocketError:
 * a certificate problem fails every time, a drop may be the network), then the name.
 */
function hintFor(category: CategoryInfo | undefined, details: Readonly<Record<string, number>> | undefined, direction: string): string | null {
  if (category === undefined) return null;
  const rank = rankIn(Object.keys(category.detailHints ?? {}));
  let top: string | null = null;
  for (const [d, n] of Object.entries(details ?? {})) {
    if (top === null || n > details![top]!) top = d;
    else if (n === details![top]! && (rank(d) < rank(top) || (rank(d) === rank(top) && d < top))) top = d;
  }
  return detailHint(category.detailHints, top, direction) ?? category.hint;
}

const TLS_ORDER = ['TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3', 'SSL3', 'none', 'unknown'];

/** Same keys in the same order whatever order the data arrived in: JSON output is byte-identical across runs. */
function sorted<T>(counts: Readonly<Record<string, T>>, order: readonly string[]): Record<string, T> {
  const rank = rankIn(order);
  const keys = Object.keys(counts).sort((a, b) => rank(a) - rank(b) || compareText(a, b));
  const out = emptyRecord<T>();
  for (const k of keys) setOwn(out, k, counts[k]!);
  return out;
}

/** Sessions (queue groups: entries) counted in folded groups. */
function sumFolded(folded: ReadonlyMap<string, GroupState>): number {
  let n = 0;
  for (const g of folded.values()) n += g.sessions;
  return n;
}

/** Turns accumulated state into the finished, sorted report. Pure. */
export function finalizeReport(acc: Accumulated): Report {
  const order = categoryOrder(acc.categories);
  const categoryRank = rankIn(order);
  const info = new Map(acc.categories.map((c) => [c.id, c]));
  const groups = [...acc.groups.values(), ...acc.folded.values()].map((g): ReportGroup => {
    const counts = g.byCategory ?? {};
    const main = mainCategory(counts, g.spansUnknown === true ? null : g.findingSpans, categoryRank, acc.categories);
    const details = emptyRecord<Record<string, number>>();
    for (const [k, v] of Object.entries(sorted(g.details ?? {}, order))) setOwn(details, k, sorted(v, []));
    // Field order is the JSON contract's order.
    return {
      direction: g.direction,
      server: g.server,
      connector: g.connector,
      remoteHost: g.remoteHost,
      ...(g.folded === true ? { folded: true as const } : {}),
      remoteNames: [...g.remoteNames],
      sessions: g.sessions,
      messages: g.messages,
      ...(countedInQueue(g, acc.queues) ? { countedInQueue: true as const } : {}),
      authUsers: [...g.authUsers],
      certificates: [...g.certificates],
      byCategory: sorted(counts, order),
      details,
      tlsVersions: sorted(g.tlsVersions, TLS_ORDER),
      firstSeen: g.firstSeen,
      lastSeen: g.lastSeen,
      // `{}` for findings without a time, so that only a report written before spans existed lacks the field.
      ...(g.spansUnknown === true || g.direction === 'queue' || main === null ? {} : { findingSpans: sorted(g.findingSpans ?? {}, order) }),
      samples: [...g.samples],
      mainCategory: main,
      hint: main === null ? null : hintFor(info.get(main), own(g.details ?? undefined, main), g.direction),
    };
  });
  const ranked = groups.map((group): Ranked => {
    const failed = failureCount(group, acc.categories);
    return { group, tier: severityTier(group, acc.categories), failed, share: failureShare(failed, group.sessions), findings: sumValues(group.byCategory) };
  });
  ranked.sort(compareGroups);
  for (let i = 0; i < ranked.length; i++) groups[i] = ranked[i]!.group;
  const byCategory = emptyRecord<number>();
  const tlsVersions: TlsCounts = emptyRecord();
  let queueMessages = 0;
  for (const g of groups) {
    addCounts(byCategory, g.byCategory);
    addCounts(tlsVersions as Record<string, number>, g.tlsVersions);
    if (g.countedInQueue !== true) queueMessages += g.messages;
  }
  const report: Report = {
    schema: 'logscan.report/1',
    generator: { name: 'logscan', version: acc.version },
    coverage: coverage(acc),
    ...(acc.filters === undefined || Object.keys(acc.filters).length === 0 ? {} : { filters: acc.filters }),
    ...(acc.folded.size === 0 ? {} : { folded: { maxGroups: acc.maxGroups, sessions: sumFolded(acc.folded) } }),
    inputs: [...acc.inputs].sort((a, b) => compareText(a.source, b.source)),
    totals: {
      sessions: acc.sessions,
      incompleteSessions: acc.incomplete,
      findings: sumValues(byCategory),
      byCategory: sorted(byCategory, order),
      tlsVersions: sorted(tlsVersions, TLS_ORDER),
      queueMessages,
    },
    categories: acc.categories,
    groups,
    hosts: rollup(groups, (g) => g.remoteHost, false, acc.categories).map((r) => canonicalRollup(r, order)),
    // Send connectors are organisation-wide and receive connector ids name their server: the name is the key.
    connectors: rollup(groups, (g) => g.connector, true, acc.categories).map((r) => canonicalRollup(r, order)),
  };
  // Category order, as every other count map: one rule for readers of any of them (json.md).
  const tl = timeline(acc, order);
  if (tl !== undefined) report.timeline = tl;
  return report;
}
