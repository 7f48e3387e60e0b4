/**
 * The `logscan` command: a thin shell over the library. It parses arguments, calls scan()/mergeReports(),
 * prints, and is the only place that decides the exit code.
 */
import { accessSync, closeSync, constants, fchmodSync, fstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { availableParallelism, hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { scan, type ScanProgress } from './scan.js';
import { describeError, type ThisServer } from './read/inputs.js';
import { FiltersMismatchError, InvalidReportError, RepeatedInputError, ReportMerger } from './report/merge.js';
import { addReport, reportBytes, reportFiles, ReportSyntaxError } from './report/read-report.js';
import { defaultRules } from './classify/rules.js';
import { knownCategories, matchCategories, ScanOptionError } from './options.js';
import type { FormatOptions, OutputFormat } from './output/index.js';
import { jsonChunks } from './output/json.js';
import { writePiecesSync } from './output/write.js';
import { stripControl } from './output/sanitize.js';
import { VERSION } from './version.js';
import { compareText } from './compare-text.js';
import type { Report } from './types.js';
import { logsSpan, uncoveredEnds } from './report/span.js';

export const EXIT = { ok: 0, failOn: 1, usage: 2, unreadable: 3, tooLarge: 4, unwritable: 5, nothingRead: 6 } as const;

/** The parts of the help, so that `logscan merge --help` can show the ones that apply to a merge. */
const HELP_INTRO = `logscan ${VERSION}: find out why Exchange mail flow breaks over TLS

Usage:
  logscan [options] <file|folder|glob|->...     analyse SMTP protocol logs and queue exports
  logscan merge [options] <report.json>...       combine JSON reports of earlier runs

Inputs are recognised by content: SMTP Send/Receive protocol logs (Exchange 2010-2019, Edge), Get-Queue /
Get-Message Export-Csv and Format-List text, Queue Viewer exports. Folders are read recursively, .gz files are
decompressed, '-' reads standard input (typed at a terminal: end it with Ctrl-D, or Ctrl-Z then Enter on
Windows).

`;
const HELP_OUTPUT = `Output:
  -f, --format <fmt>      table (default), json, csv, markdown, html (any case)
  -o, --output <file>     write the report to a file instead of standard output ('-': standard output;
                          not one of the inputs, nor an existing log: refused, exit 2). Without -f, its
                          extension (any case) picks the format: .json, .csv, .md/.markdown, .html/.htm,
                          .txt (table); others: table. -f wins, with a warning if the extension differs
      --samples <n>       evidence rows kept per group and category (default 3)
      --top <n|all>       groups with findings shown in detail in table/markdown output (default 20 for
                          the table, 50 for markdown); rows of the HTML groups table, worst first (default
                          1000); json and csv always hold every group
      --no-color          no colours (also when NO_COLOR is not empty, TERM is dumb or output is not a
                          terminal)
      --color             colours on standard output even when it is not a terminal (not with a
                          non-empty NO_COLOR)
  -q, --quiet             no progress line and no per-input warnings on standard error

`;
const HELP_FILTERS = `Filters:
      --since <time>      only sessions from this time: ISO date/time, UTC unless it has a zone, or
                          that long before now: a number and m (minutes), h, d or w (30m, 12h, 7d, 2w)
      --until <time>      only sessions up to this time (the same forms)
      --category <ids>    only these categories (comma-separated): tls-negotiation-failed, socket-error,
                          starttls-required, starttls-not-offered, legacy-tls, plaintext, connect-failed,
                          queue-error
      --connector <text>  connector name contains text (case-insensitive)
      --host <text>       remote IP is this address or starts with this text (10.0.5.), or a remote name
                          (EHLO, banner, next hop) contains it

`;
const HELP_CHECKS = `Checks:
      --fail-on <ids>     exit 1 when any finding of these categories is reported ('any' = every category)

`;
const HELP_SESSIONS = `Sessions:
      --max-open <n>      sessions held open at once before the oldest is reported incomplete (default 20000)
      --idle <duration>   a session silent this long in log time is reported incomplete: a number and
                          s, m or h (90s, 15m, 2h; a bare number is minutes); default 15m; 0 turns it off
`;
const HELP_MAX_GROUPS = `      --max-groups <n|all>
                          groups (direction, server, connector, remote host) held at once (default 35000):
                          past it, remote hosts are counted in their connector's '(other hosts)' row.
                          Smaller connectors (send, relay) keep their hosts' rows at the cost of the
                          largest, where hosts with findings, and failing ones seen often, keep theirs;
                          all: no limit (memory grows with the remote hosts, ~2 KB each)
`;
const HELP_JOBS = `  -j, --jobs <n|auto>     threads reading at once, this one included; each takes whole log sets (a
                          server's rotated files), so the report is the same for any n; at most the
                          number of cores. auto (default): a thread per 256 MiB of protocol logs

`;
const HELP_END = `  -h, --help              this help
  -v, --version           the version

`;
const HELP_MERGE = `Merge (logscan merge <report.json>...):
  Takes the output options, --fail-on and --max-groups. --since, --until, --category, --connector, --host,
  --max-open, --idle and --jobs are refused (exit 2): give them to the runs that make the reports. Also
  exit 2: a file that is not a readable logscan JSON report, or two reports that read the same log. Input
  errors recorded in a report are carried over (exit 3). Reports: files, .json.gz, - (standard input),
  folders (their .json and .json.gz files) and patterns.

`;
const HELP_EXITS = `Exit codes:
  0         report written
  1         --fail-on matched at least one finding (also when some inputs could not be read: 1 wins over 3)
  2         usage error (bad option or value, an --output that is an input or an existing log); also: a
            Node.js version logscan does not support (20.19+ on 20, or 22.12+)
  3         some inputs could not be read or were refused (the report still covers all the others)
  4         the report is too large for one text in this format (json, html and csv are written in pieces)
  5         the report could not be written (no such folder for --output, no permission, disk full)
  6         --fail-on was given, no input failed, but not one protocol-log row or queue entry was read, or
            the protocol logs read all end before --since or start after --until: the check has no data
  70        internal error: a bug in logscan (message and stack trace on standard error; please report it)
  130, 143  interrupted by SIGINT (Ctrl-C) or SIGTERM; an --output file is left as it was

`;
/** Environment variables (the README's table says more); a merge shows no progress line. */
const HELP_ENV_OUTPUT = `Environment:
  NO_COLOR                    set to a non-empty value: no colours, even with --color
  TERM=dumb                   standard output counts as no terminal for colour (no colours unless --color)
  COLUMNS                     the table's width when standard output is not a terminal: 40 or more; else 160
`;
const HELP_ENV_PROGRESS = `  LOGSCAN_PROGRESS_AFTER_MS   milliseconds before the progress line may appear (default 1000; 0: at once)
`;
const HELP_EXAMPLES = `Examples:
  logscan ./Logs
  logscan '\\\\EX01\\c$\\Program Files\\Microsoft\\Exchange Server\\V15\\TransportRoles\\Logs\\FrontEnd\\ProtocolLog'
  cat RECV*.LOG | logscan -
  logscan --format json -o ex01.json ./EX01 && logscan --format json -o ex02.json ./EX02
  logscan merge ex01.json ex02.json
  logscan --since 7d --fail-on legacy-tls,tls-negotiation-failed ./Logs
`;
const HELP = [
  HELP_INTRO,
  HELP_OUTPUT,
  HELP_FILTERS,
  HELP_CHECKS,
  HELP_SESSIONS,
  HELP_MAX_GROUPS,
  HELP_JOBS,
  HELP_END,
  HELP_MERGE,
  HELP_ENV_OUTPUT,
  HELP_ENV_PROGRESS,
  '\n',
  HELP_EXITS,
  HELP_EXAMPLES,
].join('');

/** `logscan merge --help`: the options a merge takes, and nothing it refuses. */
const MERGE_HELP = [
  `logscan ${VERSION} merge: combine JSON reports of earlier runs (one per server, day or site) into one report

Usage:
  logscan merge [options] <report.json|report.json.gz|folder|pattern|->...

`,
  HELP_OUTPUT,
  HELP_CHECKS,
  'Groups:\n',
  HELP_MAX_GROUPS,
  '\n',
  HELP_END,
  HELP_MERGE,
  HELP_ENV_OUTPUT,
  '\n',
  HELP_EXITS,
  `Examples:
  logscan --format json -o ex01.json ./EX01 && logscan --format json -o ex02.json ./EX02
  logscan merge ex01.json ex02.json
  logscan merge --format html -o all.html ./reports
  logscan merge --fail-on legacy-tls 'reports/*.json.gz'
`,
].join('');

class UsageError extends Error {}

/**
 * A full collection every 128 MiB read (per thread). Library scans of the 2 GB bench log, paired: 155 to 161 MiB
 * peak without, 143 to 149 MiB with it (256 MiB: 151 to 154; 64 MiB: 155, as each collection also moves the
 * young objects it finds into the old space). No time cost beyond the runs' noise.
 */
const COLLECT_EVERY = 128 * 1024 * 1024;

const FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv', 'markdown', 'html'];
const DEFAULT_TOP: Partial<Record<OutputFormat, number>> = { table: 20, markdown: 50, html: 1000 };

const RELATIVE_TIME = /^(\d{1,6})\s*(m|min|h|d|w)$/i;

/** `7d`, `12h`, `30m`, `2w` before now, or an ISO date/time. date-fns is loaded only when a run filters by time. */
export async function parseTime(value: string, now: Date = new Date()): Promise<Date> {
  // One module per function: the package root loads all of date-fns (~175 ms).
  const [{ sub }, { parseISO }, { isValid }] = await Promise.all([import('date-fns/sub'), import('date-fns/parseISO'), import('date-fns/isValid')]);
  const rel = RELATIVE_TIME.exec(value.trim());
  if (rel) {
    const n = Number(rel[1]);
    const unit = rel[2]!.toLowerCase();
    const duration = unit.startsWith('m') ? { minutes: n } : unit === 'h' ? { hours: n } : unit === 'd' ? { days: n } : { weeks: n };
    return sub(now, duration);
  }
  // Protocol logs are in UTC, and so is every time logscan shows: a time without a zone is UTC too, not the
  // local time of the machine that happens to run the check (parseISO's reading).
  const date = parseISO(asUtc(value.trim()));
  if (!isValid(date)) throw new UsageError(`not a time: '${value}' (use an ISO date like 2025-11-10 or 2025-11-10T09:00Z, or 30m, 12h, 7d, 2w)`);
  return date;
}

/** `2025-11-10`, `2025-11-10 09:00`, `2025-11-10T09:00:00.5` → the same in UTC; a time with a zone is left alone. */
function asUtc(text: string): string {
  const m = /^(\d{4}-?\d\d-?\d\d)(?:[T ](\d.*))?$/i.exec(text);
  if (m === null) return text;
  const time = m[2] ?? '00:00';
  return /(?:Z|[+-]\d\d(?::?\d\d)?)$/i.test(time) ? `${m[1]}T${time}` : `${m[1]}T${time}Z`;
}

function parseDurationMs(value: string): number {
  const m = /^(\d{1,6})\s*(s|m|h)?$/i.exec(value.trim());
  if (!m) throw new UsageError(`not a duration: '${value}' (use 90s, 15m or 2h)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'm').toLowerCase();
  return n * (unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

/** A whole number of at least `min`; `word` is the other value the option takes, which the caller has handled. */
function parseCount(name: string, value: string | undefined, min: number, word?: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${name} needs a whole number >= ${min}${word === undefined ? '' : ` or '${word}'`}, got '${value}'`);
  }
  return Number(value);
}

/** A report's ISO time as milliseconds; undefined when absent or not a time. */
function timeOrUndefined(time: string | undefined): number | undefined {
  const ms = time === undefined ? NaN : Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseMaxGroups(value: string | undefined): number | undefined {
  return value?.toLowerCase() === 'all' ? Infinity : parseCount('max-groups', value, 1, 'all');
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** The categories the CLI's rules report, in the order the help lists them. */
const CATEGORIES: readonly string[] = knownCategories(defaultRules);

/**
 * Category ids of `--category` or `--fail-on`, any case, matched as scan() matches its `filter.categories`. An
 * unknown id is a usage error: `--fail-on legacy_tls` would otherwise be a nightly check that never fails, and
 * `--category foo` an empty report that looks like clean logs.
 */
function categoryList(option: 'category' | 'fail-on', value: string | undefined): string[] | undefined {
  const given = list(value);
  if (given === undefined) return undefined;
  if (given.length === 0) throw new UsageError(`--${option} needs at least one category`);
  const known = option === 'fail-on' ? [...CATEGORIES, 'any'] : CATEGORIES;
  const { ids, unknown } = matchCategories(given, known);
  if (unknown.length > 0) throw new UsageError(`--${option}: unknown category '${unknown[0]!.toLowerCase()}' (use ${known.join(', ')})`);
  return ids;
}

/** The format an `--output` file's extension names (any case), or undefined: `.gz`, `.log` and others say none. */
const FORMAT_OF_EXTENSION: Readonly<Record<string, OutputFormat>> = {
  '.json': 'json',
  '.csv': 'csv',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.txt': 'table',
};

/** The output format a file name asks for by its extension (`report.HTML` → html), or undefined. */
export function formatOfPath(path: string): OutputFormat | undefined {
  const ext = extname(path).toLowerCase();
  return Object.hasOwn(FORMAT_OF_EXTENSION, ext) ? FORMAT_OF_EXTENSION[ext] : undefined;
}

/** Options that act while logs are read: a merge combines finished reports, so it cannot apply them. */
const SCAN_ONLY = ['since', 'until', 'category', 'connector', 'host', 'max-open', 'idle', 'jobs'] as const;

const OPTIONS = {
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  samples: { type: 'string' },
  top: { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  since: { type: 'string' },
  until: { type: 'string' },
  category: { type: 'string' },
  connector: { type: 'string' },
  host: { type: 'string' },
  'fail-on': { type: 'string' },
  'max-open': { type: 'string' },
  'max-groups': { type: 'string' },
  idle: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/**
 * `unknown option '--fromat' (did you mean --format?)` for parseArgs' unknown-option error, or null for any other
 * error. Its own text advises `-- "--fromat"`, for a positional argument that starts with '-', with a quote left
 * open: for a typo, that is no help. The advice stays for a name that looks like a file's (`-x.log`).
 */
function unknownOptionMessage(e: unknown, argv: readonly string[], merging: boolean): string | null {
  if ((e as NodeJS.ErrnoException | null)?.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return null;
  const quoted = /'(-[^']*)'/.exec((e as Error).message)?.[1];
  if (quoted === undefined) return null;
  // parseArgs quotes the option, so one with a quote in it (`--it's`) is cut there: the argument says it whole.
  const long = new Set(Object.keys(OPTIONS).map((name) => `--${name}`));
  const whole = quoted.startsWith('--') ? argv.map((arg) => arg.split('=')[0]!).find((arg) => arg.startsWith(quoted) && !long.has(arg)) : undefined;
  const option = whole ?? quoted;
  // A merge is offered only the options it takes.
  const known = Object.keys(OPTIONS).filter((name) => !merging || !(SCAN_ONLY as readonly string[]).includes(name));
  const guess = option.startsWith('--') ? closestOption(option.slice(2), known) : null;
  if (guess !== null) return `unknown option '${option}' (did you mean --${guess}?)`;
  const file = argv.find((arg) => arg.startsWith(option) && /[./\\]/.test(arg));
  if (file !== undefined) return `unknown option '${option}' (for an input named ${file}, put -- before it)`;
  return `unknown option '${option}'`;
}

/**
 * The known long option a mistyped one was meant to be, or null: the only one it starts (`--form`), else the
 * only one at the smallest edit distance (a swap of two neighbours counts once: `--fromat`), if that is at most 2
 * and less than the name's length (`--x` is no typo of `--idle`). Case is ignored (`--Format`).
 */
export function closestOption(typed: string, known: readonly string[]): string | null {
  const name = typed.toLowerCase();
  if (name === '') return null;
  const starts = known.filter((k) => k.startsWith(name));
  if (starts.length === 1) return starts[0]!;
  let best: string | null = null;
  let bestDistance = Infinity;
  let ties = 0;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
      ties = 1;
    } else if (d === bestDistance) ties++;
  }
  return best !== null && ties === 1 && bestDistance <= 2 && bestDistance < name.length ? best : null;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours, one each. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

export interface CliIo {
  argv: string[];
  stdout: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /**
   * Standard input: whether it is a terminal (where `-` waits for typing), and the stream `-` reads (default
   * process.stdin, which Node makes only when it is first used).
   */
  stdin?: { isTTY?: boolean; stream?: AsyncIterable<Buffer> };
  /**
   * Registers what to undo when SIGINT or SIGTERM ends the process (bin.ts: before it dies of the signal);
   * returns the function that unregisters it. Without it (tests), nothing is registered.
   */
  onInterrupt?: (cleanup: () => void) => () => void;
}

/**
 * Inputs named on standard error with their error, at most: a tree of thousands of folders that cannot be listed
 * would otherwise bury the terminal. The rest are counted; every one is in the report's `inputs`.
 */
export const MAX_ERROR_LINES = 20;

/** Runs the CLI and returns the exit code (never calls process.exit itself, so tests can drive it). */
export async function main(io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: io.argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    // The words as a lenient parse reads them, so `-q merge --snice 1d` is a merge too, as it would be once parsed.
    const merging = parseArgs({ args: io.argv, options: OPTIONS, allowPositionals: true, strict: false }).positionals[0] === 'merge';
    // parseArgs writes some messages over several lines (`-j -1`): one line, rather than a line with `\x0A` in it.
    const message = unknownOptionMessage(e, io.argv, merging) ?? (e as Error).message.replace(/\s*\n\s*/g, ' ');
    io.stderr.write(`logscan: ${stripControl(message)}\nTry 'logscan ${merging ? 'merge ' : ''}--help'.\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help || values.version) {
    // Written as the report is: a reader that stops early is fine, a full disk is exit 5 and not a stack trace.
    const help = positionals[0] === 'merge' ? MERGE_HELP : HELP;
    const failure = await writeAll(io.stdout, [values.help ? help : `${VERSION}\n`]);
    if (failure === null) return EXIT.ok;
    io.stderr.write(`logscan: cannot write to standard output: ${failure}\n`);
    return EXIT.unwritable;
  }
  try {
    const quiet = values.quiet === true;
    // `-` is standard output, as it is standard input among the inputs.
    const output = values.output === '-' || values.output === '' ? undefined : values.output;
    // Any case, as category ids are: `-f JSON` is not a different format. Without -f, `-o report.html` says it.
    const named = output === undefined ? undefined : formatOfPath(output);
    const format = (values.format ?? named ?? 'table').toLowerCase() as OutputFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`unknown format '${values.format}' (use ${FORMATS.join(', ')})`);
    const samples = parseCount('samples', values.samples, 0);
    // A terminal table of thousands of hosts helps nobody in an incident: the worst first, the rest counted.
    const top = values.top?.toLowerCase() === 'all' ? undefined : (parseCount('top', values.top, 1, 'all') ?? DEFAULT_TOP[format]);
    const failOn = categoryList('fail-on', values['fail-on']);
    const categories = categoryList('category', values.category);
    if (failOnExcluded(failOn, categories)) {
      throw new UsageError(`--fail-on ${failOn!.join(',')} can never match: --category ${categories!.join(',')} keeps only other findings`);
    }
    const merge = positionals[0] === 'merge';
    const inputs = merge ? positionals.slice(1) : positionals;
    if (merge) {
      const given = SCAN_ONLY.filter((name) => values[name] !== undefined);
      if (given.length > 0) {
        throw new UsageError(
          `merge combines finished reports and cannot apply ${given.map((n) => `--${n}`).join(', ')}: give ${given.length > 1 ? 'them' : 'it'} to the runs that make the reports`,
        );
      }
    }
    if (inputs.length === 0) throw new UsageError(merge ? 'merge needs at least one JSON report' : 'no input given (a file, folder, glob or - for standard input)');
    const since = values.since === undefined ? undefined : await parseTime(values.since);
    const until = values.until === undefined ? undefined : await parseTime(values.until);
    if (since !== undefined && until !== undefined && since.getTime() > until.getTime()) {
      throw new UsageError(`--since ${values.since} is later than --until ${values.until}: no session could match`);
    }

    if (values.output === '') throw new UsageError('--output needs a file name (or - for standard output)');
    // `-o *.LOG` in a log folder: the shell makes the first log the output. Refused before anything is read.
    // Merge: the report files its folders and patterns name, so `-o` cannot replace one of them either.
    const reports = merge
      ? await reportFiles(inputs).catch((e: Error) => {
          throw new UsageError(e.message);
        })
      : null;
    if (output !== undefined) {
      const overwritten = inputToOverwrite(output, reports ?? inputs);
      if (overwritten !== null) throw new UsageError(`the output ${output} is the input ${overwritten}: the report would replace it (name another file for --output)`);
      // The first of the logs the shell listed is not among the inputs, nor is a log a folder or pattern finds:
      // the file's own first bytes say what it is, as they say it for every input.
      const kind = await logKind(output);
      if (kind !== null) throw new UsageError(`the output ${output} is an existing ${kind} file, an input logscan reads: the report would replace it (name another file for --output)`);
      // Found after a scan of minutes, a typo in the folder would waste them.
      const unwritable = outputProblem(output);
      if (unwritable !== null) {
        io.stderr.write(`logscan: cannot write the report to ${stripControl(output)}: ${unwritable}\n`);
        return EXIT.unwritable;
      }
    }

    // `logscan -` typed at a prompt waits for the logs to be typed or pasted: say so, or it looks like a hang.
    if (inputs.includes('-') && io.stdin?.isTTY === true && !quiet) {
      io.stderr.write('logscan: reading standard input (end it with Ctrl-D, or Ctrl-Z then Enter on Windows)\n');
    }
    // -f wins over the extension, but `-f table -o report.html` is more likely a slip than a wish: say so.
    // `-o C:\temp\report.html` typed on Linux or macOS names one file in this folder, backslashes and all.
    if (output !== undefined && process.platform !== 'win32' && output.includes('\\') && !quiet) {
      io.stderr.write(`logscan: ${stripControl(output)}: a backslash is part of a file name here, not a folder separator: the report is written to a file of that name (use / between folders)\n`);
    }
    if (named !== undefined && format !== named && !quiet) {
      io.stderr.write(`logscan: writing ${format} to ${stripControl(output!)} as --format says, not the ${named} its name suggests\n`);
    }
    const progress = !quiet && io.stderr.isTTY === true ? progressLine(io.stderr, Number(io.env.LOGSCAN_PROGRESS_AFTER_MS ?? 1000)) : null;
    // Ctrl-C mid-scan left `files 0/1  192 MB  91 MB/s^C` on the terminal, the prompt after it.
    const unregisterProgress = progress === null ? null : (io.onInterrupt?.(progress.done) ?? null);
    let report: Report;
    if (merge) {
      report = await mergeFiles(reports!, samples, parseMaxGroups(values['max-groups']), io.stdin?.stream);
      // As for a scan: reports made with `--category plaintext` hold no legacy-tls finding to fail on.
      const kept = report.filters?.categories;
      if (failOnExcluded(failOn, kept)) {
        throw new UsageError(`--fail-on ${failOn!.join(',')} can never match: the reports were made with --category ${kept!.join(',')}`);
      }
    } else {
      report = await scan(inputs, {
        samples,
        filter: {
          since,
          until,
          categories,
          connector: values.connector,
          host: values.host,
        },
        sessions: {
          maxOpenSessions: parseCount('max-open', values['max-open'], 1),
          idleTimeoutMs: values.idle === undefined ? undefined : parseDurationMs(values.idle),
        },
        maxGroups: parseMaxGroups(values['max-groups']),
        jobs: parseJobs(values.jobs),
        onProgress: progress?.update,
        collectEvery: COLLECT_EVERY,
        thisServer: thisServer(io.env),
        stdin: io.stdin?.stream,
      });
    }
    progress?.done();
    unregisterProgress?.();

    const toFile = output !== undefined;
    // no-color.org: only a non-empty NO_COLOR turns colour off (`NO_COLOR=` in a wrapper script means unset).
    const noColorEnv = (io.env.NO_COLOR ?? '') !== '';
    // TERM=dumb: a terminal that shows escapes as text (Emacs shell buffers, some CI logs), as if not a terminal.
    const dumb = io.env.TERM === 'dumb';
    const color = !toFile && values['no-color'] !== true && !noColorEnv && (values.color === true || (io.stdout.isTTY === true && !dumb));
    const width = !toFile && io.stdout.isTTY ? ((io.stdout as { columns?: number }).columns ?? 100) : pipeWidth(io.env.COLUMNS);
    let pieces: Iterable<string>;
    try {
      pieces = await reportPieces(report, format, { color, width, top, samples });
    } catch (e) {
      const message = tooLargeMessage(e, format, report);
      if (message === null) throw e;
      io.stderr.write(`logscan: ${message}\n`);
      return EXIT.tooLarge;
    }
    const fd = toFile ? null : regularFileFd(io.stdout);
    if (toFile || fd !== null) {
      // A file: every piece is encoded into one reused buffer (output/write.ts), so pieces are not joined first.
      const failure = toFile ? await writeReportFile(output!, pieces, io.onInterrupt) : writeToFile(fd!, pieces);
      if (failure !== null) {
        io.stderr.write(`logscan: cannot write the report: ${failure}\n`);
        return EXIT.unwritable;
      }
    } else {
      const failure = await writeAll(io.stdout, batched(pieces));
      if (failure !== null) {
        io.stderr.write(`logscan: cannot write the report: ${failure}\n`);
        return EXIT.unwritable;
      }
    }

    const unreadable = report.inputs.filter((i) => i.error !== null);
    if (!quiet) {
      for (const i of unreadable.slice(0, MAX_ERROR_LINES)) {
        io.stderr.write(`logscan: ${stripControl(i.source)}: ${stripControl(i.error!)}\n`);
      }
      if (unreadable.length > MAX_ERROR_LINES) {
        io.stderr.write(`logscan: … and ${unreadable.length - MAX_ERROR_LINES} more inputs with errors (the JSON report lists them all)\n`);
      }
    }
    if (!quiet && report.folded !== undefined) {
      // Loaded here, as the outputs load it: a JSON run does not pay for the table module.
      const { foldedText } = await import('./output/table.js');
      io.stderr.write(`logscan: ${foldedText(report)}\n`);
    }
    // `--since 1d` on logs that stopped arriving 20 hours ago covers four hours of the day: say so. The window ends
    // at --until, or now for a relative --since; an ISO --since alone (a look at last month's logs) has no end.
    // A merge: the reports' window ends at their latest --until (a relative --since's "now" was the runs' own).
    const windowEnd = merge
      ? timeOrUndefined(report.filters?.until)
      : (until?.getTime() ?? (values.since !== undefined && RELATIVE_TIME.test(values.since.trim()) ? Date.now() : undefined));
    if (!quiet && windowEnd !== undefined) {
      for (const u of uncoveredEnds(report, windowEnd)) {
        const end = `${formatHours(u.gapMs)} before the end of the time window (${merge ? "the reports' --until" : until === undefined ? 'now' : '--until'})`;
        io.stderr.write(
          u.server === null
            ? `logscan: the protocol logs read end at ${u.to}, ${end}: that part has no logs\n`
            : `logscan: the sessions of ${stripControl(u.server)} end at ${u.to}, ${end}, while other servers' go on: its logs stop there, or its mail did\n`,
        );
      }
    }
    if (failOn !== undefined && matches(report, failOn)) return EXIT.failOn;
    if (unreadable.length > 0) return EXIT.unreadable;
    // A scheduled check pointed at the wrong folder, or at servers whose protocol logging was turned off, finds
    // nothing to fail on: it must not pass. Rows read and then filtered out (--since, --category) still count.
    if (failOn !== undefined && !report.inputs.some((i) => i.records > 0)) {
      if (!quiet) io.stderr.write('logscan: --fail-on: no protocol-log row or queue entry was read, so the check has no data (see the report)\n');
      return EXIT.nothingRead;
    }
    // Protocol logs read, but all of them before --since or after --until: a copy job that stopped, or logging
    // turned off. A nightly `--since 1d --fail-on …` would pass on them every night. Decided on the logs' own time
    // range, not on the sessions kept: --category leaves a healthy window without sessions, and that must pass.
    // A merge has no --since/--until of its own: the reports' window (the earliest since, the latest until) is the
    // one its check ran on. A nightly per-server scan then merge --fail-on must not pass on stale logs either.
    const checkSince = merge ? timeOrUndefined(report.filters?.since) : since?.getTime();
    const checkUntil = merge ? timeOrUndefined(report.filters?.until) : until?.getTime();
    if (failOn !== undefined && (checkSince !== undefined || checkUntil !== undefined)) {
      const logs = logsSpan(report);
      if (logs !== null && ((checkSince !== undefined && Date.parse(logs.to) < checkSince) || (checkUntil !== undefined && Date.parse(logs.from) > checkUntil))) {
        if (!quiet) io.stderr.write(`logscan: --fail-on: the logs read run ${logs.from} → ${logs.to}, outside --since/--until, so the check has no data\n`);
        return EXIT.nothingRead;
      }
    }
    return EXIT.ok;
  } catch (e) {
    // The CLI checks its options before scan() does, in its own words; should scan() still refuse one, that too
    // is a usage error, not a crash.
    if (e instanceof UsageError || e instanceof ScanOptionError) {
      // Messages quote file names, report contents and arguments: none may drive the terminal.
      io.stderr.write(`logscan: ${stripControl(e.message)}\nTry 'logscan ${positionals[0] === 'merge' ? 'merge ' : ''}--help'.\n`);
      return EXIT.usage;
    }
    throw e;
  }
}

