// Logs joined into one stream (`cat … | logscan -`): two servers' logs one after the other go back in time, and
// a shell lists RECV…-10.LOG before RECV…-2.LOG. Sessions being read must not be taken for idle ones because an
// earlier log ran later; and logs out of time order are named as a problem, since a stream cannot be reordered.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';

const FIELDS = '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context';

function header(date: Date): string[] {
  return ['#Software: Microsoft Exchange Server', '#Version: 15.0.0.0', '#Log-type: SMTP Receive Protocol Log', `#Date: ${date.toISOString()}`, FIELDS];
}

/**
 * A receive log of `sessions` sessions from `start`, one row a second, 40 sessions open at once: each opens,
 * sends EHLO and MAIL, and closes. Session ids carry `server`, so two servers' sessions never share one.
 */
function receiveLog(server: string, start: Date, sessions: number): { lines: string[]; end: Date } {
  const lines = header(start);
  let t = start.getTime();
  const row = (id: string, seq: number, event: string, data: string) =>
    lines.push(`${new Date((t += 1000)).toISOString()},${server}\\Default Frontend ${server},${id},${seq},10.0.0.5:25,203.0.113.${seq + 1}:4100${seq},${event},${data},`);
  for (let wave = 0; wave < sessions / 40; wave++) {
    const ids = Array.from({ length: 40 }, (_, i) => `08DE${server}${String(wave * 40 + i).padStart(8, '0')}`);
    ids.forEach((id) => row(id, 0, '+', ''));
    ids.forEach((id) => row(id, 1, '<', 'EHLO partner.example'));
    ids.forEach((id) => row(id, 2, '<', 'MAIL FROM:<a@partner.example>'));
    ids.forEach((id) => row(id, 3, '-', ''));
  }
  return { lines, end: new Date(t) };
}

function stdin(lines: string[]): Readable {
  return Readable.from([Buffer.from(`${lines.join('\r\n')}\r\n`)]);
}

describe('logs joined into one stream', () => {
  it('two servers one after the other: the second server’s sessions are not cut as idle', async () => {
    // 2,400 sessions × 4 rows a server: sweeps for idle sessions run every 8,192 rows, so several run while the
    // second server's rows (an earlier time than the first server's last) are read.
    const start = new Date('2025-11-10T09:00:00Z');
    const ex01 = receiveLog('EX01', start, 2400);
    const ex02 = receiveLog('EX02', start, 2400);
    expect(ex01.end.getTime() - start.getTime()).toBeGreaterThan(2 * 3600_000);
    const report = await scan(['-'], { stdin: stdin([...ex01.lines, ...ex02.lines]) });
    expect(report.totals.sessions).toBe(4800);
    expect(report.totals.incompleteSessions).toBe(0);
    expect(report.inputs[0]!.problems.map((p) => p.reason)).toEqual(['out-of-order']);
    expect(report.inputs[0]!.problems[0]!.line).toBe(ex01.lines.length + 4);
    expect(report.inputs[0]!.problems[0]!.message).toContain('give logscan the folder or a pattern instead');
  });

  it('logs of one server in time order: no problem, and sessions silent for longer than --idle still end as idle', async () => {
    const a = receiveLog('EX01', new Date('2025-11-10T09:00:00Z'), 2400);
    const b = receiveLog('EX01', new Date('2025-11-10T12:00:00Z'), 2400);
    // One session left open at the end of the first log, silent for hours: the sweep in the second log ends it.
    const dangling = '2025-11-10T11:59:00.000Z,EX01\\Default Frontend EX01,08DEDANGLING0001,0,10.0.0.5:25,198.51.100.7:41000,+,,';
    // The ids of the second log repeat the first's: Exchange reuses them only after a restart, and so they are
    // separate sessions.
    const report = await scan(['-'], { stdin: stdin([...a.lines, dangling, ...b.lines]) });
    expect(report.inputs[0]!.problems).toEqual([]);
    expect(report.totals.sessions).toBe(4801);
    expect(report.totals.incompleteSessions).toBe(1);
  });
});
