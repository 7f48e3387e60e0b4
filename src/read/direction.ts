/**
 * Send or receive, from rows alone (excerpts without `#Log-type`), by what each side of SMTP writes:
 * in a receive log the peer's `<` rows are SMTP commands and Exchange's `>` rows are replies; in a send log it is
 * the other way round, and `attempting to connect` only exists on the send side. Receive connector ids have the
 * `SERVER\Name` form, send connector ids are bare names: that decides only when the content says nothing.
 */
import type { Direction, LogRecord } from '../types.js';

export interface DirectionVote {
  send: number;
  receive: number;
  /** Rows whose connector id has the receive form `SERVER\Name`. */
  serverForm: number;
  /** Rows whose connector id is a bare name (send connectors). */
  nameForm: number;
}

/** Margin of content evidence after which a streaming reader may settle the direction early. */
export const EARLY_MARGIN = 3;

export function newVote(): DirectionVote {
  return { send: 0, receive: 0, serverForm: 0, nameForm: 0 };
}

const COMMANDS = new Set([
  'EHLO',
  'HELO',
  'LHLO',
  'MAIL',
  'RCPT',
  'DATA',
  'BDAT',
  'QUIT',
  'RSET',
  'NOOP',
  'VRFY',
  'EXPN',
  'HELP',
  'STARTTLS',
  'AUTH',
  'X-ANONYMOUSTLS',
  'X-EXPS',
  'XEXCH50',
  'XSHADOW',
  'XSHADOWREQUEST',
  'XPROXY',
  'XPROXYFROM',
  'XPROXYTO',
  'XSESSIONPARAMS',
  'XRSET',
  'XQDISCARD',
]);

/** `250 …`, `250-…`, `354`: an SMTP reply line. */
function isReply(data: string): boolean {
  if (data.length < 3) return false;
  for (let i = 0; i < 3; i++) {
    const d = data.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  if (data.length === 3) return true;
  const c = data.charCodeAt(3);
  return c === 32 || c === 45;
}

function isCommand(data: string): boolean {
  let end = data.indexOf(' ');
  if (end === -1) end = data.length;
  if (end === 0 || end > 16) return false;
  return COMMANDS.has(data.slice(0, end).toUpperCase());
}

export function voteRecord(v: DirectionVote, r: LogRecord): void {
  const data = r.data;
  if (r.event === '<') {
    if (isReply(data)) v.send++;
    else if (isCommand(data)) v.receive++;
  } else if (r.event === '>') {
    if (isReply(data)) v.receive++;
    else if (isCommand(data)) v.send++;
  } else if (r.event === '*') {
    const c = r.context;
    if (c === 'attempting to connect') v.send += EARLY_MARGIN;
    else if (c.startsWith('sending message') || c.startsWith('Proxying inbound session') || c.startsWith('Outbound Authentication')) v.send++;
    else if (c.startsWith('receiving message') || c.startsWith('Inbound AUTH')) v.receive++;
    else if (c === 'Set Session Permissions') {
      if (data.includes('SMTPAccept') || data.includes('SMTPSubmit')) v.receive++;
      else if (data.includes('SendRoutingHeaders')) v.send++;
    } else if (c.startsWith('TLS protocol SP_PROT_')) {
      if (c.includes('_SERVER ')) v.receive++;
      else if (c.includes('_CLIENT ')) v.send++;
    }
  }
  if (r.connector.includes('\\')) v.serverForm++;
  else if (r.connector !== '') v.nameForm++;
}

/**
 * The direction the evidence supports. Not final: only a clear content margin counts (a stream may still change
 * its mind otherwise). Final: any content majority, then the connector-id form, else null.
 */
export function decideDirection(v: DirectionVote, final: boolean): Direction | null {
  const margin = v.send - v.receive;
  if (margin >= EARLY_MARGIN) return 'send';
  if (margin <= -EARLY_MARGIN) return 'receive';
  if (!final) return null;
  if (margin > 0) return 'send';
  if (margin < 0) return 'receive';
  if (v.serverForm > v.nameForm) return 'receive';
  if (v.nameForm > v.serverForm) return 'send';
  return null;
}

export function inferDirectionFrom(records: readonly LogRecord[]): Direction | null {
  const v = newVote();
  for (const r of records) voteRecord(v, r);
  return decideDirection(v, true);
}
