#!/usr/bin/env node
// The executable: runs the CLI with the real process and sets the exit code (the only place that does).
import { main } from './cli.js';

main({ argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`logscan: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
