/**
 * Take a queue `LastError`, NDR diagnostic line or message-trace reason apart: find the innermost SMTP reply
 * that decides the category, the layers wrapped around it, and the last target (FQDN / IP).
 *
 * The wrappers nest (`{LED=…}` around a FrontEnd proxy text around a failover text around the remote reply), so
 * the text is peeled from the outside in. Every search is a literal-led, bounded pattern or an indexOf, and the
 * input is cut at {@link MAX_INPUT}, so hostile text cannot make this slow.
 */
import type { DateValue, ParsedLastError } from '../types.js';
import { parseQueueDate } from '../read/queue/dates.js';

/** Real LastError texts are well under 2 KB; the cut bounds the work on junk. */
const MAX_INPUT = 64 * 1024;
/** Wrappers seen nest three deep; anything deeper is junk and is kept as one layer. */
const MAX_DEPTH = 12;

type Link = 'arrow' | 'wrap';

interface Layer {
  text: string;
  /** How the layer hangs off the previous one: `a -> b` or `a '<b>'`. */
  link: Link;
}

interface Target {
  fqdn: string | null;
  ip: string | null;
  lrt: DateValue | null;
}

const KEY_SPLIT = /\};\{(?=[A-Za-z]{2,16}=)/;
const KEY_START = /^[A-Za-z]{2,16}=/;
const BRACKET_START = /^(?:\[?\{[A-Za-z]{2,16}=|(?:LED|LRT|FQDN|IP|MSG)=)/i;

const PROXY = /Proxy session setup failed on Frontend with:? ?/i;
/** `Primary target IP address responded with[:] "`, `…primary target IP address: "`, or a fragment of them. */
const FAILOVER_OPEN = /IP address(?: responded with)?:? ?"/i;
const FAILOVER_CLOSE = /" ?Attempted failover/i;
const EXO_MESSAGE = /\[Message=/i;
/** `…remote server(451 5.7.3 …)`: a parenthesised reply with an enhanced status code. */
const PAREN_REPLY = /\((?=[2-5]\d\d[ -][245]\.\d{1,3}\.\d{1,3}[ )])/;

const ENDPOINT = /The last endpoint attempted was ([^\s'"]{1,80})/i;
const LAST_SERVER = /\[LastAttemptedServerName=([^\]\s]{1,255})\]/i;
const LAST_IP = /\[LastAttemptedIP=([^\]\s]{1,80})\]/i;
const REPLY_START = /^[2-5]\d\d(?:[ -]|$)/;
/** IPv4, IPv6, and their masked forms (`x.x.x.x`, `2a0X:3cXX::XX00`) as written in anonymised pastes. */
const IP_SHAPED = /^[0-9A-Fa-fXx:.]{2,64}$/;
const HOST_SHAPED = /^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/;

// ---------------------------------------------------------------------------------------------------------
// Text clean-up

/** Every `=` is an escape (`=XX`) or a soft break, and at least one of them is unmistakably QP. */
function looksQuotedPrintable(text: string): boolean {
  if (!/=\r?\n|=[C-F][0-9A-F]=[89AB][0-9A-F]/.test(text)) return false;
  for (let i = text.indexOf('='); i !== -1; i = text.indexOf('=', i + 1)) {
    const escape = /^[0-9A-F]{2}$/.test(text.slice(i + 1, i + 3));
    const softBreak = text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n') || i === text.length - 1;
    if (!escape && !softBreak) return false;
  }
  return true;
}

function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '');
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of joined.matchAll(/=([0-9A-F]{2})/g)) {
    parts.push(Buffer.from(joined.slice(last, m.index), 'utf8'), Buffer.from([parseInt(m[1] ?? '0', 16)]));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(joined.slice(last), 'utf8'));
  return Buffer.concat(parts).toString('utf8');
}

/** One line, single spaces, plain quotes: pasted texts are wrapped, CSV-doubled (`""`) or JSON-escaped (`\"`). */
function normalise(raw: string): string {
  let text = raw.slice(0, MAX_INPUT);
  if (looksQuotedPrintable(text)) text = decodeQuotedPrintable(text);
  return text.replace(/\s+/g, ' ').replace(/\\"/g, '"').replace(/""/g, '"').trim();
}

/**
 * `s` without trailing characters from `chars` (and whitespace when `space`). A loop, not `/[…]+$/`: an
 * end-anchored character-class regex restarts at every position and is quadratic on a long run of those characters.
 */
function stripEnd(s: string, chars: string, space = false): string {
  let e = s.length;
  while (e > 0) {
    const c = s.charAt(e - 1);
    if (chars.includes(c) || (space && c.trim() === '')) e--;
    else break;
  }
  return s.slice(0, e);
}

function trimLayer(s: string): string {
  return stripEnd(s.trim().replace(/^['"]+/, ''), `'"`).trim();
}

/** Outer layer text ends where its inner text begins: drop the `:` / quote that introduced it. */
function trimOuter(s: string): string {
  return stripEnd(s.trim(), `:'"`, true);
}

// ---------------------------------------------------------------------------------------------------------
// Targets

function cleanIp(value: string, hasPort: boolean): string | null {
  let v = stripEnd(value.trim(), `.,;'"`);
  const bracketed = /^\[([^\]]{1,64})\](?::\d{1,5})?$/.exec(v);
  if (bracketed) v = bracketed[1] ?? '';
  else {
    const colons = v.split(':').length - 1;
    if (colons === 1 || (hasPort && colons > 1)) v = v.replace(/:\d{1,5}$/, '');
  }
  v = v.replace(/%[\w.-]{1,32}$/, '');
  return IP_SHAPED.test(v) && /[.:]/.test(v) && /[0-9]/.test(v) ? v : null;
}

function setOnce<K extends keyof Target>(target: Target, key: K, value: Target[K]): void {
  if (target[key] === null && value !== null) target[key] = value;
}

/** `… - Remote Server at host (ip) returned '<reply>'` → the reply, with host and ip as fallbacks. */
function unwrapNdrLine(text: string, fallback: Target): string {
  const returned = text.indexOf(" returned '");
  if (returned === -1) return text;
  const at = text.lastIndexOf('Server at ', returned);
  if (at === -1) return text;
  const host = text.slice(at + 'Server at '.length, returned);
  const paren = /^(\S{1,255}) \(([^()\s]{1,64})\)$/.exec(host) ?? /\(([^()\s]{1,64})\)$/.exec(host);
  if (paren && paren.length === 3) {
    if (HOST_SHAPED.test(paren[1] ?? '')) fallback.fqdn = paren[1] ?? null;
    fallback.ip = cleanIp(paren[2] ?? '', false);
  } else if (paren) fallback.ip = cleanIp(paren[1] ?? '', false);
  const reply = text.slice(returned + " returned '".length);
  return reply.endsWith("'") ? reply.slice(0, -1) : reply;
}

// ---------------------------------------------------------------------------------------------------------
// Peeling

interface Cut {
  index: number;
  outer: string;
  inner: string;
}

function cutProxy(t: string): Cut | null {
  const m = PROXY.exec(t);
  if (!m) return null;
  const start = m.index + m[0].length;
  const quote = t[start];
  let inner = t.slice(start);
  if (quote === "'" || quote === '"') {
    const close = t.lastIndexOf(quote);
    inner = close > start ? t.slice(start + 1, close) : t.slice(start + 1);
  }
  return { index: m.index, outer: t.slice(0, start), inner };
}

function cutFailover(t: string): Cut | null {
  const m = FAILOVER_OPEN.exec(t);
  if (m) {
    const start = m.index + m[0].length;
    const rest = t.slice(start);
    const close = FAILOVER_CLOSE.exec(rest);
    const lastQuote = rest.lastIndexOf('"');
    const end = close ? close.index : lastQuote >= 0 ? lastQuote : rest.length;
    return { index: m.index, outer: t.slice(0, start), inner: rest.slice(0, end) };
  }
  // KB4495258 quotes the text without its opening: `421 4.4.1 Connection timed out." Attempted failover …`.
  const orphan = FAILOVER_CLOSE.exec(t);
  return orphan && orphan.index > 0 ? { index: 0, outer: '', inner: t.slice(0, orphan.index) } : null;
}

function cutExoMessage(t: string): Cut | null {
  const m = EXO_MESSAGE.exec(t);
  if (!m) return null;
  const start = m.index + m[0].length;
  const close = t.indexOf(']', start);
  return { index: m.index, outer: t.slice(0, m.index), inner: close === -1 ? t.slice(start) : t.slice(start, close) };
}

function cutParenReply(t: string): Cut | null {
  const m = PAREN_REPLY.exec(t);
  if (!m) return null;
  const close = t.lastIndexOf(')');
  const inner = close > m.index ? t.slice(m.index + 1, close) : t.slice(m.index + 1);
  return { index: m.index, outer: t.slice(0, m.index), inner };
}

function firstCut(t: string): Cut | null {
  let best: Cut | null = null;
  for (const cut of [cutProxy(t), cutFailover(t), cutExoMessage(t), cutParenReply(t)]) {
    if (cut && (best === null || cut.index < best.index)) best = cut;
  }
  return best;
}

/** `[{LRT=…};{LED=…};{FQDN=…};{IP=…}]`, possibly cut off at either end; returns the LED text. */
function unwrapKeys(t: string, target: Target): string {
  let body = t.replace(/^\[?\{/, '');
  if (body.endsWith('}]')) body = body.slice(0, -2);
  else if (body.endsWith('}') || body.endsWith(']')) body = body.slice(0, -1);
  const parts = body.split(KEY_SPLIT);
  let led = '';
  parts.forEach((part, i) => {
    if (!KEY_START.test(part)) {
      // The text before the first key lost its `{LED=` (a fragment cut at the start).
      if (i === 0) led = part;
      return;
    }
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).toUpperCase();
    const value = part.slice(eq + 1).trim();
    if (key === 'LED') led = value;
    else if (key === 'FQDN') setOnce(target, 'fqdn', value === '' ? null : value);
    else if (key === 'IP') setOnce(target, 'ip', cleanIp(value, false));
    else if (key === 'LRT' && value !== '') setOnce(target, 'lrt', parseQueueDate(value));
  });
  return led;
}

function isKeyForm(t: string): boolean {
  return BRACKET_START.test(t) || KEY_SPLIT.test(t);
}

function peel(text: string, link: Link, layers: Layer[], target: Target, depth: number): void {
  const t = text.trim();
  if (t === '') return;
  if (depth >= MAX_DEPTH) {
    layers.push({ text: trimLayer(t), link });
    return;
  }
  if (isKeyForm(t)) {
    peel(unwrapKeys(t, target), link, layers, target, depth + 1);
    return;
  }
  const arrow = t.indexOf(' -> ');
  const cut = firstCut(t);
  if (arrow !== -1 && (cut === null || arrow < cut.index)) {
    layers.push({ text: trimLayer(t.slice(0, arrow)), link });
    peel(t.slice(arrow + 4), 'arrow', layers, target, depth + 1);
    return;
  }
  if (cut) {
    const outer = trimOuter(cut.outer);
    if (outer !== '') layers.push({ text: outer, link });
    peel(trimLayer(cut.inner), outer === '' ? link : 'wrap', layers, target, depth + 1);
    return;
  }
  layers.push({ text: trimLayer(t), link });
}

/**
 * The innermost SMTP reply, with any socket text chained after it by ` -> ` (`421 4.2.1 Unable to connect ->
 * SocketTimedout: …`), or the innermost quoted text when a wrapper held no reply (`Failed to connect. Winsock …`).
 */
function innermostOf(layers: Layer[]): string {
  let i = layers.length - 1;
  while (i > 0 && !REPLY_START.test(layers[i]?.text ?? '') && layers[i]?.link === 'arrow') i--;
  return layers
    .slice(i)
    .map((l) => l.text)
    .join(' -> ');
}

/** Take a queue LastError / NDR / message-trace text apart (see docs/queue-exports.md for the shapes). */
export function parseLastError(raw: string): ParsedLastError {
  const fallback: Target = { fqdn: null, ip: null, lrt: null };
  const target: Target = { fqdn: null, ip: null, lrt: null };
  let text = normalise(raw).replace(/^Reason: ?/i, '');
  text = unwrapNdrLine(text, fallback);

  const layers: Layer[] = [];
  peel(text, 'wrap', layers, target, 0);

  const server = LAST_SERVER.exec(text);
  const lastIp = LAST_IP.exec(text);
  const endpoint = ENDPOINT.exec(text);
  setOnce(target, 'fqdn', server?.[1] ?? null);
  setOnce(target, 'ip', lastIp ? cleanIp(lastIp[1] ?? '', true) : null);
  setOnce(target, 'ip', endpoint ? cleanIp(endpoint[1] ?? '', true) : null);
  setOnce(target, 'fqdn', fallback.fqdn);
  setOnce(target, 'ip', fallback.ip);

  const chain = layers.map((l) => l.text).filter((s) => s !== '');
  return {
    raw,
    innermost: layers.length === 0 ? '' : innermostOf(layers.filter((l) => l.text !== '')),
    chain,
    lastRetryTime: target.lrt,
    fqdn: target.fqdn,
    ip: target.ip,
  };
}
