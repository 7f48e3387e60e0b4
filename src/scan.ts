import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import type { Direction, Finding, InputKind, InputStats, Report, ReportFilters, Session } from './types.js';
import { detectInput, emptyStats } from './read/detect.js';
import { readProtocolRows, type ProtocolHeader } from './read/protocol.js';
import { addProblem } from './read/stats.js';
import {
  TrailingGarbageError,
  describeError,
  expandInputs,
  fileName,
  HEAD_BYTES,
  openInput,
  plainFileHead,
  readBuffers,
  refilledChunks,
  serverFromFileName,
  serverOfInput,
  type ThisServer,
  type InputRef,
  type ReadBuffers,
} from './read/inputs.js';
import { SessionAssembler, type SessionOptions } from './sessions/builder.js';
import { releaseRows } from './sessions/facts.js';
import { categoryInfo, classifySession, classifyText } from './classify/classify.js';
import { defaultRules, QUEUE_ERROR_RULE, type Rule } from './classify/rules.js';
import { queueFindings } from './classify/queue.js';
import { ReportBuilder, type PartialReport, type ReportOptions } from './report/builder.js';
import { VERSION } from './version.js';
import { compareText } from './compare-text.js';
import { runInWorkers, workerUrl } from './workers.js';
import { collectorFor, type Collector } from './collector.js';
import { checkScanOptions, type ScanOptionError } from './options.js';

export interface ScanFilter {
  /** Only sessions (and queue entries with a known time) at or after this time. */
  since?: Date | undefined;
  until?: Date | undefined;
  /**
   * Only these categories (ids of the rules in use or `queue-error`, in any case; an unknown id throws): other
   * findings are dropped, and sessions without one of them are not counted. Empty: no category filter.
   */
  categories?: readonly string[] | undefined;
  /** Case-insensitive substring of the connector name; `''` is no filter. */
  connector?: string | undefined;
  /** Remote IP prefix, or a substring of a remote name (EHLO, banner, next-hop domain); `''` is no filter. */
  host?: string | undefined;
}

export interface ScanProgress {
  filesDone: number;
  filesTotal: number;
  bytesRead: number;
  current: string | null;
}

export interface ScanOptions {
  /** Rules to apply (default: {@link defaultRules}). Add your own with `[...defaultRules, myRule]`. */
  rules?: readonly Rule[] | undefined;
  sessions?: SessionOptions | undefined;
  /** Evidence samples kept per group and category. Default 3. */
  samples?: number | undefined;
  /**
   * Report groups held at most (default 35,000; `Infinity`: no limit). Past it, remote hosts are folded into their
   * connector's `(other hosts)` group (which keep their rows: docs/json.md); the report's `folded` then says so.
   */
  maxGroups?: number | undefined;
  filter?: ScanFilter | undefined;
  /** The stream read for `-` (default: process.stdin). */
  stdin?: AsyncIterable<Buffer> | Readable | undefined;
  /** Called after each input and about every 64 MiB. */
  onProgress?: ((progress: ScanProgress) => void) | undefined;
  /**
   * Threads reading protocol logs at once, the calling thread included (default 1; the CLI's default is `'auto'`):
   * `jobs - 1` worker threads. Each thread takes whole log sets (a server's rotated files), so the report is
   * identical to a single-threaded run. `'auto'`: one thread per {@link AUTO_BYTES_PER_THREAD} of protocol logs on
   * disk (a .gz file by the size its gzip trailer gives, else 8 times its size), at most one per log set and one per core (see {@link autoJobs}).
   * Ignored (1) with custom rules or `onSession`, which cannot cross threads.
   */
  jobs?: number | 'auto' | undefined;
  /** Called for each session after classification (streaming consumers, tests). */
  onSession?: ((session: Session, findings: readonly Finding[]) => void) | undefined;
  /**
   * Run a full garbage collection every this many bytes of input, in each thread (default: never). Keeps the
   * peak memory of a long scan near what is live (src/collector.ts says why); it sets V8's `--expose-gc` for
   * contexts made from then on, so the library leaves it off. The CLI uses 128 MiB.
   */
  collectEvery?: number | undefined;
  /**
   * The Exchange server this runs on (the CLI fills it in from `%ExchangeInstallPath%` and `%COMPUTERNAME%`): logs
   * read from inside its install folder are credited to it. Send logs name no server in their rows, so without
   * this a scan on the server itself shows their server as unknown. Default: none.
   */
  thisServer?: ThisServer | undefined;
}

