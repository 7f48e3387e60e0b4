// Run on the Exchange server itself: send logs name no server in their rows, and the install folder's path
// (`C:\Program Files\Microsoft\Exchange Server\V15\…`) names none either, so the server comes from the machine
// (`%ExchangeInstallPath%`, `%COMPUTERNAME%`), for logs inside that folder only.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { isInsideFolder, serverOfInput } from '../src/read/inputs.js';
import { thisServer } from '../src/cli.js';
import type { Report } from '../src/types.js';
import { requireBuiltCli, runCli } from './helpers/cli.js';

const SAMPLES = new URL('../samples/EX01/', import.meta.url);

let root: string;
let install: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'logscan-this-server-'));
  // Exchange installed in a folder of the admin's choosing (`ExchSrv\V15`): read by its folders, the logs are
  // credited to no server, as on the default C:\Program Files\… path (the folder holding V15 is where Exchange was
  // installed, not a server name). Only the machine knows its name.
  install = join(root, 'ExchSrv', 'V15');
  const send = join(install, 'TransportRoles/Logs/Hub/ProtocolLog/SmtpSend');
  const recv = join(install, 'TransportRoles/Logs/FrontEnd/ProtocolLog/SmtpReceive');
  // A copy of another server's logs on the same machine, outside the install folder: named by its folders.
  const copy = join(root, 'cases', 'EX02', 'Hub/ProtocolLog/SmtpSend');
  for (const dir of [send, recv, copy]) mkdirSync(dir, { recursive: true });
  copyFileSync(new URL('Hub/ProtocolLog/SmtpSend/SEND2025111009-1.LOG', SAMPLES), join(send, 'SEND2025111009-1.LOG'));
  copyFileSync(new URL('FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG', SAMPLES), join(recv, 'RECV2025111009-1.LOG'));
  copyFileSync(new URL('Hub/ProtocolLog/SmtpSend/SEND2025111010-1.LOG', SAMPLES), join(copy, 'SEND2025111010-1.LOG'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function sendServers(report: Report): string[] {
  return [...new Set(report.groups.filter((g) => g.direction === 'send').map((g) => String(g.server)))].sort();
}

describe('isInsideFolder', () => {
  it('compares as Windows does: either separator, any case, a trailing separator or none', () => {
    const path = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\TransportRoles\\Logs\\Hub\\ProtocolLog\\SmtpSend\\SEND1.LOG';
    expect(isInsideFolder(path, 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\')).toBe(true);
    expect(isInsideFolder(path, 'c:/program files/microsoft/exchange server/v15')).toBe(true);
    // A sibling whose name starts the same is not inside.
    expect(isInsideFolder('C:\\Exchange Server\\V15-old\\Logs\\SEND1.LOG', 'C:\\Exchange Server\\V15')).toBe(false);
    expect(isInsideFolder('\\\\EX02\\c$\\Program Files\\Microsoft\\Exchange Server\\V15\\SEND1.LOG', 'C:\\Program Files\\Microsoft\\Exchange Server\\V15')).toBe(false);
    expect(isInsideFolder(path, '')).toBe(false);
  });
});

describe('serverOfInput', () => {
  it('credits a file inside the install folder to this server, and any other file to its folders', () => {
    const me = { name: 'EX01', installPath: install };
    expect(serverOfInput(join(install, 'TransportRoles/Logs/Hub/ProtocolLog/SmtpSend/SEND1.LOG'), me)).toBe('EX01');
    expect(serverOfInput(join(install, 'TransportRoles/Logs/Hub/ProtocolLog/SmtpSend/SEND1.LOG'), null)).toBeNull();
    expect(serverOfInput(join(root, 'cases/EX02/Hub/ProtocolLog/SmtpSend/SEND1.LOG'), me)).toBe('EX02');
  });
});

describe('thisServer (CLI)', () => {
  it('is set only on an Exchange server, named by COMPUTERNAME, else by the host name up to its first dot', () => {
    const host = () => 'ex01.contoso.local';
    expect(thisServer({}, host)).toBeUndefined();
    expect(thisServer({ ExchangeInstallPath: '  ' }, host)).toBeUndefined();
    expect(thisServer({ ExchangeInstallPath: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\', COMPUTERNAME: 'EX01' }, host)).toEqual({
      name: 'EX01',
      installPath: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\',
    });
    expect(thisServer({ ExchangeInstallPath: 'D:\\Exchange\\' }, host)?.name).toBe('ex01');
  });
});

describe('scan on the server itself', () => {
  it('names this server for send logs inside its install folder, and leaves other folders to their names', async () => {
    const without = await scan([root]);
    expect(sendServers(without)).toEqual(['EX02', 'null']);
    const withServer = await scan([root], { thisServer: { name: 'EX01', installPath: install } });
    expect(sendServers(withServer)).toEqual(['EX01', 'EX02']);
    // Nothing else moves: the same sessions and findings either way.
    expect(withServer.totals).toEqual(without.totals);
  });

  it('does the same from the command line, in worker threads too', async () => {
    requireBuiltCli();
    const env = { ExchangeInstallPath: install, COMPUTERNAME: 'EX01' };
    const reports: Report[] = [];
    for (const jobs of ['1', '3']) {
      const run = await runCli(['-f', 'json', '-q', '-j', jobs, root], root, undefined, env);
      expect(run.code, run.stderr).toBe(0);
      reports.push(JSON.parse(run.stdout) as Report);
    }
    for (const report of reports) expect(sendServers(report)).toEqual(['EX01', 'EX02']);
    expect(reports[1]!.groups).toEqual(reports[0]!.groups);
    const plain = await runCli(['-f', 'json', '-q', root], root, undefined, { ExchangeInstallPath: '' });
    expect(sendServers(JSON.parse(plain.stdout) as Report)).toEqual(['EX02', 'null']);
  });
});
