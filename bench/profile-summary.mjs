#!/usr/bin/env node
// Self time per function from a V8 CPU profile (`node --cpu-prof --cpu-prof-dir=DIR …`).
//
//   node bench/profile-summary.mjs DIR|FILE.cpuprofile [TOP=30]
//
// Self time (not total time) is what points at the code to change: a function that only calls others is cheap
// to keep. Functions are keyed by name, file and line, so two closures of one name stay apart.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The newest `.cpuprofile` in a folder, or the file itself. */
export function profileFile(path) {
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (files.length === 0) throw new Error(`no .cpuprofile in ${path}`);
  return join(path, files[files.length - 1]);
}

/** `[{ name, ms, share }]`, largest self time first, plus the total. */
export function summarizeProfile(file, top = 30) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = nodes.get(profile.samples[i]).callFrame;
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    const where = frame.url ? ` ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + delta);
  }
  const rows = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, share: total > 0 ? us / total : 0 }));
  return { totalMs: total / 1000, rows };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: node bench/profile-summary.mjs DIR|FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  const { totalMs, rows } = summarizeProfile(profileFile(target), Number(process.argv[3] ?? 30));
  for (const r of rows) process.stdout.write(`${r.ms.toFixed(0).padStart(7)} ms ${(100 * r.share).toFixed(1).padStart(5)} %  ${r.name}\n`);
  process.stdout.write(`total ${totalMs.toFixed(0)} ms\n`);
}