const NAME_ORDER = new Intl.Collator('en', { numeric: true });

const PROTOCOL_KINDS: ReadonlySet<InputKind> = new Set(['smtp-receive', 'smtp-send']);
const QUEUE_KINDS: ReadonlySet<InputKind> = new Set(['queue-csv', 'message-csv', 'queue-list', 'message-list', 'queue-viewer']);

export interface Opened {
  ref: InputRef;
  stats: InputStats;
  /**
   * Kept open only for a stream (stdin, or a pipe or device named as an input), which cannot be opened twice;
   * files are re-opened when their turn comes.
   */
  chunks: AsyncIterable<Buffer> | null;
  readable: boolean;
  headerDate: string | null;
  /**
   * Bytes of log it holds: its size on disk, estimated for gzip ({@link logBytes}); null for a stream. Only
   * decides how many threads `jobs: 'auto'` starts. These last three are known where inputs are opened (not in a worker).
   */
  size?: number | null;
  /** A protocol log's first bytes, hashed: two files with the same are copies of one log ({@link dropCopies}). */
  fingerprint?: string | null;
  gzip?: boolean;
}

function directionOf(kind: InputKind): Direction | null {
  return kind === 'smtp-receive' ? 'receive' : kind === 'smtp-send' ? 'send' : null;
}

/**
 * Reads every input, rebuilds sessions, classifies them and returns the report. Never throws for bad input:
 * unreadable or refused inputs are listed in `report.inputs` with their error. A bad option is the caller's
 * mistake and rejects with a {@link ScanOptionError} (a `TypeError`) before anything is read.
 */
export async function scan(inputs: string | readonly string[], given: ScanOptions = {}): Promise<Report> {
  // Category ids are the rules' own from here on (any case given), also in the worker threads' filters.
  const options = checkScanOptions(given);
  const args = typeof inputs === 'string' ? [inputs] : inputs;
  const rules = options.rules ?? defaultRules;
  // The report's builder, and each log set's (readLogSet): the same options, but for the filters the report says.
  const builderOptions: ReportOptions = { samples: options.samples, maxGroups: options.maxGroups, categories: categoryInfo([...rules, QUEUE_ERROR_RULE]), version: VERSION };
  const builder = new ReportBuilder({ ...builderOptions, filters: reportFilters(options.filter) });
  const hints: Record<string, string> = Object.fromEntries([...rules, QUEUE_ERROR_RULE].map((r) => [r.id, r.hint]));
  const filter = compileFilter(options.filter);
  const { inputs: refs, missing } = await expandInputs(args, options.stdin);
  for (const [source, message] of missing) {
    const stats = emptyStats(source);
    stats.error = message;
    builder.addInput(stats);
  }

  const progress: ScanProgress = { filesDone: 0, filesTotal: refs.length, bytesRead: 0, current: null };
  const origins = new Map<string, Opened[]>();
  const queues: Opened[] = [];
  // One head buffer for the detection of every file (refilledChunks says why not one each).
  const head = Buffer.allocUnsafe(HEAD_BYTES);
  const all: Opened[] = [];
  for (const ref of refs) all.push(await open(ref, head));
  const { copies } = dropCopies(all);
  for (const opened of all) {
    const ref = opened.ref;
    const kind = opened.stats.kind;
    const original = copies.get(opened);
    if (original !== undefined) {
      // Read once: a backup folder beside the live one, or `gzip -k` beside the log, would count every session twice.
      opened.stats.ignored = `a copy of ${original.ref.source} (the same first ${PRINT_BYTES} bytes): read once, there`;
      builder.addInput(opened.stats);
      progress.filesDone++;
    } else if (opened.readable && PROTOCOL_KINDS.has(kind)) {
      const dir = ref.path === null ? `stdin:${ref.source}` : ref.path.slice(0, Math.max(0, ref.path.length - fileName(ref).length));
      // Renamed copies of several servers' logs in one folder (`EX01_SEND….LOG`, `EX02_SEND….LOG`) are one log set
      // per server: each server's sessions apart, named by its own files.
      const named = ref.path === null ? null : serverFromFileName(fileName(ref));
      const key = named === null ? `${dir}|${kind}` : `${dir}|${kind}|${named.toLowerCase()}`;
      const list = origins.get(key) ?? [];
      list.push(opened);
      origins.set(key, list);
    } else if (opened.readable && QUEUE_KINDS.has(kind)) {
      queues.push(opened);
    } else {
      builder.addInput(opened.stats);
      progress.filesDone++;
    }
  }

  const ctx: OriginContext = {
    builder, rules, filter, sessions: options.sessions, progress, onProgress: options.onProgress, onSession: options.onSession,
    collector: collectorFor(options.collectEvery),
    thisServer: options.thisServer ?? null,
    newBuilder: () => new ReportBuilder(builderOptions),
  };
  const jobs = effectiveJobs(options, origins);
  if (jobs > 1) await runInWorkers(origins, jobs, options, ctx);
  else for (const origin of logSetOrder(origins)) builder.absorb(await readLogSet(origin, origins.get(origin)!, ctx));
  for (const file of queues) await processQueue(file, ctx, hints);
  progress.current = null;
  options.onProgress?.(progress);
  return builder.build();
}

