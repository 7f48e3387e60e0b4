import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InputKind } from './types.js';
import type { ThisServer } from './read/inputs.js';
import type { PartialReport } from './report/builder.js';
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
 * Runs each origin (a server's rotated files) in `jobs` threads: the main thread, which adds to `ctx.builder`,
 * and `jobs - 1` workers, which return what they gathered per origin (for `ctx.builder.absorb`). A worker that
 * fails or stops is given no more work, and the log set it was reading is read again on the main thread, so a
 * crashed thread costs time but loses nothing. `url` is the worker script (tests pass one that fails).
 */
export async function runInWorkers(
  origins: Map<string, Opened[]>,
  jobs: number,
  options: ScanOptions,
  ctx: OriginContext,
  url: URL = workerUrl()!,
): Promise<PartialReport[]> {
  const queue: Array<OriginJob & { bytes: number }> = [];
  for (const [origin, files] of origins) {
    if (origin.startsWith('stdin:')) continue;
    queue.push({
      origin,
      files: files.map((f) => ({ source: f.ref.source, path: f.ref.path!, kind: f.stats.kind, headerDate: f.headerDate })),
      bytes: files.reduce((n, f) => n + (f.size ?? 0), 0),
    });
  }
  // Largest log sets first, so one long chain does not start last (a set of .gz files is larger than its count says).
  queue.sort((a, b) => b.bytes - a.bytes || b.files.length - a.files.length);
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
  const reports: PartialReport[] = [];
  const failed: OriginJob[] = [];

  // The main thread is one of the `jobs`: it takes log sets from the same queue into the caller's builder,
  // which saves a thread's start-up and the copy and merge of that thread's reports.
  const { processOrigin } = await import('./scan.js');
  const pool = Array.from({ length: Math.min(jobs - 1, queue.length - 1) }, () => {
    const worker = new Worker(url, { workerData: setup });
    // Between log sets no listener of runOne is attached: an error there must not become an uncaught one, and
    // loses nothing (the worker's next log set, if any, then fails and is read again here).
    worker.on('error', () => undefined);
    let exited = false;
    worker.once('exit', () => (exited = true));
    return (async () => {
      try {
        for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
          if (exited) {
            failed.push(job);
            break;
          }
          try {
            reports.push(await runOne(worker, job, ctx));
          } catch {
            failed.push(job);
            break;
          }
        }
      } finally {
        await worker.terminate();
      }
    })();
  });
  const own = (async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) await processOrigin(job.origin, origins.get(job.origin)!, ctx);
  })();
  await Promise.all([...pool, own]);
  // What failed workers left undone, and stream origins (stdin, named pipes: a stream cannot move to a thread), are
  // read here.
  for (const job of failed) await processOrigin(job.origin, origins.get(job.origin)!, ctx);
  for (const [origin, files] of origins) if (origin.startsWith('stdin:')) await processOrigin(origin, files, ctx);
  return reports;
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
