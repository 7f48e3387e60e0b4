import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built CLI: CLI tests run what users run, after `npm run build` (npm test builds first). */
export const BIN = join(process.cwd(), 'dist', 'bin.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function requireBuiltCli(): void {
  if (!existsSync(BIN)) throw new Error('dist/bin.js is missing: run `npm run build` (npm test does it first)');
}

/** Spawns `logscan args…` in `cwd` with NO_COLOR (and `env` on top), feeding `input` on stdin. */
export function runCli(args: string[], cwd: string, input?: Buffer | string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    // COLUMNS from the shell that runs the tests would set the width of every piped table (see pipeWidth).
    const { COLUMNS: _columns, ...inherited } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...inherited, NO_COLOR: '1', ...env }, cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(input ?? '');
  });
}
