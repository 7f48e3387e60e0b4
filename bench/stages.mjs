// Where the time goes: runs the pipeline up to one stage on one file and prints the time and peak RSS.
//   node bench/stages.mjs <rows|facts|read|retain|sessions|classify|scan> <file>
// `retain` only groups records by session id (no facts), to price keeping rows in memory.
import { createReadStream } from 'node:fs';
import { classifySession, emptyStats, readProtocolLog, scan, SessionAssembler } from '../dist/index.js';
import { readProtocolRows } from '../dist/read/protocol.js';

const [stage, file] = process.argv.slice(2);
if (!stage || !file) {
  console.error('usage: node bench/stages.mjs <rows|facts|read|retain|sessions|classify|scan> <file>');
  process.exit(2);
}
const rows = () => readProtocolLog(createReadStream(file, { highWaterMark: 1 << 20 }), emptyStats(file));
const started = performance.now();
let count = 0;
if (stage === 'rows') {
  // The lazy view only: what reading costs when no row becomes a record.
  await readProtocolRows(createReadStream(file, { highWaterMark: 1 << 20 }), emptyStats(file), () => count++);
} else if (stage === 'facts') {
  const assembler = new SessionAssembler({ origin: 'bench', direction: 'receive', serverHint: null });
  const done = [];
  await readProtocolRows(createReadStream(file, { highWaterMark: 1 << 20 }), emptyStats(file), (row) => {
    assembler.addRow(row, done);
    count += done.length;
    done.length = 0;
  });
} else if (stage === 'read') {
  for await (const batch of rows()) count += batch.length;
} else if (stage === 'retain') {
  const open = new Map();
  for await (const batch of rows()) {
    for (const r of batch) {
      let list = open.get(r.sessionId);
      if (list === undefined) open.set(r.sessionId, (list = []));
      list.push(r);
      if (r.event === '-') {
        open.delete(r.sessionId);
        count++;
      }
    }
  }
} else if (stage === 'sessions' || stage === 'classify') {
  const assembler = new SessionAssembler({ origin: 'bench', direction: null, serverHint: null });
  for await (const batch of rows()) {
    for (const s of assembler.add(batch)) {
      count++;
      if (stage === 'classify') classifySession(s);
    }
  }
} else if (stage === 'scan') {
  count = (await scan(file)).totals.sessions;
} else {
  console.error(`unknown stage ${stage}`);
  process.exit(2);
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ stage, count, seconds: Number(seconds.toFixed(2)), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