/** What processing one origin needs; a worker thread builds its own. */
export interface OriginContext {
  builder: ReportBuilder;
  /** A builder for one log set's sessions (see {@link readLogSet}). */
  newBuilder: () => ReportBuilder;
  rules: readonly Rule[];
  filter: CompiledFilter;
  sessions: SessionOptions | undefined;
  progress: ScanProgress;
  onProgress: ScanOptions['onProgress'];
  onSession: ScanOptions['onSession'];
  collector: Collector | null;
  thisServer: ThisServer | null;
}

/**
 * The order log sets are added to the report in, whatever the number of threads: largest first (the order
 * threads take them in, so a long chain does not start last), then by key; standard input and pipes, which only
 * the calling thread can read, last.
 */
export function logSetOrder(origins: ReadonlyMap<string, readonly Opened[]>): string[] {
  const bytes = (files: readonly Opened[]) => files.reduce((n, f) => n + (f.size ?? 0), 0);
  return [...origins]
    .map(([origin, files]) => ({ origin, stream: origin.startsWith('stdin:'), bytes: bytes(files), files: files.length }))
    .sort((a, b) => Number(a.stream) - Number(b.stream) || b.bytes - a.bytes || b.files - a.files || compareText(a.origin, b.origin))
    .map((s) => s.origin);
}

/**
 * One log set in a builder of its own, for the report's builder to absorb in {@link logSetOrder}. Past the group
 * limit, which hosts are folded depends on the order sessions arrive in: each log set is read in one order on any
 * thread, and the report takes the log sets in one order, so a report is the same for any `jobs`, and from run to
 * run. Without folding this changes nothing (groups add up exactly).
 */
export async function readLogSet(origin: string, files: Opened[], ctx: OriginContext): Promise<PartialReport> {
  const builder = ctx.newBuilder();
  await processOrigin(origin, files, { ...ctx, builder });
  return builder.partial();
}

