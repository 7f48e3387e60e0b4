/**
 * Checks of scan()'s options. Options come from the caller's code, not from the logs: a wrong one is a programmer
 * error and throws, while a bad input file never does. A wrong option used to pass silently (`legacy_tls` gave a
 * report with no findings that looked like clean logs; `maxOpenSessions: 0` split every session), or failed deep
 * inside with a message that named no option. The CLI checks its arguments first, in its own words, and matches
 * category ids with {@link matchCategories} as scan() does, so the two cannot disagree on which ids exist.
 */
import { defaultRules, QUEUE_ERROR_RULE, type Rule } from './classify/rules.js';
import { checkCount, checkDate, checkLimit, checkNumberAtLeast, ScanOptionError, show } from './option-error.js';
import type { ScanFilter, ScanOptions } from './scan.js';
import type { SessionOptions } from './sessions/builder.js';

export { ScanOptionError };

/** The category ids that `rules` (and the queue-error rule, which scan() always adds) report, in rule order. */
export function knownCategories(rules: readonly Rule[]): string[] {
  return [...new Set([...rules, QUEUE_ERROR_RULE].map((r) => r.id))];
}

/**
 * Category ids given in any case, as the known ids they name (`LEGACY-TLS` → `legacy-tls`), each once; the ones
 * that name no known id are returned apart. An exact match wins over a match in another case.
 */
export function matchCategories(given: readonly string[], known: readonly string[]): { ids: string[]; unknown: string[] } {
  const byLower = new Map<string, string>();
  for (const id of known) if (!byLower.has(id.toLowerCase())) byLower.set(id.toLowerCase(), id);
  const ids = new Set<string>();
  const unknown: string[] = [];
  for (const id of given) {
    const match = known.includes(id) ? id : byLower.get(id.toLowerCase());
    if (match === undefined) unknown.push(id);
    else ids.add(match);
  }
  return { ids: [...ids], unknown };
}

/**
 * Checks scan()'s options and returns them ready for use (the object given is not changed): category ids made the
 * ids of the rules in use, and the options that are not given left out. Throws a {@link ScanOptionError} that
 * names the option, the value and what it takes. An option that is `undefined` or `null` is not given, at any
 * depth (`filter: null`, `filter: { host: null }`), and so is a `connector` or `host` of `''`, which every name
 * contains. Left in, such a filter was written into the report (`filters: { host: '' }`), and merge refused to add
 * that report to one made without it, though both counted the same sessions.
 */
export function checkScanOptions(options: ScanOptions): ScanOptions {
  if (typeof options !== 'object' || options === null) fail('options', options, 'needs to be an object');
  if (options.rules != null) checkRules(options.rules);
  callback('onSession', options.onSession);
  callback('onProgress', options.onProgress);
  checkThisServer(options.thisServer);
  if (options.stdin != null && typeof (options.stdin as Partial<AsyncIterable<Buffer>>)[Symbol.asyncIterator] !== 'function') {
    fail('stdin', options.stdin, 'needs to be a readable stream or an async iterable of Buffers');
  }
  count('samples', options.samples, 0);
  checkLimit('scan()', 'maxGroups', options.maxGroups);
  if (options.jobs != null && options.jobs !== 'auto' && !(Number.isSafeInteger(options.jobs) && options.jobs >= 1)) {
    fail('jobs', options.jobs, "needs to be a whole number >= 1 or 'auto'");
  }
  atLeastZero('collectEvery', options.collectEvery);
  const checked: ScanOptions = { ...options, sessions: checkSessions(options.sessions), filter: checkFilter(options.filter, options.rules ?? defaultRules) };
  // Not given from here on is undefined only: `onSession: null` would otherwise count as a callback (one thread).
  for (const key of Object.keys(checked) as (keyof ScanOptions)[]) if (checked[key] == null) delete checked[key];
  return checked;
}

/** `sessions`, checked, with only the fields given; undefined when none is. */
function checkSessions(sessions: SessionOptions | null | undefined): SessionOptions | undefined {
  if (sessions == null) return undefined;
  if (typeof sessions !== 'object') fail('sessions', sessions, 'needs to be an object');
  count('sessions.maxOpenSessions', sessions.maxOpenSessions, 1);
  atLeastZero('sessions.idleTimeoutMs', sessions.idleTimeoutMs);
  if (sessions.keepRows != null && sessions.keepRows !== 'evidence' && sessions.keepRows !== 'all') {
    fail('sessions.keepRows', sessions.keepRows, "needs to be 'evidence' or 'all'");
  }
  const out: SessionOptions = {};
  if (sessions.maxOpenSessions != null) out.maxOpenSessions = sessions.maxOpenSessions;
  if (sessions.idleTimeoutMs != null) out.idleTimeoutMs = sessions.idleTimeoutMs;
  if (sessions.keepRows != null) out.keepRows = sessions.keepRows;
  return out;
}

