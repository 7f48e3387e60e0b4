/** A newcomer's QA pass over the command line: each behaviour has a test that fails without its fix. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, requireBuiltCli, runCli } from './helpers/cli.js';
import { closestOption, formatOfPath, main, outputProblem, type CliIo } from '../src/cli.js';

let dir: string;
const EX01 = join(process.cwd(), 'samples', 'EX01');

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'logscan-ux-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** main() in this process, with standard output and error caught. */
async function run(argv: string[], more: Partial<CliIo> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main({
    argv,
    stdout: { isTTY: false, write: (s: string) => (stdout += s) },
    stderr: { isTTY: false, write: (s: string) => (stderr += s) },
    env: {},
    ...more,
  });
  return { code, stdout, stderr };
}

/** What kind of report a file holds, by its first bytes. */
function kindOf(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (text.startsWith('{')) return 'json';
  if (/^<!doctype html>/i.test(text)) return 'html';
  if (text.startsWith('# ')) return 'markdown';
  if (/^[a-z]+,/i.test(text)) return 'csv';
  return /^logscan /.test(text) ? 'table' : 'other';
}

describe('-o picks the format by its extension when -f is not given', () => {
  it('maps the extensions, in any case, and nothing else', () => {
    const cases: Array<[string, string | undefined]> = [
      ['r.json', 'json'], ['R.JSON', 'json'], ['r.csv', 'csv'], ['r.md', 'markdown'], ['r.Markdown', 'markdown'],
      ['r.html', 'html'], ['r.HTM', 'html'], ['r.txt', 'table'], ['r.json.gz', undefined], ['r.log', undefined],
      ['report', undefined], ['.json', undefined], ['dir.json/report', undefined],
    ];
    for (const [path, format] of cases) expect(formatOfPath(path), path).toBe(format);
  });

  it('writes each format a file asks for; any other name gets the table', async () => {
    for (const [name, kind] of [['r.json', 'json'], ['r.CSV', 'csv'], ['r.md', 'markdown'], ['r.markdown', 'markdown'], ['r.html', 'html'], ['r.htm', 'html'], ['r.txt', 'table'], ['r.out', 'table']]) {
      const target = join(dir, name!);
      const r = await run(['-j', '1', '-o', target, EX01]);
      expect(r.code, name).toBe(0);
      expect(r.stderr, name).toBe('');
      expect(kindOf(target), name).toBe(kind);
    }
  });

  it('-f wins; when it contradicts the extension standard error says so in one line, not with -q', async () => {
    const target = join(dir, 'x.html');
    const r = await run(['-j', '1', '-f', 'table', '-o', target, EX01]);
    expect(r.code).toBe(0);
    expect(kindOf(target)).toBe('table');
    expect(r.stderr).toBe(`logscan: writing table to ${target} as --format says, not the html its name suggests\n`);
    const quiet = await run(['-j', '1', '-q', '-f', 'table', '-o', target, EX01]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    // An agreeing -f, or an extension that names no format, says nothing.
    for (const [format, name] of [['HTML', 'y.html'], ['json', 'y.out']]) {
      const ok = await run(['-j', '1', '-f', format!, '-o', join(dir, name!), EX01]);
      expect(ok.stderr, name).toBe('');
    }
  });

  it('-o r.json then logscan merge r.json works, and merge -o all.html writes HTML', async () => {
    const report = join(dir, 'ex01.json');
    expect((await runCli(['-o', report, EX01], dir)).code).toBe(0);
    const merged = join(dir, 'all.html');
    const r = await runCli(['merge', '-o', merged, report], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(kindOf(merged)).toBe('html');
    const warned = await runCli(['merge', '-f', 'markdown', '-o', join(dir, 'all.json'), report], dir);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/^logscan: writing markdown to .*all\.json as --format says, not the json its name suggests\n$/);
    expect(existsSync(join(dir, 'all.json'))).toBe(true);
  });
});

describe('unknown options', () => {
  it('names the option and suggests the one meant, when close; keeps the help line, merge-aware', async () => {
    for (const [argv, line] of [
      [['--fromat', 'json', EX01], "logscan: unknown option '--fromat' (did you mean --format?)"],
      [['--fromat=json', EX01], "logscan: unknown option '--fromat' (did you mean --format?)"],
      [['--no-colour', EX01], "logscan: unknown option '--no-colour' (did you mean --no-color?)"],
      [['--colour', EX01], "logscan: unknown option '--colour' (did you mean --color?)"],
      [['--form', 'json', EX01], "logscan: unknown option '--form' (did you mean --format?)"],
      [['--Quiet', EX01], "logscan: unknown option '--Quiet' (did you mean --quiet?)"],
      [['--bogus', EX01], "logscan: unknown option '--bogus'"],
      [['--max', '5', EX01], "logscan: unknown option '--max'"],
      [['-Z', EX01], "logscan: unknown option '-Z'"],
      [['-x.log'], "logscan: unknown option '-x' (for an input named -x.log, put -- before it)"],
      // parseArgs quotes the name and cuts it at a quote in it: the argument gives it whole.
      [["--it's", EX01], "logscan: unknown option '--it's'"],
      [['--idle', '5', "--i'x", EX01], "logscan: unknown option '--i'x'"],
    ] as Array<[string[], string]>) {
      const r = await run(argv);
      expect(r.code, argv[0]).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, argv[0]).toBe(`${line}\nTry 'logscan --help'.\n`);
    }
    // A merge is offered only what it takes: --since is refused there, so --sinse suggests nothing.
    const merge = await run(['merge', '--smaples', '5', 'r.json']);
    expect(merge.stderr).toBe("logscan: unknown option '--smaples' (did you mean --samples?)\nTry 'logscan merge --help'.\n");
    expect((await run(['merge', '--sinse', '1d', 'r.json'])).stderr).toBe("logscan: unknown option '--sinse'\nTry 'logscan merge --help'.\n");
    expect((await run(['--sinse', '1d', EX01])).stderr).toMatch(/^logscan: unknown option '--sinse' \(did you mean --since\?\)\n/);
  });

  it('keeps the other parseArgs errors, on one line', async () => {
    const r = await run(['--format']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^logscan: Option '-f, --format <value>' argument missing\nTry 'logscan --help'\.\n$/);
  });

  it('closestOption: a unique prefix, or the only option at distance 2 or less', () => {
    const known = ['format', 'output', 'samples', 'top', 'color', 'no-color', 'max-open', 'max-groups', 'host', 'help'];
    expect(closestOption('fromat', known)).toBe('format');
    expect(closestOption('outptu', known)).toBe('output');
    expect(closestOption('no-colour', known)).toBe('no-color');
    expect(closestOption('max-group', known)).toBe('max-groups');
    expect(closestOption('max', known)).toBeNull(); // two options start so, none is close
    expect(closestOption('h', known)).toBeNull();
    expect(closestOption('xyz', known)).toBeNull();
    expect(closestOption('hots', known)).toBe('host');
    expect(closestOption('tpo', known)).toBe('top');
  });
});

