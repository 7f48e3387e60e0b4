import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandInputs, globPlan, isServerName, NO_MATCH, serverFromFileName, serverFromPath, windowsPathHint } from '../src/read/inputs.js';
import { reportFiles } from '../src/report/read-report.js';

describe('globPlan', () => {
  it('searches a Windows pattern from the folder before the first wildcard, ignoring case', () => {
    const plan = globPlan('C:\\Program Files (x86)\\Logs\\SmtpReceive\\RECV*.log', 'win32');
    expect(plan.cwd).toBe('C:\\Program Files (x86)\\Logs\\SmtpReceive\\');
    expect(plan.pattern).toBe('RECV*.log');
    expect(plan.caseSensitiveMatch).toBe(false);
    expect(plan.pathOf('RECV2025111009-1.LOG')).toBe('C:\\Program Files (x86)\\Logs\\SmtpReceive\\RECV2025111009-1.LOG');
  });

  it('turns Windows separators after the wildcard into the pattern’s slashes, and matches back into backslashes', () => {
    const plan = globPlan('D:\\collected\\*\\FrontEnd\\**\\*.LOG', 'win32');
    expect(plan.cwd).toBe('D:\\collected\\');
    expect(plan.pattern).toBe('*/FrontEnd/**/*.LOG');
    expect(plan.pathOf('EX01/FrontEnd/ProtocolLog/RECV1.LOG')).toBe('D:\\collected\\EX01\\FrontEnd\\ProtocolLog\\RECV1.LOG');
    // Forward slashes work on Windows too.
    expect(globPlan('D:/collected/*.LOG', 'win32').cwd).toBe('D:/collected/');
  });

  it('keeps a backslash in a POSIX pattern (an escape there) and matches case exactly on Linux', () => {
    const plan = globPlan('logs (copy)/RECV\\[1\\]*.LOG', 'linux');
    expect(plan.cwd).toBe('logs (copy)/');
    expect(plan.pattern).toBe('RECV\\[1\\]*.LOG');
    expect(plan.caseSensitiveMatch).toBe(true);
    expect(globPlan('*.LOG', 'darwin')).toMatchObject({ cwd: null, pattern: '*.LOG', caseSensitiveMatch: false });
    expect(globPlan('/*.LOG', 'linux')).toMatchObject({ cwd: '/', pattern: '*.LOG' });
  });

  it('takes a folder named with brackets or braces literally when it exists, and as a pattern when it does not', () => {
    const folders = new Set(['D:\\cases\\EX01 (old) [2025]\\', 'logs/a{1}/']);
    const isDirectory = (p: string) => folders.has(p);
    const plan = globPlan('D:\\cases\\EX01 (old) [2025]\\SmtpReceive\\RECV*.LOG', 'win32', isDirectory);
    expect(plan.cwd).toBe('D:\\cases\\EX01 (old) [2025]\\SmtpReceive\\');
    expect(plan.pattern).toBe('RECV*.LOG');
    expect(plan.pathOf('RECV1.LOG')).toBe('D:\\cases\\EX01 (old) [2025]\\SmtpReceive\\RECV1.LOG');
    expect(globPlan('logs/a{1}/b/*.LOG', 'linux', isDirectory)).toMatchObject({ cwd: 'logs/a{1}/b/', pattern: '*.LOG' });
    // Not a folder: brace expansion, as the user meant.
    expect(globPlan('logs/{EX01,EX02}/*.LOG', 'linux', isDirectory)).toMatchObject({ cwd: 'logs/', pattern: '{EX01,EX02}/*.LOG' });
    // `*` and `?` are always wildcards, even where a folder of that name could exist elsewhere.
    expect(globPlan('logs/*/x/*.LOG', 'linux', () => true)).toMatchObject({ cwd: 'logs/', pattern: '*/x/*.LOG' });
  });
});

