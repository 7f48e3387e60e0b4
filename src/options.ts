/**
 * Checks of scan()'s options. Options come from the caller's code, not from the logs: a wrong one is a programmer
 * error and throws, while a bad input file never does. A wrong option used to pass silently (`legacy_tls` gave a
 * report with no findings that looked like clean logs; `maxOpenSessions: 0` split every session), or failed deep
 * inside with a message that named no option. The CLI checks its arguments first, in its own words, and matches
 * category ids with {@link matchCategories} as scan() does, so the two cannot disagree on which ids exist.
 */
import { defaultRules, QUEUE_ERROR_RULE, type Rule } from './classify/rules.js';
import { checkAtLeastZero, checkCount, checkLimit, ScanOptionError, show } from './option-error.js';
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
  if (options.rules != null && !Array.isArray(options.rules)) fail('rules', options.rules, 'needs to be an array of rules');
  count('samples', options.samples, 0);
  checkLimit('scan()', 'maxGroups', options.maxGroups);
  if (options.jobs != null && options.jobs !== 'auto' && !(Number.isSafeInteger(options.jobs) && options.jobs >= 1)) {
    fail('jobs', options.jobs, "needs to be a whole number >= 1 or 'auto'");
  }
  atLeastZero('collectEvery', options.collectEvery);
  return { ...options, sessions: checkSessions(options.sessions), filter: checkFilter(options.filter, options.rules ?? defaultRules) };
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

function fail(option: string, value: unknown, needs: string): never {
  throw new ScanOptionError(option, `${needs}, got ${show(value)}`);
}

function count(option: string, value: unknown, min: number): void {
  checkCount('scan()', option, value, min);
}

function atLeastZero(option: string, value: unknown): void {
  checkAtLeastZero('scan()', option, value);
}

function date(option: string, value: unknown): void {
  if (value == null) return;
  if (!(value instanceof Date)) fail(option, value, 'needs to be a Date');
  if (Number.isNaN(value.getTime())) fail(option, value, 'needs to be a valid Date');
}

function text(option: string, value: unknown): void {
  if (value != null && typeof value !== 'string') fail(option, value, 'needs to be a string');
}
