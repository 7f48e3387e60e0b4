import { checkCount, checkLimit } from '../option-error.js';
import type { CategoryInfo, Coverage, Report, ReportFilters, ReportGroup } from '../types.js';
import { mergeGroup, ReportBuilder } from './builder.js';
import { addTimelineCounts, addTimelineSessions, finalizeReport, newGroupState, widenServer, type Accumulated } from './finalize.js';
import { serverName } from '../server-name.js';
import { own } from './record.js';
import { baseName } from '../base-name.js';
import { VERSION } from '../version.js';

export interface MergeOptions {
  /** Samples kept per group and category; use the value the reports were made with. Default 3. */
  samples?: number | undefined;
  /**
   * Groups the merged report holds (default 35,000, as a scan's; Infinity for no limit): past it, remote hosts are
   * folded as a scan folds them, in the order the reports come. Groups the reports folded stay folded.
   */
  maxGroups?: number | undefined;
  /** The merged report's `generator.version`. Default: {@link VERSION}, this logscan's, which wrote the merged report. */
  version?: string | undefined;
}

/**
 * Combines reports of separate runs (other servers, other weeks) into the report one run over all their inputs
 * would have given. Sessions never span two runs, so counts simply add.
 */
export function mergeReports(reports: readonly Report[], given: MergeOptions = {}): Report {
  const merger = new ReportMerger(given);
  for (const report of reports) {
    // Checked as a whole first, so a report of another schema is named as such rather than by its first group.
    merger.check(report);
    // Not an array: left for endReport to refuse in words.
    const groups: unknown = report.groups;
    if (Array.isArray(groups)) for (const g of groups) merger.addGroup(g);
    merger.endReport({ ...report, groups: Array.isArray(groups) ? [] : groups });
  }
  return merger.build();
}

/**
 * Orders versions such as `0.1.0`, `0.10.2` and `1.0.0-rc.1` by their numbers, part by part (a part that is no
 * number by its text); a release comes after its pre-releases.
 */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = splitVersion(a);
  const [coreB, preB] = splitVersion(b);
  const parts = Math.max(coreA.length, coreB.length);
  for (let i = 0; i < parts; i++) {
    const d = comparePart(coreA[i] ?? '0', coreB[i] ?? '0');
    if (d !== 0) return d;
  }
  if (preA === preB) return 0;
  if (preA === null) return 1;
  if (preB === null) return -1;
  return comparePart(preA, preB);
}

function splitVersion(v: string): [string[], string | null] {
  const dash = v.indexOf('-');
  return dash < 0 ? [v.split('.'), null] : [v.slice(0, dash).split('.'), v.slice(dash + 1)];
}

