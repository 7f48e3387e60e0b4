import { checkCount, checkLimit } from '../option-error.js';
import type {
  CategoryInfo,
  GroupCertificate,
  Finding,
  FindingSpan,
  InputStats,
  QueueEntry,
  Report,
  ReportFilters,
  Sample,
  Session,
  Timeline,
  TlsCounts,
  TlsVersion,
} from '../types.js';
import { BoundedCache } from '../bounded-cache.js';
import { compareText } from '../compare-text.js';
import { isTimestamp } from '../sessions/builder.js';
import { queueConnector, queueRemoteHost } from '../classify/queue.js';
import { addTo, emptyRecord, own } from './record.js';
import { isLocalTime, ZONED_TIME } from '../iso-time.js';
import {
  addCategoryCount,
  addTimelineCounts,
  addTimelineSessions,
  categoryDetails,
  widenFindingSpan,
  emptyAccumulated,
  addQueue,
  finalizeReport,
  foldedGroup,
  connectorKey,
  OTHER_CONNECTORS,
  newGroupState,
  widenServer,
  type Accumulated,
  type GroupState,
} from './finalize.js';

export interface ReportOptions {
  /** Evidence samples kept per group and category (earliest first). Default 3. */
  samples?: number | undefined;
  /** Category descriptions (from the rules in use). */
  categories: CategoryInfo[];
  version: string;
  /** The filters the caller applied to what it adds, for the report to say (scan() passes its own). */
  filters?: ReportFilters | undefined;
  /**
   * Groups (direction × server × connector × remote host) held at most; default {@link DEFAULT_MAX_GROUPS},
   * `Infinity` for no limit. Memory follows the number of groups, and an internet-facing connector sees a new
   * remote IP for nearly every session from a botnet: past the limit, remote hosts are counted in their
   * connector's `(other hosts)` group (which hosts keep their rows: see #makeRoom). The report's `folded` says
   * when this happened.
   */
  maxGroups?: number | undefined;
}

/**
 * The 2 GB bench log from an Edge server facing the internet (468,031 sessions, nearly each from its own
 * address) peaked at 177 MiB with 35,000, 186 MiB with 40,000 and 205 MiB with 50,000 (-j 1): 35,000 keeps the
 * issue's 200 MB with room for run-to-run spread, and stays above the 33,020 groups of the 2 GB rotated bench
 * folder, which is not folded.
 */
export const DEFAULT_MAX_GROUPS = 35_000;

/** Queue entries carry locale dates; only an unambiguous one becomes a time. */
function queueTime(entry: QueueEntry): string | null {
  return entry.time?.iso ?? entry.lastError?.lastRetryTime?.iso ?? null;
}

/** Hour bucket of an ISO time (`2025-11-10T09`), or null for placeholders. */
function hourOf(time: string): string | null {
  return time.length >= 13 && time.charCodeAt(4) === 45 && time.charCodeAt(10) === 84 ? `${time.slice(0, 13)}:00:00.000Z` : null;
}

/**
 * The UTC hour a finding counts in on the timeline. A queue entry's time is the export's local clock unless it
 * carries a zone; put into a UTC bucket it would sit hours away from the protocol-log findings of the same
 * failure, so it counts only when its zone is known.
 */
function hourOfFinding(f: Finding): string | null {
  if (f.direction !== 'queue') return hourOf(f.time);
  if (!ZONED_TIME.test(f.time)) return null;
  const ms = Date.parse(f.time);
  return Number.isFinite(ms) ? hourOf(new Date(ms).toISOString()) : null;
}

/** Distinct texts and certificates shared between groups before the sharing starts over. */
const INTERN_LIMIT = 4096;

/**
 * Characters of a row a sample quotes. The longest rows Exchange writes for a finding (a certificate row, a queue's
 * LastError with its failover chain) stay well under it; a stranger's 900 KB row kept whole in every group it
 * makes grew memory with the input (200 MB of such rows: 503 MB) and the report with it.
 */
export const MAX_SAMPLE_TEXT = 2048;

/** The end of a text {@link sampleText} cut: a merge of reports must not cut it again. */
const CUT_MARK = / … \[\d+ more characters\]$/;