/**
 * What to tell the user when a report does not fit one JavaScript string (about 512 MB), or null for any other
 * error. JSON, HTML and CSV are written in pieces and the table and Markdown show the top groups, so this is a
 * safety net rather than a limit anyone is known to reach.
 */
export function tooLargeMessage(e: unknown, format: OutputFormat, report: Pick<Report, 'groups' | 'inputs'>): string | null {
  if (!(e instanceof RangeError) || !/invalid string length/i.test(e.message)) return null;
  return (
    `the ${format} report of ${report.groups.length} groups and ${report.inputs.length} inputs is too large to write as one text; ` +
    'use --format json, or narrow it with --since, --until, --host, --connector or --category'
  );
}

/**
 * The table's width when standard output is no terminal: a `COLUMNS` the shell exported (`COLUMNS=$COLUMNS
 * logscan … | less`, a pager on an 80-column screen), else 160, wide enough for a file or a mail.
 */
export function pipeWidth(columns: string | undefined): number {
  const n = columns !== undefined && /^\d{1,4}$/.test(columns.trim()) ? Number(columns.trim()) : NaN;
  return n >= 40 ? n : 160;
}

/**
 * The report in the pieces it is written in. JSON, HTML and CSV come a few groups at a time: with tens of thousands
 * of groups one string (and its encoded copy) would hold the whole report twice more. The table and Markdown
 * show the top groups only, so they stay one string. A renderer is loaded when it is asked for: the HTML one and
 * its date-fns helpers would otherwise add about 0.1 s to the start of every run (`formatReport` loads them all).
 */
