/**
 * The exit code is the run's, whatever happens to standard error: a closed or full stderr has nowhere to be
 * reported, and Node's default (exit 1) is the --fail-on code. --help and --version write as the report does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, requireBuiltCli } from './helpers/cli.js';

let empty: string;

beforeAll(() => {
  requireBuiltCli();
  empty = mkdtempSync(join(tmpdir(), 'logscan-streams-'));
});
afterAll(() => {
  if (empty) rmSync(empty, { recursive: true, force: true });
});

/** `logscan args` through bash (pipes and redirections in `shell`), with pipefail: the CLI's exit code. */
function sh(args: string, shell: string): { status: number | null; stderr: string } {
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" ${args} ${shell}`], { cwd: process.cwd(), env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stderr: r.stderr.toString('utf8') };
}

describe('standard error that fails', () => {
  it('keeps exit 3 and 6 when stderr is a pipe closed after the first line', () => {
    // Many lines, so the reader is gone before the last ones: one input error each.
    const missing = Array.from({ length: 30 }, (_, i) => `/nonexistent-${i}.LOG`).join(' ');
    expect(sh(`samples ${missing}`, '2>&1 >/dev/null | head -1 >/dev/null').status).toBe(3);
    expect(sh(`--fail-on any ${empty}`, '2>&1 | head -c 1 >/dev/null').status).toBe(6);
  });

  it.runIf(existsSync('/dev/full'))('keeps exit 3 and 6 when stderr is a full device', () => {
    expect(sh('samples /nonexistent.LOG', '>/dev/null 2>/dev/full').status).toBe(3);
    expect(sh(`--fail-on any ${empty}`, '2>/dev/full').status).toBe(6);
  });
});

describe('--help and --version on a failing standard output', () => {
  it.runIf(existsSync('/dev/full'))('exit 5 with one line, not a stack trace, on a full device', () => {
    for (const option of ['--help', '--version']) {
      const r = sh(option, '>/dev/full');
      expect(r.status, option).toBe(5);
      expect(r.stderr, option).toBe('logscan: cannot write to standard output: ENOSPC: no space left on device, write\n');
    }
  });

  it('exit 0 when the reader stops early', () => {
    expect(sh('--help', '| head -c 10 >/dev/null').status).toBe(0);
  });
});
