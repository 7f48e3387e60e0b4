/**
 * The Node.js versions logscan runs on, as package.json's `engines` says (`^20.19.0 || >=22.12.0`). bin.ts checks
 * it before it loads anything else: on an older Node the CLI's modules fail to load with a stack trace and exit
 * code 1, the `--fail-on` code. This module imports nothing, so it loads on any Node that runs ES modules.
 */

/** What the check says to the user. */
export const NODE_NEEDED = 'Node.js 20.19 or later on 20, or 22.12 or later';

/** Whether a version (`20.19.0`, `v22.12.0`) is one logscan supports; one it cannot read is not refused. */
export function supportedNode(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)\./.exec(version);
  if (m === null) return true;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major === 20 ? minor >= 19 : major === 22 ? minor >= 12 : major > 22;
}