describe('an --output that cannot be written is named in plain words (exit 5, before anything is read)', () => {
  it('a folder, a folder that does not exist, a file where a folder should be', async () => {
    for (const [output, line] of [
      ['samples/', 'logscan: cannot write the report to samples/: it is a folder'],
      ['samples', 'logscan: cannot write the report to samples: it is a folder'],
      ['/nonexist-logscan/x.json', 'logscan: cannot write the report to /nonexist-logscan/x.json: no such folder /nonexist-logscan'],
      ['README.md/x.json', 'logscan: cannot write the report to README.md/x.json: README.md is not a folder'],
    ]) {
      const r = await run(['-f', 'json', '-o', output!, EX01]);
      expect(r.code, output).toBe(5);
      expect(r.stdout).toBe('');
      expect(r.stderr, output).toBe(`${line}\n`);
    }
    expect(outputProblem(join(dir, 'fine.json'))).toBeNull();
  });

  it.runIf(process.platform !== 'win32' && process.getuid?.() !== 0)('a folder or file without write permission', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    const kept = join(locked, 'kept.json');
    writeFileSync(kept, '{}');
    chmodSync(locked, 0o555);
    try {
      expect(outputProblem(join(locked, 'new.json'))).toBe(`no permission to make a file in the folder ${locked}`);
      // An existing file that can be written is written in place.
      expect(outputProblem(kept)).toBeNull();
      chmodSync(kept, 0o444);
      expect(outputProblem(kept)).toBe('no permission to write it');
    } finally {
      chmodSync(locked, 0o755);
    }
  });
});

