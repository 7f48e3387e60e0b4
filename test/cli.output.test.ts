/** `--output`: what it refuses before reading, and what it leaves behind when the write cannot finish. */
import { cpSync, existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCli } from './helpers/cli.js';

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
