#!/usr/bin/env node
// The executable: runs the CLI with the real process and sets the exit code (the only place that does).
// It imports statically only what loads on any Node: the CLI comes with import() once the version is checked.
import { isatty } from 'node:tty';
import { setFlagsFromString } from 'node:v8';
import { NODE_NEEDED, supportedNode } from './node-version.js';

// Peak memory: by default V8 lets the heap grow to several times the live data before a full collection, and a
// scan makes a steady stream of short-lived objects. What stays live is small (open sessions, report groups), so
// collecting at 1.5× live cuts the peak by a third (2 GB log, library scan() measured in turns: 330 → 209 MiB)
// for 15 % more time on that file (30 → 35 s; no difference seen at 200 MB). The issue asks for flat memory
// first; docs/performance.md. The library leaves the process alone: this is the executable's choice.
setFlagsFromString('--heap-growing-percent=50');

// Standard error closed early (`2>&1 | head -1`) or full (`2>/dev/full`): there is nowhere left to say so, and
// Node's default for an unhandled stream error is exit 1, the --fail-on code. The exit code stays the run's own.
process.stderr.on('error', () => undefined);

/**
 * What to undo on SIGINT/SIGTERM (a temporary report file). The handlers are installed only while there is
 * something to undo, so otherwise a signal ends the process at once, as Node's default does; after the cleanups
 * the signal is raised again with the default action, so the exit status stays "killed by SIGINT/SIGTERM"
 * (130/143 in a shell) and nothing more is written.
 */
const cleanups = new Set<() => void>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
function onSignal(signal: NodeJS.Signals): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // the others still run, and the process ends either way
    }
  }
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}
function onInterrupt(cleanup: () => void): () => void {
  if (cleanups.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup) && cleanups.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
}

async function run(): Promise<void> {
  try {
    const { main } = await import('./cli.js');
    // isatty(0) rather than process.stdin.isTTY: the stream is made only when an input reads it.
    process.exitCode = await main({ argv: process.argv.slice(2), stdin: { isTTY: isatty(0) }, stdout: process.stdout, stderr: process.stderr, env: process.env, onInterrupt });
  } catch (e) {
    process.stderr.write(`logscan: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  }
}

// An unsupported Node is a usage error (exit 2), not a crash that exits 1 as if `--fail-on` had matched. Not a
// top-level await: a run whose last handle closes while main() waits ends as it always did, not with code 13.
if (supportedNode(process.versions.node)) void run();
else {
  process.stderr.write(`logscan: needs ${NODE_NEEDED}: this is v${process.versions.node}\n`);
  process.exitCode = 2;
}