/** Reads one log set's files in rotation order through one session assembler. */
export async function processOrigin(origin: string, files: Opened[], ctx: OriginContext): Promise<void> {
  const { builder, rules, filter } = ctx;
  const report = (session: Session) => {
    if (!filter.session(session)) return;
    const findings = filter.findings(classifySession(session, rules));
    if (filter.categories !== null && findings.length === 0) {
      // Not in the report, but in its coverage and timeline: with --category legacy-tls, the hours after a fix are clean.
      builder.addUnreported(session);
      return;
    }
    builder.addSession(session, findings);
    ctx.onSession?.(session, findings);
  };
  // Rotated files of one log set: by #Date, then name, so a session continues into the next file. Instance
  // numbers are not padded (`RECV2025111009-2.LOG` comes before `-10`): names compare with numbers as numbers.
  files.sort((a, b) => compareText(a.headerDate, b.headerDate) || NAME_ORDER.compare(fileName(a.ref), fileName(b.ref)));
  const first = files[0]!;
  const assembler = new SessionAssembler(
    { origin, direction: directionOf(first.stats.kind), serverHint: first.ref.path === null ? null : serverOfInput(first.ref.path, ctx.thisServer) },
    ctx.sessions,
    // Sessions that nobody outside sees make their rows only if a rule asks.
    { lazyRecords: sessionsStayInside(ctx.rules, ctx.onSession) },
  );
  // The log set's files are read one after another: they share one pair of read buffers.
  const buffers = readBuffers();
  for (const file of files) {
    ctx.progress.current = file.ref.source;
    assembler.setDirection(directionOf(file.stats.kind));
    const done: Session[] = [];
    await readSafely(file, buffers, async (chunks) => {
      await readProtocolRows(
        chunks,
        file.stats,
        (row) => {
          assembler.addRow(row, done);
          if (done.length > 0) {
            for (const s of done) {
              report(s);
              releaseRows(s);
            }
            // Popped, not `done.length = 0`: that drops the array's room, and the next push made 17 slots
            // again, once for every session.
            while (done.length > 0) done.pop();
          }
        },
        {
          onHeader: (h: ProtocolHeader) => assembler.setDirection(h.logType?.includes('Send') ? 'send' : h.logType?.includes('Receive') ? 'receive' : null),
        },
      );
    }, ctx);
    builder.addInput(file.stats);
  }
  for (const s of assembler.end()) report(s);
}

async function processQueue(file: Opened, ctx: OriginContext, hints: Record<string, string>): Promise<void> {
  const { builder, filter } = ctx;
  ctx.progress.current = file.ref.source;
  // Loaded on first use: csv-parse and date-fns cost a protocol-log-only run about 0.1 s of start-up.
  const { readQueueExport, queueDateReadings } = await import('./read/queue/index.js');
  await readSafely(file, null, async (chunks) => {
    for await (const entries of readQueueExport(chunks, file.stats, file.stats.kind)) {
      for (const entry of entries) {
        if (!filter.queue(entry, queueDateReadings)) continue;
        const findings = filter.findings(queueFindings(entry, hints, (text) => {
          const m = classifyText(text, ctx.rules);
          return m === null ? null : { category: m.rule.id, detail: m.detail };
        }));
        if (filter.categories !== null && findings.length === 0) continue;
        builder.addQueueEntry(entry, findings);
      }
    }
  }, ctx);
  builder.addInput(file.stats);
}

/**
 * Worker threads only pay off with several log sets, and only the built-in rules can cross a thread boundary
 * (user rules are functions), as can no per-session callback.
 */
function effectiveJobs(options: ScanOptions, origins: Map<string, Opened[]>): number {
  const wanted = options.jobs ?? 1;
  if (wanted === 1 || !sessionsStayInside(options.rules ?? defaultRules, options.onSession)) return 1;
  let files = 0;
  let bytes = 0;
  for (const [origin, list] of origins) {
    if (origin.startsWith('stdin:')) continue;
    files += list.length;
    for (const f of list) bytes += f.size ?? 0;
  }
  if (files < 2 || workerUrl() === null) return 1;
  return Math.min(wanted === 'auto' ? autoJobs(bytes, availableParallelism()) : wanted, origins.size);
}

/** Bytes of a protocol log's head that identify it: the header and the first dozen rows (times to the millisecond, session ids). */
const PRINT_BYTES = 4096;

function headPrint(head: Buffer): string | null {
  // A shorter file can be the start of a longer copy; only whole prints are compared.
  if (head.length < PRINT_BYTES) return null;
  return createHash('sha1').update(head.subarray(0, PRINT_BYTES)).digest('base64');
}

