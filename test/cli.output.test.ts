/** `--output`: what it refuses before reading, and what it leaves behind when the write cannot finish. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, cpSync, existsSync, linkSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, requireBuiltCli, runCli } from './helpers/cli.js';
import { writeReportFile } from '../src/cli.js';

let dir: string;
const RECV = join(process.cwd(), 'samples', 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'logscan-output-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder with copies of EX01's receive logs; their names, sorted. */
function logFolder(name: string): string[] {
  const to = join(dir, name);
  cpSync(RECV, to, { recursive: true });
  return readdirSync(to).sort();
}


/** What bin.ts keeps for SIGINT/SIGTERM, as writeReportFile sees it: the cleanups registered, and how to register one. */
function interruptRegistry(): { registered: Set<() => void>; onInterrupt: (cleanup: () => void) => () => boolean } {
  const registered = new Set<() => void>();
  return {
    registered,
    onInterrupt: (cleanup) => {
      registered.add(cleanup);
      return () => registered.delete(cleanup);
    },
  };
}

describe('--output that is an input', () => {
  it('is refused before reading when the shell made a log the output (-o *.LOG), and the log is left alone', async () => {
    const logs = logFolder('glob');
    expect(logs.length).toBeGreaterThanOrEqual(2);
    const before = readFileSync(join(dir, 'glob', logs[0]!));
    // What `logscan -f json -o *.LOG` becomes in that folder.
    const r = await runCli(['-f', 'json', '-o', ...logs], join(dir, 'glob'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`the output ${logs[0]} is an existing smtp-receive file, an input logscan reads`);
    expect(readFileSync(join(dir, 'glob', logs[0]!))).toEqual(before);
  });

  it('finds the same file under another spelling, a symbolic link or a hard link', async () => {
    const logs = logFolder('spell');
    const log = join(dir, 'spell', logs[0]!);
    symlinkSync(log, join(dir, 'spell-link.LOG'));
    linkSync(log, join(dir, 'spell-hard.LOG'));
    const before = readFileSync(log);
    for (const [output, input] of [
      [`./spell/../spell/${logs[0]}`, log],
      [join(dir, 'spell-link.LOG'), log],
      [log, join(dir, 'spell-hard.LOG')],
    ]) {
      const r = await runCli(['-f', 'json', '-o', output!, input!], dir);
      expect(r.code, output).toBe(2);
      expect(r.stderr, output).toMatch(/is the input/);
    }
    expect(readFileSync(log)).toEqual(before);
  });

  it('is refused when a pattern or a folder would read the file as a log, or it is gzip; a report in the log folder is still allowed', async () => {
    const logs = logFolder('pattern');
    const log = join(dir, 'pattern', logs[1]!);
    writeFileSync(join(dir, 'pattern', 'old.LOG.gz'), gzipSync(readFileSync(log)));
    const before = readFileSync(log);
    for (const [output, input] of [[log, join(dir, 'pattern', '*.LOG')], [log, join(dir, 'pattern')], [join(dir, 'pattern', 'old.LOG.gz'), join(dir, 'pattern')]]) {
      const r = await runCli(['-f', 'json', '-o', output!, input!], dir);
      expect(r.code, input).toBe(2);
      expect(r.stdout, input).toBe('');
      expect(r.stderr, input).toMatch(/is an existing (smtp-receive|gzip) file, an input logscan reads/);
      expect(readFileSync(log)).toEqual(before);
    }
    // Twice: the second run finds the first one's report in the folder (passed over, not a log) and replaces it.
    const report = join(dir, 'pattern', 'report.json');
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['-f', 'json', '-o', report, join(dir, 'pattern')], dir);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(JSON.parse(readFileSync(report, 'utf8')).schema).toBe('logscan.report/1');
  });

  it('merge refuses to write over one of its reports', async () => {
    const a = join(dir, 'merge-a.json');
    expect((await runCli(['-f', 'json', '-o', a, RECV], dir)).code).toBe(0);
    const before = readFileSync(a);
    const r = await runCli(['merge', '-f', 'json', '-o', a, a], dir);
    expect(r.code).toBe(2);
    expect(readFileSync(a)).toEqual(before);
    expect(existsSync(a)).toBe(true);
  });
});