async function reportPieces(report: Report, format: OutputFormat, options: FormatOptions): Promise<Iterable<string>> {
  switch (format) {
    case 'json':
      return jsonChunks(report);
    case 'html':
      return (await import('./output/html.js')).htmlChunks(report, { top: options.top });
    case 'csv':
      return (await import('./output/csv.js')).csvChunks(report);
    case 'table':
      return [(await import('./output/table.js')).renderTable(report, options)];
    case 'markdown':
      return [(await import('./output/markdown.js')).renderMarkdown(report, options)];
  }
}

/**
 * On an Exchange server, its name and install folder, so send logs read there name it. `COMPUTERNAME` first: it
 * is the NetBIOS name that receive connector ids (`EX01\Default Frontend EX01`) carry, in the same case.
 */
export function thisServer(env: NodeJS.ProcessEnv, host: () => string = hostname): ThisServer | undefined {
  const installPath = env.ExchangeInstallPath?.trim();
  if (installPath === undefined || installPath === '') return undefined;
  const name = env.COMPUTERNAME?.trim() || host().split('.')[0]!;
  return name === '' ? undefined : { name, installPath };
}

/** `-j n` (at most the number of cores) or `auto`, the default: threads by the size of the logs (see autoJobs). */
function parseJobs(value: string | undefined): number | 'auto' {
  if (value === undefined || value.toLowerCase() === 'auto') return 'auto';
  // More threads than cores only compete: -j 1000 over 200 log sets took 20 times as long and 25 times the memory.
  return Math.min(parseCount('jobs', value, 1, 'auto')!, availableParallelism());
}

