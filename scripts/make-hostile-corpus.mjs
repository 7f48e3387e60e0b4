#!/usr/bin/env node
/**
 * Writes the hostile-input corpus into test/.generated/hostile/ (git-ignored): the large cases the tests build
 * in temporary folders, at full size, for running the CLI by hand or under a profiler:
 *
 *   node scripts/make-hostile-corpus.mjs [--sessions 200000] [--long-mb 5]
 *   node dist/bin.js -f json test/.generated/hostile > /tmp/report.json; echo "exit $?"   # 3: some inputs refused
 *
 * hostile-manifest.json next to the folder lists, per file, what logscan must report for it (docs/guarantees.md).
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values } = parseArgs({ options: { sessions: { type: 'string' }, 'long-mb': { type: 'string' }, out: { type: 'string' } } });
const SESSIONS = Number(values.sessions ?? 200_000);
const LONG_MB = Number(values['long-mb'] ?? 5);
const OUT = values.out ?? join(process.cwd(), 'test', '.generated', 'hostile');

const FIELDS = 'date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context';
const HEADER = ['#Software: Microsoft Exchange Server', '#Version: 15.0.0.0', '#Log-type: SMTP Receive Protocol Log', '#Date: 2025-11-10T09:00:00.000Z', `#Fields: ${FIELDS}`];
const field = (t) => (/[",]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t);
const id = (n) => `08DE${n.toString(16).toUpperCase().padStart(12, '0')}`;
const at = (n, step) => new Date(Date.UTC(2025, 10, 10, 9) + n * 1000 + step).toISOString();

/** Nine rows: connect, banner, EHLO, STARTTLS, certificate, TLS 1.2, disconnect (the same shape as the tests). */
function session(n, ehlo = `client${n}.example.net`) {
  const rows = [
    ['+', '', ''],
    ['>', '220 EX01.contoso.com Microsoft ESMTP MAIL Service ready', ''],
    ['<', `EHLO ${ehlo}`, ''],
    ['>', '250  EX01.contoso.com Hello SIZE 37748736 PIPELINING STARTTLS 8BITMIME', ''],
    ['<', 'STARTTLS', ''],
    ['>', '220 2.0.0 SMTP server ready', ''],
    ['*', ' CN=EX01 CN=Issuing CA 4B7D90E2A6C13F58 E4A90C3B7F2D1856AB0C9E7D3F5A2B61C8D4E0F9 2024-03-04T10:12:44.000Z 2029-03-04T10:12:44.000Z EX01', 'Sending certificate Subject Issuer name Serial number Thumbprint Not before Not after Subject alternate names'],
    ['*', '', 'TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_128 with strength 128 bits'],
    ['-', '', 'Local'],
  ];
  return rows.map(([e, d, c], seq) => [at(n, seq), 'EX01\\Default Frontend EX01', id(n), seq, '10.0.1.21:25', `203.0.113.${(n % 250) + 1}:${40000 + (n % 20000)}`, e, field(d), field(c)].join(','));
}
const log = (count) => `${[...HEADER, ...Array.from({ length: count }, (_, n) => session(n)).flat()].join('\r\n')}\r\n`;

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const manifest = {};
const put = (name, bytes, expect) => {
  writeFileSync(join(OUT, name), bytes);
  manifest[name] = expect;
};

const small = log(3);
const lines = small.split('\r\n');
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;

put('binary.LOG', Buffer.from(Array.from({ length: 1 << 20 }, rand)), { error: 'binary data (NUL bytes)…' });
put('nul.LOG', Buffer.alloc(1 << 20), { error: 'binary data (NUL bytes)…' });
put('empty.LOG', '', { error: 'empty input: nothing to analyse' });
put('header-only.LOG', `${HEADER.join('\r\n')}\r\n`, { lines: 5, records: 0, skipped: { header: 5 } });
put('truncated.LOG', small.slice(0, -30), { lines: 32, records: 26, skipped: { header: 5, 'truncated-last-line': 1 } });
put('unclosed-quote.LOG', lines.map((l, i) => (i === 16 ? l.replace(',<,EHLO ', ',<,"EHLO ') : l)).join('\r\n'), {
  lines: 32, records: 26, skipped: { header: 5, 'unclosed-quote': 1 }, problemLine: 17,
});
put('long-line.LOG', `${lines.slice(0, 8).join('\r\n')}\r\n${'A,'.repeat((LONG_MB * 1024 * 1024) / 2)}\r\n${lines.slice(8).join('\r\n')}`, {
  lines: 33, records: 27, skipped: { header: 5, 'line-too-long': 1 }, problemLine: 9,
});
put('utf16le.LOG', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(small, 'utf16le')]), { lines: 32, records: 27, sameSessionsAs: 'utf8-twin.LOG' });
put('utf8-twin.LOG', small, { lines: 32, records: 27 });
put('latin1-ehlo.LOG', Buffer.from(small.replace('EHLO client1.example.net', 'EHLO cli\xe9nt\xff.example.net'), 'latin1'), { lines: 32, records: 27, remoteName: 'cli\ufffdnt\ufffd.example.net' });
put('iis.LOG', '#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip cs-method cs-uri-stem c-ip sc-status\r\n2025-11-10 09:00:00 10.0.0.1 GET /owa/ 10.0.0.2 200\r\n', { error: 'IIS / W3C web server log …' });
put('message-tracking.LOG', '#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: Message Tracking Log\r\n#Date: 2025-11-10T09:00:00.000Z\r\n#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id\r\n', { error: 'message-tracking log …' });
const gz = gzipSync(Buffer.from(log(20_000)));
put('cut.LOG.gz', gz.subarray(0, gz.length >> 1), { error: 'read error after line N: corrupt gzip data (unexpected end of file)', recordsBeforeDamage: 'kept' });
const evil = '=HYPERLINK("http://x")\u001b[2J\u0007|<script>alert(1)</script>';
put('hostile-names.LOG', `${[...HEADER, ...session(0, evil), ...session(1, evil)].join('\r\n')}\r\n`, { lines: 23, records: 18, outputsEscape: true });

// 200,000 sessions that never close: two rows each, no `-` row.
const open = [...HEADER];
for (let n = 0; n < SESSIONS; n++) {
  const t = new Date(Date.UTC(2025, 10, 10, 9) + n).toISOString();
  open.push(`${t},EX01\\Default Frontend EX01,${id(n)},0,10.0.1.21:25,198.51.100.${n % 250}:${1024 + (n % 60000)},+,,`);
  open.push(`${t},EX01\\Default Frontend EX01,${id(n)},1,10.0.1.21:25,198.51.100.${n % 250}:${1024 + (n % 60000)},<,EHLO h${n},`);
}
put('never-closed.LOG', `${open.join('\r\n')}\r\n`, { lines: 2 * SESSIONS + 5, records: 2 * SESSIONS, sessions: SESSIONS, incompleteSessions: SESSIONS });

symlinkSync(join(OUT, 'rotated-away.LOG'), join(OUT, 'dangling.LOG'));
manifest['dangling.LOG'] = { error: 'cannot read: no such file or directory' };
writeFileSync(`${OUT}-manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${Object.keys(manifest).length} cases to ${OUT}`);