describe('expandInputs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'logscan-inputs-'));
    for (const folder of ['logs (copy)', 'old [2025]', 'EX01 (old) [2025]/SmtpReceive', 'x [1] (y)', 'tree/EX01', 'tree/EX02']) mkdirSync(join(dir, folder), { recursive: true });
    for (const file of ['logs (copy)/RECV1.LOG', 'logs (copy)/RECV2.LOG', 'old [2025]/SEND1.LOG', 'EX01 (old) [2025]/SmtpReceive/RECV3.LOG', 'x [1] (y)/RECV4.LOG', 'tree/EX02/b.LOG', 'tree/EX01/a.LOG', 'tree/EX01/.hidden.LOG']) {
      writeFileSync(join(dir, file), '#Software: Microsoft Exchange Server\r\n');
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds files below folders whose names hold glob syntax (parentheses, brackets)', async () => {
    const paren = await expandInputs([join(dir, 'logs (copy)', '*.LOG')]);
    expect(paren.missing).toEqual([]);
    expect(paren.inputs.map((i) => i.path)).toEqual([join(dir, 'logs (copy)', 'RECV1.LOG'), join(dir, 'logs (copy)', 'RECV2.LOG')]);
    const bracket = await expandInputs([join(dir, 'old [2025]', 'SEND*.LOG')]);
    expect(bracket.inputs.map((i) => i.path)).toEqual([join(dir, 'old [2025]', 'SEND1.LOG')]);
    // Both kinds in one name, and a pattern below it.
    const both = await expandInputs([join(dir, 'EX01 (old) [2025]', 'SmtpReceive', 'RECV*.LOG'), join(dir, 'x [1] (y)', '*.LOG')]);
    expect(both.missing).toEqual([]);
    expect(both.inputs.map((i) => i.path)).toEqual([join(dir, 'EX01 (old) [2025]', 'SmtpReceive', 'RECV3.LOG'), join(dir, 'x [1] (y)', 'RECV4.LOG')]);
    // Braces that name no folder still expand.
    const braces = await expandInputs([join(dir, 'tree', '{EX01,EX02}', '*.LOG')]);
    expect(braces.inputs.map((i) => i.path)).toEqual([join(dir, 'tree', 'EX01', 'a.LOG'), join(dir, 'tree', 'EX02', 'b.LOG')]);
  });

  it('reads folders recursively and patterns across folders, sorted, each file once, dot files left out', async () => {
    const { inputs, missing } = await expandInputs([join(dir, 'tree'), join(dir, 'tree', '*', '*.LOG'), join(dir, 'tree', 'EX01', 'a.LOG')]);
    expect(missing).toEqual([]);
    expect(inputs.map((i) => i.path)).toEqual([join(dir, 'tree', 'EX01', 'a.LOG'), join(dir, 'tree', 'EX02', 'b.LOG')]);
  });

  it('names a pattern that matched nothing and a path that does not exist, and takes - as standard input', async () => {
    const stdin = Readable.from([Buffer.from('x')]);
    const { inputs, missing } = await expandInputs([join(dir, 'logs (copy)', '*.TXT'), join(dir, 'nope.LOG'), '-'], stdin);
    expect(inputs).toEqual([{ source: 'stdin', path: null, stream: stdin }]);
    expect(missing.map(([source]) => source)).toEqual([join(dir, 'logs (copy)', '*.TXT'), join(dir, 'nope.LOG')]);
    expect(missing[0]![1]).toBe('the pattern matched no files');
    expect(missing[1]![1]).toMatch(/no such file or directory/i);
  });
});