/**
 * Copies of one log among the inputs: files whose first {@link PRINT_BYTES} bytes (decompressed) are the same.
 * The one with the most log is kept (a copy taken while the log was still being written holds less, plain or
 * gzip: sizes of .gz files are their trailers'), a plain file on a tie (`gzip -k` leaves both; the plain one
 * reads faster), then the first given; `copies` maps every other one to the one kept.
 */
export function dropCopies(opened: readonly Opened[]): { copies: Map<Opened, Opened> } {
  const better = (a: Opened, b: Opened) => ((a.size ?? 0) !== (b.size ?? 0) ? (a.size ?? 0) > (b.size ?? 0) : a.gzip !== true && b.gzip === true);
  const best = new Map<string, Opened>();
  for (const o of opened) {
    if (o.fingerprint == null) continue;
    const known = best.get(o.fingerprint);
    if (known === undefined || better(o, known)) best.set(o.fingerprint, o);
  }
  const copies = new Map<Opened, Opened>();
  for (const o of opened) {
    const kept = o.fingerprint == null ? undefined : best.get(o.fingerprint);
    if (kept !== undefined && kept !== o) copies.set(o, kept);
  }
  return { copies };
}

/** Protocol logs compress 7 to 10 times with gzip (generated and sample logs): the estimate where a trailer cannot say. */
const GZIP_RATIO = 8;

/**
 * The bytes of log a file of `size` bytes on disk holds. For gzip, the size its trailer gives, unless that is
 * much less than the file (it is modulo 4 GiB, and the last member's only: a large or joined archive), where an
 * estimate ({@link GZIP_RATIO}) stands in. Stored (uncompressed) gzip has a trailer about its own size.
 */
export function logBytes(size: number, gzip: boolean, trailerSize: number | null = null): number {
  if (!gzip) return size;
  return trailerSize !== null && trailerSize >= size * 0.9 ? trailerSize : size * GZIP_RATIO;
}

/**
 * Protocol-log bytes that pay for one more thread under `jobs: 'auto'`. A thread starts and compiles
 * its own copy of the code (0.1 s, and 0.3 s of a core for V8's compiler), and on 2 cores one scan already keeps
 * 1.4 busy: measured there, `--jobs 2` was 1.01× `--jobs 1` on 200 MiB of rotated logs, 1.11× on 340 MiB,
 * 1.24× on 530 MiB and 1.4× on 1 GiB, for about 50 MiB more memory (docs/performance.md).
 */
export const AUTO_BYTES_PER_THREAD = 256 * 1024 * 1024;

/** Threads for `jobs: 'auto'`: one per {@link AUTO_BYTES_PER_THREAD} of logs, at least one, at most `cores`. */
export function autoJobs(bytes: number, cores: number): number {
  return Math.max(1, Math.min(cores, Math.floor(bytes / AUTO_BYTES_PER_THREAD)));
}

/**
 * Built-in rules and no per-session callback: no session reaches the caller's code, so sessions may be built in
 * another thread and may carry their rows lazily.
 */
function sessionsStayInside(rules: readonly Rule[], onSession: ScanOptions['onSession']): boolean {
  return rules === defaultRules && onSession === undefined;
}

