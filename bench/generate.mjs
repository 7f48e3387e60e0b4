#!/usr/bin/env node
// Writes large, realistic Exchange SMTP protocol logs for benchmarks and soak tests.
//
//   node bench/generate.mjs --out DIR --size 200MB [--kind receive|send|both] [--files 10MB] [--seed 1] [--servers 2]
//   node bench/generate.mjs --single FILE --size 1GB [--kind receive|send] [--seed 1] [--mix standard|retirement]
//                           [--clients pool|internet]
//
// --mix retirement: most sessions negotiate TLS 1.0/1.1 (printers and old applications in the middle of a TLS 1.0
// retirement), so most sessions are findings; the standard mix has about one finding in five sessions.
// --clients internet: receive sessions come from random public IPv4 addresses (an Edge server facing the internet,
// a botnet's new address for nearly every session), not from the default pool of about 10,000 addresses.
//
// Plain Node ESM without dependencies. The same arguments always give the same bytes: every random choice
// comes from one seeded PRNG per log stream, and nothing depends on wall time or write timing.
// Sizes accept B, KB, MB, GB (binary multiples: 1MB = 1048576 bytes).
// A JSON summary (files, bytes, lines, sessions, sessions per intended category) goes to stdout.

import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const HELP = `usage: node bench/generate.mjs --out DIR --size 200MB [--kind receive|send|both] [--files 10MB] [--seed 1] [--servers 2] [--mix standard|retirement] [--clients pool|internet]
       node bench/generate.mjs --single FILE --size 1GB [--kind receive|send] [--seed 1] [--mix standard|retirement] [--clients pool|internet]`;

// ---------------------------------------------------------------------------------------------
// arguments
// ---------------------------------------------------------------------------------------------

export function parseSize(text) {
  const m = /^(\d{1,15}(?:\.\d{1,6})?)\s{0,2}([KMG]?)(?:I?B)?$/i.exec(String(text).trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase()];
  return Math.round(Number(m[1]) * mult);
}

function readOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      single: { type: 'string' },
      size: { type: 'string', default: '200MB' },
      kind: { type: 'string' },
      files: { type: 'string', default: '10MB' },
      seed: { type: 'string', default: '1' },
      servers: { type: 'string', default: '2' },
      mix: { type: 'string', default: 'standard' },
      clients: { type: 'string', default: 'pool' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return null;
  if (!values.out === !values.single) throw new Error('give exactly one of --out DIR or --single FILE');
  const kind = values.kind ?? (values.single ? 'receive' : 'both');
  if (!['receive', 'send', 'both'].includes(kind)) throw new Error(`--kind must be receive, send or both, not ${kind}`);
  if (values.single && kind === 'both') throw new Error('--single writes one file: --kind receive or send');
  const servers = Number(values.servers);
  if (!Number.isInteger(servers) || servers < 1 || servers > 99) throw new Error('--servers must be 1..99');
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const size = parseSize(values.size);
  const fileSize = parseSize(values.files);
  if (size < 1) throw new Error('--size must be positive');
  if (fileSize < 4096) throw new Error('--files must be at least 4KB');
  if (!(values.mix in MIXES)) throw new Error(`--mix must be ${Object.keys(MIXES).join(' or ')}, not ${values.mix}`);
  if (!(values.clients in CLIENTS)) throw new Error(`--clients must be ${Object.keys(CLIENTS).join(' or ')}, not ${values.clients}`);
  return { out: values.out ?? null, single: values.single ?? null, size, kind, fileSize, seed, servers, mix: values.mix, clients: values.clients };
}

// ---------------------------------------------------------------------------------------------
// deterministic randomness
// ---------------------------------------------------------------------------------------------

