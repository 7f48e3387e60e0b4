#!/usr/bin/env node
// Benchmark harness: logscan against csv-parse (and grep) on the same generated Exchange logs, in one run.
//
//   node bench/run.mjs [--runs 5] [--size 200MB] [--files 10MB] [--servers 2] [--seed 1] [--big-size 2GB]
//                      [--memory|--no-memory] [--memory-runs 3] [--profile|--no-profile] [--quick] [--no-write]
//                      [--scaling|--no-scaling] [--scale-size 2GB] [--json FILE] [--md FILE]
//   npm run bench                      (builds first, then runs this with the defaults)
//
// Every case runs in a fresh `node` (or grep) process: one warm-up run, then `--runs` timed runs; the median
// wall time is reported, with the result count of the run (records, sessions/findings, matching lines) so a
// fast but wrong run shows. Peak RSS comes from `/usr/bin/time -v` when present, else from the child's own
// `process.resourceUsage().maxRSS`. Ratios are against the csv-parse baseline measured in the same run, so
// they hold across machines even where absolute MiB/s do not.
//
// Data is generated with bench/generate.mjs into bench/data/ (git-ignored) and reused when a file with the
// same parameters is already there. Without --no-write the results replace docs/performance.md, so the
// published numbers always come from this script (--md FILE writes that page elsewhere instead).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { parseSize } from './generate.mjs';
import { summarizeProfile, profileFile } from './profile-summary.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench', 'data');
const OUT = join(ROOT, 'bench', '.out');
const BIN = join(ROOT, 'dist', 'bin.js');
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// arguments
// ---------------------------------------------------------------------------------------------

function readOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      size: { type: 'string' },
      'big-size': { type: 'string' },
      'memory-runs': { type: 'string' },
      scaling: { type: 'boolean' },
      'no-scaling': { type: 'boolean', default: false },
      'scale-size': { type: 'string' },
      files: { type: 'string' },
      servers: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      memory: { type: 'boolean' },
      profile: { type: 'boolean' },
      'no-profile': { type: 'boolean', default: false },
      'no-memory': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      md: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
    // The comment block at the top of this file is the help.
    const header = lines.slice(0, lines.findIndex((l) => !l.startsWith('//')));
    process.stdout.write(header.map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    process.exit(0);
  }
  const quick = values.quick;
  const runs = Number(values.runs ?? (quick ? 1 : 5));
  if (!Number.isInteger(runs) || runs < 1 || runs > 99) throw new Error('--runs must be 1..99');
  const size = parseSize(values.size ?? (quick ? '3MB' : '200MB'));
  const files = parseSize(values.files ?? (quick ? '512KB' : '10MB'));
  const bigSize = parseSize(values['big-size'] ?? '2GB');
  const servers = Number(values.servers);
  const seed = Number(values.seed);
  if (!Number.isInteger(servers) || servers < 1 || servers > 99) throw new Error('--servers must be 1..99');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  // The memory cases need a big file: on by default for a full run, off for --quick unless asked for.
  const memory = values['no-memory'] ? false : (values.memory ?? !quick);
  // Peak RSS moves by 10 MiB or more between runs of the same input (when the collector happens to run).
  const memoryRuns = Number(values['memory-runs'] ?? (quick ? 1 : 3));
  if (!Number.isInteger(memoryRuns) || memoryRuns < 1 || memoryRuns > 99) throw new Error('--memory-runs must be 1..99');
  const profile = values['no-profile'] ? false : (values.profile ?? !quick);
  // --jobs on a folder ten times the size: what threads give once start-up and compilation are spread thinner.
  const scaling = values['no-scaling'] ? false : (values.scaling ?? !quick);
  const scaleSize = parseSize(values['scale-size'] ?? '2GB');
  return { quick, runs, size, files, bigSize, servers, seed, memory, memoryRuns, profile, scaling, scaleSize, write: !values['no-write'], md: values.md ?? null, json: values.json ?? null };
}

// ---------------------------------------------------------------------------------------------
// data
// ---------------------------------------------------------------------------------------------

function sizeLabel(bytes) {
  if (bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)}GB`;
  if (bytes % MiB === 0) return `${bytes / MiB}MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024}KB`;
  return `${bytes}B`;
}

/**
 * Runs the generator unless its output for exactly these parameters exists. The summary is written last, so an
 * interrupted generation is never mistaken for finished data.
 */
function ensureData(name, args) {
  mkdirSync(DATA, { recursive: true });
  const target = join(DATA, name);
  const stamp = `${target}.summary.json`;
  if (existsSync(stamp) && existsSync(target)) return { path: target, summary: JSON.parse(readFileSync(stamp, 'utf8')) };
  rmSync(target, { recursive: true, force: true });
  const isDir = args.includes('--out');
  const full = [join(ROOT, 'bench', 'generate.mjs'), isDir ? '--out' : '--single', target, ...args.filter((a) => a !== '--out')];
  process.stderr.write(`generating ${relative(ROOT, target)} ...\n`);
  const r = spawnSync(process.execPath, full, { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`generate.mjs failed: ${r.stderr}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop());
  writeFileSync(`${stamp}.tmp`, JSON.stringify(summary));
  renameSync(`${stamp}.tmp`, stamp);
  return { path: target, summary };
}

