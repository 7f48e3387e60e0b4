import type { Certificate, Direction, LogRecord, Session, SessionEnd, TlsInfo } from '../types.js';
import { parseEndpoint } from './endpoint.js';
import {
  applyCertificateRow,
  certificateRole,
  emptyCertificate,
  parseCompactCertificate,
  parseTlsFailure,
  parseTlsSuccess,
} from './tls.js';

export interface SessionMeta {
  key: string;
  origin: string;
  direction: Direction;
  /** Server name known from the file's folder, used when the connector does not name it. */
  serverHint: string | null;
  complete: boolean;
  endReason: SessionEnd;
}

/** Whole-token STARTTLS, so `X-ANONYMOUSTLS` does not count; `250-STARTTLS` and joined 250 replies do. */
export function advertisesStartTls(reply: string): boolean {
  let from = 0;
  for (;;) {
    const i = reply.indexOf('STARTTLS', from);
    if (i < 0) return false;
    const before = i === 0 ? 32 : reply.charCodeAt(i - 1);
    const after = i + 8 >= reply.length ? 32 : reply.charCodeAt(i + 8);
    if ((before === 32 || before === 45) && (after === 32 || after === 9)) return true;
    from = i + 8;
  }
}

function isCommand(r: LogRecord, direction: Direction): boolean {
  return direction === 'receive' ? r.event === '<' : r.event === '>';
}

function isReply(r: LogRecord, direction: Direction): boolean {
  return direction === 'receive' ? r.event === '>' : r.event === '<';
}

/** Upper-case first word of a command (`MAIL FROM:<…>` → `MAIL`). */
export function commandVerb(command: string): string {
  let end = 0;
  while (end < command.length && end < 16) {
    const c = command.charCodeAt(end);
    if (c === 32 || c === 58 || c === 9) break;
    end++;
  }
  return command.slice(0, end).toUpperCase();
}

/** Server from a receive connector id `SERVER\Connector name`. */
export function serverFromConnector(connector: string): string | null {
  const slash = connector.indexOf('\\');
  return slash > 0 ? connector.slice(0, slash) : null;
}

/** Host name from a send-side banner `220 host.example ESMTP …`. */
function bannerHost(reply: string): string | null {
  const m = /^220[ -](\S{1,255})/.exec(reply);
  return m ? m[1]! : null;
}

/** Argument of an `EHLO name` / `HELO name` command. */
function heloName(command: string): string | null {
  const name = command.slice(5).trim();
  return name === '' ? null : name;
}

/**
 * Derives the facts of one SMTP session from its rows. Pure: the same rows give the same session.
 * State is tracked in order, because what a reply means depends on the command before it.
 */
/** Distinct EHLO/HELO names kept per session; reports show at most 20 per group anyway. */
const MAX_REMOTE_NAMES = 64;

