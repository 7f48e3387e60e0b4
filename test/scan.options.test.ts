// scan()'s options are the caller's code: a wrong one throws a TypeError that names it, where it used to pass
// silently (an unknown category gave a report with no findings that looked like clean logs). Bad input files
// still never throw.
import { describe, expect, it } from 'vitest';
import { defaultRules, mergeReports, QUEUE_ERROR_RULE, ReportBuilder, scan, ScanOptionError, SessionAssembler, type ReportOptions, type Rule, type ScanOptions } from '../src/index.js';

const SAMPLES = 'samples';
const KNOWN = [...defaultRules, QUEUE_ERROR_RULE].map((r) => r.id);

/** What scan() rejects with for these options (fails the test when it resolves). */
async function refusal(options: ScanOptions): Promise<ScanOptionError> {
  const error = await scan(SAMPLES, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, JSON.stringify(options)).toBeInstanceOf(ScanOptionError);
  expect(error).toBeInstanceOf(TypeError);
  return error as ScanOptionError;
}

describe('scan() category ids', () => {
  it('refuses an unknown id, naming the option, the id and the ids the rules in use report', async () => {
    for (const categories of [['legacy_tls'], ['legacy-tls', 'tls-failed'], ['any']]) {
      const e = await refusal({ filter: { categories } });
      expect(e.option).toBe('filter.categories');
      expect(e.message).toContain('filter.categories');
      expect(e.message).toContain(`'${categories.at(-1)}'`);
      for (const id of KNOWN) expect(e.message).toContain(id);
    }
  });

  it('matches ids in any case, as the CLI does, also in worker threads', async () => {
    const lower = await scan(SAMPLES, { filter: { categories: ['legacy-tls'] } });
    expect(lower.totals.byCategory['legacy-tls']).toBeGreaterThan(0);
    const categories = ['LEGACY-TLS', 'Legacy-Tls'];
    for (const jobs of [1, 3]) {
      const upper = await scan(SAMPLES, { jobs, filter: { categories } });
      expect(upper.totals, `jobs ${jobs}`).toEqual(lower.totals);
      expect(upper.groups, `jobs ${jobs}`).toEqual(lower.groups);
    }
    // The caller's options are left as they were.
    expect(categories).toEqual(['LEGACY-TLS', 'Legacy-Tls']);
  });

  it('knows the ids of the rules in use, and queue-error', async () => {
    const mine: Rule = { id: 'Has-TLS', title: 'Has TLS', explanation: 'TLS was negotiated', hint: '-', matchSession: (s) => (s.tls ? { detail: null, evidence: [] } : null) };
    const report = await scan(SAMPLES, { rules: [...defaultRules, mine], filter: { categories: ['has-tls', 'QUEUE-ERROR'] } });
    expect(report.totals.byCategory['Has-TLS']).toBeGreaterThan(0);
    const e = await refusal({ rules: [mine], filter: { categories: ['legacy-tls'] } });
    expect(e.message).toContain('Has-TLS, queue-error');
  });

  it('takes an empty list as no category filter, as before', async () => {
    const all = await scan(SAMPLES);
    expect((await scan(SAMPLES, { filter: { categories: [] } })).totals).toEqual(all.totals);
  });
});