/** `text` cut to {@link MAX_SAMPLE_TEXT}, saying how much was left out (once); never inside a surrogate pair. */
export function sampleText(text: string): string {
  if (text.length <= MAX_SAMPLE_TEXT || (text.length <= MAX_SAMPLE_TEXT + 40 && CUT_MARK.test(text))) return text;
  let end = MAX_SAMPLE_TEXT;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  // A copy, not a slice: V8 keeps a slice's whole parent alive, and the 900 KB row would stay in every group.
  return `${Buffer.from(text.slice(0, end), 'utf8').toString('utf8')} … [${text.length - end} more characters]`;
}

/**
 * Accumulates sessions, findings and queue entries into report groups. Memory follows the number of distinct
 * groups (direction × server × connector × remote host), never the number of sessions.
 */
export class ReportBuilder {
  readonly #samples: number;
  readonly #acc: Accumulated;
  /**
   * Connector, server and EHLO names and certificates recur in thousands of groups (an internet-facing connector
   * has a group per remote IP), but every session brings its own copy of the text: groups share one copy.
   * Bounded; when full it starts over, which only costs sharing.
   */
  readonly #strings = new BoundedCache<string>(INTERN_LIMIT);
  /**
   * Evidence lines, kept apart from the names: most samples quote one of a few lines (`Remote(SocketError)`, the
   * TLS 1.0 line), which on a 2 GB log were 40,000 of 52,000 samples, while lines such as `MAIL FROM:` are
   * all different and would push the names out.
   */
  readonly #texts = new BoundedCache<string>(INTERN_LIMIT);
  readonly #certificates = new BoundedCache<GroupCertificate>(INTERN_LIMIT);
  /** Per connector (by its hosts map), which groups to fold first; null without a limit. */
  readonly #lanes: Map<Map<string, GroupState>, Lane> | null;
  /** Lanes by their size, and the largest size: where room is made for a host of a smaller connector. */
  readonly #bySize = new Map<number, Set<Lane>>();
  #maxSize = 0;
  /**
   * Lanes are kept from this many groups on (nine tenths of the limit): below it nothing is folded, and a report
   * that never comes near the limit (the 2 GB bench log has 20,836 groups) does not pay for them (3 MiB there).
   * The groups held when they start are put in the order of their last session, then sessions order them as they come.
   */
  readonly #trackFrom: number;
  #tracking = false;
  #limitReached = false;

  constructor(options: ReportOptions) {
    checkCount('ReportBuilder', 'samples', options.samples, 0);
    checkLimit('ReportBuilder', 'maxGroups', options.maxGroups);
    this.#samples = options.samples ?? 3;
    const maxGroups = options.maxGroups ?? DEFAULT_MAX_GROUPS;
    this.#acc = emptyAccumulated(options.version, options.categories, this.#samples, maxGroups);
    this.#lanes = maxGroups === Infinity ? null : new Map();
    this.#trackFrom = Math.max(1, Math.floor(maxGroups * 0.9));
    if (options.filters != null) this.#acc.filters = options.filters;
  }

  addInput(stats: InputStats): void {
    this.#acc.inputs.push(stats);
  }

