/**
 * The error for option values logscan cannot use, and the checks the building blocks share with scan(). Apart
 * from options.ts (which knows the rules, and so the category ids), so the session and report stages can check
 * their own options without depending on the classify stage.
 */
import { inspect } from 'node:util';

/**
 * An option value scan() (or another entry point that takes the same options: `mergeReports`, `ReportBuilder`,
 * `SessionAssembler`, and the outputs' `formatReport`, `renderHtml`, `htmlChunks`) cannot use. A `TypeError`, so
 * `instanceof TypeError` catches it too.
 */
export class ScanOptionError extends TypeError {
  /** The option's path, as in `filter.categories` or `sessions.maxOpenSessions`. */
  readonly option: string;

  constructor(option: string, message: string, where = 'scan()') {
    super(`${where} option ${option}: ${message}`);
    this.name = 'ScanOptionError';
    this.option = option;
  }
}

/**
 * The building blocks check the options they share with scan() the same way: a whole number of at least `min`,
 * when given (`where` names the entry point in the message).
 */
export function checkCount(where: string, option: string, value: unknown, min: number): void {
  if (value != null && !(Number.isSafeInteger(value) && (value as number) >= min)) {
    throw new ScanOptionError(option, `needs to be a whole number >= ${min}, got ${show(value)}`, where);
  }
}

/** A whole number of at least 1, or Infinity (no limit), when given. */
export function checkLimit(where: string, option: string, value: unknown): void {
  if (value != null && value !== Infinity && !(Number.isSafeInteger(value) && (value as number) >= 1)) {
    throw new ScanOptionError(option, `needs to be a whole number >= 1 or Infinity, got ${show(value)}`, where);
  }
}

/**
 * A number of at least `min` (fractions and Infinity included), when given: what a renderer rounds down or takes
 * as "no limit". A width worked out by a caller (`columns * 0.8`) is a fraction, and was always taken.
 */
export function checkNumberAtLeast(where: string, option: string, value: unknown, min: number): void {
  if (value != null && !(typeof value === 'number' && value >= min)) {
    throw new ScanOptionError(option, `needs to be a number >= ${min}, got ${show(value)}`, where);
  }
}

/** A valid `Date`, when given: an invalid one failed later, in toISOString(), with a RangeError naming nothing. */
export function checkDate(where: string, option: string, value: unknown): void {
  if (value == null) return;
  if (!(value instanceof Date)) throw new ScanOptionError(option, `needs to be a Date, got ${show(value)}`, where);
  if (Number.isNaN(value.getTime())) throw new ScanOptionError(option, `needs to be a valid Date, got ${show(value)}`, where);
}

/** A value of this `typeof` (`'string'`, `'boolean'`), when given. */
export function checkType(where: string, option: string, value: unknown, type: 'string' | 'boolean'): void {
  if (value != null && typeof value !== type) throw new ScanOptionError(option, `needs to be a ${type}, got ${show(value)}`, where);
}

/** An options object, when given. */
export function checkOptionsObject(where: string, value: unknown): void {
  if (value != null && (typeof value !== 'object' || Array.isArray(value))) throw new ScanOptionError('options', `needs to be an object, got ${show(value)}`, where);
}

export function show(value: unknown): string {
  return inspect(value, { depth: 1, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 200 });
}
