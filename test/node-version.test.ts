// On a Node older than package.json's engines, logscan said so with a stack trace and exit code 1, the --fail-on
// code: a nightly `logscan --fail-on … || alert` reported findings. bin.ts checks the version first (exit 2).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, requireBuiltCli } from './helpers/cli.js';
import { NODE_NEEDED, supportedNode } from '../src/node-version.js';

beforeAll(() => requireBuiltCli());

/** Runs dist/bin.js on this Node, told by a preloaded module that it is `version`: the test's fake, not logscan's. */
function runAs(version: string | null, args: string[]) {
  const fake = `data:text/javascript,Object.defineProperty(process, "versions", { value: { ...process.versions, node: ${JSON.stringify(version)} } });`;
  return spawnSync(process.execPath, [...(version === null ? [] : ['--import', fake]), BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
}

describe('the Node.js version', () => {
  it('supportedNode follows engines: ^20.19.0 || >=22.12.0', () => {
    expect(readFileSync('package.json', 'utf8')).toContain('"node": "^20.19.0 || >=22.12.0"');
    for (const [version, ok] of [
      ['18.20.4', false], ['20.0.0', false], ['20.18.3', false], ['20.19.0', true], ['20.20.2', true], ['v20.19.0', true],
      ['21.7.0', false], ['22.0.0', false], ['22.11.0', false], ['22.12.0', true], ['23.1.0', true], ['24.0.0', true], ['100.0.0', true],
    ] as const) {
      expect(supportedNode(version), version).toBe(ok);
    }
    expect(supportedNode(process.versions.node)).toBe(true);
  });

  it('an older Node gets one line and exit 2 (usage), not a stack trace and exit 1', () => {
    for (const version of ['18.20.4', '20.18.3', '22.11.0']) {
      const r = runAs(version, ['--fail-on', 'any', 'samples']);
      expect(r.status, version).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`logscan: needs ${NODE_NEEDED}: this is v${version}\n`);
    }
    expect(NODE_NEEDED).toBe('Node.js 20.19 or later on 20, or 22.12 or later');
  });

  it('the README, docs/api.md and --help say what engines says, and that exit 2 covers it', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('Node.js 20.19+ on 20, or 22.12+ is required');
    expect(readme).toMatch(/^\| 2 \| usage error .*; also: a Node\.js version logscan does not support \|$/m);
    expect(readFileSync('docs/api.md', 'utf8')).toContain('Node.js 20.19+ on 20, or 22.12+');
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' }).stdout;
    expect(help).toMatch(/also: a\n\s+Node\.js version logscan does not support \(20\.19\+ on 20, or 22\.12\+\)/);
  });

  it('a supported Node runs the CLI as before', () => {
    const faked = runAs('22.12.0', ['--version']);
    expect(faked.status).toBe(0);
    expect(faked.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    const real = runAs(null, ['-f', 'json', '-j', '1', 'samples/EX01']);
    expect(real.status).toBe(0);
    expect(JSON.parse(real.stdout).schema).toBe('logscan.report/1');
  });
});