/** Reads the first bytes of an input to learn its kind and `#Date`; files are closed again right away. */
async function open(ref: InputRef, head: Buffer): Promise<Opened> {
  const stats = emptyStats(ref.source);
  try {
    // A plain file is read again from the start later; a stream (stdin, a named pipe) is kept open and read on from here.
    const disk: { size: number | null; gzipSize?: number | null } = { size: null };
    const plain = ref.path === null ? null : await plainFileHead(ref.path, head, disk);
    const input = plain === null ? await openInput(ref) : null;
    const detection = detectInput(plain ?? input!.head);
    stats.kind = detection.kind;
    const readable = PROTOCOL_KINDS.has(detection.kind) || QUEUE_KINDS.has(detection.kind);
    // Cut off before the head was full (a short gzip copy): what did decompress decides. Readable, it is read up to
    // the damage and the error comes from there (`read error after line N`). Refused, the damage is the reason: a
    // head cut short may be refused for lack of lines (empty, not recognised), and a damaged file is never passed
    // over as a foreign one.
    if (!readable && input !== null && input.headError !== null) {
      input.close();
      throw input.headError;
    }
    if (!readable && ref.walked === true && detection.foreign) stats.ignored = detection.reason;
    else if (!readable) stats.error = detection.reason;
    const keep = readable && ref.path === null;
    if (!keep) input?.close();
    const size = disk.size === null ? null : logBytes(disk.size, plain === null, disk.gzipSize ?? null);
    const fingerprint = readable && ref.path !== null && PROTOCOL_KINDS.has(detection.kind) ? headPrint(plain ?? input!.head) : null;
    return { ref, stats, chunks: keep ? input!.chunks : null, readable, headerDate: detection.headerDate, size, fingerprint, gzip: input?.gzip ?? false };
  } catch (e) {
    stats.error = `cannot read: ${describeError(e)}`;
    return { ref, stats, chunks: null, readable: false, headerDate: null, size: null, fingerprint: null, gzip: false };
  }
}

/** Runs a reader over an input; a read error mid-file keeps what was read and is recorded on the input. */
async function readSafely(
  file: Opened,
  buffers: ReadBuffers | null,
  read: (chunks: AsyncIterable<Buffer>) => Promise<void>,
  ctx: Pick<OriginContext, 'progress' | 'onProgress' | 'collector'>,
): Promise<void> {
  const { progress, onProgress } = ctx;
  try {
    // Only the protocol reader is known to be done with a chunk when it asks for the next (its tests check it).
    const chunks =
      file.chunks ?? (PROTOCOL_KINDS.has(file.stats.kind) ? refilledChunks(file.ref, buffers ?? undefined) : (await openInput(file.ref)).chunks);
    await read(countBytes(chunks, file.stats, ctx));
  } catch (e) {
    // Bytes after the end of a .gz: all that decompressed was read, so it is damage to report, not a failed read.
    if (e instanceof TrailingGarbageError) addProblem(file.stats, file.stats.lines, 'gzip-trailing-garbage', `after line ${file.stats.lines}: ${e.message}`);
    else file.stats.error = `read error after line ${file.stats.lines}: ${describeError(e)}`;
  }
  progress.filesDone++;
  onProgress?.(progress);
}

async function* countBytes(
  chunks: AsyncIterable<Buffer>,
  stats: InputStats,
  { progress, onProgress, collector }: Pick<OriginContext, 'progress' | 'onProgress' | 'collector'>,
): AsyncIterable<Buffer> {
  let sinceReport = 0;
  // The protocol reader counts its own bytes (it is also used without scan()); the queue reader does not.
  const readerCounts = PROTOCOL_KINDS.has(stats.kind);
  for await (const chunk of chunks) {
    if (!readerCounts) stats.bytes += chunk.length;
    progress.bytesRead += chunk.length;
    sinceReport += chunk.length;
    collector?.read(chunk.length);
    if (sinceReport >= 64 * 1024 * 1024) {
      sinceReport = 0;
      onProgress?.(progress);
    }
    yield chunk;
  }
}

/**
 * Queue exports carry local times without a zone. Zones run from UTC−12 to UTC+14, and UTC = local − offset, so a
 * local time T was written at a UTC instant from T − 14 h (a clock at UTC+14) to T + 12 h (a clock at UTC−12).
 */
const AHEAD_OF_UTC_MS = 14 * 3600_000;
const BEHIND_UTC_MS = 12 * 3600_000;

/**
 * Whether a queue entry may lie in the window: false only when every reading of its date (day and month may
 * be read both ways), in every time zone, lies outside it. An old export left next to the logs then drops out of
 * `--since 1d`, and an entry whose date cannot be read at all stays, as before.
 */
