// Worker-thread entry: reads whole log sets sent by the main thread and answers with what it gathered (a partial).
import { parentPort, workerData } from 'node:worker_threads';
import { emptyStats } from './read/detect.js';
import { categoryInfo } from './classify/classify.js';
import { defaultRules, QUEUE_ERROR_RULE } from './classify/rules.js';
import { ReportBuilder } from './report/builder.js';
import { compileFilter, processOrigin, type Opened } from './scan.js';
import { VERSION } from './version.js';
import { collectorFor } from './collector.js';
import type { OriginJob, WorkerMessage, WorkerSetup } from './workers.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const filter = compileFilter({
  since: setup.filter.since === undefined ? undefined : new Date(setup.filter.since),
  until: setup.filter.until === undefined ? undefined : new Date(setup.filter.until),
  categories: setup.filter.categories,
  connector: setup.filter.connector,
  host: setup.filter.host,
});

// One per thread: it counts this thread's input across the log sets it is given.
const collector = collectorFor(setup.collectEvery);

port.on('message', (job: OriginJob) => {
  run(job).then(
    (m) => port.postMessage(m),
    (e: unknown) => port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage),
  );
});

const newBuilder = () => new ReportBuilder({ samples: setup.samples, maxGroups: setup.maxGroups, categories: categoryInfo([...defaultRules, QUEUE_ERROR_RULE]), version: VERSION });

/** One log set, in a builder of its own: the main thread adds its partial in the log sets' order (see readLogSet). */
async function run(job: OriginJob): Promise<WorkerMessage> {
  const builder = newBuilder();
  const files: Opened[] = job.files.map((f) => {
    const stats = emptyStats(f.source);
    stats.kind = f.kind;
    return { ref: { source: f.source, path: f.path }, stats, chunks: null, readable: true, headerDate: f.headerDate };
  });
  const progress = { filesDone: 0, filesTotal: files.length, bytesRead: 0, current: null as string | null };
  let sentBytes = 0;
  let sentDone = 0;
  const report = () => {
    port.postMessage({ type: 'progress', bytes: progress.bytesRead - sentBytes, filesDone: progress.filesDone - sentDone } satisfies WorkerMessage);
    sentBytes = progress.bytesRead;
    sentDone = progress.filesDone;
  };
  await processOrigin(job.origin, files, {
    builder, newBuilder, rules: defaultRules, filter, sessions: setup.sessions, progress, onProgress: report, onSession: undefined, collector, thisServer: setup.thisServer,
  });
  report();
  return { type: 'done', report: builder.partial() };
}