/**
 * `path` compressed with gzip's default level next to it (`.gz`), made once like the generated data: admins keep
 * older protocol logs compressed, and logscan reads them without unpacking. Written under a temporary name, so an
 * interrupted run never leaves a cut archive behind.
 */
function ensureGzip(path) {
  const target = `${path}.gz`;
  if (existsSync(target)) return target;
  process.stderr.write(`compressing ${relative(ROOT, path)} ...\n`);
  writeFileSync(`${target}.tmp`, gzipSync(readFileSync(path)));
  renameSync(`${target}.tmp`, target);
  return target;
}

function bytesOf(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const e of readdirSync(path, { recursive: true, withFileTypes: true })) if (e.isFile()) total += statSync(join(e.parentPath ?? e.path, e.name)).size;
  return total;
}

// ---------------------------------------------------------------------------------------------
// running one case
// ---------------------------------------------------------------------------------------------

const HAS_TIME = (() => {
  if (!existsSync('/usr/bin/time')) return false;
  const r = spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /Maximum resident set size/.test(r.stderr);
})();

/** Reports the child's own peak RSS on stderr when /usr/bin/time is missing. */
const RSS_HOOK = 'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nBENCH_RSS_KIB="+process.resourceUsage().maxRSS+"\\n"))';

function commandFor(step) {
  const argv = step.node ? [process.execPath, ...(HAS_TIME ? [] : [`--import=${RSS_HOOK}`]), ...step.args] : [step.cmd, ...step.args];
  return HAS_TIME ? ['/usr/bin/time', '-v', ...argv] : argv;
}

/** One process: wall time measured around it, stdout to a file (the report), peak RSS from stderr. */
function runOnce(step, outFile) {
  return new Promise((resolvePromise, reject) => {
    const [cmd, ...args] = commandFor(step);
    const fd = openSync(outFile, 'w');
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      if (stderr.length < 1_000_000) stderr += d;
    });
    child.on('error', (e) => {
      closeSync(fd);
      reject(e);
    });
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      closeSync(fd);
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr) ?? /BENCH_RSS_KIB=(\d+)/.exec(stderr);
      // grep -c exits 1 when nothing matched; the count (0) then shows that.
      const ok = code === 0 || (step.cmd === 'grep' && code === 1);
      if (!ok) return reject(new Error(`${step.name}: exit ${code}\n${stderr.slice(-2000)}`));
      resolvePromise({ seconds, rssKiB: rss ? Number(rss[1]) : null });
    });
  });
}

/**
 * Prints, at the child's exit, its main thread's CPU seconds (from /proc, Linux) and the whole process's (from
 * resourceUsage, which also counts threads that have ended, such as a --jobs worker).
 */
const THREADS_HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    'import{readFileSync}from"node:fs";process.on("exit",()=>{const s=readFileSync(`/proc/self/task/${process.pid}/stat`,"utf8");' +
      'const f=s.slice(s.lastIndexOf(")")+2).split(" ");const u=process.resourceUsage();' +
      'process.stderr.write(`\nBENCH_THREADS=${Number(f[11])+Number(f[12])},${(u.userCPUTime+u.systemCPUTime)/1e6}\n`)})',
  );

/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return r.status === 0 && n > 0 ? n : 100;
})();

/**
 * CPU seconds of the main thread and of all other threads (V8's background compiler and GC helpers, libuv's
 * file reads, a --jobs worker), median of `runs` interleaved runs: what a second scanning thread competes with
 * for the second core. Linux only (null elsewhere).
 */
async function measureThreads(steps, runs) {
  if (!existsSync('/proc/self/task')) return null;
  const out = steps.map(() => ({ wall: [], main: [], other: [] }));
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < steps.length; i++) {
      const r = spawnSync(process.execPath, [`--import=${THREADS_HOOK}`, ...steps[i].args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * MiB });
      const m = /BENCH_THREADS=(\d+),([\d.]+)/.exec(r.stderr ?? '');
      if (r.status !== 0 || m === null) throw new Error(`${steps[i].name}: exit ${r.status}\n${(r.stderr ?? '').slice(-2000)}`);
      const main = Number(m[1]) / CLOCK_TICKS;
      out[i].main.push(main);
      out[i].other.push(Math.max(0, Number(m[2]) - main));
    }
  }
  // Wall time comes from the throughput cases (no hook there); this only splits the CPU.
  return steps.map((step, i) => ({ id: step.id, name: step.name, mainCpu: median(out[i].main), otherCpu: median(out[i].other), runs }));
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Times every step `runs` times in rounds (each round runs every step once, in order), after one warm-up run of
 * each. Interleaving matters on a shared machine: a slow minute then slows one run of every case instead of all
 * runs of one case, so the ratios between cases stay honest when absolute times drift.
 */