function queueInTime(raw: string | null, dateReadings: (raw: string) => string[], since: string | null, until: string | null): boolean {
  if ((since === null && until === null) || raw === null) return true;
  const spans = dateReadings(raw).map(readingSpan).filter((span) => span !== null);
  if (spans.length === 0) return true;
  const from = since === null ? -Infinity : Date.parse(since);
  const to = until === null ? Infinity : Date.parse(until);
  return spans.some(([start, end]) => end >= from && start <= to);
}

/**
 * The UTC times a reading of a queue date can stand for: its instant when it carries a zone (ISO as written, `Z`
 * or `+01:00`), else its wall-clock time in any zone; a date alone is its whole day. Null when it does not parse.
 */
function readingSpan(reading: string): [number, number] | null {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(reading);
  const zoned = !dateOnly && /(?:Z|[+-]\d{2}:?\d{2})$/i.test(reading);
  const ms = Date.parse(zoned ? reading : dateOnly ? `${reading}T00:00:00Z` : `${reading}Z`);
  if (Number.isNaN(ms)) return null;
  if (zoned) return [ms, ms];
  return [ms - AHEAD_OF_UTC_MS, ms + (dateOnly ? DAY_MS : 0) + BEHIND_UTC_MS];
}

const DAY_MS = 24 * 3600_000;

export interface CompiledFilter {
  categories: ReadonlySet<string> | null;
  session(s: Session): boolean;
  /** `readings`: the queue module's date readings, passed in as it is loaded only when a queue export is read. */
  queue(e: import('./types.js').QueueEntry, readings: (raw: string) => string[]): boolean;
  findings(f: Finding[]): Finding[];
}

/** The filters as the report records them: only those given, an empty category list being none. */
function reportFilters(filter: ScanFilter = {}): ReportFilters {
  const out: ReportFilters = {};
  if (filter.since) out.since = filter.since.toISOString();
  if (filter.until) out.until = filter.until.toISOString();
  if (filter.categories && filter.categories.length > 0) out.categories = [...filter.categories];
  if (filter.connector !== undefined) out.connector = filter.connector;
  if (filter.host !== undefined) out.host = filter.host;
  return out;
}

export function compileFilter(filter: ScanFilter = {}): CompiledFilter {
  const since = filter.since ? filter.since.toISOString() : null;
  const until = filter.until ? filter.until.toISOString() : null;
  const categories = filter.categories && filter.categories.length > 0 ? new Set(filter.categories) : null;
  const connector = filter.connector?.toLowerCase() ?? null;
  const host = filter.host?.toLowerCase() ?? null;
  const inTime = (t: string | null, unknownOk: boolean) => {
    if (since === null && until === null) return true;
    if (t === null || !/^\d{4}-/.test(t)) return unknownOk;
    return (since === null || t >= since) && (until === null || t <= until);
  };
  // A whole address is one host: `10.0.5.4` must not take in 10.0.5.40-49; `10.0.5.` is a subnet, as before.
  const wholeIp = host !== null && isIP(host) !== 0;
  const ipMatches = (ip: string) => (wholeIp ? ip.toLowerCase() === host : ip.toLowerCase().startsWith(host!));
  const hostMatches = (ip: string | null, names: readonly (string | null)[]) =>
    host === null || (ip !== null && ipMatches(ip)) || names.some((n) => n !== null && n.toLowerCase().includes(host));
  return {
    categories,
    session: (s) =>
      inTime(s.start, false) &&
      (connector === null || s.connector.toLowerCase().includes(connector)) &&
      hostMatches(s.remote?.ip ?? null, s.remoteNames),
    queue: (e, readings) =>
      queueInTime(e.time?.raw ?? null, readings, since, until) &&
      (connector === null || [e.nextHopConnector, e.deliveryType, e.identity].some((c) => c?.toLowerCase().includes(connector))) &&
      hostMatches(e.lastError?.ip ?? null, [e.nextHopDomain, e.lastError?.fqdn ?? null]),
    findings: (f) => (categories === null ? f : f.filter((x) => categories.has(x.category))),
  };
}
