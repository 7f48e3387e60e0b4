/** Small CLI behaviours a tester found: each has a test that fails without its fix. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCli } from './helpers/cli.js';

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
});
