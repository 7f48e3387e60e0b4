// Send log rows name no server, so the path does (src/read/inputs.ts, serverFromPath). Reported: whatever folder
// was above the logs (Desktop, Downloads, a case or incident folder, the folder an install root was copied into)
// became a server, and renamed copies of several servers in one folder were merged under none.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { copyAsAnotherLog } from './helpers/copies.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import type { Report } from '../src/types.js';

const run = promisify(execFile);
const SEND = join(process.cwd(), 'samples/EX01/Hub/ProtocolLog/SmtpSend');
const SEND_09 = 'SEND2025111009-1.LOG';
const SEND_10 = 'SEND2025111010-1.LOG';
const LAYOUT = 'TransportRoles/Logs/Hub/ProtocolLog/SmtpSend';

let root: string;

function place(folder: string, name: string, from = SEND_09, other = false): void {
  mkdirSync(join(root, folder), { recursive: true });
  if (other) copyAsAnotherLog(join(SEND, from), join(root, folder, name));
  else copyFileSync(join(SEND, from), join(root, folder, name));
}

function sendServers(report: Report): Array<string | null> {
  return [...new Set(report.groups.filter((g) => g.direction === 'send').map((g) => g.server))].sort((a, b) => String(a).localeCompare(String(b)));
}

/** What a report counts, per server, connector and remote host. */
function counts(report: Report) {
  return report.groups
    .map((g) => ({ server: g.server, direction: g.direction, connector: g.connector, remoteHost: g.remoteHost, sessions: g.sessions, byCategory: g.byCategory }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'logscan-server-paths-'));
  place('reported/Desktop/SmtpSend', SEND_09);
  place('reported/Downloads/Logs', SEND_09);
  place('reported/Downloads/Logs/Hub/ProtocolLog/SmtpSend', SEND_10);
  place(`reported/case123/Program Files/Microsoft/Exchange Server/V15/${LAYOUT}`, SEND_09);
  place(`reported/incident-2025-11-10/${LAYOUT}`, SEND_09);
  place(`reported/qa-gen/V15/${LAYOUT}`, SEND_09);
  // Renamed copies of two servers' logs in one folder, and the same logs in server folders.
  place('flat', `EX01_${SEND_09}`);
  place('flat', `EX01_${SEND_10}`, SEND_10);
  // EX02's log is another log of the same shape: a copy of EX01's would be read once.
  place('flat', `EX02-${SEND_09}`, SEND_09, true);
  place('tree/EX01/Hub/ProtocolLog/SmtpSend', SEND_09);
  place('tree/EX01/Hub/ProtocolLog/SmtpSend', SEND_10, SEND_10);
  place('tree/EX02/Hub/ProtocolLog/SmtpSend', SEND_09, SEND_09, true);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the server of send logs, from their paths', () => {
  it('is unknown (null) for the reported folders, none of which is a server\'s', async () => {
    const report = await scan([join(root, 'reported')], { jobs: 1 });
    expect(report.inputs.filter((i) => i.kind === 'smtp-send')).toHaveLength(6);
    expect(sendServers(report)).toEqual([null]);
  });

  it('splits renamed copies by the server in front of their names, as server folders would', async () => {
    const flat = await scan([join(root, 'flat')], { jobs: 1 });
    expect(sendServers(flat)).toEqual(['EX01', 'EX02']);
    const tree = await scan([join(root, 'tree')], { jobs: 1 });
    expect(sendServers(tree)).toEqual(['EX01', 'EX02']);
    // Each server's sessions are its own: the same counts as from server folders (one log set, EX02's copy of the
    // 09:00 log would continue EX01's sessions).
    expect(counts(flat)).toEqual(counts(tree));
    expect(flat.totals).toEqual(tree.totals);
    // Worker threads take the same log sets.
    expect(counts(await scan([join(root, 'flat')], { jobs: 3 }))).toEqual(counts(flat));
  });

  it('keeps the servers of bench/generate.mjs trees, wherever the tree is', async () => {
    const out = join(root, 'gen', 'qa-gen');
    await run(process.execPath, ['bench/generate.mjs', '--out', out, '--size', '300KB', '--files', '64KB', '--kind', 'both', '--servers', '2', '--seed', '3']);
    const report = await scan([out], { jobs: 1 });
    expect(sendServers(report)).toEqual(['EX01', 'EX02']);
  });

  it('is one server whatever the case of its name: a folder typed ex01 and the connector ids EX01\\…', async () => {
    const lower = join(root, 'lower');
    cpSync('samples/EX01', join(lower, 'ex01'), { recursive: true });
    const report = await scan([lower], { jobs: 1 });
    // Receive connector ids name EX01, the send logs' folder ex01: before, coverage and groups had both.
    expect(report.coverage.servers.map((s) => s.server)).toEqual(['EX01']);
    expect(new Set(report.groups.map((g) => g.server))).toEqual(new Set(['EX01']));
    expect(sendServers(report)).toEqual(['EX01']);
    expect(report.totals).toEqual((await scan(['samples/EX01'], { jobs: 1 })).totals);
  });

  it('keeps the servers of samples/', async () => {
    const report = await scan(['samples'], { jobs: 1 });
    expect(sendServers(report)).toEqual(['EDGE01', 'EX01']);
  });
});