async function measureAll(steps, runs, warmup) {
  mkdirSync(OUT, { recursive: true });
  const outFile = (step) => join(OUT, `${step.id}.out`);
  if (warmup) for (const step of steps) await runOnce(step, outFile(step));
  const times = steps.map(() => []);
  const rss = steps.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < steps.length; i++) {
      const r = await runOnce(steps[i], outFile(steps[i]));
      times[i].push(r.seconds);
      if (r.rssKiB !== null) rss[i].push(r.rssKiB / 1024);
    }
  }
  return steps.map((step, i) => {
    const count = step.count(readFileSync(outFile(step), 'utf8'), outFile(step));
    const seconds = median(times[i]);
    return { id: step.id, name: step.name, input: step.inputLabel, bytes: step.bytes, seconds, times: times[i], mibPerSec: step.bytes / MiB / seconds, peakRssMiB: Math.max(0, ...rss[i]), medianRssMiB: rss[i].length > 0 ? median(rss[i]) : 0, rssMiB: rss[i], count };
  });
}

// ---------------------------------------------------------------------------------------------
// cases
// ---------------------------------------------------------------------------------------------

const csvCount = (text) => {
  const records = JSON.parse(text.trim()).records;
  return { records, label: `${records} records` };
};
const floorCount = (text) => {
  const r = JSON.parse(text.trim());
  return { sessions: r.sessions, groups: r.groups, seconds: Number(r.seconds), label: `${r.sessions} sessions / ${r.groups} groups (no findings made)` };
};
const grepCount = (text) => {
  const lines = Number(text.trim());
  return { lines, label: `${lines} lines` };
};
const reportCount = (text) => {
  const report = JSON.parse(text);
  const t = report.totals;
  // Groups are what the report keeps in memory (one per direction, server, connector and remote host).
  const groups = report.groups.length;
  const samples = report.groups.reduce((n, g) => n + g.samples.length, 0);
  const folded = report.folded === undefined ? '' : ` (${report.folded.sessions} sessions folded past ${report.folded.maxGroups})`;
  return { sessions: t.sessions, findings: t.findings, groups, samples, reportBytes: Buffer.byteLength(text), label: `${t.sessions} sessions / ${t.findings} findings / ${groups} groups${folded}` };
};

/**
 * What this machine gives two independent processes: one logscan per server folder, started together. It is the
 * ceiling for `--jobs 2` (same work, no threads, no merge), so a low jobs ratio can be told apart from a machine
 * whose second core does not help.
 */