/** `filter`, checked, with only the filters given (category ids as the rules' own); undefined when none is. */
function checkFilter(filter: ScanFilter | null | undefined, rules: readonly Rule[]): ScanFilter | undefined {
  if (filter == null) return undefined;
  if (typeof filter !== 'object') fail('filter', filter, 'needs to be an object');
  date('filter.since', filter.since);
  date('filter.until', filter.until);
  text('filter.connector', filter.connector);
  text('filter.host', filter.host);
  const out: ScanFilter = {};
  if (filter.since != null) out.since = filter.since;
  if (filter.until != null) out.until = filter.until;
  if (filter.connector != null && filter.connector !== '') out.connector = filter.connector;
  if (filter.host != null && filter.host !== '') out.host = filter.host;
  const categories = filter.categories;
  if (categories == null) return out;
  if (!Array.isArray(categories) || !categories.every((c) => typeof c === 'string')) {
    fail('filter.categories', categories, 'needs to be an array of category ids');
  }
  const known = knownCategories(rules);
  const { ids, unknown } = matchCategories(categories, known);
  if (unknown.length > 0) {
    throw new ScanOptionError(
      'filter.categories',
      `unknown category ${unknown.map(show).join(', ')}: the rules in use report ${known.join(', ')} (in any case)`,
    );
  }
  out.categories = ids;
  return out;
}

/**
 * The rules, checked as a whole before any log is read: a rule's functions are called only when a session or a
 * queue text reaches them, so a wrong one failed mid-read with an error that named no rule, or never ran at all
 * (a misspelt `matchSesion`), or went into the report as given (`severity: 'fatal'`, which the schema refuses).
 */
function checkRules(rules: unknown): void {
  if (!Array.isArray(rules)) fail('rules', rules, 'needs to be an array of rules');
  // Category ids match in any case (filter.categories, --category), so two ids that differ only in case are one id.
  const seen = new Map<string, number>([[QUEUE_ERROR_RULE.id, -1]]);
  rules.forEach((rule: unknown, i) => {
    const at = `rules[${i}]`;
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) fail(at, rule, 'needs to be a rule object');
    const r = rule as Record<keyof Rule, unknown>;
    if (typeof r.id !== 'string' || r.id === '') fail(`${at}.id`, r.id, 'needs to be a non-empty string');
    const first = seen.get(r.id.toLowerCase());
    if (first === -1) {
      // scan() gives queue entries that no rule matches this category itself: a rule of that id would be a second
      // category of the same id, in the report and in the filters.
      throw new ScanOptionError(`${at}.id`, `${show(r.id)} is the category scan() gives queue entries no rule matches (QUEUE_ERROR_RULE); give your rule another id`);
    }
    if (first !== undefined) throw new ScanOptionError(`${at}.id`, `${show(r.id)} is the id of rules[${first}] too (ids are categories, matched in any case)`);
    seen.set(r.id.toLowerCase(), i);
    for (const field of ['title', 'explanation', 'hint'] as const) {
      if (typeof r[field] !== 'string') fail(`${at}.${field}`, r[field], 'needs to be a string');
    }
    text(`${at}.docs`, r.docs);
    if (r.severity != null && r.severity !== 'failure' && r.severity !== 'warning') fail(`${at}.severity`, r.severity, "needs to be 'failure' or 'warning'");
    const hints = r.detailHints;
    if (hints != null && (typeof hints !== 'object' || Array.isArray(hints) || !Object.values(hints).every((h) => typeof h === 'string'))) {
      fail(`${at}.detailHints`, hints, 'needs to be an object of hint strings by detail');
    }
    if (r.unless != null && !(Array.isArray(r.unless) && r.unless.every((u) => typeof u === 'string'))) fail(`${at}.unless`, r.unless, 'needs to be an array of category ids');
    callback(`${at}.matchSession`, r.matchSession);
    callback(`${at}.matchText`, r.matchText);
    if (r.matchSession == null && r.matchText == null) {
      throw new ScanOptionError(at, `rule ${show(r.id)} needs matchSession or matchText (a function): without either it never matches`);
    }
  });
}

/** `thisServer`, when given: `{ name, installPath }`, both strings, the name not empty (logs are credited to it). */
function checkThisServer(value: unknown): void {
  if (value == null) return;
  if (typeof value !== 'object') fail('thisServer', value, 'needs to be an object { name: string, installPath: string }');
  const { name, installPath } = value as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') fail('thisServer.name', name, 'needs to be a non-empty string');
  if (typeof installPath !== 'string') fail('thisServer.installPath', installPath, 'needs to be a string');
}

function callback(option: string, value: unknown): void {
  if (value != null && typeof value !== 'function') fail(option, value, 'needs to be a function');
}

function fail(option: string, value: unknown, needs: string): never {
  throw new ScanOptionError(option, `${needs}, got ${show(value)}`);
}

function count(option: string, value: unknown, min: number): void {
  checkCount('scan()', option, value, min);
}

function atLeastZero(option: string, value: unknown): void {
  checkNumberAtLeast('scan()', option, value, 0);
}

function date(option: string, value: unknown): void {
  checkDate('scan()', option, value);
}

function text(option: string, value: unknown): void {
  if (value != null && typeof value !== 'string') fail(option, value, 'needs to be a string');
}