describe('logscan - on a terminal', () => {
  const HINT = 'logscan: reading standard input (end it with Ctrl-D, or Ctrl-Z then Enter on Windows)\n';
  const LOG = readFileSync(join(EX01, 'FrontEnd', 'ProtocolLog', 'SmtpReceive', 'RECV2025111009-1.LOG'));

  async function fromStdin(argv: string[], isTTY: boolean | undefined, input: Buffer | string = LOG) {
    return run(argv, { stdin: { isTTY, stream: Readable.from([Buffer.from(input)]) } });
  }

  it('says once how to end the input when standard input is a terminal, not with -q, not on a pipe', async () => {
    const tty = await fromStdin(['-j', '1', '-f', 'json', '-'], true);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toBe(HINT);
    expect(JSON.parse(tty.stdout).inputs[0]).toMatchObject({ source: 'stdin', error: null });
    // Named twice, it is still read once and said once.
    expect((await fromStdin(['-f', 'json', '-', '-'], true)).stderr).toBe(HINT);
    expect((await fromStdin(['-q', '-f', 'json', '-'], true)).stderr).toBe('');
    expect((await fromStdin(['-f', 'json', '-'], false)).stderr).toBe('');
    expect((await fromStdin(['-f', 'json', '-'], undefined)).stderr).toBe('');
    // No `-`: standard input is not read, and nothing is said.
    expect((await fromStdin(['-f', 'json', EX01], true)).stderr).toBe('');
  });

  it('also for a merge reading a report from standard input', async () => {
    const report = (await run(['-f', 'json', '-j', '1', EX01])).stdout;
    const merged = await fromStdin(['merge', '-f', 'json', '-'], true, report);
    expect(merged.code).toBe(0);
    expect(merged.stderr).toBe(HINT);
    expect(JSON.parse(merged.stdout).totals).toEqual(JSON.parse(report).totals);
  });

  it.runIf(process.platform === 'linux' && existsSync('/usr/bin/script'))('bin.js: said when standard input is a real terminal (a pseudo-terminal from script(1)), ended by Ctrl-D', async () => {
    const errors = join(dir, 'tty-stderr.txt');
    const child = spawn('/usr/bin/script', ['-qec', `"${process.execPath}" "${BIN}" -f json -j 1 - 2>"${errors}" >/dev/null`, '/dev/null'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    // Ctrl-D on the terminal, once logscan waits: the end of its standard input.
    const timer = setTimeout(() => child.stdin.write('\u0004'), 1_500);
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await once(child, 'exit');
    clearTimeout(timer);
    clearTimeout(killer);
    child.stdin.destroy();
    const lines = readFileSync(errors, 'utf8').split('\n');
    expect(lines[0]).toBe(HINT.trimEnd());
    // Nothing was typed: standard input was empty, and the run says so after the hint.
    expect(lines[1]).toBe('logscan: stdin: empty input: nothing to analyse');
  }, 30_000);

  it('is not said before a usage error stops the run', async () => {
    const r = await fromStdin(['--fail-on', 'nothing', '-'], true);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('reading standard input');
  });
});

describe('--help', () => {
  async function help(argv: string[]): Promise<string> {
    const r = await run(argv);
    expect(r.code).toBe(0);
    return r.stdout;
  }
  const section = (text: string, title: string) => {
    const start = text.indexOf(`\n${title}:\n`);
    expect(start, title).toBeGreaterThan(0);
    const body = text.slice(start + title.length + 3);
    return body.slice(0, body.indexOf('\n\n') < 0 ? undefined : body.indexOf('\n\n')).split('\n');
  };

  it('aligns every exit code description, the two- and three-digit rows and the wrapped lines too', async () => {
    for (const text of [await help(['--help']), await help(['merge', '--help'])]) {
      const rows = section(text, 'Exit codes');
      const columns = new Set(rows.map((line) => /^ {2}(?:\d+(?:, \d+)?)? +(?=\S)/.exec(line)![0].length));
      expect([...columns]).toEqual([12]);
      expect(rows.some((r) => r.startsWith('  130, 143  interrupted'))).toBe(true);
    }
  });

  it('lists the environment variables, one line each, as the README does', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const env = section(await help(['--help']), 'Environment');
    expect(env.map((l) => l.trim().split(/\s+/)[0])).toEqual(['NO_COLOR', 'TERM=dumb', 'COLUMNS', 'LOGSCAN_PROGRESS_AFTER_MS']);
    for (const name of ['NO_COLOR', 'TERM', 'COLUMNS', 'LOGSCAN_PROGRESS_AFTER_MS']) expect(readme).toContain(`| \`${name}\` |`);
    expect(env[0]).toContain('set to a non-empty value: no colours, even with --color');
    expect(readme).toContain('set to a non-empty value: no colours, even with `--color`');
    expect(env[1]).toContain('standard output counts as no terminal for colour (no colours unless --color)');
    expect(readme).toContain('standard output counts as no terminal for colour (no colours unless `--color`)');
    // A merge has no progress line: its help leaves that one out and keeps the same words for the others.
    const merge = section(await help(['merge', '--help']), 'Environment');
    expect(merge).toEqual(env.slice(0, 3));
  });

  it('makes every report its merge examples combine', async () => {
    for (const text of [await help(['--help']), await help(['merge', '--help'])]) {
      const examples = section(text, 'Examples').join('\n');
      const made = new Set([...examples.matchAll(/-o (\S+\.json)/g)].map((m) => m[1]));
      const merged = [...examples.matchAll(/logscan merge ([^\n]*)/g)].flatMap((m) => m[1]!.split(' ').filter((w) => w.endsWith('.json')));
      expect(merged.length).toBeGreaterThan(0);
      for (const file of merged) expect(made.has(file), file).toBe(true);
    }
  });
});
