// Writes samples/ (except samples/queue) and test/fixtures/samples-expected.json: node scripts/make-samples.mjs [repo root].
// Every session is written step by step with explicit delays; rows of one log set are then merged by time,
// which interleaves concurrent sessions exactly as Exchange's shared log writer does.
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = process.argv[2] ?? new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'samples');

// ---------- deterministic randomness ----------
let seed = 0x5eed1234;
function rnd() {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const ri = (a, b) => a + Math.floor(rnd() * (b - a + 1));
const hex = (n) => { let s = ''; for (let i = 0; i < n; i++) s += '0123456789ABCDEF'[ri(0, 15)]; return s; };
const lhex = (n) => hex(n).toLowerCase();

// ---------- CSV / time ----------
const csv = (v) => (/[",]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v);
const iso = (ms) => new Date(ms).toISOString();
const T = (s) => Date.parse(s);
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** RFC 822 date in a fixed offset, as Exchange prints in its banner. */
function rfc822(ms, offsetMin) {
  const d = new Date(ms + offsetMin * 60000);
  const p = (n) => String(n).padStart(2, '0');
  const sign = offsetMin < 0 ? '-' : '+';
  const o = Math.abs(offsetMin);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${sign}${p(Math.floor(o / 60))}${p(o % 60)}`;
}
/** .NET ticks of a service start, in 16 hex digits: Exchange session ids count up from such a value. */
function tickBase(isoStart) {
  return (BigInt(Date.parse(isoStart)) + 62135596800000n) * 10000n + BigInt(ri(0, 9999));
}

// ---------- log sets ----------
/** A log set = one folder of one transport service; its rows are split into hourly files by cut-off times. */
const sets = [];
/** One transport service hands out session ids from one counter, whatever log set the session lands in. */
function service(isoStart, recordIds) {
  return { base: tickBase(isoStart), sessions: [], recordIds };
}
let order = 0;
function logSet({ dir, kind, version = '15.0.0.0', files, svc, host }) {
  const set = { dir, kind, version, files, rows: [], svc, host };
  sets.push(set);
  return set;
}
/** Ids count up in start order; gaps stand for sessions on connectors without logging. */
function assignIds(svc) {
  let n = 0n;
  for (const s of [...svc.sessions].sort((a, b) => a.start - b.start || a.order - b.order)) {
    n += BigInt(ri(1, 4));
    s.id = (svc.base + n).toString(16).toUpperCase().padStart(16, '0');
  }
}
const ID = '\u0000ID\u0000';

const expected = [];

class Sess {
  constructor(set, { connector, local, remote, start, direction }) {
    this.set = set; this.connector = connector; this.local = local; this.remote = remote;
    this.t = T(start); this.start = this.t; this.seq = 0; this.direction = direction;
    this.id = null;
    this.order = order++;
    set.svc.sessions.push(this);
    this.msg = 0;
  }
  wait(a, b = a) { this.t += ri(a, b); return this; }
  row(event, data = '', context = '', { noLocal = false } = {}) {
    this.set.rows.push({ t: this.t, order: this.order, seq: this.seq, sess: this, line:
      [iso(this.t), csv(this.connector), ID, String(this.seq), noLocal ? '' : this.local, this.remote, event, csv(data), csv(context)].join(',') });
    this.seq++;
    return this;
  }
  expect(file, categories, tls, note, extra = {}) {
    expected.push({ file, sess: this, direction: this.direction, remoteIp: this.remote.slice(0, this.remote.lastIndexOf(':')),
      categories: categories.map(([category, detail]) => ({ category, detail: detail ?? null })), tls, note, ...extra });
    return this;
  }
}

// ---------- constants ----------
const TLS12_S = 'TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_128 with strength 128 bits, MAC hash algorithm CALG_SHA_256 with strength 0 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 256 bits';
const TLS12_S256 = 'TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 0 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits';
const TLS10_S_RSA = 'TLS protocol SP_PROT_TLS1_0_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_128 with strength 128 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_RSA_KEYX with strength 2048 bits';
const TLS10_S = 'TLS protocol SP_PROT_TLS1_0_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 256 bits';
const TLS11_S = 'TLS protocol SP_PROT_TLS1_1_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 256 bits';
const TLS12_C = 'TLS protocol SP_PROT_TLS1_2_CLIENT negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 0 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits';
const TLS12_C128 = 'TLS protocol SP_PROT_TLS1_2_CLIENT negotiation succeeded using bulk encryption algorithm CALG_AES_128 with strength 128 bits, MAC hash algorithm CALG_SHA_256 with strength 0 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 256 bits';
const TLS10_C = 'TLS protocol SP_PROT_TLS1_0_CLIENT negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_ECDHE with strength 256 bits';

const CERT_LABELS = 'Sending certificate Subject Issuer name Serial number Thumbprint Not before Not after Subject alternate names';
const EX01_CERT = ` CN=mail.contoso.com, O=Contoso Ltd, L=Redmond, S=Washington, C=US CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US 0C4F2A91D37E6B05A1F8E2C94D6B7A30 7B1E9C24F05AD3E8816C2F4B9A0D5E3C72F1A6B4 2025-02-11T00:00:00.000Z 2026-03-13T23:59:59.000Z mail.contoso.com;autodiscover.contoso.com;EX01.contoso.com`;
const EX01_SELF = ` CN=EX01 CN=EX01 4B7D90E2A6C13F58 E4A90C3B7F2D1856AB0C9E7D3F5A2B61C8D4E0F9 2024-03-04T10:12:44.000Z 2029-03-04T10:12:44.000Z EX01;EX01.contoso.com`;
const EDGE_CERT = ` CN=mail.contoso.com CN=R11, O=Let's Encrypt, C=US 04A3F1C9B2D87E6650A1B2C3D4E5F60718 3D8F0B6A2E9C14F7D5B3A1908E6C4F2D0B9A7E15 2025-10-20T07:41:12.000Z 2026-01-18T07:41:11.000Z mail.contoso.com`;
const CHAIN_EMPTY = "Client certificate chain validation status: 'EmptyCertificate'";
const NO_REMOTE_CERT = "TlsDomainCapabilities='None'; Status='NoRemoteCertificate'";
const FE_EXT_PRE = 'SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH NTLM X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XRDST';
const FE_EXT_POST = 'SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES AUTH NTLM LOGIN X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XRDST';
const RELAY_EXT_PRE = 'SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS 8BITMIME BINARYMIME CHUNKING';
const RELAY_EXT_POST = 'SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES AUTH LOGIN 8BITMIME BINARYMIME CHUNKING';
const EDGE_EXT_PRE = 'SIZE 36700160 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH NTLM 8BITMIME BINARYMIME CHUNKING';
const EDGE_EXT_POST = 'SIZE 36700160 PIPELINING DSN ENHANCEDSTATUSCODES AUTH NTLM 8BITMIME BINARYMIME CHUNKING';
const ANON_PERMS = 'SMTPSubmit SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders';
const AUTH_PERMS = 'SMTPSubmit SMTPAcceptAnyRecipient SMTPAcceptAuthenticationFlag SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender BypassAntiSpam BypassMessageSizeLimit AcceptRoutingHeaders';

// ---------- receive-side steps (Exchange is the server: its replies are `>`) ----------
function rOpen(s, fqdn, offsetMin = 60) {
  s.row('+');
  s.wait(0, 2).row('>', `220 ${fqdn} Microsoft ESMTP MAIL Service ready at ${rfc822(s.t, offsetMin)}`);
}
function rEhlo(s, name, fqdn, ext, delay = [2, 40]) {
  s.wait(...delay).row('<', `EHLO ${name}`);
  s.wait(0, 1).row('>', `250  ${fqdn} Hello [${s.remote.split(':')[0]}] ${ext}`);
}
function rStartTls(s, cert, tls, { slow = [4, 60] } = {}) {
  s.wait(1, 30).row('<', 'STARTTLS');
  s.wait(0, 1).row('>', '220 2.0.0 SMTP server ready');
  s.row('*', cert, CERT_LABELS);
  s.wait(...slow).row('*', '', tls);
}
function rPostTlsEhlo(s, name, fqdn, ext, chain = true) {
  s.wait(1, 25).row('<', `EHLO ${name}`);
  if (chain) { s.wait(0, 1).row('*', '', CHAIN_EMPTY); s.row('*', '', NO_REMOTE_CERT); }
  s.wait(0, 1).row('>', `250  ${fqdn} Hello [${s.remote.split(':')[0]}] ${ext}`);
}
function rAuthOk(s, user) {
  s.wait(2, 20).row('<', 'AUTH LOGIN');
  s.wait(0, 1).row('>', '334 <authentication response>');
  s.wait(5, 40).row('>', '334 <authentication response>');
  s.wait(20, 180).row('*', AUTH_PERMS, 'Set Session Permissions');
  s.row('*', user, 'authenticated');
  s.wait(0, 1).row('>', '235 2.7.0 Authentication successful');
}
function rAuthFail(s, user) {
  s.wait(2, 20).row('<', 'AUTH LOGIN');
  s.wait(0, 1).row('>', '334 <authentication response>');
  s.wait(5, 40).row('>', '334 <authentication response>');
  s.wait(900, 2600).row('*', '', 'Inbound AUTH LOGIN failed because of LogonDenied');
  s.row('*', '', `User Name: ${user}`);
  s.wait(0, 1).row('>', '535 5.7.3 Authentication unsuccessful');
}
function rMailFrom(s, from, size) {
  s.wait(2, 30).row('<', `MAIL FROM:<${from}> SIZE=${size}`);
  s.msg++;
  s.row('*', `${ID};${iso(s.start)};${s.msg}`, 'receiving message');
  s.wait(1, 12).row('>', '250 2.1.0 Sender OK');
}
function rMessage(s, from, to, hostname, { size = ri(3000, 90000), msgid, data = true, ms, kbps = [2000, 20000] } = {}) {
  rMailFrom(s, from, size);
  for (const r of [].concat(to)) {
    s.wait(1, 20).row('<', `RCPT TO:<${r}>`);
    s.wait(2, 25).row('>', '250 2.1.5 Recipient OK');
  }
  s.wait(1, 15).row('<', 'DATA');
  s.wait(0, 2).row('>', '354 Start mail input; end with <CRLF>.<CRLF>');
  if (!data) return;
  // Transfer time follows size and the client's link, so the KB/sec in the reply stays believable.
  const secs = (ms ?? Math.max(40, Math.round((size / 1024 / ri(...kbps)) * 1000))) / 1000;
  s.wait(Math.round(secs * 1000) + ri(10, 90));
  const kbs = (size / 1024 / secs).toFixed(3);
  s.row('>', `250 2.6.0 ${msgid ?? `<${lhex(32)}@${hostname}>`} [InternalId=${ri(10000000, 99999999)}${ri(100000, 999999)}, Hostname=${s.set.host}] ${size} bytes in ${secs.toFixed(3)}, ${kbs} KB/sec Queued mail for delivery`);
}
function rQuit(s, end = 'Local') {
  s.wait(1, 40).row('<', 'QUIT');
  s.wait(0, 1).row('>', '221 2.0.0 Service closing transmission channel');
  s.wait(0, 2).row('-', '', end);
}

// ---------- send-side steps (Exchange is the client: its commands are `>`) ----------
function sOpen(s, banner, perms = 'SendRoutingHeaders') {
  s.row('*', perms, 'Set Session Permissions', { noLocal: true });
  s.row('*', '', 'attempting to connect', { noLocal: true });
  s.wait(9, 140).row('+');
  s.wait(20, 160).row('<', banner);
}
function sEhlo(s, reply, name = 'mail.contoso.com') {
  s.wait(0, 1).row('>', `EHLO ${name}`);
  s.wait(15, 130).row('<', reply);
}
function sStartTls(s, go = '220 2.0.0 SMTP server ready') {
  s.wait(0, 1).row('>', 'STARTTLS');
  s.wait(15, 120).row('<', go);
}
function sTlsOk(s, tls, thumb) {
  s.wait(30, 260).row('*', '', tls);
  s.row('*', '', 'Received certificate');
  s.row('*', thumb, 'Certificate thumbprint');
}
function sMessage(s, { from, to, size = ri(4000, 120000), ok = ['250 2.1.0 Sender OK', '250 2.1.5 Recipient OK', '354 Start mail input; end with <CRLF>.<CRLF>'], done, msgid, recordId }) {
  // Mail item record ids of one transport queue database only grow.
  s.set.svc.recordIds += ri(3, 400);
  s.wait(0, 2).row('*', '', `sending message with RecordId ${recordId ?? s.set.svc.recordIds} and InternetMessageId ${msgid ?? `<${lhex(32)}@EX01.contoso.com>`}`);
  s.row('>', `MAIL FROM:<${from}> SIZE=${size}`);
  s.wait(15, 120).row('<', ok[0]);
  for (const r of [].concat(to)) {
    s.wait(0, 1).row('>', `RCPT TO:<${r}>`);
    s.wait(15, 140).row('<', ok[1]);
  }
  s.wait(0, 1).row('>', 'DATA');
  s.wait(15, 110).row('<', ok[2]);
  s.wait(80, 1400).row('<', done);
}
function sQuit(s, end = 'Remote') {
  s.wait(0, 2).row('>', 'QUIT');
  s.wait(0, 3).row('-', '', end);
}

// ============================================================================================
// EX01 (Exchange 2019 Mailbox): FrontEnd receive log set, Hub send log set
// ============================================================================================
const FE = logSet({
  dir: 'EX01/FrontEnd/ProtocolLog/SmtpReceive', kind: 'receive',
  files: [
    { name: 'RECV2025111009-1.LOG', until: T('2025-11-10T09:59:59.810Z') },
    { name: 'RECV2025111010-1.LOG', until: Infinity, date: '2025-11-10T10:00:00.437Z' },
  ],
  svc: service('2025-11-04T02:41:19.482Z'), host: 'EX01.contoso.com',
});
const FE09 = 'EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG';
const FE10 = 'EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111010-1.LOG';
const DEF = 'EX01\\Default Frontend EX01';
const RELAY = 'EX01\\Relay Printers';
const FE_LOCAL = '10.0.1.21:25';
const FQDN_FE = 'EX01.contoso.com';
const FQDN_RELAY = 'relay.contoso.com';

/** Healthy internal application server relaying over TLS 1.2. */
function appTls12(start, ip, port, name, from, to, file, { end = 'Local', note, msgs = 1, size, ms } = {}) {
  const s = new Sess(FE, { connector: DEF, local: FE_LOCAL, remote: `${ip}:${port}`, start, direction: 'receive' });
  rOpen(s, FQDN_FE);
  rEhlo(s, name, FQDN_FE, FE_EXT_PRE);
  rStartTls(s, EX01_CERT, TLS12_S);
  rPostTlsEhlo(s, name, FQDN_FE, FE_EXT_POST);
  for (let i = 0; i < msgs; i++) rMessage(s, from, to[i % to.length], name.toLowerCase(), { size, ms });
  rQuit(s, end);
  return s.expect(file, [], 'TLS1.2', note ?? `Internal application server ${name}: STARTTLS, TLS 1.2, ${msgs === 1 ? "one message" : `${msgs} messages`} accepted, QUIT/221, Local. Healthy.`);
}

/** Multifunction printer on the relay connector: TLS 1.0 (or RSA key exchange), AUTH LOGIN. */
function printer(start, ip, port, name, file, { tls = TLS10_S, fail = false, rcpt = 'j.doe@contoso.com', note } = {}) {
  const s = new Sess(FE, { connector: RELAY, local: FE_LOCAL, remote: `${ip}:${port}`, start, direction: 'receive' });
  rOpen(s, FQDN_RELAY);
  rEhlo(s, name, FQDN_RELAY, RELAY_EXT_PRE, [120, 600]);
  rStartTls(s, EX01_SELF, tls, { slow: [300, 900] });
  rPostTlsEhlo(s, name, FQDN_RELAY, RELAY_EXT_POST);
  if (fail) {
    rAuthFail(s, 'scanner@contoso.com');
    rQuit(s);
  } else {
    rAuthOk(s, 'scanner@contoso.com');
    rMessage(s, 'scanner@contoso.com', rcpt, 'contoso.com', { size: ri(180000, 2400000), kbps: [250, 700], msgid: `<${name}.${iso(s.t).replace(/\D/g, '').slice(0, 14)}.${ri(1, 9)}@contoso.com>` });
    rQuit(s);
  }
  return s.expect(file, [['legacy-tls', 'TLS1.0']], 'TLS1.0', note ?? `Printer ${name} on the relay connector: SP_PROT_TLS1_0_SERVER, AUTH LOGIN as scanner@contoso.com, scan delivered.`);
}

/** Old line-of-business web app whose .NET runtime stops at TLS 1.1. */
function crmTls11(start, port, file, note) {
  const s = new Sess(FE, { connector: DEF, local: FE_LOCAL, remote: `10.0.5.77:${port}`, start, direction: 'receive' });
  rOpen(s, FQDN_FE);
  rEhlo(s, 'CRM-WEB01', FQDN_FE, FE_EXT_PRE);
  rStartTls(s, EX01_CERT, TLS11_S);
  rPostTlsEhlo(s, 'CRM-WEB01', FQDN_FE, FE_EXT_POST);
  rMessage(s, 'crm-noreply@contoso.com', 'sales@contoso.com', 'crm-web01.contoso.local');
  rQuit(s);
  return s.expect(file, [['legacy-tls', 'TLS1.1']], 'TLS1.1', note);
}

// --- hour 09 ---
appTls12('2025-11-10T09:00:03.118Z', '10.0.5.40', 50112, 'APPSRV02.contoso.local', 'erp@contoso.com', ['ap-team@contoso.com'], FE09);
printer('2025-11-10T09:00:02.319Z', '10.0.30.51', 49322, 'NPI3A9F12', FE09,
  { tls: TLS10_S_RSA, note: 'Printer NPI3A9F12 (10.0.30.51) on EX01\\Relay Printers: SP_PROT_TLS1_0_SERVER with RSA key exchange, AUTH LOGIN as scanner@contoso.com, scan delivered. Legacy TLS 1.0. Interleaved with the APPSRV02 session.' });
crmTls11('2025-11-10T09:07:41.930Z', 53871, FE09, 'CRM-WEB01 (10.0.5.77) negotiates SP_PROT_TLS1_1_SERVER and delivers normally. Legacy TLS 1.1.');

{ // STARTTLS required: the fax server on the TLS-required relay connector skips STARTTLS.
  const s = new Sess(FE, { connector: RELAY, local: FE_LOCAL, remote: '10.0.30.60:1107', start: '2025-11-10T09:11:26.044Z', direction: 'receive' });
  rOpen(s, FQDN_RELAY);
  rEhlo(s, 'FAXSRV01', FQDN_RELAY, RELAY_EXT_PRE);
  s.wait(3, 20).row('<', 'MAIL FROM:<fax@contoso.com> SIZE=61440');
  s.wait(0, 1).row('>', '530 5.7.0 Must issue a STARTTLS command first');
  rQuit(s);
  s.expect(FE09, [['starttls-required', '530 5.7.0 Must issue a STARTTLS command first']], 'none',
    'FAXSRV01 (10.0.30.60) on the TLS-required relay connector: STARTTLS advertised, client sends MAIL FROM without it and gets 530 5.7.0. Mail was not accepted, so this is not plaintext.');
}

{ // Plaintext: STARTTLS advertised, client goes straight to MAIL FROM and delivers.
  const s = new Sess(FE, { connector: DEF, local: FE_LOCAL, remote: '10.0.5.52:61344', start: '2025-11-10T09:14:02.377Z', direction: 'receive' });
  rOpen(s, FQDN_FE);
  rEhlo(s, 'MONITOR01', FQDN_FE, FE_EXT_PRE);
  rMessage(s, 'alerts@contoso.com', ['it-ops@contoso.com', 'oncall@contoso.com'], 'monitor01.contoso.local');
  rQuit(s);
  s.expect(FE09, [['plaintext', null]], 'none',
    'MONITOR01 (10.0.5.52): the EHLO reply advertises STARTTLS, the client sends MAIL FROM at once, gets 250 2.1.0 Sender OK and delivers in clear text.');
}

printer('2025-11-10T09:23:15.508Z', '10.0.30.52', 52044, 'NPI7C21D0', FE09,
  { fail: true, note: 'Second printer NPI7C21D0 (10.0.30.52): TLS 1.0, then AUTH LOGIN fails (LogonDenied, User Name: scanner@contoso.com, 535 5.7.3). Legacy TLS 1.0; the AUTH failure is not a TLS category.' });

// Clean QUIT/221, then the client resets the socket instead of waiting for the close: not a finding.
appTls12('2025-11-10T09:26:48.215Z', '10.0.5.40', 50377, 'APPSRV02.contoso.local', 'erp@contoso.com', ['ap-team@contoso.com'], FE09,
  { end: 'Remote(ConnectionReset)', note: 'APPSRV02: TLS 1.2, message accepted, QUIT answered with 221, then -,,Remote(ConnectionReset). The reset comes after QUIT/221, so it is NOT a socket-error finding.' });
printer('2025-11-10T09:31:09.871Z', '10.0.30.51', 49561, 'NPI3A9F12', FE09, { tls: TLS10_S_RSA, rcpt: 'm.ito@contoso.com' });
appTls12('2025-11-10T09:31:11.034Z', '10.0.5.41', 60311, 'SP01.contoso.local', 'sharepoint@contoso.com', ['site-owners@contoso.com', 'a.khan@contoso.com'], FE09,
  { msgs: 2, note: 'SharePoint SP01 (10.0.5.41): TLS 1.2, two messages in one session, interleaved with a printer session. Healthy.' });

// --- continues across the hourly file switch ---
appTls12('2025-11-10T09:59:57.402Z', '10.0.5.41', 60877, 'SP01.contoso.local', 'sharepoint@contoso.com', ['site-owners@contoso.com'], FE09,
  { size: 8811642, ms: 2650, note: 'SP01 session that starts at 09:59:57 in RECV2025111009-1.LOG (banner, EHLO, STARTTLS, TLS 1.2) and continues in RECV2025111010-1.LOG (mail, QUIT). Rows stamped before that file\'s #Date open the new file. Healthy TLS 1.2 once both halves are joined.' });
expected.at(-1).continuedIn = [FE10];

// --- hour 10 ---
printer('2025-11-10T10:00:00.105Z', '10.0.30.51', 49804, 'NPI3A9F12', FE10, { tls: TLS10_S_RSA, rcpt: 'j.doe@contoso.com' });
crmTls11('2025-11-10T10:12:33.719Z', 54120, FE10, 'CRM-WEB01 again with SP_PROT_TLS1_1_SERVER: the same TLS 1.1 client in the next hour.');
appTls12('2025-11-10T10:20:18.654Z', '10.0.5.40', 51022, 'APPSRV02.contoso.local', 'erp@contoso.com', ['ap-team@contoso.com', 'controller@contoso.com'], FE10, { msgs: 2 });
printer('2025-11-10T10:31:42.083Z', '10.0.30.51', 50233, 'NPI3A9F12', FE10, { tls: TLS10_S_RSA, rcpt: 'legal-scans@contoso.com' });
appTls12('2025-11-10T10:52:07.330Z', '10.0.5.40', 51630, 'APPSRV02.contoso.local', 'erp@contoso.com', ['ap-team@contoso.com'], FE10);

// ---------- EX01 Hub send ----------
const HUB = logSet({
  dir: 'EX01/Hub/ProtocolLog/SmtpSend', kind: 'send',
  files: [
    { name: 'SEND2025111009-1.LOG', until: T('2025-11-10T10:00:00.000Z') },
    { name: 'SEND2025111010-1.LOG', until: Infinity },
  ],
  svc: service('2025-11-04T02:41:22.907Z', 558345731077),
});
const HUB09 = 'EX01/Hub/ProtocolLog/SmtpSend/SEND2025111009-1.LOG';
const HUB10 = 'EX01/Hub/ProtocolLog/SmtpSend/SEND2025111010-1.LOG';
const O365 = 'Outbound to Office 365';
const INET = 'Internet Mail';
const HUB_LOCAL_IP = '10.0.1.21';
const EXO_HOSTS = ['AM4PEPF00027A5F', 'DB5PEPF00014B9C', 'AMS1EPF0000004A', 'AM6PEPF0002A11D'];
const EXO_IPS = ['104.47.17.106', '104.47.18.42', '104.47.11.234', '104.47.51.170'];
const exoBanner = (host, t) => `220 ${host}.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at ${rfc822(t, 0)}`;
const exoEhlo = (host) => `250 ${host}.mail.protection.outlook.com Hello [192.0.2.30] SIZE 157286400 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS 8BITMIME BINARYMIME CHUNKING SMTPUTF8`;

function o365Open(start, i, port) {
  const s = new Sess(HUB, { connector: O365, local: `${HUB_LOCAL_IP}:${port}`, remote: `${EXO_IPS[i]}:25`, start, direction: 'send' });
  const host = EXO_HOSTS[i];
  sOpen(s, exoBanner(host, s.t + 120));
  sEhlo(s, exoEhlo(host));
  return s;
}
function o365SocketError(start, i, port, file, { end = 'Local', note } = {}) {
  const s = o365Open(start, i, port);
  sStartTls(s);
  s.wait(40, 220).row('*', '', 'TLS negotiation failed with error SocketError');
  s.wait(0, 2).row('-', '', end);
  return s.expect(file, [['tls-negotiation-failed', 'SocketError']], 'none', note ??
    `Outbound to Office 365, ${EXO_IPS[i]}: EXO offers STARTTLS, answers 220 2.0.0, then TLS negotiation failed with error SocketError. One of a series of retries to 104.47.x.x.`);
}

o365SocketError('2025-11-10T09:04:11.263Z', 0, 27811, HUB09);
{ // Internet Mail, healthy TLS 1.2 to a Postfix MX (thumbprint-only certificate rows).
  const s = new Sess(HUB, { connector: INET, local: `${HUB_LOCAL_IP}:27815`, remote: '198.51.100.25:25', start: '2025-11-10T09:04:11.702Z', direction: 'send' });
  sOpen(s, '220 mail.fabrikam.com ESMTP Postfix');
  sEhlo(s, '250 mail.fabrikam.com PIPELINING SIZE 52428800 ETRN STARTTLS ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING');
  sStartTls(s, '220 2.0.0 Ready to start TLS');
  sTlsOk(s, TLS12_C, 'A91C4E07B3D28F6E15C09A7B4D3E2F1A8C6B5D40');
  sEhlo(s, '250 mail.fabrikam.com PIPELINING SIZE 52428800 ETRN ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING');
  sMessage(s, { from: 'k.mueller@contoso.com', to: 'orders@fabrikam.com', ok: ['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>'], done: '250 2.0.0 Ok: queued as 4d4xK21Zn8z9vCj' });
  sQuit(s);
  s.expect(HUB09, [], 'TLS1.2', 'Internet Mail to mail.fabrikam.com (Postfix): STARTTLS, SP_PROT_TLS1_2_CLIENT, thumbprint-only certificate rows, message queued, QUIT, -,,Remote. Healthy.');
}
{ // Fallback retry without STARTTLS: EXO insists on TLS.
  const s = o365Open('2025-11-10T09:19:12.804Z', 1, 27840);
  s.set.svc.recordIds += ri(3, 400);
  s.wait(0, 2).row('*', '', `sending message with RecordId ${s.set.svc.recordIds} and InternetMessageId <AM0PR04MB6785${hex(8)}${hex(4)}@AM0PR04MB6785.eurprd04.prod.outlook.com>`);
  s.row('>', 'MAIL FROM:<j.doe@contoso.com> SIZE=28734');
  s.wait(20, 90).row('<', '451 5.7.3 Must issue a STARTTLS command first');
  sQuit(s, 'Local');
  s.expect(HUB09, [['starttls-required', '451 5.7.3 Must issue a STARTTLS command first']], 'none',
    'Outbound to Office 365, 104.47.18.42: after the failed TLS attempt the retry goes without STARTTLS (opportunistic fallback); EXO advertised STARTTLS and rejects MAIL FROM with 451 5.7.3. Not plaintext: nothing was accepted.');
}
{ // The peer (another Exchange org) drops after DATA with 421 4.4.2.
  const s = new Sess(HUB, { connector: INET, local: `${HUB_LOCAL_IP}:27862`, remote: '203.0.113.55:25', start: '2025-11-10T09:25:03.117Z', direction: 'send' });
  sOpen(s, `220 mail.adatum.com Microsoft ESMTP MAIL Service ready at ${rfc822(Date.parse('2025-11-10T09:25:03.300Z'), -300)}`);
  sEhlo(s, '250 mail.adatum.com Hello [192.0.2.30] SIZE 36700160 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH NTLM X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XRDST');
  sStartTls(s);
  sTlsOk(s, TLS12_C128, '5E0D2C9B8A7F61E4D3C2B1A09F8E7D6C5B4A3928');
  sEhlo(s, '250 mail.adatum.com Hello [192.0.2.30] SIZE 36700160 PIPELINING DSN ENHANCEDSTATUSCODES AUTH NTLM X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XRDST');
  sMessage(s, { from: 'purchasing@contoso.com', to: 'invoices@adatum.com', size: 1843117, done: '421 4.4.2 Connection dropped due to SocketError' });
  s.wait(0, 2).row('-', '', 'Remote');
  s.expect(HUB09, [['socket-error', 'SocketError']], 'TLS1.2',
    'Internet Mail to mail.adatum.com (an Exchange peer): TLS 1.2 fine, but after DATA the peer replies 421 4.4.2 Connection dropped due to SocketError and closes (-,,Remote).');
}
o365SocketError('2025-11-10T09:34:12.650Z', 2, 27901, HUB09);
{ // A partner still on Exchange 2010: TLS 1.0 as client.
  const s = new Sess(HUB, { connector: INET, local: `${HUB_LOCAL_IP}:27915`, remote: '198.51.100.200:25', start: '2025-11-10T09:41:55.021Z', direction: 'send' });
  sOpen(s, `220 smtp.woodgrovebank.com Microsoft ESMTP MAIL Service ready at ${rfc822(Date.parse('2025-11-10T09:41:55.200Z'), 60)}`);
  sEhlo(s, '250 smtp.woodgrovebank.com Hello [192.0.2.30] SIZE 10485760 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH NTLM X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XEXCH50 XRDST XSHADOW');
  sStartTls(s);
  sTlsOk(s, TLS10_C, 'C0FFEE4B2D91A8E73F5C6B0A9D8E7F1020304A5B');
  sEhlo(s, '250 smtp.woodgrovebank.com Hello [192.0.2.30] SIZE 10485760 PIPELINING DSN ENHANCEDSTATUSCODES AUTH NTLM X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XEXCH50 XRDST XSHADOW');
  sMessage(s, { from: 'treasury@contoso.com', to: ['payments@woodgrovebank.com', 'fx-desk@woodgrovebank.com'], done: `250 2.6.0 <${lhex(32)}@EX01.contoso.com> Queued mail for delivery` });
  sQuit(s, 'Local');
  s.expect(HUB09, [['legacy-tls', 'TLS1.0']], 'TLS1.0',
    'Internet Mail to smtp.woodgrovebank.com (Exchange 2010 peer): SP_PROT_TLS1_0_CLIENT, mail delivered. Legacy TLS 1.0 on the send side.');
}
o365SocketError('2025-11-10T09:49:13.377Z', 3, 27960, HUB09, { end: 'Remote(SocketError)',
  note: 'Outbound to Office 365, 104.47.51.170: TLS negotiation failed with error SocketError and the session ends -,,Remote(SocketError). The handshake already explains the drop: one tls-negotiation-failed finding, no separate socket-error.' });
{ // Peer that never offers STARTTLS: plain SMTP is all it can do, not a finding.
  const s = new Sess(HUB, { connector: INET, local: `${HUB_LOCAL_IP}:27973`, remote: '203.0.113.120:25', start: '2025-11-10T09:52:40.806Z', direction: 'send' });
  sOpen(s, `220 mx.wingtiptoys.com ESMTP Sendmail 8.15.2/8.15.2; ${rfc822(Date.parse('2025-11-10T09:52:41.000Z'), 60)}`);
  sEhlo(s, '250 mx.wingtiptoys.com Hello [192.0.2.30], pleased to meet you ENHANCEDSTATUSCODES PIPELINING 8BITMIME SIZE 20000000 DSN ETRN DELIVERBY HELP');
  sMessage(s, { from: 'events@contoso.com', to: 'bookings@wingtiptoys.com', ok: ['250 2.1.0 <events@contoso.com>... Sender ok', '250 2.1.5 <bookings@wingtiptoys.com>... Recipient ok', '354 Enter mail, end with "." on a line by itself'], done: `250 2.0.0 5AA9qK3m012345 Message accepted for delivery` });
  sQuit(s);
  s.expect(HUB09, [], 'none', 'Internet Mail to mx.wingtiptoys.com (Sendmail): the EHLO reply has no STARTTLS, so mail goes in clear text. Not plaintext-after-advertisement; no finding. Banner and 354 reply need CSV quoting.');
}
// --- hour 10 ---
o365SocketError('2025-11-10T10:04:14.092Z', 0, 28033, HUB10);
{
  const s = new Sess(HUB, { connector: INET, local: `${HUB_LOCAL_IP}:28041`, remote: '198.51.100.25:25', start: '2025-11-10T10:10:27.415Z', direction: 'send' });
  sOpen(s, '220 mail.fabrikam.com ESMTP Postfix');
  sEhlo(s, '250 mail.fabrikam.com PIPELINING SIZE 52428800 ETRN STARTTLS ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING');
  sStartTls(s, '220 2.0.0 Ready to start TLS');
  sTlsOk(s, TLS12_C, 'A91C4E07B3D28F6E15C09A7B4D3E2F1A8C6B5D40');
  sEhlo(s, '250 mail.fabrikam.com PIPELINING SIZE 52428800 ETRN ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING');
  sMessage(s, { from: 'k.mueller@contoso.com', to: 'orders@fabrikam.com', ok: ['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>'], done: '250 2.0.0 Ok: queued as 4d4yQ05bHnz9vGt' });
  sQuit(s);
  s.expect(HUB10, [], 'TLS1.2', 'Internet Mail to mail.fabrikam.com again at 10:10: TLS 1.2, delivered. Healthy.');
}
o365SocketError('2025-11-10T10:19:14.988Z', 1, 28077, HUB10);
{ // Third-party certificate not bound to SMTP: multi-row certificate block, then UnknownCredentials.
  const s = o365Open('2025-11-10T10:27:45.301Z', 2, 28102);
  sStartTls(s);
  s.wait(2, 9).row('*', '', 'Sending certificate');
  s.row('*', 'CN=mail.contoso.com, OU=IT, O=Contoso Ltd, L=Redmond, S=Washington, C=US', 'Certificate subject');
  s.row('*', 'CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US', 'Certificate issuer name');
  s.row('*', '0C4F2A91D37E6B05A1F8E2C94D6B7A30', 'Certificate serial number');
  s.row('*', '7B1E9C24F05AD3E8816C2F4B9A0D5E3C72F1A6B4', 'Certificate thumbprint');
  s.row('*', 'mail.contoso.com;autodiscover.contoso.com;EX01.contoso.com', 'Certificate alternate names');
  s.wait(1, 6).row('*', '', 'TLS negotiation failed with error UnknownCredentials');
  s.wait(0, 2).row('-', '', 'Local');
  s.expect(HUB10, [['tls-negotiation-failed', 'UnknownCredentials']], 'none',
    'Outbound to Office 365, 104.47.11.234: multi-row Sending certificate block (subject, issuer DN with commas, serial, thumbprint, alternate names), then TLS negotiation failed with error UnknownCredentials (certificate not usable by the transport service, KB4051498).');
}
o365SocketError('2025-11-10T10:34:15.520Z', 3, 28140, HUB10);
{
  const s = new Sess(HUB, { connector: INET, local: `${HUB_LOCAL_IP}:28166`, remote: '198.51.100.25:25', start: '2025-11-10T10:41:08.199Z', direction: 'send' });
  sOpen(s, '220 mail.fabrikam.com ESMTP Postfix');
  sEhlo(s, '250 mail.fabrikam.com PIPELINING SIZE 52428800 ETRN STARTTLS ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING');
  sStartTls(s, '220 2.0.0 Ready to start TLS');
  sTlsOk(s, TLS12_C, 'A91C4E07B3D28F6E15C09A7B4D3E2F1A8C6B5D40');
  sEhlo(s, '250 mail.fabrikam.com PIPELINING SIZE 52428800 ETRN ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING');
  sMessage(s, { from: 'k.mueller@contoso.com', to: ['orders@fabrikam.com', 'billing@fabrikam.com'], ok: ['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>'], done: '250 2.0.0 Ok: queued as 4d4yjT2pQcz9vHb' });
  sQuit(s);
  s.expect(HUB10, [], 'TLS1.2', 'Internet Mail to mail.fabrikam.com with two recipients: TLS 1.2, delivered. Healthy.');
}

// ============================================================================================
// EDGE01 (Exchange 2019 Edge Transport): receive and send share one transport service counter
// ============================================================================================
const EDGE_SVC = service('2025-10-29T05:12:48.013Z', 90194313217);
const ER = logSet({
  dir: 'EDGE01/Edge/ProtocolLog/SmtpReceive', kind: 'receive',
  files: [{ name: 'RECV2025111009-1.LOG', until: Infinity }], svc: EDGE_SVC, host: 'EDGE01.contoso.com',
});
const ES = logSet({
  dir: 'EDGE01/Edge/ProtocolLog/SmtpSend', kind: 'send',
  files: [{ name: 'SEND2025111009-1.LOG', until: Infinity }], svc: EDGE_SVC,
});
const ER09 = 'EDGE01/Edge/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG';
const ES09 = 'EDGE01/Edge/ProtocolLog/SmtpSend/SEND2025111009-1.LOG';
const EDGE_RC = 'EDGE01\\Default internal receive connector EDGE01';
const EDGE_LOCAL = '192.0.2.25:25';
const FQDN_EDGE = 'mail.contoso.com';
const EDGE_TZ = 60;

function edgeIn(start, remote, name) {
  const s = new Sess(ER, { connector: EDGE_RC, local: EDGE_LOCAL, remote, start, direction: 'receive' });
  rOpen(s, FQDN_EDGE, EDGE_TZ);
  rEhlo(s, name, FQDN_EDGE, EDGE_EXT_PRE, [30, 160]);
  return s;
}
function edgeTls(s, name) {
  rStartTls(s, EDGE_CERT, TLS12_S256, { slow: [60, 200] });
  rPostTlsEhlo(s, name, FQDN_EDGE, EDGE_EXT_POST);
}

{
  const s = edgeIn('2025-11-10T09:01:22.640Z', '198.51.100.61:41874', 'mail.fabrikam.com');
  edgeTls(s, 'mail.fabrikam.com');
  rMessage(s, 'orders@fabrikam.com', 'k.mueller@contoso.com', 'fabrikam.com', { kbps: [300, 3000], msgid: `<${lhex(24)}@mail.fabrikam.com>` });
  rQuit(s);
  s.expect(ER09, [], 'TLS1.2', 'Internet sender mail.fabrikam.com (Postfix) to the Edge: STARTTLS, SP_PROT_TLS1_2_SERVER, compact certificate row with a Let\'s Encrypt issuer (quoted), delivered. Healthy.');
}
{
  const s = edgeIn('2025-11-10T09:09:48.351Z', '203.0.113.140:35512', 'smtp.tailspintoys.com');
  edgeTls(s, 'smtp.tailspintoys.com');
  rMessage(s, 'newsletter@tailspintoys.com', ['marketing@contoso.com'], 'tailspintoys.com', { size: 4718592, data: false });
  s.wait(31000, 34000).row('-', '', 'Remote(SocketError)');
  s.expect(ER09, [['socket-error', 'SocketError']], 'TLS1.2',
    'smtp.tailspintoys.com: TLS 1.2 established, MAIL/RCPT accepted, DATA answered with 354, then the connection dies in mid-DATA: -,,Remote(SocketError).');
}
{
  const s = edgeIn('2025-11-10T09:10:02.115Z', '198.51.100.133:50620', 'mx01.litwareinc.com');
  s.wait(1, 30).row('<', 'STARTTLS');
  s.wait(0, 1).row('>', '220 2.0.0 SMTP server ready');
  s.row('*', EDGE_CERT, CERT_LABELS);
  s.wait(180, 420).row('-', '', 'Remote(ConnectionReset)');
  s.expect(ER09, [['tls-negotiation-failed', 'HandshakeAborted']], 'none',
    'mx01.litwareinc.com: STARTTLS answered with 220 2.0.0 SMTP server ready, certificate row, then -,,Remote(ConnectionReset) with no TLS success row: the handshake died. The reset is explained by the handshake, so no separate socket-error.');
}
{
  const s = edgeIn('2025-11-10T09:28:30.117Z', '203.0.113.77:58133', 'bulk.proseware.com');
  rMessage(s, 'bounce-8841@bulk.proseware.com', ['info@contoso.com'], 'bulk.proseware.com', { kbps: [300, 3000], msgid: `<${lhex(16)}.${ri(1000, 9999)}@bulk.proseware.com>` });
  rQuit(s);
  s.expect(ER09, [['plaintext', null]], 'none',
    'bulk.proseware.com: the Edge advertises STARTTLS, the sender ignores it and delivers over plain SMTP (250 2.1.0 Sender OK).');
}
{
  const s = edgeIn('2025-11-10T09:35:14.904Z', '198.51.100.61:42210', 'mail.fabrikam.com');
  edgeTls(s, 'mail.fabrikam.com');
  rMailFrom(s, 'orders@fabrikam.com', 22318);
  s.wait(2, 20).row('<', 'RCPT TO:<old.buyer@contoso.com>');
  s.wait(5, 15).row('>', '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup');
  s.row('*', "Tarpit for '0.00:00:05'", '');
  s.wait(5000, 5020).row('<', 'RCPT TO:<k.mueller@contoso.com>');
  s.wait(2, 25).row('>', '250 2.1.5 Recipient OK');
  s.wait(1, 15).row('<', 'DATA');
  s.wait(0, 2).row('>', '354 Start mail input; end with <CRLF>.<CRLF>');
  s.wait(180, 300).row('>', `250 2.6.0 <${lhex(24)}@mail.fabrikam.com> [InternalId=${ri(10000000, 99999999)}${ri(100000, 999999)}, Hostname=EDGE01.contoso.com] 22318 bytes in 0.214, 101.847 KB/sec Queued mail for delivery`);
  rQuit(s);
  s.expect(ER09, [], 'TLS1.2', 'mail.fabrikam.com: TLS 1.2, one unknown recipient (550 5.1.10, Tarpit row with an empty context), one good recipient, delivered. Healthy: recipient errors are not TLS findings.');
}
{
  const s = edgeIn('2025-11-10T09:44:51.226Z', '203.0.113.140:36044', 'smtp.tailspintoys.com');
  edgeTls(s, 'smtp.tailspintoys.com');
  rMessage(s, 'newsletter@tailspintoys.com', ['marketing@contoso.com'], 'tailspintoys.com', { size: 4718592, kbps: [900, 1500] });
  rQuit(s);
  s.expect(ER09, [], 'TLS1.2', 'smtp.tailspintoys.com retries the dropped newsletter: TLS 1.2, delivered. Healthy.');
}
{
  const s = edgeIn('2025-11-10T09:58:02.515Z', '198.51.100.133:50977', 'mx01.litwareinc.com');
  s.wait(1, 30).row('<', 'STARTTLS');
  s.wait(0, 1).row('>', '220 2.0.0 SMTP server ready');
  s.row('*', EDGE_CERT, CERT_LABELS);
  s.wait(180, 420).row('-', '', 'Remote(ConnectionReset)');
  s.expect(ER09, [['tls-negotiation-failed', 'HandshakeAborted']], 'none',
    'mx01.litwareinc.com again: same handshake abort after 220 2.0.0 SMTP server ready. Repeats from one host point at a TLS version/cipher mismatch.');
}

// ---------- Edge send ----------
const EDGESYNC = 'EdgeSync - Default-First-Site-Name to Internet';
const EDGE_OUT = '192.0.2.25';
{
  const s = new Sess(ES, { connector: EDGESYNC, local: `${EDGE_OUT}:31204`, remote: '198.51.100.25:25', start: '2025-11-10T09:05:12.880Z', direction: 'send' });
  sOpen(s, '220 mail.fabrikam.com ESMTP Postfix');
  sEhlo(s, '250 mail.fabrikam.com PIPELINING SIZE 52428800 ETRN STARTTLS ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING');
  sStartTls(s, '220 2.0.0 Ready to start TLS');
  sTlsOk(s, TLS12_C, 'A91C4E07B3D28F6E15C09A7B4D3E2F1A8C6B5D40');
  sEhlo(s, '250 mail.fabrikam.com PIPELINING SIZE 52428800 ETRN ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING');
  sMessage(s, { from: 'a.khan@contoso.com', to: 'support@fabrikam.com', ok: ['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>'], done: '250 2.0.0 Ok: queued as 4d4xLb0rWkz9vD2' });
  sQuit(s);
  s.expect(ES09, [], 'TLS1.2', 'Edge to mail.fabrikam.com: TLS 1.2, delivered. Healthy.');
}
{
  const s = new Sess(ES, { connector: EDGESYNC, local: `${EDGE_OUT}:31260`, remote: '40.107.22.58:25', start: '2025-11-10T09:18:22.301Z', direction: 'send' });
  const host = 'DB8PEPF00000A6C';
  sOpen(s, `220 ${host}.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at ${rfc822(s.t + 130, 0)}`);
  sEhlo(s, `250 ${host}.mail.protection.outlook.com Hello [192.0.2.25] SIZE 157286400 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS 8BITMIME BINARYMIME CHUNKING SMTPUTF8`);
  sStartTls(s);
  sTlsOk(s, TLS12_C, '6B2F8E1D0C9A4B7E3F5D2C1A0B9E8D7C6F5A4B32');
  sEhlo(s, `250 ${host}.mail.protection.outlook.com Hello [192.0.2.25] SIZE 157286400 PIPELINING DSN ENHANCEDSTATUSCODES AUTH LOGIN XOAUTH2 8BITMIME BINARYMIME CHUNKING SMTPUTF8`);
  sMessage(s, { from: 'a.khan@contoso.com', to: 'partners@northwindtraders.com', size: 28735,
    done: `250 2.6.0 <${lhex(32)}@EDGE01.contoso.com> [InternalId=${ri(10000000, 99999999)}${ri(1000, 9999)}, Hostname=DB8PR04MB7052.eurprd04.prod.outlook.com] 31822 bytes in 0.231, 134.528 KB/sec Queued mail for delivery` });
  sQuit(s);
  s.expect(ES09, [], 'TLS1.2', 'Edge to a domain hosted in Exchange Online (40.107.22.58): TLS 1.2 works from the Edge while EX01\'s Office 365 connector fails. Healthy.');
}
{ // Renewed certificate without private key: NoCredentials after the multi-row block.
  const s = new Sess(ES, { connector: EDGESYNC, local: `${EDGE_OUT}:31377`, remote: '203.0.113.88:25', start: '2025-11-10T09:40:47.664Z', direction: 'send' });
  sOpen(s, `220 mail.relecloud.com Microsoft ESMTP MAIL Service ready at ${rfc822(s.t + 110, 60)}`);
  sEhlo(s, '250 mail.relecloud.com Hello [192.0.2.25] SIZE 52428800 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH NTLM X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XRDST');
  sStartTls(s);
  s.wait(2, 9).row('*', '', 'Sending certificate');
  s.row('*', 'CN=mail.contoso.com', 'Certificate subject');
  s.row('*', "CN=R11, O=Let's Encrypt, C=US", 'Certificate issuer name');
  s.row('*', '04A3F1C9B2D87E6650A1B2C3D4E5F60718', 'Certificate serial number');
  s.row('*', '3D8F0B6A2E9C14F7D5B3A1908E6C4F2D0B9A7E15', 'Certificate thumbprint');
  s.row('*', 'mail.contoso.com', 'Certificate alternate names');
  s.wait(0, 3).row('*', '', 'TLS negotiation failed with error NoCredentials');
  s.wait(0, 2).row('-', '', 'Local');
  s.expect(ES09, [['tls-negotiation-failed', 'NoCredentials']], 'none',
    'Edge to mail.relecloud.com (domain-secured partner): multi-row Sending certificate block, then TLS negotiation failed with error NoCredentials (certificate without a usable private key, KB4495258).');
}
{
  const s = new Sess(ES, { connector: EDGESYNC, local: `${EDGE_OUT}:31402`, remote: '203.0.113.141:25', start: '2025-11-10T09:40:47.702Z', direction: 'send' });
  sOpen(s, '220 smtp2.tailspintoys.com ESMTP ready');
  sEhlo(s, '250 smtp2.tailspintoys.com Hello [192.0.2.25] SIZE 31457280 STARTTLS 8BITMIME PIPELINING ENHANCEDSTATUSCODES');
  sStartTls(s, '220 2.0.0 Ready to start TLS');
  sTlsOk(s, TLS12_C128, '1F2E3D4C5B6A79880716253443526170FEDCBA98');
  sEhlo(s, '250 smtp2.tailspintoys.com Hello [192.0.2.25] SIZE 31457280 8BITMIME PIPELINING ENHANCEDSTATUSCODES');
  sMessage(s, { from: 'marketing@contoso.com', to: 'newsletter@tailspintoys.com', ok: ['250 2.1.0 Sender OK', '250 2.1.5 Recipient OK', '354 Go ahead'], done: '250 2.0.0 Message accepted' });
  sQuit(s);
  s.expect(ES09, [], 'TLS1.2', 'Edge to smtp2.tailspintoys.com: TLS 1.2, delivered. Healthy.');
}

// ============================================================================================
// EX2010: Exchange 2010 receive log, one-row-per-line EHLO reply, no TLS protocol row
// ============================================================================================
const X = logSet({
  dir: 'EX2010/ProtocolLog/SmtpReceive', kind: 'receive', version: '14.0.0.0',
  files: [{ name: 'RECV20251110-1.LOG', until: Infinity }], svc: service('2025-10-12T22:03:51.775Z'),
});
const X10 = 'EX2010/ProtocolLog/SmtpReceive/RECV20251110-1.LOG';
{
  const s = new Sess(X, { connector: 'EX2010\\Default EX2010', local: '10.0.1.15:25', remote: '10.0.5.60:49233', start: '2025-11-10T09:12:40.088Z', direction: 'receive' });
  s.row('+');
  s.wait(10, 20).row('*', ANON_PERMS, 'Set Session Permissions');
  s.wait(0, 1).row('>', `220 EX2010.contoso.com Microsoft ESMTP MAIL Service ready at ${rfc822(s.t, 60)}`);
  const ehloLines = (tls) => ['250-EX2010.contoso.com Hello [10.0.5.60]', '250-SIZE 10485760', '250-PIPELINING', '250-DSN', '250-ENHANCEDSTATUSCODES',
    ...(tls ? [] : ['250-STARTTLS', '250-X-ANONYMOUSTLS']), '250-AUTH NTLM', '250-X-EXPS GSSAPI NTLM', '250-8BITMIME', '250-BINARYMIME', '250 CHUNKING'];
  s.wait(3, 30).row('<', 'EHLO SCAN02');
  s.wait(0, 1);
  for (const l of ehloLines(false)) s.row('>', l);
  s.wait(2, 30).row('<', 'STARTTLS');
  s.wait(0, 1).row('>', '220 2.0.0 SMTP server ready');
  s.wait(60, 200).row('<', 'EHLO SCAN02');
  s.wait(0, 1);
  for (const l of ehloLines(true)) s.row('>', l);
  s.wait(3, 30).row('<', 'MAIL FROM:<scan02@contoso.com> SIZE=402114');
  s.row('*', `${ID};${iso(s.start)};1`, 'receiving message');
  s.wait(1, 5).row('>', '250 2.1.0 Sender OK');
  s.wait(1, 10).row('<', 'RCPT TO:<records@contoso.com>');
  s.wait(1, 10).row('>', '250 2.1.5 Recipient OK');
  s.wait(1, 10).row('<', 'DATA');
  s.wait(0, 1).row('>', '354 Start mail input; end with <CRLF>.<CRLF>');
  s.wait(400, 900).row('>', `250 2.6.0 <${lhex(32)}@SCAN02> Queued mail for delivery`);
  s.wait(1, 10).row('<', 'QUIT');
  s.wait(0, 1).row('>', '221 2.0.0 Service closing transmission channel');
  s.wait(0, 1).row('-', '', 'Local');
  s.expect(X10, [], 'unknown', 'Exchange 2010 (#Version: 14.0.0.0): one row per EHLO reply line (250-STARTTLS), STARTTLS answered with 220 2.0.0 SMTP server ready, then a new EHLO and mail, but Exchange 2010 writes no "TLS protocol" row. TLS was used, version unknown; no finding.');
}

// ============================================================================================
// write files
// ============================================================================================
// samples/queue belongs to someone else: only the protocol-log trees are rebuilt.
for (const d of ['EX01', 'EDGE01', 'EX2010']) rmSync(join(OUT, d), { recursive: true, force: true });
for (const svc of new Set(sets.map((x) => x.svc))) assignIds(svc);
const BOM = '\ufeff';
let total = 0;
const summary = [];
for (const set of sets) {
  set.rows.sort((a, b) => a.t - b.t || a.order - b.order || a.seq - b.seq);
  let from = 0;
  for (const f of set.files) {
    const rows = [];
    while (from < set.rows.length && set.rows[from].t < f.until) rows.push(set.rows[from++]);
    if (rows.length === 0) throw new Error(`empty file ${f.name}`);
    // #Date = when the writer created the file, a moment after the first buffered row's event time.
    const date = f.date ?? iso(rows[0].t + 311 + (rows.length % 400));
    const header = [
      '#Software: Microsoft Exchange Server',
      `#Version: ${set.version}`,
      `#Log-type: SMTP ${set.kind === 'receive' ? 'Receive' : 'Send'} Protocol Log`,
      `#Date: ${date}`,
      '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context',
    ];
    const text = BOM + [...header, ...rows.map((r) => r.line.split(ID).join(r.sess.id))].join('\r\n') + '\r\n';
    const path = join(OUT, set.dir, f.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, 'utf8');
    total += Buffer.byteLength(text);
    summary.push(`${set.dir}/${f.name}: ${rows.length} rows, ${Buffer.byteLength(text)} bytes`);
  }
  if (from !== set.rows.length) throw new Error('rows left over');
}
mkdirSync(join(ROOT, 'test/fixtures'), { recursive: true });
const out = expected.map(({ sess, file, ...rest }) => ({ file, sessionId: sess.id, ...rest }));
writeFileSync(join(ROOT, 'test/fixtures/samples-expected.json'), JSON.stringify(out, null, 2) + '\n');
console.log(summary.join('\n'));
console.log(`total ${total} bytes, ${expected.length} sessions`);
