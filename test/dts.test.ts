// The shipped declarations (dist/**/*.d.ts) must compile for consumers on TypeScript 5.0 and later, without
// skipLibCheck. TypeScript 5.7+ infers typed arrays as generic (`Int32Array<ArrayBuffer>`) and writes that into
// the declarations, which 5.0-5.6 reject ("Type 'Int32Array' is not generic"). No older TypeScript is a
// dependency, so the always-on guard is a search of the declarations for those forms; when typescript@5.0 is in
// the npm cache (`npx --offline`), a small consumer is also compiled with it (skipped otherwise: no network).
// TypeScript 6+ loads no @types package unless something names it, so the declarations reference @types/node
// themselves: a consumer whose tsconfig has no `types` must compile too, from the packed files.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = process.cwd();
const DIST = join(ROOT, 'dist');

/** Type forms that only TypeScript 5.7+ (and @types/node made for it) understand. */
const NEW_TS_ONLY = /\b(?:(?:Int8|Uint8|Uint8Clamped|Int16|Uint16|Int32|Uint32|Float32|Float64|BigInt64|BigUint64)Array|Buffer|DataView)<|\bArrayBufferLike\b/;

function declarations(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? declarations(join(dir, e.name)) : e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

const CONSUMER = `import { scan, ScanOptionError, defaultRules, formatReport, type Report, type Rule, type Session } from 'logscan';
import * as logscan from 'logscan';

const rule: Rule = { id: 'mine', title: 't', explanation: 'e', hint: 'h', matchSession: (s: Session) => (s.tls ? { detail: null, evidence: [] } : null) };
export async function run(): Promise<string> {
  try {
    const report: Report = await scan(['logs'], { rules: [...defaultRules, rule], filter: { categories: ['MINE'] } });
    return formatReport(report, 'json') + logscan.VERSION;
  } catch (e) {
    if (e instanceof ScanOptionError) return e.option;
    throw e;
  }
}
`;

/**
 * A consumer with `exactOptionalPropertyTypes`, passing its own optional values on: api.md says an option that is
 * undefined is not given, so every optional property of an options type takes `undefined` (TS2375 without it).
 */
const EXACT_CONSUMER = `import {
  scan, formatReport, renderHtml, htmlChunks, mergeReports, ReportBuilder, SessionAssembler, readProtocolLog, emptyStats, categoryInfo, defaultRules,
  type Report, type Rule, type ScanOptions, type InputRef,
} from 'logscan';

export async function run(
  since?: Date, until?: Date, host?: string, connector?: string, categories?: string[], samples?: number, jobs?: number | 'auto',
  maxOpenSessions?: number, keepRows?: 'evidence' | 'all', onSession?: ScanOptions['onSession'], top?: number, width?: number,
  color?: boolean, title?: string, generatedAt?: Date, version?: string, docs?: string, severity?: 'failure' | 'warning',
  matchText?: Rule['matchText'], walked?: boolean,
): Promise<string> {
  const rule: Rule = { id: 'mine', title: 't', explanation: 'e', hint: 'h', docs, severity, detailHints: undefined, unless: undefined, matchSession: undefined, matchText };
  const options: ScanOptions = {
    filter: { since, until, host, connector, categories }, sessions: { maxOpenSessions, idleTimeoutMs: undefined, keepRows },
    samples, maxGroups: undefined, jobs, onSession, onProgress: undefined, rules: [...defaultRules, rule], stdin: undefined, collectEvery: undefined, thisServer: undefined,
  };
  const report: Report = await scan('/x', options);
  const builder = new ReportBuilder({ categories: categoryInfo(defaultRules), version: 'v', samples, maxGroups: undefined, filters: undefined });
  new SessionAssembler({ origin: 'o', direction: null, serverHint: null }, { maxOpenSessions, idleTimeoutMs: undefined, keepRows });
  readProtocolLog((async function* () {})(), emptyStats('x'), { maxLineLength: undefined, onHeader: undefined });
  const ref: InputRef = { source: 's', path: null, stream: undefined, walked };
  return [
    ref.source, builder.build().schema, mergeReports([report], { samples, version }).schema,
    formatReport(report, 'table', { color, width, top, samples }),
    renderHtml(report, { title, generatedAt, top }), [...htmlChunks(report, { title, generatedAt, top })].join(''),
  ].join('');
}
`;

let consumer: string;

beforeAll(() => {
  if (declarations(DIST).length === 0) throw new Error('dist/ has no declarations: run `npm run build` (npm test does it first)');
  // A project that installed logscan and @types/node, as a consumer's would look.
  consumer = mkdtempSync(join(tmpdir(), 'logscan-dts-'));
  mkdirSync(join(consumer, 'node_modules', '@types'), { recursive: true });
  symlinkSync(ROOT, join(consumer, 'node_modules', 'logscan'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(consumer, 'node_modules', '@types', 'node'), 'dir');
  writeFileSync(join(consumer, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(join(consumer, 'main.ts'), CONSUMER);
  writeFileSync(join(consumer, 'exact.ts'), EXACT_CONSUMER);
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], skipLibCheck: false },
      files: ['main.ts'],
    }),
  );
  writeFileSync(
    join(consumer, 'tsconfig.exact.json'),
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { exactOptionalPropertyTypes: true }, files: ['exact.ts'] }),
  );
});

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

