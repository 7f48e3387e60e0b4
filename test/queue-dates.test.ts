import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseQueueDate, queueDateReadings } from '../src/read/queue/dates.js';

describe('parseQueueDate', () => {
  it.each<[string, string | null]>([
    // ISO as written
    ['2025-11-10T09:41:07', '2025-11-10T09:41:07'],
    ['2025-11-10 09:41:07', '2025-11-10T09:41:07'],
    ['2025-11-10T09:41:07.123Z', '2025-11-10T09:41:07.123Z'],
    // year first (ja-JP, zh-CN): one reading only
    ['2019/11/4 13:31:03', '2019-11-04T13:31:03'],
    ['2019/2/30 13:31:03', null],
    // long English form, weekday checked
    ['Friday, November 10, 2023 12:24:32 PM', '2023-11-10T12:24:32'],
    ['Friday, November 10, 2023 12:24:32 AM', '2023-11-10T00:24:32'],
    ['November 10, 2023 12:24:48 PM', '2023-11-10T12:24:48'],
    ['Thursday, November 10, 2023 12:24:32 PM', null],
    // numeric day/month: only when a swap is impossible or changes nothing
    ['11/13/2025 9:41:07 PM', '2025-11-13T21:41:07'],
    ['13/11/2025 14:03:05', '2025-11-13T14:03:05'],
    ['13.11.2025 14:03:05', '2025-11-13T14:03:05'],
    ['5/5/2025 8:00:00 AM', '2025-05-05T08:00:00'],
    ['11/10/2025 9:41:07 AM', null],
    ['05/11/2025 14:03:05', null],
    ['2/30/2025 1:00:00 PM', null],
    ['13/13/2025 10:00:00', null],
    // two-digit years are never read
    ['15-01-21 23:50:05', null],
    ['16-01-21 00:00:05', null],
    // not dates
    ['', null],
    ['yesterday', null],
    ['2024/10/1 \u4e0a\u5348 06:43:04', null],
  ])('%j → %j', (raw, iso) => {
    expect(parseQueueDate(raw)).toEqual({ raw, iso });
  });

  it('never returns a date that a day/month swap would change', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2000, max: 2030 }), (a, b, y) => {
        const { iso } = parseQueueDate(`${a}/${b}/${y} 10:00:00 AM`);
        return a === b ? iso !== null : iso === null;
      }),
    );
  });
});

describe('queueDateReadings', () => {
  it('gives the one reading of a certain date, both readings of an ambiguous one, none of an unreadable one', () => {
    expect(queueDateReadings('2025-11-10 09:44:12')).toEqual(['2025-11-10T09:44:12']);
    expect(queueDateReadings('25/11/2025 09:44:12')).toEqual(['2025-11-25T09:44:12']);
    expect(queueDateReadings('11/10/2025 9:44:12 AM')).toEqual(['2025-11-10T09:44:12', '2025-10-11T09:44:12']);
    expect(queueDateReadings('5/5/2025 9:44:12 PM')).toEqual(['2025-05-05T21:44:12']);
    expect(queueDateReadings('')).toEqual([]);
    expect(queueDateReadings('gestern')).toEqual([]);
  });
});

describe('--since / --until on queue exports', () => {
  it('drop an entry only when every reading of its date, in any zone, is outside the window', async () => {
    const { scan } = await import('../src/scan.js');
    const all = await scan(['samples/queue']);
    const count = async (filter: { since?: Date; until?: Date }) => (await scan(['samples/queue'], { filter })).totals.queueMessages;
    expect(all.totals.queueMessages).toBe(44);
    // The export's dates read 10 November or 11 October 2025; entries without a date always stay (3 messages).
    expect(await count({ since: new Date('2026-01-01T00:00:00Z') })).toBe(3);
    expect(await count({ since: new Date('2025-11-10T20:00:00Z') })).toBe(44);
    // 9:41:07 and 9:44:12 local on 10 November (27 and 14 messages) are 21:41:07 and 21:44:12 UTC at the latest,
    // written by a clock at UTC−12, the zone furthest behind UTC.
    expect(await count({ since: new Date('2025-11-10T21:41:07Z') })).toBe(27 + 14 + 3);
    expect(await count({ since: new Date('2025-11-10T21:41:08Z') })).toBe(14 + 3);
    expect(await count({ since: new Date('2025-11-10T21:44:12Z') })).toBe(14 + 3);
    expect(await count({ since: new Date('2025-11-10T21:44:13Z') })).toBe(3);
    expect(await count({ since: new Date('2025-11-10T23:00:00Z') })).toBe(3);
    // Read as 11 October, they are 19:41:07 and 19:44:12 UTC on 10 October at the earliest (a clock at UTC+14).
    expect(await count({ until: new Date('2025-10-10T19:41:06Z') })).toBe(3);
    expect(await count({ until: new Date('2025-10-10T19:41:07Z') })).toBe(27 + 3);
    expect(await count({ until: new Date('2025-10-10T19:44:12Z') })).toBe(44);
  });

  it('take a date written with its zone as that instant, and a date alone as its whole day', async () => {
    const { scan } = await import('../src/scan.js');
    const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'logscan-queue-dates-'));
    try {
      const csv = readFileSync('samples/queue/EX01-get-queue.csv', 'utf8');
      const count = async (lastRetry: string, filter: { since?: Date; until?: Date }) => {
        const path = join(dir, 'q.csv');
        writeFileSync(path, csv.replace('"11/10/2025 9:44:12 AM"', `"${lastRetry}"`));
        return (await scan([path], { filter })).totals.queueMessages;
      };
      // The 14 messages of the 9:44 queue move with its date; 27 + 3 others stay at 11/10 or no date.
      const since = { since: new Date('2025-11-10T20:00:00Z') };
      expect(await count('2020-01-01T09:41:07Z', since)).toBe(30);
      expect(await count('2025-11-10T21:00:00+01:00', since)).toBe(44);
      expect(await count('2025-11-10T20:30:00+01:00', since)).toBe(30);
      // 10 November as a whole day: from 10:00 UTC on 9 November (UTC+14) to 12:00 UTC on 11 November (UTC−12).
      expect(await count('2025-11-10', { since: new Date('2025-11-11T12:00:00Z') })).toBe(14 + 3);
      expect(await count('2025-11-10', { since: new Date('2025-11-11T12:00:01Z') })).toBe(3);
      expect(await count('2025-11-10', { until: new Date('2025-11-09T10:00:00Z') })).toBe(44);
      expect(await count('2025-11-10', { until: new Date('2025-11-09T09:59:59Z') })).toBe(30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