  addSession(session: Session, findings: readonly Finding[]): void {
    const acc = this.#acc;
    acc.sessions++;
    if (!session.complete) acc.incomplete++;
    const remoteHost = session.remote?.ip ?? 'unknown';
    const group = this.#group(session.direction, session.server, session.connector, remoteHost, findings.length > 0);
    group.sessions++;
    // Most sessions repeat what their group already holds: share a copy only of what is added.
    for (const name of session.remoteNames) if (wouldAddName(group, name)) addName(group, this.#intern(name));
    if (session.authUser !== null && !group.authUsers.includes(session.authUser)) addAuthUser(group, this.#intern(session.authUser));
    for (const c of session.certificates) if (wouldAddCertificate(group, c)) addCertificate(group, this.#certificate(c));
    const version: TlsVersion = session.tls?.version ?? 'none';
    group.tlsVersions[version] = (group.tlsVersions[version] ?? 0) + 1;
    widen(group, session.start, session.end);
    this.#countOnTimeline(session.start);
    // The group's server, null when unknown: never the origin, an internal key of the log set (`<folder>|smtp-send`).
    this.#server(session.server, session.start, session.end);
    this.#findings(group, findings, remoteHost, session.start);
  }

  /**
   * A session read and left out of the report by a category filter: it counts in the coverage and on the timeline,
   * not in the totals or groups. The time it ran was looked at: with `--category legacy-tls` after a fix, its hours
   * must show as clean, and the coverage as the logs' own, not as the span of the last legacy sessions.
   */
  addUnreported(session: Pick<Session, 'start' | 'end' | 'server'>): void {
    this.#countOnTimeline(session.start);
    this.#server(session.server, session.start, session.end);
  }

  #countOnTimeline(start: string): void {
    // Canonical times only (`2025-11-10T09:41:07.123Z`, the reader has checked their digits): one session with a
    // bogus year (1969) would stretch the buckets over decades. String tests: a parse per session cost 2 %.
    if (start.length !== 24 || start.charCodeAt(23) !== 90 || start < '1970') return;
    const hour = hourOf(start);
    if (hour !== null) addTimelineSessions(this.#acc, hour, 1);
  }

  addQueueEntry(entry: QueueEntry, findings: readonly Finding[]): void {
    const remoteHost = findings[0]?.remoteHost ?? queueRemoteHost(entry);
    const connector = findings[0]?.connector ?? queueConnector(entry);
    const group = this.#group('queue', entry.server, connector, remoteHost, findings.length > 0);
    if (entry.kind === 'message') group.listed = true;
    else if (entry.identity !== null) addQueue(this.#acc, entry.identity);
    group.sessions++;
    group.messages += entry.messageCount;
    if (entry.nextHopDomain) addName(group, entry.nextHopDomain);
    if (entry.lastError?.fqdn) addName(group, entry.lastError.fqdn);
    const time = queueTime(entry);
    const first = entry.firstTime?.iso ?? null;
    if (time !== null) widen(group, first !== null && comparableTimes(first, time) && first < time ? first : time, time);
    else if (first !== null) widen(group, first, first);
    this.#findings(group, findings, remoteHost);
  }

  build(): Report {
    return finalizeReport(this.#acc);
  }

  /**
   * What this builder has gathered, as plain data a worker thread can post (a structured clone keeps no class).
   * {@link absorb} adds it to another builder; building once after that saves finishing, copying and merging a
   * report per thread.
   */
  partial(): PartialReport {
    const acc = this.#acc;
    return {
      inputs: acc.inputs,
      sessions: acc.sessions,
      incomplete: acc.incomplete,
      servers: [...acc.servers],
      hours: [...acc.hours],
      sessionHours: [...acc.sessionHours],
      queues: [...acc.queues],
      // Folded groups too: they carry their flag, and absorb() puts them with the other builder's folded groups.
      groups: [...acc.groups.values(), ...acc.folded.values()],
    };
  }

  /**
   * Adds another builder's {@link partial} (of other sessions): the report is as if this builder had seen them,
   * except that hosts the other builder folded (past maxGroups) stay folded.
   * Groups new to this builder are taken over, not copied: absorb a partial once, and add nothing more to the
   * builder it came from (a worker's is gone; otherwise pass the partial through structuredClone first).
   */
  absorb(part: PartialReport): void {
    const acc = this.#acc;
    // A loop, not push(...): a review of many thousand files must not hit the engine's argument limit.
    for (const input of part.inputs) acc.inputs.push(input);
    acc.sessions += part.sessions;
    acc.incomplete += part.incomplete;
    for (const [name, s] of part.servers) widenServer(acc, name, s.from, s.to);
    for (const [hour, counts] of part.hours) addTimelineCounts(acc, hour, counts);
    for (const [hour, n] of part.sessionHours) addTimelineSessions(acc, hour, n);
    for (const q of part.queues) addQueue(acc, q);
    for (const g of part.groups) this.absorbGroup(g);
  }

  /**
   * @internal One group of another builder's {@link partial}, or of a report being merged (made a group state
   * first): added to its host's group, taken over, or folded past maxGroups, as {@link absorb} does.
   */
  absorbGroup(g: GroupState): void {
    if (g.folded === true) {
      mergeGroup(this.#folded(g.direction, g.server, g.connector), g, this.#samples);
      return;
    }
    const into = this.#acc.groups.find(g.direction, g.server, g.connector, g.remoteHost);
    if (into !== undefined) {
      const wasHealthy = into.byCategory === null;
      mergeGroup(into, g, this.#samples);
      // The other log set's sessions of this host had findings: it is no longer a group to fold first. Either way
      // it was seen again, so it goes to the end of its connector's order, as a session of it would put it.
      if (wasHealthy && into.byCategory !== null) this.#nowFailing(into);
      else this.#seen(into);
      return;
    }
    // Log sets have their own hosts, so nearly every group is new here and is taken over as it is.
    if (this.#makeRoom(this.#laneOf(g.direction, g.server, g.connector), g.byCategory !== null)) this.#adopt(g);
    else mergeGroup(this.#folded(g.direction, g.server, g.connector), g, this.#samples);
  }

  /** @internal What this builder gathers, for a merge that adds reports' other parts to it (report/merge.ts). */
  accumulated(): Accumulated {
    return this.#acc;
  }

  /** @internal Whether this builder's own limit was reached: it folded hosts, beyond any folded groups it was given. */
  get limitReached(): boolean {
    return this.#limitReached;
  }

  /**
   * The connector's lane: made by {@link #adopt} only (`create`), so connectors whose hosts are all folded cost
   * nothing, and removed with its last group. Null without a limit, undefined when the connector has none.
   */
  #laneOf(direction: GroupState['direction'], server: string | null, connector: string, create = false): Lane | null | undefined {
    const lanes = this.#lanes;
    if (lanes === null) return null;
    const hosts = create ? this.#acc.groups.hostsOf(direction, server, connector) : this.#acc.groups.hostsIfAny(direction, server, connector);
    if (hosts === undefined) return undefined;
    let lane = lanes.get(hosts);
    if (lane === undefined && create) lanes.set(hosts, (lane = { hosts, healthy: new Set(), failing: new Set(), size: 0 }));
    return lane;
  }

  /** Takes `group` into the table (it is new there), last in its lane's order. */
  #adopt(group: GroupState): GroupState {
    const groups = this.#acc.groups;
    groups.add(group);
    if (this.#tracking) this.#enter(group);
    else if (this.#lanes !== null && groups.size >= this.#trackFrom) {
      this.#tracking = true;
      // The groups held, least recently seen first (by their last session's time; a stable sort keeps table order
      // for equal times and puts groups without one first), then the new one, whose session is being added.
      const held = [...groups.values()].filter((g) => g !== group);
      held.sort((a, b) => (a.lastSeen === b.lastSeen ? 0 : a.lastSeen === null ? -1 : b.lastSeen === null ? 1 : a.lastSeen < b.lastSeen ? -1 : 1));
      for (const g of held) this.#enter(g);
      this.#enter(group);
    }
    return group;
  }

  /** Puts a group of the table last in its lane. */
  #enter(group: GroupState): void {
    const lane = this.#laneOf(group.direction, group.server, group.connector, true)!;
    (group.byCategory === null ? lane.healthy : lane.failing).add(group);
    this.#resize(lane, 1);
  }

  /**
   * Moves `lane` to the bucket of its new size (sizes change by one), keeping {@link #maxSize} the largest size
   * held: the largest connector is always known in O(1), also after evictions shrank the one that was.
   */
  #resize(lane: Lane, delta: 1 | -1): void {
    const bySize = this.#bySize;
    const from = bySize.get(lane.size);
    if (from !== undefined) {
      from.delete(lane);
      if (from.size === 0) bySize.delete(lane.size);
    }
    lane.size += delta;
    if (lane.size === 0) this.#lanes!.delete(lane.hosts);
    else {
      const to = bySize.get(lane.size);
      if (to === undefined) bySize.set(lane.size, new Set([lane]));
      else to.add(lane);
      if (lane.size > this.#maxSize) this.#maxSize = lane.size;
    }
    while (this.#maxSize > 0 && !bySize.has(this.#maxSize)) this.#maxSize--;
  }

  /** The connector with the most groups (of equal ones, the one that reached that size first). */
  #largest(): Lane | undefined {
    return this.#bySize.get(this.#maxSize)?.values().next().value;
  }

  /** A session of `group` was added: it is the last its lane would fold. */
  #seen(group: GroupState): void {
    if (!this.#tracking) return;
    const lane = this.#laneOf(group.direction, group.server, group.connector);
    if (lane == null) return;
    const set = group.byCategory === null ? lane.healthy : lane.failing;
    if (set.delete(group)) set.add(group);
  }

  /** `group` had its first finding. */
  #nowFailing(group: GroupState): void {
    if (!this.#tracking) return;
    const lane = this.#laneOf(group.direction, group.server, group.connector);
    if (lane != null && lane.healthy.delete(group)) lane.failing.add(group);
  }

  /**
   * Whether a new group of `lane`'s connector fits. Under the limit it does. Past it, a connector with fewer
   * groups than the largest one always gets its host a row, and the largest one (an internet-facing receive
   * connector, as a rule) gives up one of its own: send connectors, relay connectors and partners' connectors
   * have few hosts, and they are the ones an admin looks for. A host of the largest connector gets a row only with
   * a finding, in place of one of that connector's groups. Either way, the group given up is the healthy one seen
   * least recently, else, of the failing groups seen least recently, the one with the fewest sessions: a partner
   * that sends every day keeps its row, while one-off botnet addresses take each other's places.
   */
  #makeRoom(lane: Lane | null | undefined, withFinding: boolean): boolean {
    const acc = this.#acc;
    if (lane === null || acc.groups.size < acc.maxGroups) return true;
    this.#limitReached = true;
    const largest = this.#largest();
    if (largest !== undefined && largest !== lane && (lane?.size ?? 0) < largest.size) return this.#evict(largest);
    return withFinding && lane !== undefined && this.#evict(lane);
  }

  /** Folds the group `lane` gives up (see {@link #makeRoom}); false when it has none. */
  #evict(lane: Lane): boolean {
    let victim: GroupState | undefined = lane.healthy.values().next().value;
    if (victim !== undefined) lane.healthy.delete(victim);
    else {
      let looked = 0;
      for (const g of lane.failing) {
        if (victim === undefined || g.sessions < victim.sessions) victim = g;
        if (++looked === EVICTION_CANDIDATES || victim.sessions <= 1) break;
      }
      if (victim === undefined) return false;
      lane.failing.delete(victim);
    }
    this.#acc.groups.delete(victim);
    this.#resize(lane, -1);
    mergeGroup(this.#folded(victim.direction, victim.server, victim.connector), victim, this.#samples);
    return true;
  }

  /**
   * The connector's folded group. Folded groups have the same limit: past it, a connector without one folds into
   * its direction's `(other connectors)` group, so a log with a new connector id on every row (hostile, or
   * damaged) cannot grow the report without bound either.
   */
  #folded(direction: GroupState['direction'], server: string | null, connector: string): GroupState {
    const acc = this.#acc;
    if (acc.folded.size < acc.maxGroups || acc.folded.has(connectorKey(direction, server, connector))) {
      return foldedGroup(acc, direction, server, connector);
    }
    this.#limitReached = true;
    return foldedGroup(acc, direction, null, OTHER_CONNECTORS);
  }

  /**
   * `remoteHost` is the session's or entry's: a folded group's samples name it, the group does not. `start` is the
   * session's start, which dates its findings in `findingSpans`: one session's TLS 1.0 row and its drop minutes
   * later are one session's findings, and the main category's rule must not read the drop as coming after it.
   */
  #findings(group: GroupState, findings: readonly Finding[], remoteHost: string, start?: string): void {
    // After the counts below: the lane order reads byCategory.
    const nowFailing = findings.length > 0 && group.byCategory === null;
    for (const f of findings) {
      addCategoryCount(group, f.category, 1);
      const details = categoryDetails(group, f.category);
      if (f.detail !== null) addDetail(details, f.detail, 1);
      if (f.direction !== 'queue') widenFindingSpan(group, f.category, start || f.time, start || f.time);
      const hour = hourOfFinding(f);
      if (hour !== null) {
        const bucket = this.#acc.hours.get(hour) ?? emptyRecord<number>();
        addTo(bucket, f.category, 1);
        this.#acc.hours.set(hour, bucket);
      }
      const ev = f.evidence[0];
      if (ev !== undefined) {
        const sample: Sample = { source: ev.source, line: ev.line, sessionId: f.sessionId, category: f.category, detail: f.detail, time: ev.time || f.time, text: this.#texts.get(sampleText(ev.text), identity) };
        if (group.folded === true) sample.remoteHost = remoteHost;
        addSample(group, sample, this.#samples);
      }
    }
    if (nowFailing) this.#nowFailing(group);
  }

  #intern(text: string): string {
    return this.#strings.get(text, identity);
  }

  /** One shared, never modified object per distinct certificate. */
  #certificate(c: Session['certificates'][number]): GroupCertificate {
    const cert: GroupCertificate = { role: c.role, subject: c.subject, issuer: c.issuer, thumbprint: c.thumbprint, notAfter: c.notAfter };
    // Every field in the key: certificateKey() leaves out issuer and expiry, and which one a group keeps must
    // not depend on what other groups saw first (reports merged across --jobs must stay identical).
    return this.#certificates.get(JSON.stringify([cert.role, cert.subject, cert.issuer, cert.thumbprint, cert.notAfter]), () => cert);
  }

  #group(direction: GroupState['direction'], server: string | null, connector: string, remoteHost: string, withFinding: boolean): GroupState {
    const acc = this.#acc;
    const found = acc.groups.find(direction, server, connector, remoteHost);
    if (found !== undefined) {
      // Least recently seen first: a partner that sends every hour keeps its row, a one-off address does not.
      this.#seen(found);
      return found;
    }
    // Names are shared only for a new group: the lookup itself needs no copy.
    const shared = server === null ? null : this.#intern(server);
    if (!this.#makeRoom(this.#laneOf(direction, shared, connector), withFinding)) return this.#folded(direction, shared, this.#intern(connector));
    return this.#adopt(newGroupState(direction, shared, this.#intern(connector), remoteHost));
  }

  #server(name: string | null, from: string, to: string): void {
    if (!isTimestamp(from)) return;
    // A placeholder end (pasted excerpts) leaves the known end as it is.
    widenServer(this.#acc, name, from, isTimestamp(to) ? to : (this.#acc.servers.get(name)?.to ?? from));
  }
}

function identity(text: string): string {
  return text;
}

/** A connector's groups in the order they are folded in, past the limit (see ReportBuilder #makeRoom). */
interface Lane {
  hosts: Map<string, GroupState>;
  /** Without a finding, least recently seen first. */
  healthy: Set<GroupState>;
  /** With a finding, least recently seen first. */
  failing: Set<GroupState>;
  /** Groups in the lane (both sets). */
  size: number;
}

/** Failing groups, from the least recently seen, looked at for the one with the fewest sessions. */
const EVICTION_CANDIDATES = 16;

export const MAX_NAMES = 20;
/** Distinct details kept per group and category; hostile input could otherwise make them unbounded. */
export const MAX_DETAILS = 50;
export const OTHER_DETAIL = '(other)';

/**
 * Adds `n` to a detail's count, keeping the {@link MAX_DETAILS} details first in code-unit order and counting the
 * rest under {@link OTHER_DETAIL}. Kept by their text, not by which came first: the details kept of a union are
 * then those kept of its parts, so a merge keeps the same ones (with exact counts) in any order of its reports.
 * A detail is text from a remote server: own keys only (src/report/record.ts).
 */
export function addDetail(details: Record<string, number>, detail: string, n: number): void {
  if (own(details, detail) !== undefined || detail === OTHER_DETAIL) return addTo(details, detail, n);
  let kept = 0;
  let last: string | undefined;
  for (const key of Object.keys(details)) {
    if (key === OTHER_DETAIL) continue;
    kept++;
    if (last === undefined || compareText(key, last) > 0) last = key;
  }
  if (kept < MAX_DETAILS) return addTo(details, detail, n);
  if (compareText(detail, last!) > 0) return addTo(details, OTHER_DETAIL, n);
  // The new detail comes before the last one kept: that one's count goes to (other).
  addTo(details, OTHER_DETAIL, own(details, last!)!);
  delete details[last!];
  addTo(details, detail, n);
}

/**
 * The sorted list with `item` put in its place and cut to `max`: a new array of exact size (see GroupState).
 * Filled by index, not sorted again: `concat` and `sort` made two arrays and sorted an ordered list on every
 * new name of a group. Without `compare`, strings are ordered as the default sort orders them (code units).
 */
function withItem<T>(list: readonly T[], item: T, max: number, compare: (a: T, b: T) => number = compareText as (a: T, b: T) => number): readonly T[] {
  let at = list.length;
  while (at > 0 && compare(item, list[at - 1]!) < 0) at--;
  const size = Math.min(list.length + 1, max);
  if (at >= size) return list;
  const next = new Array<T>(size);
  for (let i = 0; i < at; i++) next[i] = list[i]!;
  next[at] = item;
  for (let i = at + 1; i < size; i++) next[i] = list[i - 1]!;
  return next;
}

/** Whether {@link addName} would change the group's names. */
function wouldAddName(group: GroupState, name: string): boolean {
  const names = group.remoteNames;
  return !names.includes(name) && !(names.length >= MAX_NAMES && name >= names[names.length - 1]!);
}

/** Keeps the lexically smallest names, so merging reports gives the same list as one run. */
export function addName(group: GroupState, name: string): void {
  if (wouldAddName(group, name)) group.remoteNames = withItem(group.remoteNames, name, MAX_NAMES);
}

/** Same rule as names: the smallest 20, so merges are exact. */
export function addAuthUser(group: GroupState, user: string): void {
  if (group.authUsers.includes(user)) return;
  group.authUsers = withItem(group.authUsers, user, MAX_NAMES);
}

export const MAX_CERTIFICATES = 5;

function certificateKey(c: Pick<GroupCertificate, 'thumbprint' | 'subject' | 'role'>): string {
  return `${c.thumbprint ?? ''}\u0000${c.subject ?? ''}\u0000${c.role}`;
}

function compareCertificates(a: GroupCertificate, b: GroupCertificate): number {
  return certificateKey(a) < certificateKey(b) ? -1 : 1;
}

/**
 * Whether {@link addCertificate} would change the group's certificates: not one it holds already (same key), and
 * not one that sorts after all of a full list (it would be cut again at once).
 */
function wouldAddCertificate(group: GroupState, cert: Pick<GroupCertificate, 'thumbprint' | 'subject' | 'role'>): boolean {
  const certs = group.certificates;
  for (const c of certs) if (sameKey(c, cert)) return false;
  return certs.length < MAX_CERTIFICATES || certificateKey(cert) < certificateKey(certs[certs.length - 1]!);
}

/**
 * `certificateKey(a) === certificateKey(b)` without making the keys (every session of a group asks). Fields that
 * differ can still give one key only through a NUL inside a field, so only then are the keys compared.
 */
function sameKey(a: Pick<GroupCertificate, 'thumbprint' | 'subject' | 'role'>, b: Pick<GroupCertificate, 'thumbprint' | 'subject' | 'role'>): boolean {
  const ta = a.thumbprint ?? '';
  const tb = b.thumbprint ?? '';
  const sa = a.subject ?? '';
  const sb = b.subject ?? '';
  if (ta === tb && sa === sb && a.role === b.role) return true;
  if (!ta.includes('\u0000') && !tb.includes('\u0000') && !sa.includes('\u0000') && !sb.includes('\u0000')) return false;
  return certificateKey(a) === certificateKey(b);
}

/** Keeps the certificates with the smallest keys, so merging reports gives the same list as one run. */
export function addCertificate(group: GroupState, cert: GroupCertificate): void {
  if (wouldAddCertificate(group, cert)) group.certificates = withItem(group.certificates, cert, MAX_CERTIFICATES, compareCertificates);
}

/** Two times that compare as text: both the export's local clock, or both UTC (`…Z`). */
function comparableTimes(a: string, b: string): boolean {
  return isLocalTime(a) ? isLocalTime(b) : a.endsWith('Z') && b.endsWith('Z');
}

export function widen(group: GroupState, from: string, to: string): void {
  if (isTimestamp(from) && (group.firstSeen === null || from < group.firstSeen)) group.firstSeen = from;
  if (isTimestamp(to) && (group.lastSeen === null || to > group.lastSeen)) group.lastSeen = to;
}

export function compareSamples(a: Sample, b: Sample): number {
  return a.time < b.time ? -1 : a.time > b.time ? 1 : a.source < b.source ? -1 : a.source > b.source ? 1 : a.line - b.line;
}

/**
 * Keeps the earliest `limit` samples per category. That rule is what makes merged reports equal a single run:
 * the earliest N of a union are the earliest N of the parts' earliest N.
 */
export function addSample(group: GroupState, sample: Sample, limit: number): void {
  if (limit === 0) return;
  let kept = group.samples;
  const same = kept.filter((s) => s.category === sample.category);
  if (same.length >= limit) {
    const latest = same.reduce((a, b) => (compareSamples(a, b) >= 0 ? a : b));
    if (compareSamples(sample, latest) >= 0) return;
    kept = kept.filter((s) => s !== latest);
  }
  group.samples = kept.concat([sample]).sort(compareSamples);
}

/** A group's data as a finished report or a builder holds it: what {@link mergeGroup} reads. */
export interface MergeableGroup {
  sessions: number;
  messages: number;
  listed?: true;
  countedInQueue?: true;
  byCategory: Readonly<Record<string, number>> | null;
  details: Readonly<Record<string, Readonly<Record<string, number>>>> | null;
  tlsVersions: TlsCounts;
  remoteNames: readonly string[];
  authUsers?: readonly string[];
  certificates?: readonly GroupCertificate[];
  firstSeen: string | null;
  lastSeen: string | null;
  /** Null (a builder's group without a timed finding) or absent (a report written before spans existed). */
  findingSpans?: Readonly<Record<string, FindingSpan>> | null;
  spansUnknown?: boolean;
  direction: GroupState['direction'];
  remoteHost: string;
  folded?: boolean;
  samples: readonly Sample[];
}

/**
 * Adds the counts, names, certificates, times and samples of `g` (other sessions of the same group) to `into`,
 * under the same keep-the-smallest rules as when the sessions are added one by one, so the result does not
 * depend on how the sessions were split.
 */
export function mergeGroup(into: GroupState, g: MergeableGroup, samples: number): void {
  into.sessions += g.sessions;
  into.messages += g.messages;
  if (g.listed === true) into.listed = true;
  if (g.countedInQueue === true) into.countedInQueue = true;
  for (const [k, v] of Object.entries(g.byCategory ?? {})) addCategoryCount(into, k, v);
  // A report file's TLS keys are text.
  for (const [k, v] of Object.entries(g.tlsVersions)) addTo(into.tlsVersions as Record<string, number>, k, v ?? 0);
  for (const [category, details] of Object.entries(g.details ?? {})) {
    const target = categoryDetails(into, category);
    for (const [d, n] of Object.entries(details)) addDetail(target, d, n);
  }
  for (const name of g.remoteNames) addName(into, name);
  for (const user of g.authUsers ?? []) addAuthUser(into, user);
  for (const cert of g.certificates ?? []) addCertificate(into, cert);
  if (g.firstSeen !== null) widen(into, g.firstSeen, g.firstSeen);
  if (g.lastSeen !== null) widen(into, g.lastSeen, g.lastSeen);
  for (const [category, span] of Object.entries(g.findingSpans ?? {})) widenFindingSpan(into, category, span.first, span.last);
  // Findings whose times a part did not keep: a span from the other parts would end too early.
  const untimed = g.findingSpans === undefined && g.direction !== 'queue' && Object.values(g.byCategory ?? {}).some((n) => n > 0);
  if (g.spansUnknown === true || untimed) into.spansUnknown = true;
  // A host's group folded into (other hosts): its samples keep the host's name, which the folded group has not.
  const host = into.folded === true && g.folded !== true ? g.remoteHost : undefined;
  for (const given of g.samples) {
    // A report of an older build (or a stranger's) may quote more of a row than this build keeps.
    const s = given.text.length > MAX_SAMPLE_TEXT ? { ...given, text: sampleText(given.text) } : given;
    addSample(into, host === undefined || s.remoteHost !== undefined ? s : { ...s, remoteHost: host }, samples);
  }
}

/** A builder's gathered data as plain values: see {@link ReportBuilder.partial}. */
export interface PartialReport {
  inputs: InputStats[];
  sessions: number;
  incomplete: number;
  servers: Array<[string | null, { from: string; to: string }]>;
  hours: Array<[string, Record<string, number>]>;
  sessionHours: Array<[string, number]>;
  /** Get-Queue identities read (see {@link Accumulated.queues}). */
  queues: string[];
  groups: GroupState[];
}

export type { Timeline };
