import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InputKind, Report } from './types.js';
import type { OriginContext, Opened, ScanOptions } from './scan.js';

/** One log set handed to a worker: plain data, so it crosses the thread boundary. */
export interface OriginJob {
  origin: string;
  files: Array<{ source: string; path: string; kind: InputKind; headerDate: string | null }>;
}

export interface WorkerSetup {
  samples: number | undefined;
  sessions: ScanOptions['sessions'];
  filter: { since?: string; until?: string; categories?: readonly string[]; connector?: string; host?: string };
}

export type WorkerMessage =
  | { type: 'progress'; bytes: number; filesDone: number }
  | { type: 'done'; report: Report }
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
 * and `jobs - 1` workers, which return one report per origin they read.
 */
export async function runInWorkers(
  origins: Map<string, Opened[]>,
  jobs: number,
  options: ScanOptions,
  ctx: OriginContext,
): Promise<Report[]> {
  const url = workerUrl()!;
  const queue: OriginJob[] = [];
  for (const [origin, files] of origins) {
    if (origin.startsWith('stdin:')) continue;
    queue.push({
      origin,
      files: files.map((f) => ({ source: f.ref.source, path: f.ref.path!, kind: f.stats.kind, headerDate: f.headerDate })),
    });
  }
  // Largest log sets first, so one long chain does not start last.
  queue.sort((a, b) => b.files.length - a.files.length);
  const setup: WorkerSetup = {
    samples: options.samples,
    sessions: options.sessions,
    filter: {
      since: options.filter?.since?.toISOString(),
      until: options.filter?.until?.toISOString(),
      categories: options.filter?.categories,
      connector: options.filter?.connector,
      host: options.filter?.host,
    },
  };
  const reports: Report[] = [];

  const runOne = (worker: Worker, job: OriginJob) =>
    new Promise<Report>((resolve, reject) => {
      const onMessage = (m: WorkerMessage) => {
        if (m.type === 'progress') {
          // Deltas: the main thread counts its own log sets into the same progress as it reads them.
          ctx.progress.bytesRead += m.bytes;
          ctx.progress.filesDone += m.filesDone;
          ctx.onProgress?.(ctx.progress);
        } else {
          worker.off('message', onMessage);
          worker.off('error', reject);
          if (m.type === 'done') resolve(m.report);
          else reject(new Error(m.message));
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.postMessage(job);
    });

  // The main thread is one of the `jobs`: it takes log sets from the same queue into the caller's builder,
  // which saves a thread's start-up and the copy and merge of that thread's reports.
  const { processOrigin } = await import('./scan.js');
  const pool = Array.from({ length: Math.min(jobs - 1, queue.length - 1) }, () => {
    const worker = new Worker(url, { workerData: setup });
    return (async () => {
      try {
        for (let job = queue.shift(); job !== undefined; job = queue.shift()) reports.push(await runOne(worker, job));
      } finally {
        await worker.terminate();
      }
    })();
  });
  const own = (async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) await processOrigin(job.origin, origins.get(job.origin)!, ctx);
  })();
  await Promise.all([...pool, own]);
  // stdin origins cannot move to a thread: read them here.
  for (const [origin, files] of origins) if (origin.startsWith('stdin:')) await processOrigin(origin, files, ctx);
  return reports;
}