describe('--output written to a temporary file that replaces the target when complete', () => {
  /** Pieces that run `midway` after the first one: the point where the disk fills or a signal comes. */
  function* pieces(midway: () => void): Generator<string> {
    yield 'new report, part one\n';
    midway();
    yield 'part two\n';
  }
  const leftovers = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.tmp'));

  it('keeps the old report and leaves no temporary file when the write fails (a full disk)', async () => {
    const folder = mkdtempSync(join(dir, 'fail-'));
    const target = join(folder, 'report.json');
    writeFileSync(target, 'old report');
    const failure = await writeReportFile(target, pieces(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    }));
    expect(failure).toBe('ENOSPC: no space left on device, write');
    expect(readFileSync(target, 'utf8')).toBe('old report');
    expect(leftovers(folder)).toEqual([]);
  });

  it.runIf(process.platform !== 'win32')('handles a signal that came during the last piece before it puts the new report in place', async () => {
    const folder = mkdtempSync(join(dir, 'late-signal-'));
    const target = join(folder, 'report.json');
    writeFileSync(target, 'old report');
    const { registered, onInterrupt } = interruptRegistry();
    // What bin.ts does on SIGINT/SIGTERM (here SIGUSR2, which the test process can take): the cleanups, and what
    // the target held when the handler ran. The process lives on, so the rename then finds no temporary file.
    let atSignal: string | null = null;
    const handler = () => {
      atSignal = readFileSync(target, 'utf8');
      for (const cleanup of registered) cleanup();
    };
    process.once('SIGUSR2', handler);
    try {
      const failure = await writeReportFile(target, pieces(() => process.kill(process.pid, 'SIGUSR2')), onInterrupt);
      expect(atSignal).toBe('old report');
      expect(failure).toMatch(/^ENOENT/);
      expect(readFileSync(target, 'utf8')).toBe('old report');
      expect(leftovers(folder)).toEqual([]);
    } finally {
      // Should the signal still be pending (the bug), it must not find the process without a handler.
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
      process.removeListener('SIGUSR2', handler);
    }
  });

  it('removes the temporary file on SIGINT/SIGTERM, the old report untouched; unregisters when done', async () => {
    const folder = mkdtempSync(join(dir, 'signal-'));
    const target = join(folder, 'report.json');
    writeFileSync(target, 'old report');
    const { registered, onInterrupt } = interruptRegistry();
    let sawTemp: string[] = [];
    const failure = await writeReportFile(target, pieces(() => {
      sawTemp = leftovers(folder);
      // What bin.ts does on the signal, before the process dies of it.
      for (const cleanup of registered) cleanup();
      throw new Error('killed');
    }), onInterrupt).catch((e: Error) => e.message);
    expect(failure).toBe('killed');
    expect(sawTemp).toEqual([`.report.json.${process.pid}.tmp`]);
    expect(readFileSync(target, 'utf8')).toBe('old report');
    expect(leftovers(folder)).toEqual([]);
    expect(registered.size).toBe(0);
    // A complete write replaces the file, keeps its permissions, and unregisters its cleanup too.
    chmodSync(target, 0o640);
    expect(await writeReportFile(target, pieces(() => undefined), onInterrupt)).toBeNull();
    expect(readFileSync(target, 'utf8')).toBe('new report, part one\npart two\n');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(registered.size).toBe(0);
    expect(leftovers(folder)).toEqual([]);
  });

  it('replaces the file a link names, not the link; writes a device directly', async () => {
    const folder = mkdtempSync(join(dir, 'link-'));
    writeFileSync(join(folder, 'real.json'), 'old');
    symlinkSync(join(folder, 'real.json'), join(folder, 'link.json'));
    expect(await writeReportFile(join(folder, 'link.json'), ['new'])).toBeNull();
    expect(lstatSync(join(folder, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(folder, 'real.json'), 'utf8')).toBe('new');
    if (existsSync('/dev/null')) expect(await writeReportFile('/dev/null', ['x'])).toBeNull();
    if (existsSync('/dev/full')) expect(await writeReportFile('/dev/full', ['x'])).toMatch(/^ENOSPC/);
  });

  it.runIf(process.platform !== 'win32')('SIGTERM during a run with -o leaves no temporary file and no partial report', async () => {
    const folder = mkdtempSync(join(dir, 'kill-'));
    for (const delay of [50, 150, 300]) {
      const target = join(folder, `r${delay}.json`);
      const child = spawn(process.execPath, [BIN, '-f', 'json', '-j', '1', '-o', target, join(process.cwd(), 'samples')], { stdio: 'ignore' });
      setTimeout(() => child.kill('SIGTERM'), delay);
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      expect(leftovers(folder)).toEqual([]);
      // Either the run finished first (a whole report) or it died of the signal (no report at all).
      if (signal === 'SIGTERM') expect(existsSync(target)).toBe(false);
      else {
        expect(code).toBe(0);
        expect(JSON.parse(readFileSync(target, 'utf8')).schema).toBe('logscan.report/1');
      }
    }
  });
});

describe('--output checked before the scan', () => {
  /** Runs with standard input held open: a run that starts reading before it checks the output never ends. */
  async function beforeReading(output: string): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [BIN, '-f', 'json', '-o', output, '-'], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    child.stdin.destroy();
    return { code, stderr };
  }

  it('exit 5 at once for a folder that does not exist, a file as the folder, or a folder as the target', async () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    for (const [output, message] of [
      [join(dir, 'no-such-folder', 'x.json'), `logscan: cannot write the report to ${join(dir, 'no-such-folder', 'x.json')}: no such folder ${join(dir, 'no-such-folder')}\n`],
      [join(file, 'x.json'), `logscan: cannot write the report to ${join(file, 'x.json')}: ${file} is not a folder\n`],
      [join(file, 'sub', 'x.json'), `logscan: cannot write the report to ${join(file, 'sub', 'x.json')}: no such folder ${join(file, 'sub')}\n`],
      [dir, `logscan: cannot write the report to ${dir}: it is a folder\n`],
      [`${dir}/`, `logscan: cannot write the report to ${dir}/: it is a folder\n`],
    ] as const) {
      const r = await beforeReading(output);
      expect(r.code, output).toBe(5);
      expect(r.stderr, output).toBe(message);
    }
  }, 50_000);
});