describe('serverFromPath', () => {
  it('names the server by the folder directly above Exchange\'s layout, on either separator', () => {
    expect(serverFromPath('collected/EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG')).toBe('EX01');
    expect(serverFromPath('D:\\cases\\4711\\EX02\\TransportRoles\\Logs\\Hub\\ProtocolLog\\SmtpSend\\SEND1.LOG')).toBe('EX02');
    expect(serverFromPath('EX03/Logs/Edge/ProtocolLog/SmtpSend/SEND1.LOG')).toBe('EX03');
    // The README's layout (each server's folder in a collection folder), samples/, Exchange 2010's and Mailbox's.
    expect(serverFromPath('Logs/EX01/Hub/ProtocolLog/SmtpSend/SEND2025111009-1.LOG')).toBe('EX01');
    expect(serverFromPath('samples/EDGE01/Edge/ProtocolLog/SmtpSend/SEND2025111009-1.LOG')).toBe('EDGE01');
    expect(serverFromPath('samples/EX2010/ProtocolLog/SmtpReceive/RECV20251110-1.LOG')).toBe('EX2010');
    expect(serverFromPath('ex-mbx-07/TransportRoles/Logs/ProtocolLog/SmtpSend/SEND1.LOG')).toBe('ex-mbx-07');
    expect(serverFromPath('EX04/Mailbox/ProtocolLog/SmtpSend/SEND1.LOG')).toBe('EX04');
  });

  it('gives the host of an admin share, and no server for a drive root or a folder above the current one', () => {
    const share = '\\\\EX01\\c$\\Program Files\\Microsoft\\Exchange Server\\V15\\TransportRoles\\Logs\\Hub\\ProtocolLog\\SmtpSend\\SEND1.LOG';
    expect(serverFromPath(share)).toBe('EX01');
    expect(serverFromPath('\\\\ex02.contoso.local\\d$\\Exchange\\V15\\TransportRoles\\Logs\\Hub\\ProtocolLog\\SmtpSend\\SEND1.LOG')).toBe('ex02');
    expect(serverFromPath('\\\\10.0.0.5\\c$\\Program Files\\Microsoft\\Exchange Server\\V15\\TransportRoles\\Logs\\Hub\\ProtocolLog\\SmtpSend\\SEND1.LOG')).toBeNull();
    // A copy on a file server's share: its folders name the server, not the file server.
    expect(serverFromPath('\\\\fs01\\cases\\EX05\\Hub\\ProtocolLog\\SmtpSend\\SEND1.LOG')).toBe('EX05');
    expect(serverFromPath('C:\\Program Files\\Microsoft\\Exchange Server\\V15\\TransportRoles\\Logs\\Hub\\ProtocolLog\\SmtpSend\\SEND1.LOG')).toBeNull();
    expect(serverFromPath('E:\\Exchange\\V15\\TransportRoles\\Logs\\FrontEnd\\ProtocolLog\\SmtpReceive\\RECV1.LOG')).toBeNull();
    expect(serverFromPath('../Logs/Hub/ProtocolLog/SmtpSend/SEND1.LOG')).toBeNull();
  });

  it('gives no server for a path without Exchange folders', () => {
    expect(serverFromPath('/tmp/logs/SEND1.LOG')).toBeNull();
    expect(serverFromPath('SEND1.LOG')).toBeNull();
  });

  // Reported: send logs credited to whatever folder was above them.
  it('names no server after a folder that is not directly above the layout, or is no computer name', () => {
    const send = 'SEND2025111009-1.LOG';
    expect(serverFromPath(`C:/Users/admin/Desktop/SmtpSend/${send}`)).toBeNull();
    expect(serverFromPath(`C:/Users/admin/Desktop/Hub/ProtocolLog/SmtpSend/${send}`)).toBeNull();
    expect(serverFromPath(`Downloads/Logs/${send}`)).toBeNull();
    expect(serverFromPath(`Downloads/Logs/Hub/ProtocolLog/SmtpSend/${send}`)).toBeNull();
    // A whole drive or install folder copied into a case folder: the install folder (V15) names no server, nor does
    // anything above it.
    expect(serverFromPath(`case123/Program Files/Microsoft/Exchange Server/V15/TransportRoles/Logs/Hub/ProtocolLog/SmtpSend/${send}`)).toBeNull();
    expect(serverFromPath(`qa-gen/V15/TransportRoles/Logs/Hub/ProtocolLog/SmtpSend/${send}`)).toBeNull();
    expect(serverFromPath(`EX01/Exchange Server/TransportRoles/Logs/ProtocolLog/SmtpSend/${send}`)).toBeNull();
    expect(serverFromPath(`incident-2025-11-10/TransportRoles/Logs/Hub/ProtocolLog/SmtpSend/${send}`)).toBeNull();
    // Exchange's folders out of their order are no layout.
    expect(serverFromPath(`EX01/TransportRoles/Hub/ProtocolLog/SmtpSend/${send}`)).toBeNull();
    expect(serverFromPath(`EX01/ProtocolLog/Hub/SmtpSend/${send}`)).toBeNull();
    for (const folder of ['Logs', 'tmp', 'Documents', 'V15', 'TransportRoles', 'case123', 'Case-7', '2025-11-10', '20251110', '10-11-2025', 'logs 2025', 'EX_01', 'EXCHANGE-SERVER-01', '4711', '.']) {
      expect(serverFromPath(`${folder}/Hub/ProtocolLog/SmtpSend/${send}`), folder).toBeNull();
    }
  });

  it('names the server a renamed copy puts in front of Exchange\'s file name, only when nothing contradicts it', () => {
    expect(serverFromPath('flat/EX01_SEND2025111009-1.LOG')).toBe('EX01');
    expect(serverFromPath('flat/EX02-SEND2025111009-12.LOG')).toBe('EX02');
    expect(serverFromPath('flat/EX-03-RECV20251110-1.LOG.gz')).toBe('EX-03');
    expect(serverFromPath('EX01/Hub/ProtocolLog/SmtpSend/ex01_SEND2025111009-1.LOG')).toBe('EX01');
    // Two servers named: which one wrote it cannot be told.
    expect(serverFromPath('EX01/Hub/ProtocolLog/SmtpSend/EX02_SEND2025111009-1.LOG')).toBeNull();
    for (const name of ['SEND2025111009-1.LOG', 'old_SEND2025111009-1.LOG', '20251110_SEND2025111009-1.LOG', 'EX01_EX02_SEND2025111009-1.LOG', 'EX01_SEND.LOG', 'EX01_notes.txt', 'EX01 SEND2025111009-1.LOG']) {
      expect(serverFromPath(`flat/${name}`), name).toBeNull();
      expect(serverFromFileName(name), name).toBeNull();
    }
  });
});

