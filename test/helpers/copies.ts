import { readFileSync, writeFileSync } from 'node:fs';

/**
 * The same log with other session ids: another server's (or another day's) log of the same shape. logscan reads
 * a copy of a log once (files with the same first 4 KiB, see dropCopies in src/scan.ts), so a test that means two
 * logs must not give it one log twice.
 */
export function anotherLog(text: string, tag = '1'): string {
  if (!text.includes('08DE')) throw new Error('anotherLog: no 08DE… session id to change');
  // One line more, so that `logscan merge` does not take it for the same log either (name, size, lines, times).
  const end = text.endsWith('\r\n') ? '\r\n' : '\n';
  return `${text.replaceAll('08DE', `${tag}8DE`)}#Software: Microsoft Exchange Server${end}`;
}

/** Copies a log file as {@link anotherLog}. */
export function copyAsAnotherLog(from: string, to: string, tag = '1'): void {
  writeFileSync(to, anotherLog(readFileSync(from, 'latin1'), tag), 'latin1');
}