function comparePart(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : NaN;
  const nb = /^\d+$/.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A report's members other than its groups (and the roll-ups made again from them): what a merge keeps of it. */
export type ReportHead = Omit<Report, 'groups' | 'hosts' | 'connectors'> & { groups: readonly unknown[] };

/**
 * {@link mergeReports} one report at a time, and each report's groups one at a time, so that reports of any size
 * merge in memory that follows the merged groups, not the files (see readReportStream): a report's groups with
 * {@link addGroup}, then its other members with {@link endReport}; {@link build} makes the merged report. What
 * depends on all the reports (inputs read twice, other filters) is refused in {@link build}.
 */
export class ReportMerger {
  /** Takes the groups, and folds them past maxGroups as a scan does; its gathered data is the merged report's. */
  readonly #builder: ReportBuilder;
  readonly #acc: Accumulated;
  /** The largest limit the reports were folded at, if any was. */
  #reportsFoldedAt = 0;
  readonly #categories: CategoryInfo[] = [];
  /** The version of the report each category's words were taken from. */
  readonly #categoryVersions = new Map<string, string>();
  readonly #limit: number;
  /** Inputs and filters of the reports ended so far, for the checks across reports. */
  readonly #heads: Array<Pick<Report, 'inputs' | 'filters'>> = [];
  /** Of the report being read: the servers its groups name, and whether one has a time or is folded. */
  #named = new Set<string | null>();
  #timed = false;
  #foldedGroups = false;

  constructor(given: MergeOptions = {}) {
    // Null is not given, as in scan()'s options.
    const options = given ?? {};
    checkCount('mergeReports()', 'samples', options.samples, 0);
    checkLimit('mergeReports()', 'maxGroups', options.maxGroups);
    this.#limit = options.samples ?? 3;
    this.#builder = new ReportBuilder({ samples: this.#limit, categories: this.#categories, version: options.version ?? VERSION, maxGroups: options.maxGroups });
    this.#acc = this.#builder.accumulated();
  }

  /** The index of the report being read, from 0. */
  get index(): number {
    return this.#heads.length;
  }

  /** Refuses a whole report (or one's members read so far) of another schema, before its groups are read. */
  check(report: unknown): void {
    const schema = isObject(report) ? own(report, 'schema') : undefined;
    if (schema !== 'logscan.report/1') throw new InvalidReportError(this.index, `its schema is ${String(schema)}, not logscan.report/1`);
  }

  /** A group of the report being read. */
  addGroup(value: unknown): void {
    if (!GROUP(value)) throw new InvalidReportError(this.index, 'groups is missing or not as logscan writes it');
    const g = value as ReportGroup;
    this.#named.add(g.server);
    if (g.direction !== 'queue' && g.firstSeen !== null) this.#timed = true;
    if (g.folded === true) this.#foldedGroups = true;
    // Reports of builds before server names were upper case can name one server both ways.
    const state = newGroupState(g.direction, serverName(g.server), g.connector, g.remoteHost);
    if (g.folded === true) state.folded = true;
    mergeGroup(state, g, this.#limit);
    this.#builder.absorbGroup(state);
  }

  /** The report being read is complete: its members other than the groups given to {@link addGroup}. */
  endReport(value: unknown): void {
    this.check(value);
    const problem = reportShapeProblem(value);
    if (problem !== null) throw new InvalidReportError(this.index, problem);
    const report = value as ReportHead;
    // Folded groups without the limit they were folded at: the merged report could not say it.
    if (report.folded === undefined && this.#foldedGroups) throw new InvalidReportError(this.index, 'folded is missing, while groups are folded');
    const acc = this.#acc;
    const categories = this.#categories;
    // Reports of other builds can word a category differently: the newest build's words are kept, so the order of
    // the reports does not decide them. (Not this build's: a report's rules may be the caller's, built-in ids kept.)
    for (const c of report.categories) {
      const at = categories.findIndex((k) => k.id === c.id);
      if (at < 0) {
        categories.push(c);
        this.#categoryVersions.set(c.id, report.generator.version);
      } else if (compareVersions(report.generator.version, this.#categoryVersions.get(c.id)!) > 0) {
        categories[at] = c;
        this.#categoryVersions.set(c.id, report.generator.version);
      }
    }
    // Reports written before `ignored` existed lack it: the merged report has it on every input.
    for (const input of report.inputs) acc.inputs.push({ ...input, ignored: input.ignored ?? null });
    acc.sessions += report.totals.sessions;
    acc.incomplete += report.totals.incompleteSessions;
    for (const s of report.coverage.servers) if (s.from !== null && s.to !== null) widenServer(acc, serverName(coverageServer(s.server, this.#named)), s.from, s.to);
    if (report.timeline) {
      if (report.timeline.bucket === 'day') acc.dayBuckets = true;
      for (const p of report.timeline.points) {
        addTimelineCounts(acc, p.t, p.byCategory);
        if (p.sessions === undefined) acc.sessionHoursUnknown = true;
        else addTimelineSessions(acc, p.t, p.sessions);
      }
    } else if (report.totals.sessions > 0 && this.#timed) {
      // A report written before sessions were counted on the timeline, with sessions and no finding: when they ran is
      // not known. (Not when no session has a readable time, as pasted excerpts with placeholders: no timeline to give.)
      acc.sessionHoursUnknown = true;
    }
    if (report.folded !== undefined) this.#reportsFoldedAt = Math.max(this.#reportsFoldedAt, report.folded.maxGroups);
    this.#heads.push({ inputs: report.inputs, filters: report.filters });
    this.#named = new Set();
    this.#timed = false;
    this.#foldedGroups = false;
  }

  /** The merged report; throws {@link RepeatedInputError} or {@link FiltersMismatchError} for reports that do not add up. */
  build(): Report {
    const repeated = repeatedInputs(this.#heads)[0];
    if (repeated !== undefined) throw new RepeatedInputError(repeated);
    const acc = this.#acc;
    acc.filters = mergedFilters(this.#heads);
    // The limit the merged report says hosts were folded at: the merge's own when it folded, else the largest of
    // the reports' (a merge with no limit of its own included).
    if (!this.#builder.limitReached && this.#reportsFoldedAt > 0) acc.maxGroups = this.#reportsFoldedAt;
    return finalizeReport(acc);
  }
}

/**
 * Thrown by {@link mergeReports} for two reports made with other `--category`, `--connector` or `--host` filters:
 * they count different things, and their sum would mean nothing. `reports` are their indexes, `filters` how each
 * was made (`--category legacy-tls`, `no --category`).
 */
export class FiltersMismatchError extends Error {
  readonly reports: [number, number];
  readonly filters: [string, string];

  constructor(reports: [number, number], first: string, other: string) {
    super(`reports ${reports[0] + 1} and ${reports[1] + 1} were made with other filters (${first}; ${other}): they count different things`);
    this.name = 'FiltersMismatchError';
    this.reports = reports;
    this.filters = [first, other];
  }
}

/** How a filter reads on the command line, for messages: `--category legacy-tls`, or `no --category`. */
function filterText(f: ReportFilters | undefined, key: 'categories' | 'connector' | 'host'): string {
  const option = key === 'categories' ? '--category' : `--${key}`;
  const value = f?.[key];
  if (value === undefined) return `no ${option}`;
  return `${option} ${Array.isArray(value) ? value.join(',') : JSON.stringify(value)}`;
}

/**
 * The filters of the merged report. Reports made with other category, connector or host filters count other
 * things, so their sum would mean nothing: refused. Time windows add up (weekly runs with --since 7d): the
 * merged window runs from the earliest `since` to the latest `until`, open where a report's is.
 */
function mergedFilters(reports: readonly Pick<Report, 'filters'>[]): ReportFilters {
  const first = reports[0]?.filters;
  for (const key of ['categories', 'connector', 'host'] as const) {
    // As the filters match: categories in any order, connector and host text in any case.
    const norm = (f: ReportFilters | undefined) => JSON.stringify(key === 'categories' ? [...(f?.categories ?? [])].sort() : (f?.[key]?.toLowerCase() ?? null));
    const want = norm(first);
    reports.forEach((r, i) => {
      const got = norm(r.filters);
      if (got !== want) throw new FiltersMismatchError([0, i], filterText(first, key), filterText(r.filters, key));
    });
  }
  const out: ReportFilters = {};
  const sinces = reports.map((r) => r.filters?.since);
  const untils = reports.map((r) => r.filters?.until);
  if (reports.length === 0) return out;
  if (sinces.every((s) => s !== undefined)) out.since = sinces.reduce((a, b) => (b! < a! ? b : a))!;
  if (untils.every((u) => u !== undefined)) out.until = untils.reduce((a, b) => (b! > a! ? b : a))!;
  if (first?.categories !== undefined) out.categories = [...first.categories];
  if (first?.connector !== undefined) out.connector = first.connector;
  if (first?.host !== undefined) out.host = first.host;
  return out;
}

/**
 * Thrown by {@link mergeReports} for a report it cannot read: another schema, or a field missing or not as logscan
 * writes it (a hand-edited or cut-short file, or not logscan's). `index` is the report's, from 0; `problem` says
 * what is wrong with it.
 */
export class InvalidReportError extends Error {
  readonly index: number;
  readonly problem: string;

  constructor(index: number, problem: string) {
    super(`cannot merge report ${index + 1}: ${problem}`);
    this.name = 'InvalidReportError';
    this.index = index;
    this.problem = problem;
  }
}

/** An input that two reports both read: `reports` are their indexes. */
export interface RepeatedInput {
  source: string;
  reports: [number, number];
}

/** Thrown by {@link mergeReports} for a {@link RepeatedInput}; the CLI names the report files from `repeated`. */
export class RepeatedInputError extends Error {
  readonly repeated: RepeatedInput;

  constructor(repeated: RepeatedInput) {
    super(`reports ${repeated.reports[0] + 1} and ${repeated.reports[1] + 1} both read ${repeated.source}: its sessions would be counted twice`);
    this.name = 'RepeatedInputError';
    this.repeated = repeated;
  }
}

/**
 * Inputs that appear in two reports as the same file: same file name (in any folder, `.gz` or not), kind, size,
 * line count and time span. Merging
 * adds counts, so such a file's sessions would count twice (the same report given twice, or two runs over the
 * same folder). A file that grew between two runs differs in size and is not caught: merge reports of
 * different logs. Inputs with no rows read add nothing and are left out.
 */
export function repeatedInputs(reports: readonly Pick<Report, 'inputs'>[]): RepeatedInput[] {
  const seen = new Map<string, number>();
  const out: RepeatedInput[] = [];
  reports.forEach((report, index) => {
    for (const i of report.inputs) {
      if (i.records === 0) continue;
      // A protocol log by file name, not path: two copy jobs put the same log in different folders (weekly copies
      // that overlap); its row times tell it from another server's log of the same name. A queue export has no
      // such times (EX01\queue.csv and EX02\queue.csv can match in all else): by its path.
      const timed = (i.kind === 'smtp-receive' || i.kind === 'smtp-send') && i.from != null && i.to != null;
      const key = JSON.stringify([timed ? logName(i.source) : i.source, i.kind, i.bytes, i.lines, i.records, i.from ?? null, i.to ?? null]);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else if (first !== index) out.push({ source: i.source, reports: [first, index] });
    }
  });
  return out;
}

/** A file's name without its folders and without `.gz`: the same log copied elsewhere, or compressed, has it. */
function logName(source: string): string {
  const name = baseName(source);
  return name.toLowerCase().endsWith('.gz') ? name.slice(0, -3) : name;
}

/** The internal key of a log set (`<folder>|smtp-send`, `stdin:<name>|smtp-receive`), as older reports show it. */
const ORIGIN_KEY = /\|smtp-(?:send|receive)$/;

/**
 * The server of a report's coverage entry. Reports of earlier logscan builds (same schema) listed the sessions
 * with no known server under their log set's internal key instead of null, one entry per log set: such an entry
 * is the unknown server, as a new run over the same logs gives. `|` is in no Windows host or folder name; a
 * server that a group of the same report names (a connector id `X|smtp-send\Name`) is a name and kept.
 */
function coverageServer(server: Coverage['servers'][number]['server'], named: ReadonlySet<string | null>): string | null {
  if (server === null || named.has(server)) return server;
  return ORIGIN_KEY.test(server) ? null : server;
}

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const orNull = (check: Check): Check => (v) => v === null || check(v);
const optional = (check: Check): Check => (v) => v === undefined || check(v);
const arrayOf = (check: Check): Check => (v) => Array.isArray(v) && v.every(check);
const countsOf = (check: Check): Check => (v) => isObject(v) && Object.values(v).every(check);
const shape =
  (fields: Record<string, Check>): Check =>
  (v) =>
    isObject(v) && Object.entries(fields).every(([k, check]) => check(own(v, k)));

const SAMPLE = shape({ source: isString, line: isNumber, sessionId: isString, category: isString, detail: orNull(isString), time: isString, text: isString, remoteHost: optional(isString) });
const CERTIFICATE = shape({ role: isString, subject: orNull(isString), issuer: orNull(isString), thumbprint: orNull(isString), notAfter: orNull(isString) });
const COUNTS = countsOf(isNumber);

const GROUP = shape({
  direction: (v) => v === 'receive' || v === 'send' || v === 'queue', server: orNull(isString), connector: isString, remoteHost: isString,
  remoteNames: arrayOf(isString), sessions: isNumber, messages: isNumber, authUsers: optional(arrayOf(isString)), certificates: optional(arrayOf(CERTIFICATE)),
  byCategory: COUNTS, details: countsOf(COUNTS), tlsVersions: COUNTS, firstSeen: orNull(isString), lastSeen: orNull(isString), samples: arrayOf(SAMPLE),
  findingSpans: optional(countsOf(shape({ first: isString, last: isString }))), folded: optional((v) => v === true),
  countedInQueue: optional((v) => v === true),
});

/** What {@link mergeReports} and the outputs read of a report, field by field; the rest is made again. */
const REPORT_FIELDS: Record<string, Check> = {
  generator: shape({ version: isString }),
  coverage: shape({ servers: arrayOf(shape({ server: orNull(isString), from: orNull(isString), to: orNull(isString) })) }),
  inputs: arrayOf(
    shape({
      source: isString, kind: isString, bytes: isNumber, lines: isNumber, records: isNumber, skipped: COUNTS,
      problems: arrayOf(shape({ line: isNumber, reason: isString, message: isString })),
      error: orNull(isString), ignored: optional(orNull(isString)), headerDate: optional(orNull(isString)), from: optional(orNull(isString)), to: optional(orNull(isString)),
    }),
  ),
  totals: shape({ sessions: isNumber, incompleteSessions: isNumber }),
  categories: arrayOf(
    shape({ id: isString, title: isString, explanation: isString, hint: isString, detailHints: optional(countsOf(isString)), severity: optional(isString), docs: optional(orNull(isString)) }),
  ),
  groups: arrayOf((v) => GROUP(v)),
  folded: optional(shape({ maxGroups: (v) => Number.isSafeInteger(v) && (v as number) >= 1, sessions: (v) => Number.isSafeInteger(v) && (v as number) >= 0 })),
  filters: optional(shape({ since: optional(isString), until: optional(isString), categories: optional(arrayOf(isString)), connector: optional(isString), host: optional(isString) })),
  timeline: optional(shape({ bucket: (v) => v === 'hour' || v === 'day', points: arrayOf(shape({ t: isString, sessions: optional(isNumber), byCategory: COUNTS })) })),
};

/**
 * Why `value` is not a report {@link mergeReports} can read, naming the first field that is missing or of the
 * wrong type, or null. A report file may be hand-edited, cut short or not logscan's at all: merging must refuse
 * it in words instead of failing on the first field it reads.
 */
export function reportShapeProblem(value: unknown): string | null {
  if (!isObject(value)) return 'not a JSON object';
  for (const [field, check] of Object.entries(REPORT_FIELDS)) {
    if (!check(own(value, field))) return `${field} is missing or not as logscan writes it`;
  }
  // Folded groups without the limit they were folded at: the merged report could not say it.
  if (own(value, 'folded') === undefined && (own(value, 'groups') as Array<Record<string, unknown>>).some((g) => own(g, 'folded') === true)) {
    return 'folded is missing, while groups are folded';
  }
  return null;
}
