#!/usr/bin/env node
// The reference logscan is measured against: csv-parse streaming over every line of one protocol log, with the
// options a correct csv-parse reader of these logs needs (see docs/performance.md). Counts records only.
//
//   node bench/csv-baseline.mjs FILE      → prints {"records": N} on stdout

import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/csv-baseline.mjs FILE\n');
  process.exit(2);
}

let records = 0;
await pipeline(
  createReadStream(file, { highWaterMark: 1024 * 1024 }),
  parse({
    bom: true,
    comment: '#',
    comment_no_infix: true,
    relax_quotes: true,
    relax_column_count: true,
    record_delimiter: ['\r\n', '\n'],
  }),
  async function count(rows) {
    for await (const _row of rows) records++;
  },
);
process.stdout.write(`${JSON.stringify({ records, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
