/**
 * The CLI's own messages quote file names and text from inside report files: a name with ESC, BEL, CR or a bidi
 * override must reach standard error as visible escapes, never as a terminal command (`ESC ] 0 ; … BEL` sets
 * the window title) or reversed text.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCli } from './helpers/cli.js';

const HOSTILE = 'x\u001b]0;pwn\u0007\r\u202egpj.LOG';
const ESCAPED = 'x\\x1B]0;pwn\\x07\\x0D\\u{202E}gpj.LOG';
/** What a terminal acts on, as stripControl lists it. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let dir: string;

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'logscan-cli-messages-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('file-derived text in CLI messages', () => {
  it('merge: an unreadable report file is named with its controls escaped', async () => {
    const file = join(dir, HOSTILE.replace('.LOG', '.json'));
    writeFileSync(file, 'x');
    const r = await runCli(['merge', file], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(ESCAPED.replace('.LOG', '.json'));
    expect(r.stderr).not.toMatch(RAW);
  });

  it('merge: a log read by two reports is named, from inside the report, with its controls escaped', async () => {
    const log = join(dir, 'SEND.LOG');
    writeFileSync(log, '#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Send Protocol Log\r\n#Date: 2025-11-10T09:00:00.000Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n2025-11-10T09:00:00.000Z,Out,08DE0000000001,0,10.0.1.21:1234,198.51.100.9:25,+,,\r\n');
    const made = await runCli(['-f', 'json', log], dir);
    expect(made.code).toBe(0);
    const text = made.stdout.replace(JSON.stringify(log), JSON.stringify(join(dir, HOSTILE)));
    expect(text).not.toBe(made.stdout);
    writeFileSync(join(dir, 'a.json'), text);
    writeFileSync(join(dir, 'b.json'), text);
    const r = await runCli(['merge', join(dir, 'a.json'), join(dir, 'b.json')], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`both read ${join(dir, ESCAPED)}`);
    expect(r.stderr).not.toMatch(RAW);
  });

  it('an option value is quoted with its controls escaped', async () => {
    const r = await runCli(['--format', HOSTILE, 'x.LOG'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(ESCAPED);
    expect(r.stderr).not.toMatch(RAW);
  });
});
