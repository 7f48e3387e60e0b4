// `jobs: 'auto'` (the CLI's default) starts threads by the size of the logs: a thread costs start-up and its own
// compilation, which small inputs never win back (docs/performance.md), while large ones gain from every core.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const jobsStarted: number[] = [];
vi.mock('../src/workers.js', async (original) => {
  const real = await original<typeof import('../src/workers.js')>();
  return {
    ...real,
    // Records the threads scan() asks for; reads nothing, so the sparse logs below are never read.
    runInWorkers: (_origins: unknown, jobs: number) => {
      jobsStarted.push(jobs);
      return Promise.resolve([]);
    },
  };
});

const { AUTO_BYTES_PER_THREAD, autoJobs, logBytes, scan } = await import('../src/scan.js');
const { ScanOptionError } = await import('../src/index.js');

describe('autoJobs', () => {
  it('gives one thread per AUTO_BYTES_PER_THREAD of logs, at least one and at most one per core', () => {
    const unit = AUTO_BYTES_PER_THREAD;
    expect(autoJobs(0, 8)).toBe(1);
    expect(autoJobs(unit - 1, 8)).toBe(1);
    expect(autoJobs(2 * unit - 1, 8)).toBe(1);
    expect(autoJobs(2 * unit, 8)).toBe(2);
    expect(autoJobs(5 * unit, 8)).toBe(5);
    expect(autoJobs(100 * unit, 8)).toBe(8);
    expect(autoJobs(100 * unit, 1)).toBe(1);
  });

  it('counts a .gz file by the log it holds, not by its compressed size', () => {
    expect(logBytes(1000, false)).toBe(1000);
    // By its trailer; an estimate where the trailer cannot be right (modulo 4 GiB) or was not read.
    expect(logBytes(1000, true, 9000)).toBe(9000);
    expect(logBytes(1000, true, 995)).toBe(995);
    expect(logBytes(1000, true, 10)).toBe(8000);
    expect(logBytes(1000, true)).toBe(8000);
    // 100 MiB of .gz logs is about 800 MiB of log: worth three threads.
    expect(autoJobs(logBytes(100 * 2 ** 20, true), 8)).toBe(3);
  });
});

describe("scan() with jobs: 'auto'", () => {
  let dir: string;
  const HEAD = '#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Receive Protocol Log\r\n#Date: 2025-11-10T00:00:00.000Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n';

  /** A receive log of `size` bytes on disk that is a header and a hole: sized like a day's logs, read by no test. */
  function sparseLog(path: string, size: number): void {
    const fd = openSync(path, 'w');
    try {
      // Each its own log (its path in a comment): copies of one log would be read once.
      writeSync(fd, `${HEAD}#${path}\r\n`);
      ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'logscan-auto-'));
    for (const server of ['EX01', 'EX02']) {
      const folder = join(dir, server, 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
      mkdirSync(folder, { recursive: true });
      sparseLog(join(folder, 'RECV2025111000-1.LOG'), AUTO_BYTES_PER_THREAD);
      sparseLog(join(folder, 'RECV2025111000-2.LOG'), AUTO_BYTES_PER_THREAD / 2);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts threads for large log sets, by their size on disk, one per log set at most', async () => {
    jobsStarted.length = 0;
    await scan(dir, { jobs: 'auto' });
    // 3 units of logs in two log sets: two threads where there are two cores.
    const expected = Math.min(availableParallelism(), 2);
    if (expected > 1) expect(jobsStarted).toEqual([expected]);
    else expect(jobsStarted).toEqual([]);
  });

  it('counts a .gz log set by the log it holds', async () => {
    const gz = mkdtempSync(join(tmpdir(), 'logscan-auto-gz-'));
    try {
      const plain = join(gz, 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
      const packed = join(gz, 'EX02', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
      mkdirSync(plain, { recursive: true });
      mkdirSync(packed, { recursive: true });
      sparseLog(join(plain, 'RECV2025111000-1.LOG'), AUTO_BYTES_PER_THREAD);
      // 300 MiB of log in well under 1 MiB on disk: read as its size, the two sets would be one unit and one thread.
      const body = Buffer.concat([Buffer.from(HEAD), Buffer.alloc(300 * 2 ** 20, 0x0a)]);
      writeFileSync(join(packed, 'RECV2025111000-1.LOG.gz'), gzipSync(body, { level: 1 }));
      jobsStarted.length = 0;
      await scan(gz, { jobs: 'auto' });
      const expected = Math.min(availableParallelism(), 2);
      expect(jobsStarted).toEqual(expected > 1 ? [expected] : []);
    } finally {
      rmSync(gz, { recursive: true, force: true });
    }
  });

  it('reads small inputs on the calling thread alone, with the report of jobs: 1', async () => {
    jobsStarted.length = 0;
    const auto = await scan('samples', { jobs: 'auto' });
    expect(jobsStarted).toEqual([]);
    expect(auto.groups).toEqual((await scan('samples', { jobs: 1 })).groups);
  });

  it('takes no other word', async () => {
    const e = await scan('samples', { jobs: 'all' as never }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ScanOptionError);
    expect((e as Error).message).toContain("'auto'");
  });
});