/**
 * Joins small pieces into writes of about 64 KiB: one write (a system call on a file or pipe) per report group
 * cost 9 % of a run with 12,000 groups.
 */
export function* batched(pieces: Iterable<string>, size = 64 * 1024): Generator<string> {
  let buffer = '';
  for (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= size) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}

/** The file descriptor of standard output when it is a regular file (`> report.json`), else null. */
function regularFileFd(out: CliIo['stdout']): number | null {
  const fd = (out as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return null;
  try {
    return fstatSync(fd).isFile() ? fd : null;
  } catch {
    return null;
  }
}

/** Writes the pieces to an open descriptor; why it failed, or null. */
function writeToFile(fd: number, pieces: Iterable<string>): string | null {
  try {
    writePiecesSync(fd, pieces);
    return null;
  } catch (e) {
    return fileSystemFailure(e);
  }
}

/** Characters of report text written between two turns of the event loop, when a signal can be handled. */
const WRITE_SLICE = 1024 * 1024;

/**
 * Writes the report to `path`; why it failed, or null. A regular file is written to a temporary file beside it
 * (`.<name>.<pid>.tmp`) that replaces it when complete: truncated first and written in place, a full disk or a
 * Ctrl-C halfway left a cut-off report where a good one was. The temporary file is removed on failure and on
 * SIGINT/SIGTERM (`onInterrupt`); the write gives the event loop a turn every {@link WRITE_SLICE} characters so
 * that a signal is handled before the rename. A link is followed (the file it names is replaced, not the link)
 * and an existing file's permissions are kept. A device, pipe or other non-regular target (`/dev/stdout`) is
 * written directly, as is a file in a folder that allows no new file but lets the file itself be written.
 */
export async function writeReportFile(path: string, pieces: Iterable<string>, onInterrupt?: CliIo['onInterrupt']): Promise<string | null> {
  let existing;
  try {
    existing = statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    return fileSystemFailure(e);
  }
  if (existing !== undefined && !existing.isFile()) return writeInPlace(path, pieces);
  const target = existing === undefined ? path : realpathSync(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  let fd: number;
  try {
    // 'wx': a file or link already there (left by a killed run of the same pid) is not written through.
    const open = () => openSync(temp, 'wx', existing === undefined ? 0o666 : existing.mode & 0o7777);
    try {
      fd = open();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      unlinkSync(temp);
      fd = open();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (existing !== undefined && (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')) return writeInPlace(path, pieces);
    return fileSystemFailure(e);
  }
  const remove = () => {
    try {
      unlinkSync(temp);
    } catch {
      // already gone, or never to be removed by us: nothing more to do
    }
  };
  const unregister = onInterrupt?.(remove) ?? (() => undefined);
  try {
    try {
      // The mode given to open is filtered by the umask; the old file's is restored exactly.
      if (existing !== undefined) fchmodSync(fd, existing.mode & 0o7777);
      let slice: string[] = [];
      let size = 0;
      for (const piece of pieces) {
        slice.push(piece);
        size += piece.length;
        if (size >= WRITE_SLICE) {
          writePiecesSync(fd, slice);
          slice = [];
          size = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      writePiecesSync(fd, slice);
    } finally {
      closeSync(fd);
    }
    // A signal that came during the last slice is handled now (its handler removes the temporary file and ends
    // the process), not after the rename, when the handler is gone and the new report is in place: Node reads
    // signals in the event loop's poll phase, and two turns of setImmediate have one between them wherever the
    // write started.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    renameSync(temp, target);
    return null;
  } catch (e) {
    remove();
    return fileSystemFailure(e);
  } finally {
    unregister();
  }
}

/**
 * Why the report could not be written to `path`, checked before the scan (the write itself may still fail: a full
 * disk), in plain words naming the folder at fault, or null: a folder as the target, a folder that does not exist
 * or is not a folder, or one that allows no new file (the temporary file) when the target cannot be written in
 * place either. Devices are not checked.
 */
export function outputProblem(path: string): string | null {
  const shown = (p: string) => stripControl(p);
  let info;
  try {
    info = statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    // A part of the path is a file (`notes.txt/r.json`) or cannot be searched: said of the folder below.
    info = undefined;
    if (!['ENOTDIR', 'EACCES', 'EPERM', 'ENOENT'].includes((e as NodeJS.ErrnoException).code ?? '')) return fileSystemFailure(e);
  }
  if (info?.isDirectory()) return 'it is a folder';
  if (info !== undefined && !info.isFile()) return null;
  let folder: string;
  try {
    folder = dirname(info === undefined ? path : realpathSync(path));
  } catch (e) {
    return fileSystemFailure(e);
  }
  let folderInfo;
  try {
    folderInfo = statSync(folder, { throwIfNoEntry: false });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return `no such folder ${shown(folder)}`;
    if (code === 'EACCES' || code === 'EPERM') return `no permission to open the folder ${shown(folder)}`;
    return fileSystemFailure(e);
  }
  if (folderInfo === undefined) return `no such folder ${shown(folder)}`;
  if (!folderInfo.isDirectory()) return `${shown(folder)} is not a folder`;
  try {
    accessSync(folder, constants.W_OK);
    return null;
  } catch (e) {
    // writeReportFile then writes the file in place, if the file allows it.
    if (info === undefined) return accessFailure(e, `no permission to make a file in the folder ${shown(folder)}`);
  }
  try {
    accessSync(path, constants.W_OK);
    return null;
  } catch (e) {
    return accessFailure(e, 'no permission to write it');
  }
}

/** `plain` for a refused access (no permission, a read-only file system), else the error's own message. */
function accessFailure(e: unknown, plain: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return plain;
  if (code === 'EROFS') return 'the file system is read-only';
  return fileSystemFailure(e);
}

/** Opens `path` for writing (created or truncated) and writes the pieces; why it failed, or null. */
function writeInPlace(path: string, pieces: Iterable<string>): string | null {
  try {
    const fd = openSync(path, 'w');
    try {
      writePiecesSync(fd, pieces);
    } finally {
      closeSync(fd);
    }
    return null;
  } catch (e) {
    // `-o /dev/stdout | head`: a reader that stops early is not a failure, as on standard output.
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return null;
    return fileSystemFailure(e);
  }
}

/** A file system error's message, the user's to fix (no such folder, no space); anything else is a bug, rethrown. */
function fileSystemFailure(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (typeof err.code !== 'string' || typeof err.syscall !== 'string') throw e;
  return stripControl(err.message);
}

/**
 * Writes to standard output, waiting when it asks to (a pipe into a slow reader must not buffer the report); why
 * it failed, or null. A reader that goes away (`| head`) is not a failure: it
 * closes the pipe (EPIPE), and writing stops. Any other error (a full disk behind `> file` on a device,
 * `> /dev/full`) is, or a nightly job would keep an empty report and exit 0.
 */
async function writeAll(out: CliIo['stdout'], pieces: Iterable<string>): Promise<string | null> {
  const stream = out as NodeJS.WritableStream & { write(s: string, cb?: (e?: Error | null) => void): boolean };
  if (typeof stream.once !== 'function') {
    for (const piece of pieces) stream.write(piece);
    return null;
  }
  let failure: (Error & { code?: string }) | null = null;
  const onError = (e: Error) => {
    failure ??= e;
  };
  stream.on('error', onError);
  try {
    for (const piece of pieces) {
      if (failure !== null) break;
      if (stream.write(piece) === false) {
        const closed = await new Promise<boolean>((resolve) => {
          const done = (value: boolean) => () => {
            stream.removeListener('drain', onDrain);
            stream.removeListener('close', onClose);
            stream.removeListener('error', onClose);
            resolve(value);
          };
          const onDrain = done(false);
          const onClose = done(true);
          stream.once('drain', onDrain);
          stream.once('close', onClose);
          stream.once('error', onClose);
        });
        if (closed) break;
      }
    }
    // The last write's callback comes after it reached the system, with its error if it failed.
    if (failure === null && !(stream as { destroyed?: boolean }).destroyed) {
      await new Promise<void>((resolve) =>
        stream.write('', (e) => {
          if (e) onError(e);
          resolve();
        }),
      );
    }
  } finally {
    stream.removeListener('error', onError);
  }
  const e = failure as (Error & { code?: string }) | null;
  return e === null || e.code === 'EPIPE' ? null : e.message;
}

/**
 * The input that is the same file as the output, or null. Compared by device and inode, so a link, a hard link,
 * `./x` or another spelling of the path is found; `bigint`, as Windows file ids exceed 2^53. An output that does
 * not exist yet (or is a device, such as /dev/stdout) replaces nothing.
 */
function inputToOverwrite(output: string, inputs: readonly string[]): string | null {
  const out = fileId(output);
  if (out === null) return null;
  for (const input of inputs) {
    const info = input === '-' ? null : fileId(input);
    if (info !== null && info.dev === out.dev && info.ino === out.ino) return input;
  }
  return null;
}

/**
 * What an existing output file is when logscan would read it as an input (a protocol, message-tracking or queue
 * log, or a gzip file such as a rotated log), or null: absent, not a regular file, a report, anything else.
 */
async function logKind(path: string): Promise<string | null> {
  if (fileId(path) === null) return null;
  const [{ plainFileHead }, { detectInput }] = await Promise.all([import('./read/inputs.js'), import('./read/detect.js')]);
  let head: Buffer | null;
  try {
    head = await plainFileHead(path);
  } catch {
    return null; // unreadable: the write says why it fails, as before
  }
  if (head === null) return 'gzip';
  const { kind } = detectInput(head);
  return kind === 'unknown' ? null : kind;
}

/** A regular file's device and inode, or null (absent, unreadable, not a file: nothing a report write replaces). */
function fileId(path: string): { dev: bigint; ino: bigint } | null {
  try {
    const info = statSync(path, { bigint: true, throwIfNoEntry: false });
    return info !== undefined && info.isFile() ? info : null;
  } catch {
    return null;
  }
}

/**
 * The merge of the report files `given` (see reportFiles), read one at a time and each one's groups one at a time
 * (reports of any size, in memory that follows the merged groups). What cannot be merged is a usage error naming
 * the files.
 */
async function mergeFiles(given: readonly string[], samples: number | undefined, maxGroups: number | undefined, stdin?: AsyncIterable<Buffer>): Promise<Report> {
  const merger = new ReportMerger({ samples, maxGroups });
  // Past --max-groups, which hosts keep rows depends on the order reports come in: the largest first, then by
  // path, whatever order the command line named them in (standard input last, as a scan reads it).
  const paths = inTurn(given);
  for (const path of paths) {
    const name = path === '-' ? 'standard input' : path;
    try {
      await addReport(merger, reportBytes(path, stdin));
    } catch (e) {
      if (e instanceof InvalidReportError) {
        throw new UsageError(e.problem.startsWith('its schema is') ? `${name}: not a logscan JSON report (schema logscan.report/1)` : `${name}: not a logscan JSON report that can be merged (${e.problem})`);
      }
      // A file or gzip error (it has a code), or bytes that are no JSON; anything else is a bug, and exits 70 as one.
      if (!(e instanceof ReportSyntaxError) && (e as NodeJS.ErrnoException | null)?.code === undefined) throw e;
      throw new UsageError(`${name}: not a readable JSON report (${e instanceof ReportSyntaxError ? e.message : describeError(e)})`);
    }
  }
  const named = (i: number) => (paths[i] === '-' ? 'standard input' : paths[i]);
  try {
    return merger.build();
  } catch (e) {
    if (e instanceof FiltersMismatchError) {
      const [i, j] = e.reports;
      throw new UsageError(`${named(i)} (${e.filters[0]}) and ${named(j)} (${e.filters[1]}) were made with other filters: they count different things; merge reports made with the same --category, --connector and --host`);
    }
    if (!(e instanceof RepeatedInputError)) throw e;
    const { source, reports: [i, j] } = e.repeated;
    throw new UsageError(
      `${named(i)} and ${named(j)} both read ${source} (same size, lines and times): merged, its sessions would be counted twice; merge reports of different logs`,
    );
  }
}

/** Report files largest first, then by path; `-` last. */
function inTurn(paths: readonly string[]): string[] {
  const sized = paths.map((path) => ({ path, full: resolve(path), size: path === '-' ? -1 : sizeOf(path) }));
  // By the full path: `./b.json` and `b.json` are one file, wherever the command line was typed from.
  return sized.sort((a, b) => b.size - a.size || compareText(a.full, b.full)).map((r) => r.path);
}

/** A file's size, 0 when it cannot be read: reading it then says why, naming it, as a usage error. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Whether a category filter keeps none of the `--fail-on` categories (`--category plaintext --fail-on legacy-tls`):
 * the check could never fail, which must be a usage error rather than a nightly pass.
 */
function failOnExcluded(failOn: readonly string[] | undefined, kept: readonly string[] | undefined): boolean {
  return failOn !== undefined && kept !== undefined && !failOn.includes('any') && !failOn.some((id) => kept.includes(id));
}

/** `20 h`, `4 d 12 h`: a gap in log time, to the hour. */
function formatHours(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d${hours % 24 === 0 ? '' : ` ${hours % 24} h`}`;
}

function matches(report: Report, categories: readonly string[]): boolean {
  const any = categories.includes('any');
  return Object.entries(report.totals.byCategory).some(([id, n]) => n > 0 && (any || categories.includes(id)));
}

/** A single self-overwriting status line on a terminal, shown only once a run takes longer than a second. */
function progressLine(stderr: CliIo['stderr'], afterMs: number) {
  const started = Date.now();
  let last = -Infinity;
  let shown = false;
  return {
    update(p: ScanProgress) {
      const now = Date.now();
      if (now - started < afterMs || now - last < 200) return;
      last = now;
      shown = true;
      const mb = p.bytesRead / 1048576;
      const rate = mb / Math.max(0.001, (now - started) / 1000);
      stderr.write(`\r\u001b[2Kfiles ${p.filesDone}/${p.filesTotal}  ${mb.toFixed(0)} MB  ${rate.toFixed(0)} MB/s`);
    },
    done() {
      if (shown) stderr.write('\r\u001b[2K');
    },
  };
}