/** mulberry32: small, fast, good enough for test data. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

/** n hex digits (n a multiple of 8), eight per random draw. */
function hexOf(r, n, lower = false) {
  let s = '';
  for (let i = 0; i < n; i += 8) s += ((r.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
  return lower ? s : s.toUpperCase();
}

/** Picks a scenario by weight; the table is small, a linear walk is fine. */
function weighted(r, table) {
  let x = r.next() * table.total;
  for (const [name, w] of table.entries) {
    x -= w;
    if (x < 0) return name;
  }
  return table.entries[table.entries.length - 1][0];
}
function weights(obj) {
  const entries = Object.entries(obj);
  return { entries, total: entries.reduce((a, [, w]) => a + w, 0) };
}

// ---------------------------------------------------------------------------------------------
// text building blocks (verbatim Exchange wording; see shared reference §2–§4)
// ---------------------------------------------------------------------------------------------

/** Exchange quotes a field only when it holds a comma or a double quote. */
function csv(v) {
  if (v.indexOf(',') < 0 && v.indexOf('"') < 0) return v;
  return '"' + v.replaceAll('"', '""') + '"';
}
const row = (event, data, context) => event + ',' + csv(data) + ',' + csv(context);

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => (n < 10 ? '0' + n : '' + n);
const rfcMemo = { key: NaN, text: '' };
function rfc822(ms, offsetMin) {
  // Sessions start many times a second: reuse the text while the second and offset stay the same.
  const key = Math.floor(ms / 1000) * 10000 + offsetMin;
  if (key === rfcMemo.key) return rfcMemo.text;
  rfcMemo.key = key;
  rfcMemo.text = rfc822Uncached(ms, offsetMin);
  return rfcMemo.text;
}
function rfc822Uncached(ms, offsetMin) {
  const d = new Date(ms + offsetMin * 60000);
  const o = Math.abs(offsetMin);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${offsetMin < 0 ? '-' : '+'}${p2(Math.floor(o / 60))}${p2(o % 60)}`;
}

const tlsLine = (proto, cipher, bits, mac, macBits, kx, kxBits) =>
  `TLS protocol ${proto} negotiation succeeded using bulk encryption algorithm ${cipher} with strength ${bits} bits, MAC hash algorithm ${mac} with strength ${macBits} bits and key exchange algorithm ${kx} with strength ${kxBits} bits`;
const TLS = {
  s12: row('*', '', tlsLine('SP_PROT_TLS1_2_SERVER', 'CALG_AES_128', 128, 'CALG_SHA_256', 0, 'CALG_ECDH_EPHEM', 256)),
  s12b: row('*', '', tlsLine('SP_PROT_TLS1_2_SERVER', 'CALG_AES_256', 256, 'CALG_SHA_384', 0, 'CALG_ECDH_EPHEM', 384)),
  s11: row('*', '', tlsLine('SP_PROT_TLS1_1_SERVER', 'CALG_AES_256', 256, 'CALG_SHA1', 160, 'CALG_ECDH_EPHEM', 256)),
  s10: row('*', '', tlsLine('SP_PROT_TLS1_0_SERVER', 'CALG_AES_128', 128, 'CALG_SHA1', 160, 'CALG_RSA_KEYX', 2048)),
  c12: row('*', '', tlsLine('SP_PROT_TLS1_2_CLIENT', 'CALG_AES_256', 256, 'CALG_SHA_384', 0, 'CALG_ECDH_EPHEM', 384)),
  c11: row('*', '', tlsLine('SP_PROT_TLS1_1_CLIENT', 'CALG_AES_256', 256, 'CALG_SHA1', 160, 'CALG_ECDHE', 256)),
  c10: row('*', '', tlsLine('SP_PROT_TLS1_0_CLIENT', 'CALG_AES_256', 256, 'CALG_SHA1', 160, 'CALG_ECDHE', 256)),
};
const CERT_LABELS = 'Sending certificate Subject Issuer name Serial number Thumbprint Not before Not after Subject alternate names';
const COMPACT_CERTS = [
  // A commercial certificate: the DNs carry commas, so the whole data field is quoted.
  row('*', ' CN=mail.contoso.com, O=Contoso Ltd, L=Redmond, S=Washington, C=US CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US 0C4F2A91D37E6B05A1F8E2C94D6B7A30 7B1E9C24F05AD3E8816C2F4B9A0D5E3C72F1A6B4 2025-02-11T00:00:00.000Z 2026-03-13T23:59:59.000Z mail.contoso.com;autodiscover.contoso.com', CERT_LABELS),
  // The self-signed Exchange certificate: no commas, no quotes.
  row('*', ' CN=EX01 CN=EX01 4B7D90E2A6C13F58 E4A90C3B7F2D1856AB0C9E7D3F5A2B61C8D4E0F9 2024-03-04T10:12:44.000Z 2029-03-04T10:12:44.000Z EX01;EX01.contoso.com', CERT_LABELS),
];
const R = {
  connect: row('+', '', ''),
  starttlsCmd: row('<', 'STARTTLS', ''),
  ready: row('>', '220 2.0.0 SMTP server ready', ''),
  chain: row('*', '', "Client certificate chain validation status: 'EmptyCertificate'"),
  noCert: row('*', '', "TlsDomainCapabilities='None'; Status='NoRemoteCertificate'"),
  senderOk: row('>', '250 2.1.0 Sender OK', ''),
  rcptOk: row('>', '250 2.1.5 Recipient OK', ''),
  data: row('<', 'DATA', ''),
  go: row('>', '354 Start mail input; end with <CRLF>.<CRLF>', ''),
  quit: row('<', 'QUIT', ''),
  bye: row('>', '221 2.0.0 Service closing transmission channel', ''),
  local: row('-', '', 'Local'),
  reset: row('-', '', 'Remote(ConnectionReset)'),
  sockErr: row('-', '', 'Remote(SocketError)'),
  must530: row('>', '530 5.7.0 Must issue a STARTTLS command first', ''),
  authLogin: row('<', 'AUTH LOGIN', ''),
  authPrompt: row('>', '334 <authentication response>', ''),
  authPerms: row('*', 'SMTPSubmit SMTPAcceptAnyRecipient SMTPAcceptAuthenticationFlag SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender BypassAntiSpam BypassMessageSizeLimit AcceptRoutingHeaders', 'Set Session Permissions'),
  authOk: row('>', '235 2.7.0 Authentication successful', ''),
  authDenied: row('*', '', 'Inbound AUTH LOGIN failed because of LogonDenied'),
  auth535: row('>', '535 5.7.3 Authentication unsuccessful', ''),
  // send side
  sendPerms: row('*', 'SendRoutingHeaders', 'Set Session Permissions'),
  attempt: row('*', '', 'attempting to connect'),
  sStarttls: row('>', 'STARTTLS', ''),
  sReady: row('<', '220 2.0.0 SMTP server ready', ''),
  sReadyPostfix: row('<', '220 2.0.0 Ready to start TLS', ''),
  sSenderOk: row('<', '250 2.1.0 Sender OK', ''),
  sRcptOk: row('<', '250 2.1.5 Recipient OK', ''),
  sData: row('>', 'DATA', ''),
  sGo: row('<', '354 Start mail input; end with <CRLF>.<CRLF>', ''),
  sQuit: row('>', 'QUIT', ''),
  remote: row('-', '', 'Remote'),
  recvCert: row('*', '', 'Received certificate'),
  sockErrTls: row('*', '', 'TLS negotiation failed with error SocketError'),
  dropped: row('<', '421 4.4.2 Connection dropped due to SocketError', ''),
  must451: row('<', '451 5.7.3 Must issue a STARTTLS command first', ''),
  sendCert: row('*', '', 'Sending certificate'),
  certSubject: row('*', 'CN=mail.contoso.com, OU=IT, O=Contoso Ltd, L=Redmond, S=Washington, C=US', 'Certificate subject'),
  certIssuer: row('*', 'CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US', 'Certificate issuer name'),
  certSerial: row('*', '0C4F2A91D37E6B05A1F8E2C94D6B7A30', 'Certificate serial number'),
  certThumb: row('*', '7B1E9C24F05AD3E8816C2F4B9A0D5E3C72F1A6B4', 'Certificate thumbprint'),
  certSans: row('*', 'mail.contoso.com;autodiscover.contoso.com', 'Certificate alternate names'),
};

const EXT_PRE = 'SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH NTLM X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XRDST';
const EXT_POST = 'SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES AUTH NTLM LOGIN X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XRDST';

const CLIENT_NAMES = ['APPSRV02.contoso.local', 'SP01.contoso.local', 'CRM-WEB01', 'MONITOR01', 'NPI3A9F12', 'NPI7C21D0', 'mail.fabrikam.com',
  'smtp.tailspintoys.com', 'mx01.litwareinc.com', 'bulk.proseware.com', 'mail.adatum.com', 'smtp.woodgrovebank.com', 'SCAN02', 'BACKUP01.contoso.local'];
// Hostile EHLO names: strangers choose them. A quote/comma forces CSV quoting, 8-bit bytes arrive as Latin-1
// mojibake, and a CR LF the client smuggled in is escaped by the writer as the two characters \r\n.
const HOSTILE_NAMES = ['"evil,host"', 'mÃ¼ller-pc', 'x\\r\\nMAIL FROM:<a@b>', '[203.0.113.9]', 'a'.repeat(200), '"', ',,,'];
const PEERS = [
  { host: 'mail.fabrikam.com', ip: '198.51.100.25', banner: '220 mail.fabrikam.com ESMTP Postfix', tls: true, postfix: true },
  { host: 'mail.adatum.com', ip: '203.0.113.55', exchange: -300, tls: true },
  { host: 'smtp.woodgrovebank.com', ip: '198.51.100.200', exchange: 60, tls: true },
  { host: 'mx.wingtiptoys.com', ip: '203.0.113.120', banner: '220 mx.wingtiptoys.com ESMTP Sendmail 8.15.2/8.15.2', tls: false },
  { host: 'AM4PEPF00027A5F.mail.protection.outlook.com', ip: '104.47.17.106', exchange: 0, tls: true },
  { host: 'DB5PEPF00014B9C.mail.protection.outlook.com', ip: '104.47.18.42', exchange: 0, tls: true },
  { host: 'DB8PEPF00000A6C.mail.protection.outlook.com', ip: '40.107.22.58', exchange: 0, tls: true },
];

const RECEIVE_WEIGHTS = {
  'healthy-tls12': 700, 'healthy-auth-tls12': 60, 'healthy-helo': 20, 'reset-after-quit': 20,
  'legacy-tls10': 50, 'legacy-tls11': 20, 'socket-error': 30, 'handshake-aborted': 20, 'starttls-required': 20, plaintext: 40,
};
const SEND_WEIGHTS = {
  'healthy-tls12': 700, 'healthy-no-starttls': 40, 'legacy-tls10': 40, 'legacy-tls11': 10,
  'tls-failed-socketerror': 40, 'tls-failed-credentials': 10, 'socket-error': 30, 'starttls-required': 20, plaintext: 20,
};
const RECEIVE_MIX = weights(RECEIVE_WEIGHTS);
const SEND_MIX = weights(SEND_WEIGHTS);
/** The same scenarios in the same order, weighted as in a TLS 1.0 retirement: most sessions are legacy-TLS findings. */
const RETIREMENT_RECEIVE_MIX = weights({ ...RECEIVE_WEIGHTS, 'healthy-tls12': 150, 'healthy-auth-tls12': 20, 'healthy-helo': 10, 'reset-after-quit': 10, 'legacy-tls10': 550, 'legacy-tls11': 150 });
const RETIREMENT_SEND_MIX = weights({ ...SEND_WEIGHTS, 'healthy-tls12': 150, 'legacy-tls10': 500, 'legacy-tls11': 150 });
/** Where receive sessions come from: a pool of about 10,000 addresses, or anywhere on the internet. */
const CLIENTS = {
  pool: (rr) => (rr.next() < 0.5 ? `10.0.${rr.int(1, 40)}.${rr.int(2, 254)}` : rr.next() < 0.5 ? `198.51.100.${rr.int(1, 254)}` : `203.0.113.${rr.int(1, 254)}`),
  internet: (rr) => `${rr.int(11, 223)}.${rr.int(0, 255)}.${rr.int(0, 255)}.${rr.int(1, 254)}`,
};

const MIXES = {
  standard: { receive: RECEIVE_MIX, send: SEND_MIX },
  retirement: { receive: RETIREMENT_RECEIVE_MIX, send: RETIREMENT_SEND_MIX },
};

/** What the classifier should report for each scenario (the intended category). */
const CATEGORY = {
  'healthy-tls12': 'healthy', 'healthy-auth-tls12': 'healthy', 'healthy-helo': 'healthy', 'reset-after-quit': 'healthy',
  'healthy-no-starttls': 'healthy', 'legacy-tls10': 'legacy-tls', 'legacy-tls11': 'legacy-tls', 'socket-error': 'socket-error',
  'handshake-aborted': 'tls-negotiation-failed', 'tls-failed-socketerror': 'tls-negotiation-failed',
  'tls-failed-credentials': 'tls-negotiation-failed', 'starttls-required': 'starttls-required', plaintext: 'plaintext',
};

// ---------------------------------------------------------------------------------------------
// sessions: each is an array of pre-encoded `event,data,context` tails, emitted one row at a time
// ---------------------------------------------------------------------------------------------

function messageRows(r, out, from, nRcpt, host, sidField, startIso, k) {
  out.push(row('<', `MAIL FROM:<${from}> SIZE=${r.int(2000, 900000)}`, ''));
  out.push(row('*', `${sidField};${startIso};${k}`, 'receiving message'));
  out.push(R.senderOk);
  for (let i = 0; i < nRcpt; i++) {
    out.push(row('<', `RCPT TO:<user${r.int(1, 4000)}@contoso.com>`, ''));
    out.push(R.rcptOk);
  }
  out.push(R.data, R.go);
  const size = r.int(2000, 900000);
  out.push(row('>', `250 2.6.0 <${hexOf(r, 24, true)}@${host}> [InternalId=${r.int(1000000, 9999999)}${r.int(1000000, 9999999)}, Hostname=${host}] ${size} bytes in 0.${r.int(100, 999)}, ${r.int(10, 9000)}.${r.int(100, 999)} KB/sec Queued mail for delivery`, ''));
}

function receiveSession(r, scenario, ctx, sid, startMs) {
  const out = [];
  const hostile = r.next() < 0.004;
  const name = hostile ? r.pick(HOSTILE_NAMES) : r.pick(CLIENT_NAMES);
  const ip = ctx.clientIp(r);
  const host = ctx.fqdn;
  const startIso = new Date(startMs).toISOString();
  const relay = scenario === 'legacy-tls10' || scenario === 'starttls-required' || scenario === 'healthy-auth-tls12';
  const connector = relay ? ctx.relayConnector : ctx.defaultConnector;
  out.push(R.connect, row('>', `220 ${host} Microsoft ESMTP MAIL Service ready at ${rfc822(startMs, 60)}`, ''));
  if (scenario === 'healthy-helo') {
    out.push(row('<', `HELO ${name}`, ''), row('>', `250 ${host} Hello [${ip}]`, ''));
  } else {
    out.push(row('<', `EHLO ${name}`, ''), row('>', `250  ${host} Hello [${ip}] ${EXT_PRE}`, ''));
  }
  const useTls = scenario !== 'healthy-helo' && scenario !== 'starttls-required' && scenario !== 'plaintext';
  if (useTls) {
    out.push(R.starttlsCmd, R.ready, COMPACT_CERTS[relay ? 1 : 0]);
    if (scenario === 'handshake-aborted') {
      out.push(R.reset);
      return { connector, ip, out, hostile };
    }
    out.push(scenario === 'legacy-tls10' ? TLS.s10 : scenario === 'legacy-tls11' ? TLS.s11 : r.next() < 0.5 ? TLS.s12 : TLS.s12b);
    out.push(row('<', `EHLO ${name}`, ''), R.chain, R.noCert, row('>', `250  ${host} Hello [${ip}] ${EXT_POST}`, ''));
    if (relay) {
      out.push(R.authLogin, R.authPrompt, R.authPrompt);
      if (r.next() < 0.1) {
        out.push(R.authDenied, row('*', '', 'User Name: scanner@contoso.com'), R.auth535, R.quit, R.bye, R.local);
        return { connector, ip, out, hostile };
      }
      out.push(R.authPerms, row('*', 'scanner@contoso.com', 'authenticated'), R.authOk);
    }
  }
  if (scenario === 'starttls-required') {
    out.push(row('<', 'MAIL FROM:<fax@contoso.com> SIZE=61440', ''), R.must530, R.quit, R.bye, R.local);
    return { connector, ip, out, hostile };
  }
  const msgs = scenario === 'socket-error' ? 1 : r.next() < 0.85 ? 1 : r.int(2, 4);
  for (let k = 1; k <= msgs; k++) {
    messageRows(r, out, `sender${r.int(1, 999)}@contoso.com`, r.next() < 0.8 ? 1 : r.int(2, 5), host, sid, startIso, k);
  }
  if (scenario === 'socket-error') {
    out.pop(); // the connection dies while the message body is in flight: no 250 2.6.0
    out.push(R.sockErr);
    return { connector, ip, out, hostile };
  }
  out.push(R.quit, R.bye, scenario === 'reset-after-quit' ? R.reset : R.local);
  return { connector, ip, out, hostile };
}

function sendSession(r, scenario, ctx, startMs) {
  const out = [];
  let peer = r.pick(PEERS);
  if (scenario === 'healthy-no-starttls') peer = PEERS[3];
  else if (!peer.tls) peer = PEERS[0];
  if (scenario === 'tls-failed-socketerror' || scenario === 'starttls-required') peer = PEERS[4 + r.int(0, 1)];
  const connector = peer.ip.startsWith('104.47.') ? ctx.o365Connector : ctx.internetConnector;
  const banner = peer.banner ?? `220 ${peer.host} Microsoft ESMTP MAIL Service ready at ${rfc822(startMs, peer.exchange)}`;
  const ext = peer.postfix ? 'PIPELINING SIZE 52428800 ETRN STARTTLS ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING' : 'SIZE 157286400 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS 8BITMIME BINARYMIME CHUNKING SMTPUTF8';
  out.push(R.sendPerms, R.attempt, R.connect, row('<', banner, ''), row('>', `EHLO ${ctx.ehlo}`, ''));
  const advertised = peer.tls;
  out.push(row('<', advertised ? `250 ${peer.host} Hello [${ctx.publicIp}] ${ext}` : `250 ${peer.host} Hello [${ctx.publicIp}], pleased to meet you ENHANCEDSTATUSCODES PIPELINING 8BITMIME SIZE 20000000 DSN ETRN HELP`, ''));
  const skipTls = scenario === 'healthy-no-starttls' || scenario === 'starttls-required' || scenario === 'plaintext';
  if (!skipTls) {
    out.push(R.sStarttls, peer.postfix ? R.sReadyPostfix : R.sReady);
    if (scenario === 'tls-failed-socketerror') {
      out.push(R.sockErrTls, r.next() < 0.8 ? R.local : R.sockErr);
      return { connector, ip: peer.ip, out };
    }
    if (scenario === 'tls-failed-credentials') {
      out.push(R.sendCert, R.certSubject, R.certIssuer, R.certSerial, R.certThumb, R.certSans,
        row('*', '', `TLS negotiation failed with error ${r.next() < 0.5 ? 'UnknownCredentials' : 'NoCredentials'}`), R.local);
      return { connector, ip: peer.ip, out };
    }
    out.push(scenario === 'legacy-tls10' ? TLS.c10 : scenario === 'legacy-tls11' ? TLS.c11 : TLS.c12, R.recvCert,
      row('*', hexOf(r, 40), 'Certificate thumbprint'), row('>', `EHLO ${ctx.ehlo}`, ''),
      row('<', `250 ${peer.host} Hello [${ctx.publicIp}] ${ext.replace('STARTTLS ', '')}`, ''));
  }
  ctx.recordId += r.int(3, 400);
  out.push(row('*', '', `sending message with RecordId ${ctx.recordId} and InternetMessageId <${hexOf(r, 32, true)}@${ctx.fqdn}>`));
  out.push(row('>', `MAIL FROM:<sender${r.int(1, 999)}@contoso.com> SIZE=${r.int(2000, 900000)}`, ''));
  if (scenario === 'starttls-required') {
    out.push(R.must451, R.sQuit, R.local);
    return { connector, ip: peer.ip, out };
  }
  out.push(R.sSenderOk);
  const nRcpt = r.next() < 0.8 ? 1 : r.int(2, 5);
  for (let i = 0; i < nRcpt; i++) out.push(row('>', `RCPT TO:<user${r.int(1, 9000)}@${peer.host}>`, ''), R.sRcptOk);
  out.push(R.sData, R.sGo);
  if (scenario === 'socket-error') {
    out.push(R.dropped, R.remote);
    return { connector, ip: peer.ip, out };
  }
  out.push(row('<', `250 2.6.0 <${hexOf(r, 32, true)}@${ctx.fqdn}> [InternalId=${r.int(1000000, 9999999)}${r.int(100000, 999999)}, Hostname=${peer.host}] ${r.int(2000, 900000)} bytes in 0.${r.int(100, 999)}, ${r.int(10, 9000)}.${r.int(100, 999)} KB/sec Queued mail for delivery`, ''));
  out.push(R.sQuit, R.remote);
  return { connector, ip: peer.ip, out };
}

// ---------------------------------------------------------------------------------------------
// one log stream: a server's receive or send log set, written as rotated files or one file
// ---------------------------------------------------------------------------------------------

const BOM = '\ufeff';
const FIELDS = '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context';

function header(kind, dateIso) {
  return `${BOM}#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP ${kind === 'receive' ? 'Receive' : 'Send'} Protocol Log\r\n#Date: ${dateIso}\r\n${FIELDS}\r\n`;
}
const HEADER_LINES = 5;

function fileStamp(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}`;
}

const CHUNK = 1 << 20;
/** Room past CHUNK for the last line of a chunk; no generated row comes near it. */
const SLACK = 1 << 16;

async function writeStream(spec, totals) {
  const { kind, server, index, seed, target, fileSize, single } = spec;
  const mix = MIXES[spec.mix ?? 'standard'][kind];
  const r = prng((seed * 2654435761 + index * 40503 + 1) >>> 0);
  const ctx = {
    fqdn: `${server}.contoso.com`,
    ehlo: 'mail.contoso.com',
    publicIp: `192.0.2.${30 + index}`,
    defaultConnector: `${server}\\Default Frontend ${server}`,
    relayConnector: `${server}\\Relay Printers`,
    o365Connector: 'Outbound to Office 365',
    internetConnector: 'Internet Mail',
    recordId: 558345731077 + index * 1000000,
    clientIp: CLIENTS[spec.clients ?? 'pool'],
  };
  const localIp = `10.0.1.${21 + index}`;
  // Service start in .NET ticks: Exchange session ids count up from such a value.
  let idLow = r.int(0x10000000, 0x7fffffff);
  const idHigh = (0x08de1b4b + index).toString(16).toUpperCase().padStart(8, '0');
  let clock = Date.parse('2025-11-10T00:00:00.000Z') + r.int(0, 5000);
  // ~165 B a row every ~20 ms, about 29 MB an hour per stream: with 10 MB files both the hourly and the
  // size rotation happen.
  const gapMax = 41;
  const concurrency = 24 + r.int(0, 40);

  const stats = { sessions: 0, completed: 0, byCategory: {}, byScenario: {} };
  const newSession = () => {
    const scenario = weighted(r, mix);
    idLow += r.int(1, 3);
    const sid = idHigh + (idLow >>> 0).toString(16).toUpperCase().padStart(8, '0');
    const port = r.int(1024, 65535);
    const built = kind === 'receive' ? receiveSession(r, scenario, ctx, sid, clock) : sendSession(r, scenario, ctx, clock);
    const local = kind === 'receive' ? `${localIp}:25` : `${localIp}:${port}`;
    const remote = kind === 'receive' ? `${built.ip}:${port}` : `${built.ip}:25`;
    stats.sessions++;
    // Everything after the timestamp is fixed once the session is planned: build those tails here, so the
    // hot loop only writes a timestamp and one ready string per row.
    const pre = ',' + csv(built.connector) + ',' + sid + ',';
    const ep = ',' + local + ',' + remote + ',';
    const epNoLocal = ',,' + remote + ',';
    const noLocal = kind === 'send' ? 2 : 0;
    const tails = built.out;
    for (let i = 0; i < tails.length; i++) tails[i] = pre + i + (i < noLocal ? epNoLocal : ep) + tails[i] + '\r\n';
    return { scenario, tails, ascii: !built.hostile, next: 0 };
  };
  const active = [];
  for (let i = 0; i < concurrency; i++) active.push(newSession());
  let opening = 1;
  let fresh = 0;

  let written = 0; // bytes of this stream
  let ws = null;
  let file = null;
  // Lines go straight into a byte buffer: latin1Write of an ASCII line is far cheaper than building a
  // megabyte string rope and UTF-8 encoding it on write. Lines with non-ASCII text use utf8Write.
  // Written buffers come back to a small pool: fresh megabyte buffers cost page faults and GC.
  const pool = [];
  const take = () => pool.pop() ?? Buffer.allocUnsafe(CHUNK + SLACK);
  let buf = take();
  let off = 0;
  let fileHour = '';
  let fileSeq = 0;
  let lastSec = -1;
  const secBytes = new Uint8Array(20);

  const flush = async () => {
    if (off === 0) return;
    const full = buf;
    // The stream keeps the bytes until they are written; the buffer is reused only after that.
    const ok = ws.write(full.subarray(0, off), () => {
      if (pool.length < 8) pool.push(full);
    });
    buf = take();
    off = 0;
    if (!ok) await once(ws, 'drain');
  };
  const closeFile = async () => {
    if (!ws) return;
    await flush();
    ws.end();
    await once(ws, 'close');
    totals.files.push(file);
    ws = null;
  };
  const openFile = async (ms) => {
    await closeFile();
    const hour = fileStamp(ms);
    fileSeq = hour === fileHour ? fileSeq + 1 : 1;
    fileHour = hour;
    const path = single ?? join(spec.dir, `${kind === 'receive' ? 'RECV' : 'SEND'}${hour}-${fileSeq}.LOG`);
    mkdirSync(dirname(path), { recursive: true });
    ws = createWriteStream(path, { highWaterMark: 4 * CHUNK });
    const h = header(kind, new Date(ms).toISOString());
    const hBytes = buf.utf8Write(h, off);
    off += hBytes;
    file = { path, bytes: hBytes, lines: HEADER_LINES, rows: 0 };
    written += hBytes;
  };

  const FULL = 0;
  const ROTATE = 1;
  const DONE = 2;
  /**
   * Fills the buffer synchronously until it is full, a new file is due, or the target is reached. Keeping
   * `await` out of this loop lets V8 optimise it; the async driver below does the I/O.
   */
  const fill = () => {
    while (off < CHUNK && written < target) {
      const sec = Math.floor(clock / 1000);
      if (sec !== lastSec) {
        lastSec = sec;
        const prefix = new Date(sec * 1000).toISOString();
        for (let k = 0; k < 20; k++) secBytes[k] = prefix.charCodeAt(k);
        if (!single && (fileStamp(clock) !== fileHour || file.bytes >= fileSize)) return ROTATE;
      } else if (!single && file.bytes >= fileSize) {
        return ROTATE;
      }
      // A new session writes its connect row at once, so session ids appear in connect order; otherwise a
      // random open session moves on, which interleaves them the way a busy server does.
      const j = fresh >= 0 ? fresh : Math.floor(r.next() * active.length);
      fresh = opening < active.length ? opening++ : -1;
      const s = active[j];
      const tail = s.tails[s.next];
      if (tail.length > SLACK - 32) throw new Error('row longer than the buffer slack');
      // The timestamp is stored byte by byte: cheaper than a native call for 24 bytes.
      for (let k = 0; k < 20; k++) buf[off + k] = secBytes[k];
      const ms = clock - sec * 1000;
      buf[off + 20] = 48 + ((ms / 100) | 0);
      buf[off + 21] = 48 + (((ms / 10) | 0) % 10);
      buf[off + 22] = 48 + (ms % 10);
      buf[off + 23] = 90; // 'Z'
      const bytes = 24 + (s.ascii ? buf.latin1Write(tail, off + 24) : buf.utf8Write(tail, off + 24));
      off += bytes;
      file.bytes += bytes;
      file.lines++;
      file.rows++;
      written += bytes;
      s.next++;
      if (s.next === s.tails.length) {
        stats.completed++;
        const cat = CATEGORY[s.scenario];
        stats.byCategory[cat] = (stats.byCategory[cat] ?? 0) + 1;
        stats.byScenario[s.scenario] = (stats.byScenario[s.scenario] ?? 0) + 1;
        active[j] = newSession();
        fresh = j;
      }
      clock += Math.floor(r.next() * gapMax);
    }
    return written < target ? FULL : DONE;
  };

  await openFile(clock);
  for (;;) {
    const state = fill();
    if (state === ROTATE) {
      await openFile(clock);
      continue;
    }
    await flush();
    if (state === DONE) break;
  }
  await closeFile();
  return { ...stats, incompleteAtEnd: stats.sessions - stats.completed };
}

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

export async function generate(opts) {
  const started = process.hrtime.bigint();
  const kinds = opts.kind === 'both' ? ['receive', 'send'] : [opts.kind];
  const specs = [];
  if (opts.single) {
    specs.push({ kind: kinds[0], server: 'EX01', index: 0, seed: opts.seed, target: opts.size, fileSize: Infinity, single: opts.single, mix: opts.mix, clients: opts.clients });
  } else {
    const servers = Array.from({ length: opts.servers }, (_, i) => `EX${p2(i + 1)}`);
    const count = servers.length * kinds.length;
    let i = 0;
    for (const server of servers) {
      for (const kind of kinds) {
        const sub = kind === 'receive' ? 'FrontEnd/ProtocolLog/SmtpReceive' : 'Hub/ProtocolLog/SmtpSend';
        specs.push({ kind, server, index: i, seed: opts.seed, target: Math.ceil(opts.size / count), fileSize: opts.fileSize, single: null, dir: join(opts.out, server, sub), mix: opts.mix, clients: opts.clients });
        i++;
      }
    }
  }
  const results = await runAll(specs, opts.workers ?? availableParallelism());
  const totals = { files: results.flatMap((x) => x.files) };
  const summary = { files: 0, bytes: 0, lines: 0, rows: 0, sessions: 0, completedSessions: 0, incompleteAtEnd: 0, categories: {}, scenarios: {}, seconds: 0, mbPerSecond: 0, fileList: [] };
  for (const { stats: st } of results) {
    summary.sessions += st.sessions;
    summary.completedSessions += st.completed;
    summary.incompleteAtEnd += st.incompleteAtEnd;
    for (const [k, v] of Object.entries(st.byCategory)) summary.categories[k] = (summary.categories[k] ?? 0) + v;
    for (const [k, v] of Object.entries(st.byScenario)) summary.scenarios[k] = (summary.scenarios[k] ?? 0) + v;
  }
  for (const f of totals.files) {
    summary.files++;
    summary.bytes += f.bytes;
    summary.lines += f.lines;
    summary.rows += f.rows;
  }
  summary.fileList = totals.files;
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  summary.mbPerSecond = Math.round((summary.bytes / 1048576 / summary.seconds) * 10) / 10;
  return summary;
}

/** One stream in this thread; its files are listed in write order. */
async function runOne(spec) {
  const totals = { files: [] };
  const stats = await writeStream(spec, totals);
  return { stats, files: totals.files };
}

/**
 * Streams are independent (own PRNG, own files), so they can run in worker threads without changing a byte
 * of output. Results come back in spec order whatever finishes first.
 */
async function runAll(specs, workers) {
  if (specs.length === 1 || workers <= 1) {
    const out = [];
    for (const spec of specs) out.push(await runOne(spec));
    return out;
  }
  const results = new Array(specs.length);
  let next = 0;
  const lane = async () => {
    while (next < specs.length) {
      const i = next++;
      results[i] = await new Promise((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { logscanGenerateSpec: specs[i] } });
        worker.once('message', (msg) => {
          resolve(msg);
          void worker.terminate();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`generator worker for stream ${i} exited with code ${code}`)));
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, specs.length) }, lane));
  return results;
}

if (!isMainThread && workerData && workerData.logscanGenerateSpec) {
  runOne(workerData.logscanGenerateSpec).then((res) => parentPort.postMessage(res));
}

const isMain = isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  let opts;
  try {
    opts = readOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e.message}\n${HELP}\n`);
    process.exit(2);
  }
  if (opts === null) {
    process.stdout.write(`${HELP}\n`);
  } else {
    generate(opts).then(
      (summary) => process.stdout.write(JSON.stringify(summary) + '\n'),
      (e) => {
        process.stderr.write(`${e.stack ?? e}\n`);
        process.exit(1);
      },
    );
  }
}