describe('isServerName', () => {
  it('takes a Windows computer name: up to 15 letters, digits and hyphens, a letter among them, no folder of a copy', () => {
    for (const name of ['EX01', 'ex-mbx-07', 'EDGE01', 'EX2010', 'A1B2C3D4E5F6G7H']) expect(isServerName(name), name).toBe(true);
    for (const name of ['', 'EX01.contoso', 'EX_01', 'A1B2C3D4E5F6G7H8', '1234', '12-34', 'Desktop', 'DOWNLOADS', 'logs', 'V15', 'v14', 'Hub', 'case123', 'ticket-9', '2025-11-10', 'x20251110', '10-11-2025', 'c$']) {
      expect(isServerName(name), name).toBe(false);
    }
  });
});

describe('Windows paths given on another system', () => {
  it('says what to type instead, for a path and a pattern that find nothing', async () => {
    expect(windowsPathHint('samples\\EX01\\Hub', 'linux')).toBe('backslashes separate folders only on Windows: here write samples/EX01/Hub');
    expect(windowsPathHint('\\\\EX01\\c$\\Program Files', 'linux')).toMatch(/^a Windows share path/);
    expect(windowsPathHint('//EX01/Logs', 'darwin')).toMatch(/^a Windows share path/);
    expect(windowsPathHint('C:\\Logs', 'linux')).toMatch(/^a Windows drive path/);
    expect(windowsPathHint('samples\\EX01', 'win32')).toBeNull();
    expect(windowsPathHint('samples/EX01', 'linux')).toBeNull();
    if (process.platform === 'win32') return;
    const { missing } = await expandInputs(['samples\\EX01', 'samples\\*.LOG']);
    expect(missing).toEqual([
      ['samples\\EX01', 'no such file or directory; backslashes separate folders only on Windows: here write samples/EX01'],
      ['samples\\*.LOG', `${NO_MATCH}; backslashes separate folders only on Windows: here write samples/*.LOG`],
    ]);
    await expect(reportFiles(['reports\\*.json'])).rejects.toThrow(`reports\\*.json: ${NO_MATCH}; backslashes separate folders only on Windows: here write reports/*.json`);
  });
});