describe('scan() option values', () => {
  const bad: Array<[string, ScanOptions]> = [
    ['filter.since', { filter: { since: new Date('garbage') } }],
    ['filter.until', { filter: { until: new Date(NaN) } }],
    ['filter.since', { filter: { since: '2025-11-10' as unknown as Date } }],
    ['filter.categories', { filter: { categories: 'legacy-tls' as unknown as string[] } }],
    ['filter.host', { filter: { host: 10 as unknown as string } }],
    ['samples', { samples: -1 }],
    ['samples', { samples: 1.5 }],
    ['samples', { samples: NaN }],
    ['sessions.maxOpenSessions', { sessions: { maxOpenSessions: 0 } }],
    ['sessions.maxOpenSessions', { sessions: { maxOpenSessions: 2.5 } }],
    ['sessions.idleTimeoutMs', { sessions: { idleTimeoutMs: -5 } }],
    ['sessions.idleTimeoutMs', { sessions: { idleTimeoutMs: NaN } }],
    ['sessions.keepRows', { sessions: { keepRows: 'All' as 'all' } }],
    ['jobs', { jobs: 0 }],
    ['jobs', { jobs: -3 }],
    ['jobs', { jobs: NaN }],
    ['jobs', { jobs: 1.5 }],
    ['collectEvery', { collectEvery: -1 }],
  ];
  it.each(bad)('refuses a bad %s, naming it and the value', async (option, options) => {
    const e = await refusal(options);
    expect(e.option).toBe(option);
    expect(e.message).toContain(option);
    expect(e.message).toMatch(/got /);
  });

  it('names the value given', async () => {
    expect((await refusal({ filter: { since: new Date('garbage') } })).message).toContain('got Invalid Date');
    expect((await refusal({ samples: -1 })).message).toContain('got -1');
    expect((await refusal({ jobs: NaN })).message).toContain('got NaN');
  });

  it('takes the edge values that work: samples 0, one open session, idle 0, and options not given (undefined or null)', async () => {
    const report = await scan(SAMPLES, { samples: 0, sessions: { maxOpenSessions: 1, idleTimeoutMs: 0 }, jobs: 1 });
    expect(report.totals.sessions).toBeGreaterThan(0);
    const loose = { samples: undefined, filter: { since: null, categories: null }, sessions: { maxOpenSessions: null } } as unknown as ScanOptions;
    expect((await scan(SAMPLES, loose)).totals).toEqual((await scan(SAMPLES)).totals);
  });

  it('takes null nested option objects as not given: filter, sessions (they threw reading a field of null)', async () => {
    const all = await scan(SAMPLES);
    for (const jobs of [1, 3]) {
      const loose = { jobs, filter: null, sessions: null } as unknown as ScanOptions;
      const report = await scan(SAMPLES, loose);
      expect(report.totals, `jobs ${jobs}`).toEqual(all.totals);
      expect(report.filters, `jobs ${jobs}`).toBeUndefined();
    }
    const fields = { sessions: { maxOpenSessions: null, idleTimeoutMs: null, keepRows: null } } as unknown as ScanOptions;
    expect((await scan(SAMPLES, fields)).totals).toEqual(all.totals);
  });

  it('still never throws for bad inputs', async () => {
    const report = await scan(['does-not-exist.LOG', SAMPLES], { filter: { categories: ['SOCKET-ERROR'] } });
    expect(report.inputs.find((i) => i.source === 'does-not-exist.LOG')?.error).toMatch(/no such file/);
  });
});

