/**
 * Inputs that are not plain files in plain folders: pipes and devices named on the command line, folders that
 * cannot be listed, and symlinked folders. Each must be read once, in full, or named with its error; nothing
 * may hang. The data is generated here (test/fixtures/hostile/logs.ts) or copied from samples/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, constants as fsConstants, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { scan } from '../src/scan.js';
import { describeError, expandInputs, HEAD_BYTES, type WalkFs } from '../src/read/inputs.js';
import { main, MAX_ERROR_LINES } from '../src/cli.js';
import type { Report } from '../src/types.js';
import { expectAccounting, inputNamed, receiveLog } from './fixtures/hostile/logs.js';
import { BIN, requireBuiltCli } from './helpers/cli.js';

const SAMPLE = join(process.cwd(), 'samples', 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive', 'RECV2025111009-1.LOG');

/** 300 sessions of 9 rows: several times the 64 KiB that detection reads first. */
const BIG = receiveLog(300);
const BIG_LINES = 5 + 300 * 9;

let dir: string;
const fifos: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logscan-special-'));
  expect(Buffer.byteLength(BIG)).toBeGreaterThan(4 * HEAD_BYTES);
});
afterAll(() => {
  if (!dir) return;
  // Folders locked by a test must be opened again for rm to go into them.
  spawnSync('chmod', ['-R', 'u+rwx', dir]);
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  // A reader left blocked in open() by a failing test is let go: a writer that opens and closes at once ends it.
  for (const fifo of fifos.splice(0)) {
    try {
      closeSync(openSync(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
    } catch {
      // No reader waiting (ENXIO), or the FIFO is gone.
    }
  }
});

function mkfifo(name: string): string {
  const path = join(dir, name);
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
  fifos.push(path);
  return path;
}

/** Writes `data` into the FIFO from another process, as `cat LOG > fifo &` does; resolves when it is done. */
function feedFifo(fifo: string, data: string | Buffer): Promise<number | null> {
  const source = join(dir, `feed-${Math.random().toString(36).slice(2)}`);
  writeFileSync(source, data);
  const child = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', source, fifo], { stdio: 'ignore' });
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

function fileInput(report: Report, suffix: string) {
  return inputNamed(report, suffix);
}

/** Runs a shell command line in `dir` (bash: process substitution) and gives its JSON report. */
function bash(script: string, env: NodeJS.ProcessEnv = {}): { code: number | null; report: Report | null; stderr: string } {
  const r = spawnSync('bash', ['-c', script], { cwd: dir, env: { ...process.env, NO_COLOR: '1', BIN, SAMPLE, ...env }, timeout: 30_000 });
  const out = r.stdout.toString('utf8');
  return { code: r.status, report: out.trim() === '' ? null : (JSON.parse(out) as Report), stderr: r.stderr.toString('utf8') };
}

describe.skipIf(process.platform === 'win32')('a pipe or device named as an input is read once, to its end, like standard input', () => {
  it('a named FIFO: every byte past the 64 KiB detection read is kept, and nothing waits for a second writer', async () => {
    const fifo = mkfifo('live.LOG');
    const writer = feedFifo(fifo, BIG);
    const report = await scan([fifo]);
    expect(await writer).toBe(0);
    expectAccounting(report, expect);
    expect(fileInput(report, 'live.LOG')).toMatchObject({ kind: 'smtp-receive', bytes: Buffer.byteLength(BIG), lines: BIG_LINES, error: null });
    expect(report.totals.sessions).toBe(300);
  }, 15_000);

  it('a FIFO carrying gzip is decompressed and read whole', async () => {
    const fifo = mkfifo('live.LOG.gz');
    const writer = feedFifo(fifo, gzipSync(BIG));
    const report = await scan([fifo]);
    expect(await writer).toBe(0);
    expect(fileInput(report, 'live.LOG.gz')).toMatchObject({ bytes: Buffer.byteLength(BIG), lines: BIG_LINES, error: null });
    expect(report.totals.sessions).toBe(300);
  }, 15_000);

  it('with worker threads the FIFO is read on the main thread and the files by the workers: the same report as files alone', async () => {
    const copy = join(dir, 'jobs', 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
    spawnSync('mkdir', ['-p', copy]);
    writeFileSync(join(copy, 'RECV2025111009-1.LOG'), readFileSync(SAMPLE));
    spawnSync('cp', ['-R', join(process.cwd(), 'samples', 'EX01', 'Hub'), join(dir, 'jobs', 'EX01', 'Hub')]);
    const fifo = mkfifo('jobs.LOG');
    const writer = feedFifo(fifo, BIG);
    const report = await scan([fifo, join(dir, 'jobs')], { jobs: 3 });
    expect(await writer).toBe(0);
    expect(fileInput(report, 'jobs.LOG')).toMatchObject({ bytes: Buffer.byteLength(BIG), lines: BIG_LINES, error: null });
    const files = await scan([join(dir, 'jobs')]);
    expect(report.totals.sessions).toBe(300 + files.totals.sessions);
    expect(report.inputs.filter((i) => i.error !== null)).toEqual([]);
  }, 30_000);

  it('expandInputs does not open a named FIFO: listing inputs cannot block on a pipe without a writer', async () => {
    const fifo = mkfifo('nobody-writes.LOG');
    const { inputs, missing } = await expandInputs([fifo, fifo]);
    expect(missing).toEqual([]);
    // Named twice, it is one input: two readers of one pipe would split its bytes between them.
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({ source: fifo, path: null });
    expect(inputs[0]!.stream).toBeDefined();
  });

  describe('through the CLI', () => {
    beforeAll(() => requireBuiltCli());

    it('logscan <(cat LOG) reads the pipe the shell names (/dev/fd/N) whole, plain or gzip', () => {
      writeFileSync(join(dir, 'big.LOG'), BIG);
      for (const producer of ['cat big.LOG', 'gzip -c big.LOG']) {
        const r = bash(`node "$BIN" -f json <(${producer})`);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.report!.inputs).toEqual([expect.objectContaining({ source: expect.stringMatching(/^\/dev\/fd\/\d+$|^\/proc\//), bytes: Buffer.byteLength(BIG), lines: BIG_LINES, error: null })]);
        expect(r.report!.totals.sessions).toBe(300);
      }
      const small = bash('node "$BIN" -f json <(cat "$SAMPLE")');
      expect(small.report!.inputs[0]).toMatchObject({ bytes: readFileSync(SAMPLE).length, error: null });
      expect(small.report!.totals.sessions).toBe(10);
    });

    it('/dev/stdin on a pipe, through the CLI and through scan(), is read as - is', () => {
      const cli = bash('cat big.LOG | node "$BIN" -f json /dev/stdin');
      expect(cli.code).toBe(0);
      expect(cli.report!.inputs).toEqual([expect.objectContaining({ source: '/dev/stdin', bytes: Buffer.byteLength(BIG), lines: BIG_LINES, error: null })]);
      const index = join(process.cwd(), 'dist', 'index.js');
      const lib = bash(`cat big.LOG | node --input-type=module -e "import { scan } from '${index}'; process.stdout.write(JSON.stringify(await scan('/dev/stdin')))"`);
      expect(lib.stderr).toBe('');
      expect(lib.report!.inputs[0]).toMatchObject({ source: '/dev/stdin', bytes: Buffer.byteLength(BIG), lines: BIG_LINES, error: null });
      expect(lib.report!.totals.sessions).toBe(300);
    });

    it('/dev/stdin that is a socket (a Node or Python parent passes one; it cannot be opened) is read as - is', () => {
      const r = spawnSync(process.execPath, [BIN, '-f', 'json', '/dev/stdin'], { cwd: dir, input: BIG, env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
      expect(r.stderr.toString()).toBe('');
      const report = JSON.parse(r.stdout.toString()) as Report;
      expect(report.inputs[0]).toMatchObject({ source: '/dev/stdin', bytes: Buffer.byteLength(BIG), error: null });
    });

    it('a named FIFO through the CLI (cat LOG > f & logscan f) ends with the whole log', () => {
      mkfifo('cli.LOG');
      const r = bash('cat big.LOG > cli.LOG & node "$BIN" -f json cli.LOG; wait');
      expect(r.code).toBe(0);
      expect(r.report!.inputs[0]).toMatchObject({ bytes: Buffer.byteLength(BIG), lines: BIG_LINES, error: null });
    });
  });
});

/**
 * How to run the CLI as a user who cannot list a mode-000 folder: directly when not root; as root (CI runs as root,
 * and root lists any folder) through `runuser` or `setpriv` as nobody, when they exist and nobody can read the
 * built CLI (a checkout under /root cannot). null when neither works: the injected-failure tests below still run.
 */
const UNPRIVILEGED: string[] | null = (() => {
  if (process.platform === 'win32') return null;
  if (process.getuid?.() !== 0) return [];
  const probe = ['-e', `require('node:fs').accessSync(${JSON.stringify(BIN)}, require('node:fs').constants.R_OK)`];
  for (const prefix of [['runuser', '-u', 'nobody', '--'], ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--']]) {
    const r = spawnSync(prefix[0]!, [...prefix.slice(1), process.execPath, ...probe], { cwd: tmpdir() });
    if (r.status === 0) return prefix;
  }
  return null;
})();

/** Runs the built CLI as UNPRIVILEGED in `dir`: code, stderr and the JSON report. */
function runUnprivileged(args: string[]): { code: number | null; report: Report; stderr: string } {
  const argv = [...UNPRIVILEGED!, process.execPath, BIN, '-f', 'json', ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
  return { code: r.status, report: JSON.parse(r.stdout.toString('utf8')) as Report, stderr: r.stderr.toString('utf8') };
}

/** node:fs, except that listing a folder whose name is in `locked` fails as a mode-000 folder does for a user. */
function lockedFs(locked: readonly string[]): WalkFs {
  const denied = (path: string) => Object.assign(new Error(`EACCES: permission denied, scandir '${path}'`), { code: 'EACCES' });
  return {
    readdir: async (path) => {
      if (locked.some((name) => path.endsWith(name))) throw denied(path);
      return readdir(path, { withFileTypes: true });
    },
    stat: (path) => stat(path),
    realpath: (path) => realpath(path),
  };
}

describe.skipIf(process.platform === 'win32')('a folder that cannot be listed is an input with an error, and the rest is read', () => {
  let tree: string;
  beforeAll(() => {
    // EX01's samples, plus a copy of its receive folder that will be locked, and a sibling folder after it.
    tree = join(dir, 'locked-tree');
    cpSync(join(process.cwd(), 'samples', 'EX01'), join(tree, 'EX01'), { recursive: true });
    cpSync(join(tree, 'EX01', 'FrontEnd'), join(tree, 'EX02', 'FrontEnd'), { recursive: true });
    mkdirSync(join(tree, 'locked-empty'));
  });

  it('expandInputs names a folder it cannot list, met while walking or named itself, and lists everything else (injected EACCES)', async () => {
    // Injected through the walk's seam: root lists mode-000 folders, so a real one proves nothing when tests run as root.
    const fsx = lockedFs([join('EX02', 'FrontEnd', 'ProtocolLog'), 'locked-empty']);
    const walked = await expandInputs([tree], undefined, fsx);
    expect(walked.missing).toEqual([
      [join(tree, 'EX02', 'FrontEnd', 'ProtocolLog'), 'cannot read: permission denied'],
      [join(tree, 'locked-empty'), 'cannot read: permission denied'],
    ]);
    expect(walked.inputs.map((i) => i.path!.slice(tree.length + 1))).toEqual([
      'EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG',
      'EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111010-1.LOG',
      'EX01/Hub/ProtocolLog/SmtpSend/SEND2025111009-1.LOG',
      'EX01/Hub/ProtocolLog/SmtpSend/SEND2025111010-1.LOG',
    ]);
    const named = await expandInputs([join(tree, 'locked-empty')], undefined, fsx);
    expect(named).toEqual({ inputs: [], missing: [[join(tree, 'locked-empty'), 'cannot read: permission denied']] });
  });

  it('a pattern names the folders below it that it cannot list (injected EACCES), instead of "matched no files"', async () => {
    const fsx = lockedFs([join('EX02', 'FrontEnd', 'ProtocolLog')]);
    const { inputs, missing } = await expandInputs([join(tree, '*', 'FrontEnd', '**', '*.LOG')], undefined, fsx);
    expect(missing).toEqual([[join(tree, 'EX02', 'FrontEnd', 'ProtocolLog'), 'cannot read: permission denied']]);
    expect(inputs.map((i) => i.path!.slice(tree.length + 1))).toEqual([
      'EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG',
      'EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111010-1.LOG',
    ]);
    const none = await expandInputs([join(tree, 'EX02', 'FrontEnd', '*', '*.LOG')], undefined, fsx);
    expect(none.missing).toEqual([[join(tree, 'EX02', 'FrontEnd', 'ProtocolLog'), 'cannot read: permission denied']]);
  });

  it.skipIf(UNPRIVILEGED === null)('the CLI, as a user who cannot list a mode-000 folder: it is named, exit 3, the rest is read', () => {
    // Real permissions, through runuser/setpriv as nobody when tests run as root (see UNPRIVILEGED).
    chmodSync(dir, 0o755);
    const locked = join(tree, 'EX02', 'FrontEnd', 'ProtocolLog');
    chmodSync(locked, 0o000);
    try {
      const walked = runUnprivileged(['locked-tree']);
      expect(walked.code).toBe(3);
      expect(walked.stderr).toBe(`logscan: locked-tree/EX02/FrontEnd/ProtocolLog: cannot read: permission denied\n`);
      expect(walked.report.inputs.filter((i) => i.error !== null)).toEqual([
        expect.objectContaining({ source: 'locked-tree/EX02/FrontEnd/ProtocolLog', error: 'cannot read: permission denied', lines: 0 }),
      ]);
      expect(walked.report.inputs.filter((i) => i.records > 0)).toHaveLength(4);
      const named = runUnprivileged(['locked-tree/EX02/FrontEnd/ProtocolLog', 'locked-tree/EX01']);
      expect(named.code).toBe(3);
      expect(named.stderr).toContain('locked-tree/EX02/FrontEnd/ProtocolLog: cannot read: permission denied');
      expect(named.report.totals.sessions).toBe(walked.report.totals.sessions);
      const pattern = runUnprivileged(['locked-tree/EX02/**/*.LOG']);
      expect(pattern.code).toBe(3);
      expect(pattern.report.inputs).toEqual([expect.objectContaining({ source: 'locked-tree/EX02/FrontEnd/ProtocolLog', error: 'cannot read: permission denied' })]);
    } finally {
      chmodSync(locked, 0o755);
    }
  });

  it(`the CLI names at most ${MAX_ERROR_LINES} inputs with errors on standard error and counts the rest`, async () => {
    const args = Array.from({ length: MAX_ERROR_LINES + 15 }, (_, i) => join(dir, `gone-${String(i).padStart(2, '0')}.LOG`));
    let stderr = '';
    const code = await main({
      argv: ['-f', 'json', ...args],
      stdout: { isTTY: false, write: () => true },
      stderr: { isTTY: false, write: (s: string) => (stderr += s) },
      env: {},
    });
    expect(code).toBe(3);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(MAX_ERROR_LINES + 1);
    expect(lines[0]).toBe(`logscan: ${args[0]}: no such file or directory`);
    expect(lines.at(-1)).toBe('logscan: … and 15 more inputs with errors (the JSON report lists them all)');
  });
});

describe.skipIf(process.platform === 'win32')('symlinked folders and files: each real file is read once, under the first path in sorted order', () => {
  let root: string;
  let receive: string;
  const RECV = 'RECV2025111009-1.LOG';
  beforeAll(() => {
    root = join(dir, 'links');
    receive = join(root, 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
    mkdirSync(receive, { recursive: true });
    writeFileSync(join(receive, RECV), readFileSync(SAMPLE));
    mkdirSync(join(root, 'loop', 'L'), { recursive: true });
    writeFileSync(join(root, 'loop', 'L', RECV), readFileSync(SAMPLE));
    symlinkSync('..', join(root, 'loop', 'L', 'up'));
  });

  it('a link to a folder above it (up -> ..) is not followed round the loop: one file, 10 sessions, no error', async () => {
    const loop = join(root, 'loop');
    const { inputs, missing } = await expandInputs([loop]);
    expect(missing).toEqual([]);
    expect(inputs.map((i) => i.path)).toEqual([join(loop, 'L', RECV)]);
    const report = await scan([loop]);
    expect(report.inputs).toEqual([expect.objectContaining({ source: join(loop, 'L', RECV), error: null })]);
    expect(report.totals.sessions).toBe(10);
    // The same tree through a pattern: fast-glob follows the link, the loop is cut, the file read once.
    const pattern = await scan([join(loop, '**', '*.LOG')]);
    expect(pattern.inputs.map((i) => i.source)).toEqual([join(loop, 'L', RECV)]);
    expect(pattern.totals.sessions).toBe(10);
  });

  it('a folder and a link to it are read once, under the path that sorts first; a link to a file, and the folder named again, too', async () => {
    const tree = join(root, 'tree');
    mkdirSync(tree);
    symlinkSync(join(root, 'EX01'), join(tree, 'EX01'));
    symlinkSync(join(root, 'EX01'), join(tree, 'zz-copy'));
    symlinkSync(join(receive, RECV), join(tree, 'a-link.LOG'));
    const once = await scan([tree]);
    expect(once.inputs).toEqual([expect.objectContaining({ source: join(tree, 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive', RECV), error: null })]);
    expect(once.totals.sessions).toBe(10);
    // Arguments keep their order: the file named first is kept under its own name, and the folders add nothing.
    const named = await expandInputs([join(tree, 'a-link.LOG'), tree, root, join(root, 'EX01')]);
    expect(named.missing).toEqual([]);
    expect(named.inputs.map((i) => i.path)).toEqual([join(tree, 'a-link.LOG'), join(root, 'loop', 'L', RECV)]);
  });

  it('a link to a folder named on the command line is walked as the folder', async () => {
    const link = join(dir, 'ex01-link');
    symlinkSync(join(root, 'EX01'), link);
    const report = await scan([link]);
    expect(report.inputs).toEqual([expect.objectContaining({ source: join(link, 'FrontEnd', 'ProtocolLog', 'SmtpReceive', RECV), error: null })]);
    expect(report.totals.sessions).toBe(10);
  });

  it('the CLI on the QA case: mkdir -p loop/L; cp LOG loop/L/; ln -s .. loop/L/up; logscan loop', () => {
    requireBuiltCli();
    const r = bash('mkdir -p qa/loop/L && cp "$SAMPLE" qa/loop/L/ && ln -s .. qa/loop/L/up && node "$BIN" -f json qa/loop');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.report!.inputs.map((i) => i.source)).toEqual([`qa/loop/L/${RECV}`]);
    expect(r.report!.totals.sessions).toBe(10);
  });
});

describe('describeError', () => {
  it('says what an input is in words, not errno codes', () => {
    const e = (code: string, message = code) => Object.assign(new Error(message), { code });
    expect(describeError(e('ENXIO', "ENXIO: no such device or address, open '/tmp/s.sock'"))).toBe('a socket, not a file that can be read');
    expect(describeError(e('EACCES'))).toBe('permission denied');
    expect(describeError(e('Z_BUF_ERROR', 'unexpected end of file'))).toBe('corrupt gzip data (unexpected end of file)');
    expect(describeError(e('EIO', 'EIO: i/o error, read'))).toBe('EIO: i/o error, read');
  });
});

describe('standard input named more than once', () => {
  it('is read once, under its first name, as a file named twice is: no error, so no exit 3', async () => {
    const stream = Readable.from([Buffer.from('x')]);
    const { inputs, missing } = await expandInputs(['-', '/dev/stdin', '-'], stream);
    expect(inputs).toEqual([{ source: 'stdin', path: null, stream }]);
    expect(missing).toEqual([]);
  });
});

describe('a refused gzip input on a pipe whose writer stays', () => {
  it('does not hold the run until the writer closes the pipe', async () => {
    requireBuiltCli();
    const child = spawn(process.execPath, [BIN, '-q', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Not a log: refused after its head. The pipe stays open, as `(zcat …; sleep 60) | logscan -` keeps it.
    child.stdin.write(gzipSync(Buffer.from('hello\n'.repeat(50_000))));
    const code = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    child.stdin.end();
    if (code === 'still running') child.kill();
    expect(code).toBe(3);
  }, 15_000);
});

describe('a pattern that matches what is not a regular file', () => {
  it('names a FIFO and a dangling link instead of leaving them out, never opens the FIFO, and passes over folders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logscan-pattern-odd-'));
    try {
      writeFileSync(join(dir, 'RECV1.LOG'), 'x');
      spawnSync('mkfifo', [join(dir, 'RECV2.LOG')]);
      symlinkSync(join(dir, 'gone.txt'), join(dir, 'RECV3.LOG'));
      mkdirSync(join(dir, 'RECV4.LOG'));
      const { inputs, missing } = await expandInputs([join(dir, 'RECV*.LOG')]);
      expect(inputs.map((i) => i.path)).toEqual([join(dir, 'RECV1.LOG')]);
      expect(missing).toEqual([
        [join(dir, 'RECV2.LOG'), 'not a regular file (FIFO, socket or device); not read'],
        [join(dir, 'RECV3.LOG'), 'cannot read: no such file or directory'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