function compile(command: string, args: string[]) {
  const r = spawnSync(command, args, { cwd: consumer, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.replaceAll(ROOT, '<logscan>') };
}

describe('the shipped declarations', () => {
  it('hold no typed array or Buffer in its generic form (TypeScript 5.7+ only)', () => {
    const found = declarations(DIST).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (NEW_TS_ONLY.test(line) ? [`${file.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it("compile in a consumer's project without skipLibCheck, with the project's TypeScript", () => {
    const r = compile(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('take undefined for every optional option under exactOptionalPropertyTypes, as api.md says undefined is not given', () => {
    const r = compile(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.exact.json']);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it("run docs/api.md's building-blocks example: it compiles against them, and its table names the package version", () => {
    const api = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
    const example = [...api.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!).find((code) => code.includes('new ReportBuilder('));
    expect(example, 'api.md has a ts block that makes a ReportBuilder').toBeDefined();
    writeFileSync(join(consumer, 'example.ts'), example!);
    // The log the example reads, under the name it gives.
    copyFileSync(join(ROOT, 'samples', 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive', 'RECV2025111009-1.LOG'), join(consumer, 'RECV2025111009-1.LOG'));
    writeFileSync(join(consumer, 'tsconfig.example.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: false, outDir: 'out' }, files: ['example.ts'] }));
    const built = compile(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.example.json']);
    expect(built.output).toBe('');
    const ran = compile(process.execPath, [join('out', 'example.js')]);
    expect(ran.code, ran.output).toBe(0);
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(ran.output.split('\n')[0]).toBe(`logscan ${version} · Exchange SMTP TLS mail-flow report`);
  });

  it('reference the Node types themselves: the entry declaration keeps its `/// <reference types="node" />`', () => {
    // TypeScript 5.5+ drops a reference directive from the emitted declarations unless it says preserve="true".
    expect(readFileSync(join(DIST, 'index.d.ts'), 'utf8').split('\n')[0]).toMatch(/^\/\/\/ <reference types="node"( preserve="true")? \/>$/);
  });

  it('compile from the packed tarball in a project whose tsconfig has no `types` (TypeScript 6+ then loads no @types)', () => {
    // Installed as npm would: the packed files copied into node_modules/logscan, @types/node beside it.
    const project = mkdtempSync(join(tmpdir(), 'logscan-dts-notypes-'));
    try {
      const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      expect(pack.status, pack.stderr).toBe(0);
      const tarball = (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename;
      const installed = join(project, 'node_modules', 'logscan');
      mkdirSync(installed, { recursive: true });
      mkdirSync(join(project, 'node_modules', '@types'));
      const untar = spawnSync('tar', ['-xzf', join(project, tarball), '-C', installed, '--strip-components=1'], { encoding: 'utf8' });
      expect(untar.status, untar.stderr).toBe(0);
      symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'), 'dir');
      writeFileSync(join(project, 'package.json'), '{ "type": "module", "private": true }\n');
      writeFileSync(join(project, 'main.ts'), CONSUMER);
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false }, files: ['main.ts'] }),
      );
      const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
      expect(`${r.stdout}${r.stderr}`.replaceAll(project, '<project>')).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('compile with TypeScript 5.0, the oldest supported, when the npm cache has it (npx --offline)', (ctx) => {
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const version = compile(npx, ['--offline', '--yes', '-p', 'typescript@5.0', 'tsc', '--version']);
    if (!/^Version 5\.0\./m.test(version.output)) {
      ctx.skip('typescript@5.0 is not in the npm cache and the test does not use the network');
      return;
    }
    const r = compile(npx, ['--offline', '--yes', '-p', 'typescript@5.0', 'tsc', '-p', '.']);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });
});