function parallelProcessesStep(rotatedPath, bytes, inputLabel) {
  const servers = readdirSync(rotatedPath, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const part = (i) => join(OUT, `processes.out.${i}`);
  const script = servers
    .map((server, i) => `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --format json --quiet --jobs 1 -o ${JSON.stringify(part(i))} ${JSON.stringify(join(rotatedPath, server))} &`)
    .join('\n');
  return {
    id: 'processes-2',
    name: `reference: ${servers.length} logscan processes at once, one per server`,
    cmd: 'sh',
    args: ['-c', `${script}\nwait`],
    bytes,
    inputLabel,
    count: () => {
      let sessions = 0;
      let findings = 0;
      servers.forEach((_, i) => {
        const t = JSON.parse(readFileSync(part(i), 'utf8')).totals;
        sessions += t.sessions;
        findings += t.findings;
      });
      return { sessions, findings, label: `${sessions} sessions / ${findings} findings (${servers.length} reports)` };
    },
  };
}

/** A folder of rotated files of both kinds from `opt.servers` servers, `size` in all (the folder and --jobs cases). */
function rotatedData(opt, size) {
  return ensureData(`rotated-${size}-files${sizeLabel(opt.files)}-servers${opt.servers}-seed${opt.seed}`, [
    '--out', '--size', size, '--kind', 'both', '--files', sizeLabel(opt.files), '--servers', String(opt.servers), '--seed', String(opt.seed),
  ]);
}

function printResult(r) {
  process.stdout.write(`${r.name.padEnd(50)} ${fmt(r.seconds, 2).padStart(7)} s ${(FIXED_COST.has(r.id) ? '–' : fmt(r.mibPerSec, 0)).padStart(6)} MiB/s  RSS ${fmt(r.peakRssMiB, 0).padStart(5)} MiB  ${r.count.label}\n`);
}

function logscanStep(id, name, input, bytes, inputLabel, jobs) {
  return { id, name, node: true, args: [BIN, '--format', 'json', '--quiet', '--jobs', String(jobs), input], bytes, inputLabel, count: reportCount };
}

function buildCases(opt, data) {
  const { recv, send, rotated, retirement } = data;
  const recvBytes = bytesOf(recv.path);
  const sendBytes = bytesOf(send.path);
  const rotBytes = bytesOf(rotated.path);
  const recvLabel = `receive log, ${sizeLabel(opt.size)} (1 file)`;
  const recvGz = ensureGzip(recv.path);
  const rotLabel = `${rotated.summary.files} files of ${sizeLabel(opt.files)}, ${opt.servers} servers, send+receive (${(rotBytes / MiB).toFixed(0)} MiB)`;
  return [
    { id: 'csv-parse', name: 'baseline: csv-parse streaming, every line', node: true, args: [join(ROOT, 'bench', 'csv-baseline.mjs'), recv.path], bytes: recvBytes, inputLabel: recvLabel, count: csvCount },
    logscanStep('logscan-receive', 'logscan end to end, receive log, --jobs 1', recv.path, recvBytes, recvLabel, 1),
    logscanStep('logscan-send', 'logscan end to end, send log, --jobs 1', send.path, sendBytes, `send log, ${sizeLabel(opt.size)} (1 file)`, 1),
    // Most sessions legacy-TLS findings, as during a TLS 1.0 retirement: what making evidence costs when it is
    // needed for nearly every session (the receive log above has about one finding in five sessions).
    logscanStep('logscan-retirement', 'logscan end to end, retirement receive log, --jobs 1', retirement.path, bytesOf(retirement.path), `receive log, mostly TLS 1.0/1.1, ${sizeLabel(opt.size)} (1 file)`, 1),
    logscanStep('logscan-rotated-j1', 'logscan rotated folder, --jobs 1', rotated.path, rotBytes, rotLabel, 1),
    logscanStep('logscan-rotated-j2', 'logscan rotated folder, --jobs 2', rotated.path, rotBytes, rotLabel, 2),
    // The CLI's default: threads by the size of the logs (one thread here, as threads do not pay below 512 MiB).
    logscanStep('logscan-rotated-auto', 'logscan rotated folder, --jobs auto (default)', rotated.path, rotBytes, rotLabel, 'auto'),
    parallelProcessesStep(rotated.path, rotBytes, rotLabel),
    // The other two ways a log comes in: archived as .gz, and piped (`cat RECV*.LOG | logscan -`). Both are counted
    // in bytes of log, as the plain receive case is, so the three rows compare directly.
    { ...logscanStep('logscan-receive-gz', 'reference: logscan, receive log as .gz, --jobs 1', recvGz, recvBytes, `receive log, ${sizeLabel(opt.size)}, gzip -6 (${(bytesOf(recvGz) / MiB).toFixed(1)} MiB .gz)`, 1) },
    stdinStep(recv.path, recvBytes, recvLabel),
    // On the send log: the generator writes that text only there (receive failures show as aborted handshakes),
    // and a search that never matches would not show that grep did its job. Both logs have the same size.
    { id: 'grep', name: "reference: grep -c -F 'TLS negotiation failed'", cmd: 'grep', args: ['-c', '-F', 'TLS negotiation failed', send.path], bytes: sendBytes, inputLabel: `send log, ${sizeLabel(opt.size)} (1 file)`, count: grepCount },
    // What the 8× target leaves room for: the time every run pays whatever it reads (Node's start, loading and
    // compiling logscan), and a byte-level session pass that keeps no evidence and builds no report.
    startupStep(recv.path),
    { id: 'floor', name: 'reference: lean session pass (bench/floor.mjs)', node: true, args: [join(ROOT, 'bench', 'floor.mjs'), recv.path], bytes: recvBytes, inputLabel: recvLabel, count: floorCount },
  ];
}

/** `cat FILE | logscan -`: standard input is a pipe, read as it comes (64 KiB at a time on Linux). */
function stdinStep(path, bytes, inputLabel) {
  const cmd = `cat ${JSON.stringify(path)} | ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --format json --quiet --jobs 1 -`;
  return { id: 'logscan-receive-stdin', name: 'reference: cat receive log | logscan -, --jobs 1', cmd: 'sh', args: ['-c', cmd], bytes, inputLabel: `${inputLabel.replace(' (1 file)', '')} on standard input`, count: reportCount };
}

/** Cases whose input is too small for MiB/s and a ratio to mean anything: only their time is shown. */
const FIXED_COST = new Set(['startup']);

/** logscan on the first complete rows of the receive log (about 64 KiB, a few hundred sessions). */
function startupStep(recvPath) {
  mkdirSync(OUT, { recursive: true });
  const head = readFileSync(recvPath).subarray(0, 64 * 1024);
  const small = join(OUT, 'startup-receive.log');
  writeFileSync(small, head.subarray(0, head.lastIndexOf(10) + 1));
  return { ...logscanStep('startup', 'reference: logscan on 64 KiB (start-up, loading, compiling)', small, bytesOf(small), 'first 64 KiB of the receive log', 1) };
}

// ---------------------------------------------------------------------------------------------
// report
// ---------------------------------------------------------------------------------------------

function machine() {
  const list = cpus();
  return {
    cpu: list[0]?.model?.trim() || 'unknown',
    cores: list.length,
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    // Other work on the machine moves absolute numbers; the load shows whether a run was disturbed.
    load: loadavg().map((l) => l.toFixed(2)).join(' '),
    peakRssSource: HAS_TIME ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS of the child',
  };
}

function fmt(n, digits = 1) {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratioText(r, baseline) {
  if (r.id === 'csv-parse') return '1.0×';
  if (FIXED_COST.has(r.id)) return '–';
  return `${fmt(r.mibPerSec / baseline.mibPerSec)}×`;
}

/** `baseline`: the csv-parse case, when `results` (the larger-folder runs) do not include it. */
function resultTable(results, baseline = results.find((r) => r.id === 'csv-parse')) {
  const rows = [
    '| case | input | median s | MiB/s | vs csv-parse | peak RSS MiB | result |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of results) {
    rows.push(`| ${r.name} | ${r.input} | ${fmt(r.seconds, 2)} | ${FIXED_COST.has(r.id) ? '–' : fmt(r.mibPerSec, 0)} | ${ratioText(r, baseline)} | ${fmt(r.peakRssMiB, 0)} | ${r.count.label} |`);
  }
  return rows.join('\n');
}

function memoryTable(memory) {
  return [
    '| input | size | seconds | MiB/s | highest peak RSS MiB | median (each run) | result | samples | JSON report MiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...memory.runs.map(
      (r) =>
        `| ${r.input} | ${(r.bytes / MiB).toFixed(0)} MiB | ${fmt(r.seconds, 2)} | ${fmt(r.mibPerSec, 0)} | ${fmt(r.peakRssMiB, 0)} | ${fmt(r.medianRssMiB, 0)} (${r.rssMiB.map((v) => fmt(v, 0)).join(', ')}) | ${r.count.label} | ${fmt(r.count.samples, 0)} | ${fmt(r.count.reportBytes / MiB, 1)} |`,
    ),
  ].join('\n');
}

/** `: one scan already keeps N cores busy`, from the CPU-per-thread runs of the --jobs 1 folder case. */
function busy(threads, by) {
  const t = threads?.find((x) => x.id === 'logscan-rotated-j1');
  return t ? `: one scan already keeps ${fmt((t.mainCpu + t.otherCpu) / by['logscan-rotated-j1'].seconds, 1)} cores busy` : '';
}

/**
 * The 8× target as a time budget on the receive log, against what this run measured of its parts: a reader can
 * see whether the target fits the machine before asking why logscan misses it.
 */
function budgetLine(by) {
  const budget = by['csv-parse'].seconds / 8;
  const fixed = by.startup.seconds;
  // The pass's own time, without Node's start, which the 64 KiB run already counts.
  const pass = by.floor.count.seconds;
  const left = budget - fixed - pass;
  return (
    `8× csv-parse on the receive log is ${fmt(budget, 2)} s. A logscan run on 64 KiB takes ${fmt(fixed, 2)} s, and the lean session pass ` +
    `${fmt(pass, 2)} s after Node's start (${fmt(by.floor.mibPerSec / by['csv-parse'].mibPerSec)}× csv-parse with it), so ${fmt(left, 2)} s would be left ` +
    'for evidence, classification, the report and its JSON in a design built on that pass'
  );
}

function summaryLines(results, memory, scaling, threads) {
  const by = Object.fromEntries(results.map((r) => [r.id, r]));
  const base = by['csv-parse'].mibPerSec;
  const lines = [
    `logscan --jobs 1, receive log: ${fmt(by['logscan-receive'].mibPerSec / base)}× csv-parse (target ≥ 8×, stretch ≥ 12×)`,
    `logscan --jobs 1, send log: ${fmt(by['logscan-send'].mibPerSec / base)}× csv-parse`,
    `logscan --jobs 1, retirement receive log (most sessions are findings): ${fmt(by['logscan-retirement'].mibPerSec / base)}× csv-parse, ${fmt(by['logscan-receive'].seconds / by['logscan-retirement'].seconds, 2)}× the speed on the receive log`,
    `rotated folder: --jobs 2 is ${fmt(by['logscan-rotated-j2'].mibPerSec / by['logscan-rotated-j1'].mibPerSec, 2)}× --jobs 1 (target ≥ 1.6×); two processes at once, one per server, are ${fmt(by['processes-2'].mibPerSec / by['logscan-rotated-j1'].mibPerSec, 2)}× it (what a second logscan process gains on this machine${busy(threads, by)})`,
    `receive log as .gz: ${fmt(by['logscan-receive-gz'].mibPerSec / base)}× csv-parse, ${fmt(by['logscan-receive'].seconds / by['logscan-receive-gz'].seconds, 2)}× the speed on the plain file (decompression runs on libuv's thread pool, beside the scan); on standard input: ${fmt(by['logscan-receive-stdin'].mibPerSec / base)}× csv-parse, ${fmt(by['logscan-receive'].seconds / by['logscan-receive-stdin'].seconds, 2)}× the plain file's speed`,
    `grep -c -F: ${fmt(by.grep.mibPerSec / base)}× csv-parse (logscan receive is ${fmt((100 * by['logscan-receive'].mibPerSec) / by.grep.mibPerSec, 0)} % of grep)`,
    budgetLine(by),
  ];
  if (scaling) {
    lines.push(
      `rotated folder of ${sizeLabel(scaling.size)} (reference): --jobs 2 is ${fmt(scaling.ratio, 2)}× --jobs 1, the default (auto) ${fmt(scaling.runs[2].mibPerSec / scaling.runs[0].mibPerSec, 2)}× (each thread compiles its own code and the report is built and written once, after the threads; a larger input spreads those costs thinner)`,
    );
  }
  if (memory) {
    lines.push(
      `peak RSS: ${fmt(memory.big.peakRssMiB, 0)} MiB on ${sizeLabel(memory.bigSize)}, the highest of its runs (target ≤ 200 MB); median ${fmt(memory.ratio, 2)}× the ${sizeLabel(memory.smallSize)} run's median (target ≤ 1.25×); ${fmt(memory.internet.peakRssMiB, 0)} MiB on ${sizeLabel(memory.bigSize)} with a remote IP per session (reference)`,
    );
  }
  return lines;
}

function markdown(opt, m, results, memory, scaling, profile, threads, command) {
  const out = [
    '# Performance',
    '',
    '<!-- Written by bench/run.mjs: do not edit the numbers by hand; run `npm run bench` instead. -->',
    '',
    'logscan reads Exchange SMTP protocol logs with a byte-level line walk and splits fields by hand, so it is',
    'measured against the obvious alternative: [csv-parse](https://csv.js.org/parse/) streaming over every line',
    '(`bom`, `comment: "#"`, `comment_no_infix`, `relax_quotes`, `relax_column_count`,',
    "`record_delimiter: ['\\r\\n', '\\n']`, `pipeline()` from a 1 MiB read stream, counting records only). csv-parse",
    'only *parses*; the logscan cases do the whole job (read, rebuild sessions, classify, build the report, write',
    'the JSON report to a file in `bench/.out/`). `grep -c -F` (on the send log, where that text occurs) shows what the page cache and one core allow for a plain byte search.',
    'The retirement receive log comes from the same generator with `--mix retirement`: most sessions negotiate TLS 1.0/1.1,',
    'so most are findings with evidence to quote, as on the servers of a TLS 1.0 retirement (the receive log has about one',
    'finding in five sessions).',
    'Two reference rows price what the 8× target leaves room for: logscan on the first 64 KiB of the receive log (what',
    'every run pays: Node\'s start, loading and compiling logscan), and `bench/floor.mjs`, a byte-level session pass over',
    'the receive log that keeps no evidence, makes no findings and builds no report (a floor for a redesign, not a product).',
    'Two more reference rows read the same receive log the other ways it reaches logscan: compressed (`.gz`, made with',
    'zlib\'s default level, as `gzip` makes it) and piped (`cat … | logscan -`). Their MiB/s count bytes of log, not of',
    'the archive, so they compare with the plain row directly.',
    '',
    'Each case runs in a fresh process: one warm-up run of every case, then rounds in which every case runs once',
    '(so a slow minute on a shared machine touches every case alike), and the median of its timed runs (wall time,',
    'process start included). Ratios compare with the csv-parse baseline of the same run, so they carry over to other',
    'machines better than the MiB/s figures. The result column is what each run found, so a fast but wrong run',
    'would show.',
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpu}, ${m.cores} cores; memory ${fmt(m.memoryGiB, 1)} GiB; ${m.platform}`,
    `- Node ${m.node}; peak RSS from ${m.peakRssSource}`,
    `- Date: ${m.date}; load average at the end (1, 5, 15 min): ${m.load}`,
    `- Data: bench/generate.mjs, seed ${opt.seed}, ${opt.servers} servers; ${opt.runs} timed run(s) per case after a warm-up`,
    '',
    '## Throughput',
    '',
    resultTable(results),
    '',
    ...summaryLines(results, memory, scaling, threads).map((l) => `- ${l}`),
    '',
  ];
  if (threads) {
    const seconds = Object.fromEntries(results.map((r) => [r.id, r.seconds]));
    out.push(
      '## CPU per thread (reference)',
      '',
      `CPU seconds of the main thread and of every other thread of the process, median of ${threads[0].runs} run(s) of each case above`,
      '(from `/proc/self/task` and `process.resourceUsage()` at exit). The other threads are V8\'s background compiler',
      'and garbage-collector helpers, libuv\'s file reads and, with `--jobs 2`, the worker thread. Each thread that',
      'runs JavaScript compiles its own code, so on a 2-core machine a second scanning thread gets only what these',
      'leave of the second core. Wall time is the median of the throughput runs.',
      '',
      '| case | wall s | main thread CPU s | other threads CPU s | CPU / wall |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...threads.map((t) => `| ${t.name} | ${fmt(seconds[t.id], 2)} | ${fmt(t.mainCpu, 2)} | ${fmt(t.otherCpu, 2)} | ${fmt((t.mainCpu + t.otherCpu) / seconds[t.id], 2)} |`),
      '',
    );
  }
  if (scaling) {
    out.push(
      '## Threads on a larger folder (reference)',
      '',
      `The rotated-folder case again at ${sizeLabel(scaling.size)}, ${scaling.runs[0].times.length} interleaved run(s) each, no warm-up. The \`--jobs\` target above is set`,
      'on 200 MB, where a thread spends a large share of its time starting and compiling; this shows how the ratio',
      'moves when there is more to read. It is not a target.',
      '',
      resultTable(scaling.runs, results.find((r) => r.id === 'csv-parse')),
      '',
    );
  }
  if (memory) {
    out.push(
      '## Memory',
      '',
      `Peak resident memory of \`logscan --format json --jobs 1\` on one receive log in ${memory.runs[0].times.length} interleaved run(s): the`,
      'peak moves by 10 MiB or more between runs, so the highest is held against the 200 MB target and the medians',
      'give the ratio (one high run of the small log would flatter a ratio of highest peaks). A protocol log is read into two 1 MiB buffers',
      'refilled in turn, one pair per log set. Sessions are handed on when they end and an open session holds its facts and a bounded set',
      'of rows, so open sessions do not grow with the input. The report keeps one entry (counts, names,',
      'up to 3 samples per category) per direction, server, connector and remote host, so it grows with the number',
      'of distinct remote hosts seen (the groups in the result column) and with how many of them fail, not with the',
      'number of sessions. The generator gives every client address a random mix of sessions, so on a longer log',
      'nearly every group fails sooner or later and keeps samples (real logs fail by host: a printer always uses',
      'TLS 1.0); the samples and JSON report columns show how much more the report holds. The executable runs V8',
      'with `--heap-growing-percent=50` (a full collection at 1.5× the live heap instead of up to 4×) and forces a',
      'full collection every 128 MiB of input (`collectEvery`), which is what keeps the peak near the live data.',
      'The third log comes from an Edge server facing the internet (`generate.mjs --clients internet`): a new remote',
      'address for nearly every session, so a group per session until the group limit (`--max-groups`, default',
      '35,000) folds the hosts past it into one `(other hosts)` group per connector.',
      '',
      memoryTable(memory),
      '',
    );
  }
  if (profile) {
    out.push(
      '## Where the time goes',
      '',
      `Self time per function, \`node --cpu-prof\` of one \`logscan --format json --jobs 1\` run on the receive log`,
      `(${fmt(profile.totalMs, 0)} ms sampled; the profiler itself slows the run down).`,
      '',
      '| self ms | share | function |',
      '| ---: | ---: | --- |',
      ...profile.rows.map((r) => `| ${fmt(r.ms, 0)} | ${fmt(100 * r.share, 1)} % | \`${r.name.replace(/\|/g, '\\|')}\` |`),
      '',
    );
  }
  out.push(
    '## Reproduce',
    '',
    '```sh',
    command,
    '```',
    '',
    '`npm run bench` builds first and runs the full set (throughput and memory). `--quick` is a tiny smoke run,',
    '`--runs N`, `--size`, `--big-size` (the memory case, default 2GB), `--memory-runs N` (default 3, also the',
    'runs of the larger folder), `--scale-size` (the larger folder, default 2GB), `--no-memory`, `--no-scaling` and',
    '`--no-write` change the rest; generated data is kept in `bench/data/` and reused. To see',
    'where the time goes:',
    '',
    '```sh',
    'node --cpu-prof --cpu-prof-dir=bench/.out/prof dist/bin.js -f json --jobs 1 bench/data/receive-200MB-seed1.log > /dev/null',
    'node bench/profile-summary.mjs bench/.out/prof',
    '```',
    '',
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

async function main() {
  const opt = readOptions(process.argv.slice(2));
  if (!existsSync(BIN)) throw new Error('dist/bin.js is missing: run `npm run build` first (npm run bench does)');
  const seedArgs = ['--seed', String(opt.seed)];
  const size = sizeLabel(opt.size);
  const data = {
    recv: ensureData(`receive-${size}-seed${opt.seed}.log`, ['--size', size, '--kind', 'receive', ...seedArgs]),
    send: ensureData(`send-${size}-seed${opt.seed}.log`, ['--size', size, '--kind', 'send', ...seedArgs]),
    retirement: ensureData(`receive-${size}-seed${opt.seed}-retirement.log`, ['--size', size, '--kind', 'receive', '--mix', 'retirement', ...seedArgs]),
    rotated: rotatedData(opt, size),
  };

  const warmup = !opt.quick;
  const results = await measureAll(buildCases(opt, data), opt.runs, warmup);
  for (const r of results) {
    printResult(r);
  }

  let memory = null;
  if (opt.memory) {
    const big = ensureData(`receive-${sizeLabel(opt.bigSize)}-seed${opt.seed}.log`, ['--size', sizeLabel(opt.bigSize), '--kind', 'receive', ...seedArgs]);
    const smallSize = 200 * MiB;
    const small = opt.size === smallSize ? data.recv : ensureData(`receive-200MB-seed${opt.seed}.log`, ['--size', '200MB', '--kind', 'receive', ...seedArgs]);
    // An Edge server facing the internet: a new remote IP for nearly every session, so a group per session
    // until the report's group limit folds them (--max-groups).
    const internet = ensureData(`receive-${sizeLabel(opt.bigSize)}-seed${opt.seed}-internet.log`, ['--size', sizeLabel(opt.bigSize), '--kind', 'receive', '--clients', 'internet', ...seedArgs]);
    // Interleaved like the throughput cases; the highest peak of the runs is reported.
    const [smallRun, bigRun, internetRun] = await measureAll(
      [
        logscanStep('memory-small', 'memory', small.path, bytesOf(small.path), 'receive log, 200MB', 1),
        logscanStep('memory-big', 'memory', big.path, bytesOf(big.path), `receive log, ${sizeLabel(opt.bigSize)}`, 1),
        logscanStep('memory-internet', 'memory', internet.path, bytesOf(internet.path), `receive log, ${sizeLabel(opt.bigSize)}, a remote IP per session`, 1),
      ],
      opt.memoryRuns,
      false,
    );
    memory = {
      bigSize: opt.bigSize, smallSize, small: smallRun, big: bigRun, internet: internetRun, runs: [smallRun, bigRun, internetRun],
      ratio: bigRun.medianRssMiB / smallRun.medianRssMiB,
    };
    for (const r of memory.runs) {
      process.stdout.write(`memory: ${r.input.padEnd(36)} ${fmt(r.seconds, 2).padStart(7)} s  peak RSS ${r.rssMiB.map((v) => fmt(v, 0)).join(' / ')} MiB  ${r.count.label}\n`);
    }
  }

  let profile = null;
  if (opt.profile) {
    const dir = join(OUT, `prof-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    const step = logscanStep('profile', 'profile', data.recv.path, bytesOf(data.recv.path), 'receive log', 1);
    step.args = [`--cpu-prof`, `--cpu-prof-dir=${dir}`, ...step.args];
    await runOnce(step, join(OUT, 'profile.out'));
    profile = summarizeProfile(profileFile(dir), 15);
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`profile (self time, top 5): ${profile.rows.slice(0, 5).map((r) => `${r.name} ${fmt(100 * r.share, 0)} %`).join('; ')}\n`);
  }

  // The same cases as above, run again with the thread hook (the throughput runs stay without it).
  const byId = Object.fromEntries(buildCases(opt, data).map((c) => [c.id, c]));
  const threads = await measureThreads([byId['logscan-receive'], byId['logscan-rotated-j1'], byId['logscan-rotated-j2']], opt.memoryRuns);
  for (const t of threads ?? []) {
    process.stdout.write(`cpu: ${t.name.padEnd(46)} main thread ${fmt(t.mainCpu, 2)} s, other threads ${fmt(t.otherCpu, 2)} s\n`);
  }

  let scaling = null;
  if (opt.scaling) {
    const folder = rotatedData(opt, sizeLabel(opt.scaleSize));
    const bytes = bytesOf(folder.path);
    const label = `${folder.summary.files} files of ${sizeLabel(opt.files)}, ${opt.servers} servers (${(bytes / MiB).toFixed(0)} MiB)`;
    const runs = await measureAll(
      [
        logscanStep('scaling-j1', 'logscan larger rotated folder, --jobs 1', folder.path, bytes, label, 1),
        logscanStep('scaling-j2', 'logscan larger rotated folder, --jobs 2', folder.path, bytes, label, 2),
        logscanStep('scaling-auto', 'logscan larger rotated folder, --jobs auto (default)', folder.path, bytes, label, 'auto'),
      ],
      opt.memoryRuns,
      false,
    );
    scaling = { size: opt.scaleSize, bytes, runs, ratio: runs[1].mibPerSec / runs[0].mibPerSec };
    for (const r of runs) printResult(r);
  }

  process.stdout.write('\n');
  for (const line of summaryLines(results, memory, scaling, threads)) process.stdout.write(`${line}\n`);

  const m = machine();
  const command = `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const summary = {
    machine: m,
    options: opt,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, { path: v.path, bytes: bytesOf(v.path), sessions: v.summary.sessions }])),
    results,
    memory,
    scaling,
    profile,
    threads,
  };
  // One machine-readable line for tests and scripts.
  process.stdout.write(`BENCH_JSON ${JSON.stringify(summary)}\n`);
  if (opt.json) writeFileSync(opt.json, JSON.stringify(summary, null, 2));
  if (opt.write || opt.md !== null) {
    const target = opt.md ?? join(ROOT, 'docs', 'performance.md');
    writeFileSync(target, markdown(opt, m, results, memory, scaling, profile, threads, opt.quick ? command : 'npm run bench'));
    process.stdout.write(`wrote ${relative(ROOT, target)}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exit(1);
});
