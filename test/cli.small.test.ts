/** Small CLI behaviours a tester found: each has a test that fails without its fix. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCli } from './helpers/cli.js';
import { main, pipeWidth } from '../src/cli.js';
import { scan } from '../src/scan.js';

let dir: string;
const SAMPLES = join(process.cwd(), 'samples');

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'logscan-small-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('small CLI fixes', () => {
  it('-o - writes to standard output, not to a file named -; -o "" is a usage error', async () => {
    const r = await runCli(['-f', 'json', '-o', '-', SAMPLES], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).schema).toBe('logscan.report/1');
    expect(existsSync(join(dir, '-'))).toBe(false);
    const empty = await runCli(['-f', 'json', '-o', '', SAMPLES], dir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--output needs a file name');
  });

  it('-f takes the format in any case', async () => {
    for (const f of ['JSON', 'Json']) {
      const r = await runCli(['-f', f, SAMPLES], dir);
      expect(r.code, f).toBe(0);
      expect(JSON.parse(r.stdout).schema).toBe('logscan.report/1');
    }
  });

  it("parseArgs' own messages reach standard error on one line, without an escaped line end", async () => {
    const r = await runCli(['-j', '-1', SAMPLES], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('\\x0A');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^logscan: Option '-j' argument is ambiguous\. Did you forget/);
    expect(lines.slice(1)).toEqual(["Try 'logscan --help'.", '']);
  });

  it('TERM=dumb turns colour off on a terminal, unless --color asks for it', async () => {
    async function coloured(argv: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
      let out = '';
      const code = await main({ argv: [...argv, '--quiet', '--jobs', '1', join(SAMPLES, 'EX01')], stdout: { isTTY: true, columns: 120, write: (s: string) => (out += s) }, stderr: { write: () => true }, env });
      expect(code).toBe(0);
      return out.includes('\u001b[');
    }
    expect(await coloured([], { TERM: 'xterm-256color' })).toBe(true);
    expect(await coloured([], { TERM: 'dumb' })).toBe(false);
    expect(await coloured(['--color'], { TERM: 'dumb' })).toBe(true);
  });

  it.runIf(process.platform === 'linux')('a pattern that matches only in another case says so (case-sensitive file systems)', async () => {
    const recv = join(SAMPLES, 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
    const r = await runCli([join(recv, '*.log')], dir);
    expect(r.code).toBe(3);
    // One line, as the report's inputs[].error gives it (scan() makes the hint, so library callers get it too).
    expect(r.stderr).toMatch(/\*\.log: the pattern matched no files; names are matched case-sensitively here: \d+ files match .*\*\.log in another case, such as .*RECV\d+-1\.LOG/);
    const report = await scan(join(recv, '*.log'));
    expect(report.inputs[0]!.error).toMatch(/^the pattern matched no files; names are matched case-sensitively here: \d+ files match/);
    // Nothing matching in any case: no hint.
    const none = await runCli([join(recv, '*.xyz')], dir);
    expect(none.stderr).not.toContain('case-sensitively');
  });
});

describe('table width in a pipe', () => {
  it('is an exported COLUMNS of 40 or more, else 160', async () => {
    expect([pipeWidth(undefined), pipeWidth(''), pipeWidth('80'), pipeWidth(' 120 '), pipeWidth('39'), pipeWidth('80x'), pipeWidth('99999')]).toEqual([160, 160, 80, 120, 160, 160, 160]);
    const width = (out: string) => Math.max(...out.split('\n').map((l) => l.length));
    const narrow = await runCli([SAMPLES], dir, undefined, { COLUMNS: '80' });
    const wide = await runCli([SAMPLES], dir);
    expect(width(narrow.stdout)).toBeLessThanOrEqual(80);
    expect(width(wide.stdout)).toBeGreaterThan(80);
  });
});
