import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InputKind } from './types.js';
import type { ThisServer } from './read/inputs.js';
import { DEFAULT_MAX_GROUPS, type PartialReport, type ReportBuilder } from './report/builder.js';
import type { OriginContext, Opened, ScanOptions } from './scan.js';

/** One log set handed to a worker: plain data, so it crosses the thread boundary. */
export interface OriginJob {
  origin: string;
  files: Array<{ source: string; path: string; kind: InputKind; headerDate: string | null }>;
}

export interface WorkerSetup {
  samples: number | undefined;
  maxGroups: number | undefined;
  sessions: ScanOptions['sessions'];
  collectEvery: number | undefined;
  thisServer: ThisServer | null;
  filter: { since?: string; until?: string; categories?: readonly string[]; connector?: string; host?: string };
}

export type WorkerMessage =
  | { type: 'progress'; bytes: number; filesDone: number }
  | { type: 'done'; report: PartialReport }
  | { type: 'error'; message: string };

/**
 * The compiled worker script. Under the test runner the sources are TypeScript, which Node 20 cannot load in
 * a worker, so the built copy in dist/ is used when it exists; without one, scans stay single-threaded.
 */
export function workerUrl(): URL | null {
  const own = new URL('./worker.js', import.meta.url);
  if (import.meta.url.endsWith('.js') && existsSync(fileURLToPath(own))) return own;
  const built = new URL('../dist/worker.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : null;
}

/**
 * Runs each origin (a server's rotated files) in `jobs` threads, the main one included, and adds what each gathered
 * to `ctx.builder` in {@link logSetOrder}, whichever thread finished first: past the group limit, which hosts are
 * folded depends on that order, and a report must not depend on thread timing. A log set that finishes ahead of
 * its turn waits; while those waiting hold more groups than the limit, no thread takes a new log set (the one
 * whose turn it is is always being read, so this ends). A worker that fails or stops is given no more work, and
 * the log set it was reading is read again on the main thread, so a crashed thread costs time but loses nothing.
 * `url` is the worker script (tests pass one that fails).
 */
export async function runInWorkers(
  origins: Map<string, Opened[]>,
  jobs: number,
  options: ScanOptions,
  ctx: OriginContext,
  url: URL = workerUrl()!,
): Promise<void> {
  const { logSetOrder, readLogSet } = await import('./scan.js');
  const order = logSetOrder(origins);
  const queue: Array<OriginJob & { index: number }> = [];
  for (const [index, origin] of order.entries()) {
    if (origin.startsWith('stdin:')) continue;
    const files = origins.get(origin)!;
    queue.push({ index, origin, files: files.map((f) => ({ source: f.ref.source, path: f.ref.path!, kind: f.stats.kind, headerDate: f.headerDate })) });
  }
  const setup: WorkerSetup = {
    samples: options.samples,
    maxGroups: options.maxGroups,
    sessions: options.sessions,
    collectEvery: options.collectEvery,
    thisServer: options.thisServer ?? null,
    filter: {
      since: options.filter?.since?.toISOString(),
      until: options.filter?.until?.toISOString(),
      categories: options.filter?.categories,
      connector: options.filter?.connector,
      host: options.filter?.host,
    },
  };
  const turns = new InTurn(ctx.builder, options.maxGroups ?? DEFAULT_MAX_GROUPS);
  const readHere = async (job: { index: number; origin: string }) => turns.deliver(job.index, await readLogSet(job.origin, origins.get(job.origin)!, ctx));
  // A log set that throws on this thread never takes its turn: the others must stop waiting for it, or a worker
  // left waiting keeps the process alive after the error.
  const stopOnError = async (loop: Promise<void>) => {
    try {
      await loop;
    } catch (e) {
      turns.stop(queue);
      throw e;
    }
  };

  // The main thread is one of the `jobs`: it takes log sets from the same queue, which saves a thread's start-up.
  const pool = Array.from({ length: Math.min(jobs - 1, queue.length - 1) }, () => {
    const worker = new Worker(url, { workerData: setup });
    // Between log sets no listener of runOne is attached: an error there must not become an uncaught one, and
    // loses nothing (the worker's next log set, if any, then fails and is read again here).
    worker.on('error', () => undefined);
    let exited = false;
    worker.once('exit', () => (exited = true));
    return stopOnError((async () => {
      try {
        for (let job = await turns.next(queue); job !== undefined; job = await turns.next(queue)) {
          let partial: PartialReport;
          try {
            if (exited) throw new Error('worker stopped');
            partial = await runOne(worker, job, ctx);
          } catch {
            // Read again here at once: later log sets may wait for its turn.
            await readHere(job);
            break;
          }
          turns.deliver(job.index, partial);
        }
      } finally {
        await worker.terminate();
      }
    })());
  });
  const own = stopOnError((async () => {
    for (let job = await turns.next(queue); job !== undefined; job = await turns.next(queue)) await readHere(job);
  })());
  // Every thread is finished (its worker terminated) before this returns or throws: nothing runs on behind it.
  const ended = await Promise.allSettled([...pool, own]);
  for (const e of ended) if (e.status === 'rejected') throw e.reason;
  // Stream origins (stdin, named pipes: a stream cannot move to a thread) are read here, last in the order.
  for (const [index, origin] of order.entries()) if (origin.startsWith('stdin:')) await readHere({ index, origin });
}

/**
 * Adds log sets' partial reports to the report's builder in their order (index 0, 1, 2, …), holding those that
 * come early. {@link next} hands out the next log set, after waiting while the held ones have more groups than
 * `limit`, so memory stays near the limit however many log sets finish early.
 */
export class InTurn {
  readonly #builder: ReportBuilder;
  readonly #limit: number;
  readonly #held = new Map<number, PartialReport>();
  #heldGroups = 0;
  #turn = 0;
  #waiting: Array<() => void> = [];

  constructor(builder: ReportBuilder, limit: number) {
    this.#builder = builder;
    this.#limit = limit;
  }

  deliver(index: number, partial: PartialReport): void {
    this.#held.set(index, partial);
    this.#heldGroups += partial.groups.length;
    for (let next = this.#held.get(this.#turn); next !== undefined; next = this.#held.get(this.#turn)) {
      this.#held.delete(this.#turn);
      this.#heldGroups -= next.groups.length;
      this.#builder.absorb(next);
      this.#turn++;
    }
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }

  /** No log set is handed out any more, and those waiting for one stop waiting. */
  stop(queue: unknown[]): void {
    queue.length = 0;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }

  async next<T>(queue: T[]): Promise<T | undefined> {
    while (this.#heldGroups > this.#limit && queue.length > 0) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    return queue.shift();
  }
}

/**
 * Sends one log set to a worker and waits for what it gathered. Rejects when the worker reports an error,
 * throws, or stops without answering (a `process.exit` in the worker, an out-of-memory abort); the progress it
 * reported for the log set is taken back then, because the set is read again.
 */
function runOne(worker: Worker, job: OriginJob, ctx: OriginContext): Promise<PartialReport> {
  return new Promise<PartialReport>((resolve, reject) => {
    let bytes = 0;
    let filesDone = 0;
    const settle = (error: Error | null, report?: PartialReport) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (error === null) {
        resolve(report!);
        return;
      }
      ctx.progress.bytesRead -= bytes;
      ctx.progress.filesDone -= filesDone;
      reject(error);
    };
    const onMessage = (m: WorkerMessage) => {
      if (m.type === 'progress') {
        // Deltas: the main thread counts its own log sets into the same progress as it reads them.
        bytes += m.bytes;
        filesDone += m.filesDone;
        ctx.progress.bytesRead += m.bytes;
        ctx.progress.filesDone += m.filesDone;
        ctx.onProgress?.(ctx.progress);
      } else if (m.type === 'done') settle(null, m.report);
      else settle(new Error(m.message));
    };
    const onError = (e: Error) => settle(e);
    const onExit = (code: number) => settle(new Error(`worker stopped (exit code ${code}) before it finished ${job.origin}`));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(job);
  });
}