export function summarizeSession(records: LogRecord[], meta: SessionMeta): Session {
  const first = records[0]!;
  const direction = meta.direction;
  const names: string[] = [];
  const certificates: Certificate[] = [];
  const tlsErrors: string[] = [];
  let tls: TlsInfo | null = null;
  let advertised = false;
  let issued = false;
  let accepted = false;
  let mailAccepted = false;
  let quit = false;
  let authUser: string | null = null;
  let disconnect: string | null = null;
  const pending: string[] = [];
  let current: Certificate | null = null;
  let local = '';
  let remote = '';
  let start = first.time;
  let end = first.time;

  for (const r of records) {
    if (r.time < start) start = r.time;
    if (r.time > end) end = r.time;
    if (local === '' && r.local !== '') local = r.local;
    if (remote === '' && r.remote !== '') remote = r.remote;
    switch (r.event) {
      case '-':
        disconnect = r.context;
        break;
      case '*': {
        const role = r.data === '' ? certificateRole(r.context) : null;
        if (role !== null && r.context === role) {
          current = emptyCertificate(role);
          certificates.push(current);
          break;
        }
        const compactRole = role === null ? certificateRole(r.context) : null;
        if (compactRole !== null && r.context.length > compactRole.length + 8) {
          certificates.push(parseCompactCertificate(compactRole, r.data));
          current = null;
          break;
        }
        if (r.context.startsWith('Certificate ')) {
          // KB excerpts sometimes omit the type row: a value row alone still describes a certificate.
          if (current === null) {
            current = emptyCertificate('Certificate');
            certificates.push(current);
          }
          applyCertificateRow(current, r.context, r.data);
          break;
        }
        const ok = parseTlsSuccess(r.context);
        if (ok) {
          tls = ok;
          break;
        }
        const failed = parseTlsFailure(r.context);
        if (failed) {
          tlsErrors.push(failed);
          break;
        }
        // Failed logins log `User Name: <user>`; successful ones `<user>` in data with context `authenticated`.
        if (r.context.startsWith('User Name: ')) authUser = r.context.slice(11).trim() || authUser;
        else if (r.context === 'authenticated' && r.data !== '') authUser = r.data;
        break;
      }
      default:
        if (isCommand(r, direction)) {
          const cmd = r.data;
          const verb = commandVerb(cmd);
          if (verb === 'STARTTLS') issued = true;
          else if (verb === 'QUIT') quit = true;
          else if (direction === 'receive' && (verb === 'EHLO' || verb === 'HELO')) {
            const name = heloName(cmd);
            // Bounded: a hostile client sending 100,000 different EHLO names must not make this quadratic.
            if (name !== null && names.length < MAX_REMOTE_NAMES && !names.includes(name)) names.push(name);
          }
          // Pipelined commands (MAIL, RCPT, DATA in one go) are answered in order: keep them in a queue.
          if (pending.length < 64) pending.push(verb);
        } else if (isReply(r, direction)) {
          const reply = r.data;
          if (direction === 'send' && names.length === 0 && !issued) {
            const host = bannerHost(reply);
            if (host !== null) names.push(host);
          }
          if (reply.startsWith('250') && advertisesStartTls(reply)) advertised = true;
          if (reply.startsWith('221')) quit = true;
          // `250-…` continuation lines of a multi-line reply do not finish the reply.
          if (reply.charCodeAt(3) === 45) break;
          const answered = pending.shift();
          if (answered === 'STARTTLS' && reply.startsWith('220')) accepted = true;
          else if (answered === 'MAIL' && reply.startsWith('250')) mailAccepted = true;
        }
    }
  }

  // Exchange 2010 writes no `TLS protocol` row: a go-ahead followed by more SMTP means TLS of unknown version.
  if (tls === null && accepted && tlsErrors.length === 0 && continuedAfterStartTls(records, direction)) {
    tls = { version: 'unknown', protocol: null, cipher: null, cipherStrength: null, hash: null, keyExchange: null };
  }

  const remoteEndpoint = parseEndpoint(remote);
  return {
    key: meta.key,
    origin: meta.origin,
    sessionId: first.sessionId,
    direction,
    server: serverFromConnector(first.connector) ?? meta.serverHint,
    connector: first.connector,
    local: parseEndpoint(local),
    remote: remoteEndpoint,
    remoteNames: names,
    starttlsAdvertised: advertised,
    starttlsIssued: issued,
    starttlsAccepted: accepted,
    tls,
    tlsErrors,
    certificates,
    mailAccepted,
    quit,
    authUser,
    disconnect,
    start,
    end,
    complete: meta.complete,
    endReason: meta.endReason,
    records,
  };
}

/** True when an SMTP command or reply follows the 220 go-ahead to STARTTLS. */
export function continuedAfterStartTls(records: readonly LogRecord[], direction: Direction): boolean {
  const go = goAheadIndex(records, direction);
  if (go < 0) return false;
  for (let i = go + 1; i < records.length; i++) {
    const e = records[i]!.event;
    if (e === '<' || e === '>') return true;
  }
  return false;
}

/** Index of the `220` reply that answered STARTTLS, or -1. */
export function goAheadIndex(records: readonly LogRecord[], direction: Direction): number {
  let sawStartTls = false;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (isCommand(r, direction) && commandVerb(r.data) === 'STARTTLS') sawStartTls = true;
    else if (sawStartTls && isReply(r, direction)) {
      if (r.data.startsWith('220')) return i;
      sawStartTls = false;
    }
  }
  return -1;
}