describe('scan() callbacks and rules are checked before anything is read', () => {
  const mine: Rule = { id: 'mine', title: 'Mine', explanation: 'e', hint: 'h', matchSession: () => null };
  const bad: Array<[string, unknown, RegExp]> = [
    ['onSession', { onSession: 5 }, /needs to be a function, got 5/],
    ['onProgress', { onProgress: 'x' }, /needs to be a function, got 'x'/],
    ['thisServer', { thisServer: 'EX01' }, /needs to be an object \{ name: string, installPath: string \}, got 'EX01'/],
    ['thisServer.name', { thisServer: { installPath: 'C:\\Exchange' } }, /non-empty string, got undefined/],
    ['thisServer.installPath', { thisServer: { name: 'EX01', installPath: 5 } }, /needs to be a string, got 5/],
    ['stdin', { stdin: 'text' }, /readable stream or an async iterable/],
    ['rules', { rules: 'legacy-tls' }, /needs to be an array of rules/],
    ['rules[0]', { rules: [null] }, /needs to be a rule object, got null/],
    ['rules[1]', { rules: [mine, 'x'] }, /needs to be a rule object, got 'x'/],
    ['rules[0].id', { rules: [{ ...mine, id: undefined }] }, /non-empty string, got undefined/],
    ['rules[0].id', { rules: [{ ...mine, id: '' }] }, /non-empty string, got ''/],
    ['rules[0].title', { rules: [{ ...mine, title: 5 }] }, /needs to be a string, got 5/],
    ['rules[0].explanation', { rules: [{ ...mine, explanation: undefined }] }, /needs to be a string/],
    ['rules[0].hint', { rules: [{ ...mine, hint: null }] }, /needs to be a string, got null/],
    ['rules[0].docs', { rules: [{ ...mine, docs: 1 }] }, /needs to be a string, got 1/],
    ['rules[0].severity', { rules: [{ ...mine, severity: 'fatal' }] }, /needs to be 'failure' or 'warning', got 'fatal'/],
    ['rules[0].detailHints', { rules: [{ ...mine, detailHints: { X: 1 } }] }, /object of hint strings/],
    ['rules[0].detailHints', { rules: [{ ...mine, detailHints: ['x'] }] }, /object of hint strings/],
    ['rules[0].unless', { rules: [{ ...mine, unless: 'legacy-tls' }] }, /array of category ids/],
    ['rules[0].matchSession', { rules: [{ ...mine, matchSession: true }] }, /needs to be a function, got true/],
    ['rules[0].matchText', { rules: [{ ...mine, matchText: /x/ }] }, /needs to be a function/],
    ['rules[0]', { rules: [{ id: 'x', title: 't', explanation: 'e', hint: 'h', matchSesion: () => null }] }, /needs matchSession or matchText/],
    ['rules[7].id', { rules: [...defaultRules, defaultRules[0]] }, /'tls-negotiation-failed' is the id of rules\[0\] too/],
    ['rules[1].id', { rules: [mine, { ...mine, id: 'MINE' }] }, /'MINE' is the id of rules\[0\] too \(ids are categories, matched in any case\)/],
    ['rules[7].id', { rules: [...defaultRules, { ...mine, id: 'queue-error' }] }, /'queue-error' is the category scan\(\) gives queue entries no rule matches/],
    ['rules[0].id', { rules: [{ ...QUEUE_ERROR_RULE, matchText: () => undefined }] }, /'queue-error' is the category/],
  ];
  it.each(bad)('refuses a bad %s, naming it and the value, without reading an input', async (option, options, message) => {
    let read = false;
    const stdin = (async function* () {
      read = true;
      yield Buffer.from('');
    })();
    const given = { stdin, ...(options as object) } as ScanOptions;
    const e = await refusal(given);
    expect(e.option).toBe(option);
    expect(e.message).toContain(`scan() option ${option}: `);
    expect(e.message).toMatch(message);
    // Refused up front: `onSession: 5` used to throw from inside the read, at the first session.
    const thrown = await scan('-', given).then(() => null, (x: unknown) => x);
    expect(thrown).toBeInstanceOf(ScanOptionError);
    expect(read).toBe(false);
  });

  it('takes good callbacks, rules and thisServer, and null as not given', async () => {
    const all = await scan(SAMPLES);
    const loose = { onSession: null, onProgress: null, thisServer: null, stdin: null, rules: null } as unknown as ScanOptions;
    expect((await scan(SAMPLES, loose)).totals).toEqual(all.totals);
    const rule: Rule = { ...mine, docs: undefined, severity: 'warning', detailHints: { a: 'b' }, unless: ['legacy-tls'], matchText: () => undefined };
    let sessions = 0;
    const report = await scan(SAMPLES, { rules: [...defaultRules, rule], onSession: () => sessions++, onProgress: () => {}, thisServer: { name: 'EX01', installPath: '' } });
    expect(sessions).toBe(all.totals.sessions);
    expect(report.categories.map((c) => c.id)).toEqual([...KNOWN.slice(0, -1), 'mine', 'queue-error']);
  });
});

describe('the building blocks check the options they share with scan()', () => {
  it('refuse bad counts instead of clamping them (maxOpenSessions 0 used to split every session)', () => {
    const info = { origin: 'o', direction: 'receive' as const, serverHint: null };
    for (const options of [{ maxOpenSessions: 0 }, { maxOpenSessions: 1.5 }, { idleTimeoutMs: -1 }, { idleTimeoutMs: Number.NaN }]) {
      expect(() => new SessionAssembler(info, options), JSON.stringify(options)).toThrow(ScanOptionError);
    }
    expect(() => new SessionAssembler(info, { maxOpenSessions: 0 })).toThrow('SessionAssembler option maxOpenSessions: needs to be a whole number >= 1, got 0');
    expect(() => new SessionAssembler(info, { maxOpenSessions: 1, idleTimeoutMs: Infinity })).not.toThrow();
    expect(() => new ReportBuilder({ samples: -1, categories: [], version: 'x' })).toThrow('ReportBuilder option samples: needs to be a whole number >= 0, got -1');
    expect(() => mergeReports([], { samples: Number.NaN })).toThrow('mergeReports() option samples');
    expect(mergeReports([], { samples: 0 }).groups).toEqual([]);
  });

  it('take null options as not given, as scan() does (they threw reading a field of null, or wrote filters: null)', () => {
    const info = { origin: 'o', direction: 'receive' as const, serverHint: null };
    expect(() => new SessionAssembler(info, null as unknown as undefined).end()).not.toThrow();
    expect(() => new SessionAssembler(info, { maxOpenSessions: null, idleTimeoutMs: null } as unknown as undefined)).not.toThrow();
    expect(mergeReports([], null as unknown as undefined).groups).toEqual([]);
    const built = new ReportBuilder({ categories: [], version: 'x', samples: null, maxGroups: null, filters: null } as unknown as ReportOptions).build();
    expect(built.filters).toBeUndefined();
  });
});
