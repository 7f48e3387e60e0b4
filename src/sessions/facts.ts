import type { Certificate, Direction, LogRecord, Session, SessionEnd, TlsInfo } from '../types.js';
import { BoundedCache, RecentItems } from '../bounded-cache.js';
import { KeptLines, RowView } from '../read/row-view.js';
import { parseEndpoint } from './endpoint.js';
import { serverName } from '../server-name.js';
import { advertisesStartTls, commandVerb, isoTime, newIsoCache, RecordRow, startsTlsVerb, Verb, verbOf, type IsoCache, type Pin, type Row, type RowPeek, type SharedFields } from './row.js';
import {
  applyCertificateRow,
  certificateRole,
  CERT_ROLES,
  emptyCertificate,
  parseCompactCertificate,
  parseTlsFailure,
  parseTlsSuccess,
} from './tls.js';

export { advertisesStartTls, commandVerb };

export interface SessionMeta {
  key: string;
  origin: string;
  direction: Direction;
  /** Server name known from the file's folder, used when the connector does not name it. */
  serverHint: string | null;
  complete: boolean;
  endReason: SessionEnd;
}

/** The peer's SMTP commands are `<` rows in a receive log and `>` rows in a send log; replies the other way. */
export function isCommandEvent(event: string, direction: Direction): boolean {
  return direction === 'receive' ? event === '<' : event === '>';
}

export function isReplyEvent(event: string, direction: Direction): boolean {
  return direction === 'receive' ? event === '>' : event === '<';
}

/** Server from a receive connector id `SERVER\Connector name`. */
export function serverFromConnector(connector: string): string | null {
  const slash = connector.indexOf('\\');
  return slash > 0 ? connector.slice(0, slash) : null;
}

/**
 * Host name from a send-side banner `220 host.example ESMTP …`: what `/^220[ -](\S{1,255})/` captures, read by a
 * loop, because the regex's match array was 170 bytes of every send session.
 */
export function bannerHost(reply: string): string | null {
  if (!reply.startsWith('220')) return null;
  const sep = reply.charCodeAt(3);
  if (sep !== 32 && sep !== 45) return null;
  const end = Math.min(reply.length, 4 + 255);
  let i = 4;
  while (i < end && !isRegExpSpace(reply.charCodeAt(i))) i++;
  return i === 4 ? null : reply.slice(4, i);
}

/** What `\s` matches in a regex without the `u` flag, by UTF-16 code unit (ECMAScript WhiteSpace and LineTerminator). */
function isRegExpSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Argument of an `EHLO name` / `HELO name` command. */
function heloName(command: string): string | null {
  const name = command.slice(5).trim();
  return name === '' ? null : name;
}

/**
 * `list` with `item` at its end; a new one-item array when `list` is null. Most sessions have one remote name and
 * one certificate: `[item]` has room for one, where `[]` and a push made room for 17 (152 bytes).
 */
function append<T>(list: T[] | null, item: T): T[] {
  if (list === null) return [item];
  list.push(item);
  return list;
}

/** Distinct EHLO/HELO names kept per session; reports show at most 20 per group anyway. */
const MAX_REMOTE_NAMES = 64;

/**
 * Certificates and TLS errors kept per session (a real session has one to four of each). A session that never
 * ends and logs a certificate or a failed handshake on every row must not grow with the log: 200 MB of such rows
 * held 485 MB. The rules read the first error; the rest are counted nowhere.
 */
const MAX_PER_SESSION = 16;

/** {@link append}, past `max` items not at all. */
function appendUpTo<T>(list: T[] | null, item: T, max: number): T[] {
  return list !== null && list.length >= max ? list : append(list, item);
}

/**
 * Which rows a session keeps for quoting (unless every row is kept): the first row, the disconnect, `TLS …`
 * information rows, STARTTLS (or X-ANONYMOUSTLS) and its answer, the first SMTP row after the go-ahead, EHLO/HELO,
 * on receive the final line of a `250` EHLO reply that offered no STARTTLS, the first MAIL,
 * 4xx/5xx replies, and (pinned, made at the end) the last row and the last two SMTP rows. Those are all the rows
 * the built-in rules read or quote, so rules decide the same on them as on every row.
 */
const KEEP = { tlsRows: 8, startTls: 4, helo: 4, failedReplies: 16 };

/** Contexts of the information rows {@link SessionFacts} reads; every other `*` row is skipped unread. */
const INFORMATION_PREFIXES = ['TLS ', 'Sending certificate', 'Received certificate', 'Remote certificate', 'Certificate ', 'User Name: ', 'authenticated'];

/** A loop, not `some()` with an arrow: the arrow was a closure made for every information row. */
function startsWithAny(row: Row, prefixes: readonly string[]): boolean {
  for (let i = 0; i < prefixes.length; i++) if (row.contextStarts(prefixes[i]!)) return true;
  return false;
}

/** Answered-command queue entries: only two verbs change facts when answered. */
const PENDING_LIMIT = 64;

/**
 * Verbs of commands not answered yet, oldest first: a ring of {@link PENDING_LIMIT} slots (past that a command is
 * not queued). Sessions of a log set pass rings on through {@link FactsContext}: a queue made per session with
 * `[]` and push was 152 bytes of every session.
 */
class VerbQueue {
  readonly #slots = new Array<Verb>(PENDING_LIMIT).fill(Verb.OTHER);
  #head = 0;
  #size = 0;

  push(verb: Verb): void {
    if (this.#size === PENDING_LIMIT) return;
    this.#slots[(this.#head + this.#size++) % PENDING_LIMIT] = verb;
  }

  /** The oldest verb, taken out; undefined when none is waiting. */
  shift(): Verb | undefined {
    if (this.#size === 0) return undefined;
    const verb = this.#slots[this.#head]!;
    this.#head = (this.#head + 1) % PENDING_LIMIT;
    this.#size--;
    return verb;
  }

  clear(): void {
    this.#head = 0;
    this.#size = 0;
  }
}

/**
 * Builds the facts of one SMTP session row by row, in read order (what a reply means depends on the command
 * before it). Holds no row unless asked to, so memory per open session is small and fixed.
 */
export class SessionFacts {
  readonly #direction: Direction;
  readonly #keepAll: boolean;
  #rows = 0;
  /**
   * Kept rows made as records, by position among the kept rows; missing where the row's bytes are in {@link #lines}
   * instead. Made on the first record: a lazy session keeps every row as bytes, and needs no array of nothing.
   */
  #kept: LogRecord[] | null = null;
  readonly #keptOrdinals: number[] = [];
  readonly #lines: KeptLines | null;
  #lastRow: Pin | null = null;
  #lastSmtp: Pin | null = null;
  #prevSmtp: Pin | null = null;
  /** Rows of each kind seen so far, against the limits of {@link KEEP}: fields, not an object of counts per session. */
  #tlsRows = 0;
  #startTls = 0;
  #helos = 0;
  #mails = 0;
  #failedReplies = 0;

  /** connector, sessionId (first row), local and remote (first non-empty): kept rows reuse these strings. */
  readonly #shared: SharedFields = { connector: '', sessionId: '', local: '', remote: '' };
  #startMs = Infinity;
  #endMs = -Infinity;
  #startText: string | null = null;
  #endText: string | null = null;
  /** Latest time as a number (also for non-canonical but parseable times), for idle detection. */
  lastMs = NaN;

  /** Null until the first item (see {@link append}); handed on as they are, or as `[]`. */
  #names: string[] | null = null;
  #certificates: Certificate[] | null = null;
  #tlsErrors: string[] | null = null;
  #tls: TlsInfo | null = null;
  #advertised = false;
  #issued = false;
  #accepted = false;
  #mailAccepted = false;
  #recipientAccepted = false;
  #authIssued = false;
  #ehloAnswered = false;
  #quit = false;
  #authUser: string | null = null;
  #disconnect: string | null = null;
  /** Taken from the context at the first command, given back when the session is finished. */
  #pending: VerbQueue | null = null;
  #current: Certificate | null = null;
  /** STARTTLS seen and its answer not yet read (the go-ahead search of {@link goAheadIndex}). */
  #awaitingGoAhead = false;
  #goAhead = false;
  /** An SMTP command or reply followed the go-ahead: the handshake worked even if no row says so (Exchange 2010). */
  #continued = false;

  readonly #context: FactsContext;

  constructor(direction: Direction, keepAll: boolean, context: FactsContext = new FactsContext()) {
    this.#direction = direction;
    this.#keepAll = keepAll;
    this.#context = context;
    this.#lines = context.lazyRecords && !keepAll ? new KeptLines() : null;
  }

  get direction(): Direction {
    return this.#direction;
  }

  add(row: Row): void {
    const ordinal = this.#rows++;
    let keep = this.#keepAll || ordinal === 0;
    const shared = this.#shared;
    if (ordinal === 0) {
      shared.connector = row.connector();
      shared.sessionId = row.sessionId();
    }
    this.#time(row);
    if (shared.local === '') shared.local = row.local();
    if (shared.remote === '') shared.remote = row.remote();
    const event = row.event;
    let smtp = false;
    if (event === '-') {
      this.#disconnect = row.context();
      keep = true;
    } else if (event === '*') {
      if (this.#information(row)) keep = true;
    } else if (event === '<' || event === '>') {
      smtp = true;
      if (this.#goAhead && !this.#continued) {
        this.#continued = true;
        keep = true;
      }
      if ((isCommandEvent(event, this.#direction) ? this.#command(row) : this.#reply(row)) === true) keep = true;
    }
    if (keep) {
      const k = this.#keptOrdinals.length;
      this.#keptOrdinals.push(ordinal);
      const lines = this.#lines;
      // Every kept row is a record when there are no lines (keepAll included), so that array stays packed.
      if (lines === null || !row.keepLine(lines)) (this.#kept ??= [])[k] = row.record(shared);
    }
    if (this.#keepAll) return;
    this.#lastRow = row.pin(ordinal, this.#lastRow);
    if (smtp) {
      const recycled = this.#prevSmtp;
      this.#prevSmtp = this.#lastSmtp;
      this.#lastSmtp = row.pin(ordinal, recycled);
    }
  }

  #time(row: Row): void {
    const ms = row.ms;
    if (ms === ms) {
      if (ms < this.#startMs) this.#startMs = ms;
      if (ms > this.#endMs) this.#endMs = ms;
      if (!(ms <= this.lastMs)) this.lastMs = ms;
      return;
    }
    // Pasted excerpts carry placeholders or other forms: compared as text, as reports always did.
    const t = row.time();
    // No time at all: the reader took out a date-time that was none (it names the line); the other rows date the session.
    if (t === '') return;
    if (this.#startText === null || t < this.#startText) this.#startText = t;
    if (this.#endText === null || t > this.#endText) this.#endText = t;
    const parsed = isTimestamp(t) ? Date.parse(t) : NaN;
    if (parsed === parsed && !(parsed <= this.lastMs)) this.lastMs = parsed;
  }

  /** A `*` row: certificates, TLS result, AUTH user. Returns true when the row is worth keeping. */
  #information(row: Row): boolean {
    // Most information rows (`receiving message`, capabilities, certificate chains) say nothing facts use:
    // tell them apart on the bytes before making strings.
    if (!startsWithAny(row, INFORMATION_PREFIXES)) return false;
    // The compact certificate row (Exchange 2016/2019, one per TLS session) repeats the same bytes on every
    // session of a connector: recognised on the bytes, it costs neither its strings nor a parse.
    const compact = row.dataCode(0) === -1 ? null : compactCertificateRole(row);
    if (compact !== null) {
      this.#certificates = appendUpTo(this.#certificates, this.#context.compactCertificateOf(compact, row), MAX_PER_SESSION);
      this.#current = null;
      return false;
    }
    // The success row repeats one text per connector on every TLS session: a recent one, recognised on the bytes,
    // costs no string (a quoted 250-byte context, about 3 % of a scan's allocations).
    if (row.contextStarts('TLS protocol ')) {
      const ok = this.#context.recentTlsSuccess(row);
      if (ok !== null) {
        this.#tls = ok;
        return this.#tlsRows++ < KEEP.tlsRows;
      }
    }
    const context = row.context();
    const data = row.data();
    const keep = context.startsWith('TLS ') && this.#tlsRows++ < KEEP.tlsRows;
    const role = data === '' ? certificateRole(context) : null;
    if (role !== null && context === role) {
      this.#current = emptyCertificate(role);
      this.#certificates = appendUpTo(this.#certificates, this.#current, MAX_PER_SESSION);
      return keep;
    }
    if (context.startsWith('Certificate ')) {
      // KB excerpts sometimes omit the type row: a value row alone still describes a certificate.
      if (this.#current === null) {
        this.#current = emptyCertificate('Certificate');
        this.#certificates = appendUpTo(this.#certificates, this.#current, MAX_PER_SESSION);
      }
      applyCertificateRow(this.#current, context, data);
      return keep;
    }
    const ok = this.#context.tlsSuccess(context);
    if (ok) {
      this.#tls = ok;
      return keep;
    }
    const failed = parseTlsFailure(context);
    if (failed) {
      this.#tlsErrors = appendUpTo(this.#tlsErrors, failed, MAX_PER_SESSION);
      return keep;
    }
    // Failed logins log `User Name: <user>`; successful ones `<user>` in data with context `authenticated`.
    if (context.startsWith('User Name: ')) this.#authUser = context.slice(11).trim() || this.#authUser;
    else if (context === 'authenticated' && data !== '') this.#authUser = data;
    return keep;
  }

  #command(row: Row): boolean {
    const verb = row.verb();
    let keep = false;
    // X-ANONYMOUSTLS is Exchange-to-Exchange STARTTLS: its 220 starts the same handshake, which fails the same way.
    if (startsTlsVerb(verb)) {
      this.#issued = true;
      if (!this.#goAhead) this.#awaitingGoAhead = true;
      keep = this.#startTls++ < KEEP.startTls;
    } else if (verb === Verb.QUIT) {
      this.#quit = true;
    } else if (this.#direction === 'receive' && (verb === Verb.EHLO || verb === Verb.HELO)) {
      const name = heloName(row.data());
      const names = this.#names;
      // Bounded: a hostile client sending 100,000 different EHLO names must not make this quadratic.
      if (name !== null && (names === null || (names.length < MAX_REMOTE_NAMES && !names.includes(name)))) this.#names = append(names, name);
      keep = this.#helos++ < KEEP.helo;
    } else if (verb === Verb.MAIL) {
      keep = this.#mails++ === 0;
    } else if (verb === Verb.AUTH) {
      this.#authIssued = true;
    }
    // Pipelined commands (MAIL, RCPT, DATA in one go) are answered in order: keep them in a queue.
    (this.#pending ??= this.#context.takeQueue()).push(verb);
    return keep;
  }

  #reply(row: Row): boolean {
    let keep = false;
    const go = row.dataStarts('220');
    if (this.#awaitingGoAhead) {
      keep = true;
      this.#awaitingGoAhead = false;
      if (go) this.#goAhead = true;
    }
    const c0 = row.dataCode(0);
    if ((c0 === 52 || c0 === 53) && this.#failedReplies++ < KEEP.failedReplies) keep = true;
    if (go && this.#direction === 'send' && this.#names === null && !this.#issued) {
      const host = bannerHost(row.data());
      if (host !== null) this.#names = append(this.#names, host);
    }
    if (!this.#advertised && row.dataStarts('250') && row.dataAdvertisesStartTls()) this.#advertised = true;
    if (row.dataStarts('221')) this.#quit = true;
    // `250-…` continuation lines of a multi-line reply do not finish the reply.
    if (row.dataCode(3) === 45) return keep;
    const answered = this.#pending?.shift();
    if (answered !== undefined && startsTlsVerb(answered) && go) this.#accepted = true;
    else if (answered === Verb.MAIL && row.dataStarts('250')) this.#mailAccepted = true;
    else if (answered === Verb.RCPT && (row.dataStarts('250') || row.dataStarts('251'))) this.#recipientAccepted = true;
    else if (answered === Verb.EHLO && row.dataStarts('250')) {
      // The first extension list without STARTTLS is the evidence of starttls-not-offered; where STARTTLS is
      // offered (most sessions) nothing more is kept, and a client repeating EHLO adds no row.
      if (!this.#ehloAnswered && !this.#advertised && this.#direction === 'receive') keep = true;
      this.#ehloAnswered = true;
    }
    return keep;
  }

  /** How rows are handed on, made when a row is first asked for (after the session ended; most never are). */
  #plan: RowPlan | null = null;

  #makePlan(): RowPlan {
    const ordinals = this.#keptOrdinals;
    const pins: Pin[] = [];
    if (!this.#keepAll) {
      addPin(pins, this.#prevSmtp, ordinals);
      addPin(pins, this.#lastSmtp, ordinals);
      addPin(pins, this.#lastRow, ordinals);
    }
    // At most three pins: an insertion sort, because Array#sort allocates its work state on every call.
    for (let i = 1; i < pins.length; i++) {
      for (let j = i; j > 0 && pins[j - 1]!.ordinal > pins[j]!.ordinal; j--) {
        const t = pins[j]!;
        pins[j] = pins[j - 1]!;
        pins[j - 1] = t;
      }
    }
    const order: number[] = [];
    let k = 0;
    for (let p = 0; p < pins.length; p++) {
      while (k < ordinals.length && ordinals[k]! < pins[p]!.ordinal) order.push(k++);
      order.push(-1 - p);
    }
    while (k < ordinals.length) order.push(k++);
    const kept = this.#kept;
    const lineOf = new Array<number>(ordinals.length);
    let next = 0;
    for (let i = 0; i < ordinals.length; i++) lineOf[i] = kept?.[i] === undefined ? next++ : -1;
    return { order, pins, lineOf, made: [] };
  }

  /** How many rows the session hands on (see {@link records}). */
  rowCount(): number {
    return this.#rowPlan().order.length;
  }

  #rowPlan(): RowPlan {
    return (this.#plan ??= this.#makePlan());
  }

  /**
   * Row `i` of {@link records}, made on first use: a rule that quotes the first matching row (the TLS 1.0 line of
   * a legacy session) makes the rows up to it, not all of them. On a log where most sessions are findings, making
   * every kept row of every one was a fifth of the run.
   */
  rowAt(i: number): LogRecord {
    const plan = this.#rowPlan();
    const made = plan.made[i];
    if (made !== undefined) return made;
    const p = plan.order[i]!;
    let row: LogRecord;
    if (p < 0) row = plan.pins[-1 - p]!.record(this.#shared);
    else row = this.#kept?.[p] ?? this.#lines!.record(plan.lineOf[p]!, this.#context.scratchView(), this.#shared);
    plan.made[i] = row;
    return row;
  }

  /**
   * False when row `i` surely fails `peek`, read on the bytes of a row not made yet (no strings): a search can then
   * pass over it without making it. True when it may pass, or is a record already (the caller's full test decides).
   */
  rowMayMatch(i: number, peek: RowPeek): boolean {
    const plan = this.#rowPlan();
    if (plan.made[i] !== undefined) return true;
    const p = plan.order[i]!;
    if (p < 0) {
      const pin = plan.pins[-1 - p]!;
      return pin.view === undefined || peek.test(pin.view());
    }
    if (this.#kept?.[p] !== undefined) return true;
    const lines = this.#lines!;
    const at = plan.lineOf[p]!;
    return lines.includes(at, peek.needle) && peek.test(lines.view(at, this.#context.scratchView()));
  }

  /**
   * The rows to hand on: every row, or the kept ones with the pinned last rows merged in by position. Rows kept
   * as bytes become records here (or in {@link rowAt}), so a lazy session pays for its records only when asked.
   */
  records(): LogRecord[] {
    if (this.#keepAll) return (this.#kept ??= []);
    const n = this.rowCount();
    const out = new Array<LogRecord>(n);
    for (let i = 0; i < n; i++) out[i] = this.rowAt(i);
    return out;
  }

  /** The session was reported and nothing reads its rows again: the reader need not copy them (lazy rows only). */
  release(): void {
    this.#lines?.release();
    this.#lastRow?.release?.();
    this.#lastSmtp?.release?.();
    this.#prevSmtp?.release?.();
  }

  finish(meta: SessionMeta): Session {
    // Nothing reads the queue once the session ends (rows made later do not): the next session can have it.
    if (this.#pending !== null) this.#context.giveQueue(this.#pending);
    this.#pending = null;
    let tls = this.#tls;
    // Exchange 2010 writes no `TLS protocol` row: a go-ahead followed by more SMTP means TLS of unknown version.
    if (tls === null && this.#accepted && this.#tlsErrors === null && this.#continued) {
      tls = { version: 'unknown', protocol: null, cipher: null, cipherStrength: null, hash: null, keyExchange: null };
    }
    return {
      key: meta.key,
      origin: meta.origin,
      sessionId: this.#shared.sessionId,
      direction: this.#direction,
      server: serverName(serverFromConnector(this.#shared.connector) ?? meta.serverHint),
      connector: this.#shared.connector,
      local: parseEndpoint(this.#shared.local),
      remote: parseEndpoint(this.#shared.remote),
      remoteNames: this.#names ?? [],
      starttlsAdvertised: this.#advertised,
      starttlsIssued: this.#issued,
      starttlsAccepted: this.#accepted,
      tls,
      tlsErrors: this.#tlsErrors ?? [],
      certificates: this.#certificates ?? [],
      mailAccepted: this.#mailAccepted,
      recipientAccepted: this.#recipientAccepted,
      mailIssued: this.#mails > 0,
      authIssued: this.#authIssued,
      ehloAnswered: this.#ehloAnswered,
      quit: this.#quit,
      authUser: this.#authUser,
      disconnect: this.#disconnect,
      start: earliest(this.#startMs, this.#startText, this.#context.iso),
      end: latest(this.#endMs, this.#endText, this.#context.iso),
      complete: meta.complete,
      endReason: meta.endReason,
      rows: this.#rows,
      failedReplies: this.#failedReplies,
      records: this.#lines === null ? this.records() : lazyRecords(this),
    };
  }
}

/** The rows a session hands on, in order (see {@link SessionFacts.rowAt}). */
interface RowPlan {
  /** `k >= 0` is kept row `k`, `-1 - p` is pin `p` of `pins` (the pinned last rows not kept anyway), by position. */
  order: number[];
  pins: Pin[];
  /** For each kept row, its index in the session's kept lines, or -1 where it was kept as a record. */
  lineOf: number[];
  /** Rows already made, by position: a rule that searched the first rows leaves them for the next. */
  made: (LogRecord | undefined)[];
}

/** Adds a pinned row to `pins` unless it is kept anyway or pinned twice (the last row is often the last SMTP one). */
function addPin(pins: Pin[], pin: Pin | null, ordinals: readonly number[]): void {
  if (pin === null || ordinals.includes(pin.ordinal)) return;
  for (let i = 0; i < pins.length; i++) if (pins[i]!.ordinal === pin.ordinal) return;
  pins.push(pin);
}

/**
 * What the sessions of one log set share: a cache of parsed certificates (every session of a connector shows
 * the same one). One per {@link SessionAssembler}; never global.
 */
export class FactsContext {
  /**
   * Sessions hand on their rows lazily (see {@link recordsOf}). Only for sessions that stay inside the library:
   * built-in rules, no `onSession` callback.
   */
  readonly lazyRecords: boolean;
  #scratch: RowView | null = null;
  readonly #certificates = new BoundedCache<Certificate>(256);
  /** The last few compact certificates met, matched on the row's bytes before any string is made. */
  readonly #recent = new RecentItems<RecentCertificate>(RECENT);

  readonly #tls = new BoundedCache<TlsInfo | null>(64);
  /** The last few success texts met (see {@link recentTlsSuccess}). */
  readonly #recentTls = new RecentItems<RecentTls>(RECENT);
  /** For the session start and end times (see {@link isoTime}). */
  readonly iso: IsoCache = newIsoCache();

  constructor(options: { lazyRecords?: boolean } = {}) {
    this.lazyRecords = options.lazyRecords === true;
  }

  /** Queues of finished sessions (see {@link VerbQueue}); at most as many as sessions were open at once. */
  readonly #queues: VerbQueue[] = [];

  takeQueue(): VerbQueue {
    return this.#queues.pop() ?? new VerbQueue();
  }

  giveQueue(queue: VerbQueue): void {
    queue.clear();
    this.#queues.push(queue);
  }

  /** A view for making records of kept bytes (synchronously, so one per assembler is enough). */
  scratchView(): RowView {
    return (this.#scratch ??= new RowView());
  }

  /**
   * The certificate of a compact certificate row, a fresh copy each time (no two sessions share a mutable
   * object). Found among the recent ones on the row's bytes, so the usual row costs no string.
   */
  compactCertificateOf(role: string, row: Row): Certificate {
    for (const r of this.#recent.items) if (r.role === role && row.dataIs(r.data)) return copyCertificate(r.cert);
    const data = row.data();
    // Real rows are a few hundred bytes; a hostile 1 MiB one is parsed and forgotten, so no cache holds it.
    if (data.length > MAX_CACHED_CERTIFICATE) return parseCompactCertificate(role, data);
    const entry: RecentCertificate = { role, data, cert: this.#certificates.get(`${role}\u0000${data}`, () => parseCompactCertificate(role, data)) };
    // A stream of distinct certificates (hostile or not) costs RECENT byte comparisons per row.
    this.#recent.add(entry);
    return copyCertificate(entry.cert);
  }

  /** {@link parseTlsSuccess}, parsed once per distinct text (every session of a connector logs the same one). */
  tlsSuccess(context: string): TlsInfo | null {
    if (!context.startsWith('TLS protocol ')) return null;
    if (context.length > MAX_CACHED_TLS) {
      const info = parseTlsSuccess(context);
      return info === null ? null : { ...info };
    }
    const info = this.#tls.get(context, parseTlsSuccess);
    if (info === null) return null;
    this.#recentTls.add({ context, info });
    return { ...info };
  }

  /**
   * {@link tlsSuccess} of a row whose context is a success text met lately, compared on the row's bytes; null when
   * it is none of them (the caller then makes the text and asks {@link tlsSuccess}). A fresh copy each time.
   */
  recentTlsSuccess(row: Row): TlsInfo | null {
    for (const r of this.#recentTls.items) if (row.contextIs(r.context)) return { ...r.info };
    return null;
  }
}

interface RecentTls {
  context: string;
  info: TlsInfo;
}

interface RecentCertificate {
  role: string;
  data: string;
  cert: Certificate;
}

/** Recent compact certificates per log set: a server presents one per connector, a few more in a migration. */
const RECENT = 8;

/** Longest certificate data cached (and compared on each row): a subject, an issuer, dates and some names. */
const MAX_CACHED_CERTIFICATE = 4096;

/** Success rows repeat a few texts (protocol and cipher suite); longer ones are parsed each time, not kept. */
const MAX_CACHED_TLS = 512;

function copyCertificate(cert: Certificate): Certificate {
  return { ...cert, alternateNames: [...cert.alternateNames] };
}

/** {@link certificateRole} of a row's context, asked on its bytes (no string made). */
function certificateRoleOfRow(row: Row): string | null {
  for (let i = 0; i < CERT_ROLES.length; i++) if (row.contextStarts(CERT_ROLES[i]!)) return CERT_ROLES[i]!;
  return null;
}

/**
 * The certificate role of a compact certificate row (`Sending certificate Subject Issuer name …` with the values
 * in data; the caller checked that data is not empty), or null. A context of the role and at most eight more
 * characters is not one: that is the multi-row style's type row.
 */
function compactCertificateRole(row: Row): string | null {
  const role = certificateRoleOfRow(row);
  if (role === null) return null;
  const min = role.length + 8;
  // Bytes on the fast path: UTF-8 has 1 to 3 bytes per UTF-16 code unit, so only a length near the bound needs the text.
  const length = row.contextLength();
  if (length > 3 * min) return role;
  return length > min && row.context().length > min ? role : null;
}

/** Marks the stand-in `records` array of a lazy session with the facts that can make the real one. */
const ROWS_OF = Symbol('logscan.rowsOf');

type LazyRecords = LogRecord[] & { [ROWS_OF]?: SessionFacts };

function lazyRecords(facts: SessionFacts): LogRecord[] {
  const stand: LazyRecords = [];
  stand[ROWS_OF] = facts;
  return stand;
}

/** The facts behind a lazy session's stand-in `records`; undefined once the rows are made, or for any other session. */
function lazyFactsOf(session: Session): SessionFacts | undefined {
  return (session.records as LazyRecords)[ROWS_OF];
}

/** The number of rows {@link recordsOf} gives, without making them. */
export function rowCountOf(session: Session): number {
  const facts = lazyFactsOf(session);
  return facts === undefined ? session.records.length : facts.rowCount();
}

/**
 * Tells a lazy session that nothing will read its rows again, so rows still held by their position in the
 * reader's buffer are not copied when the buffer is reused. Reading them afterwards gives wrong rows.
 */
export function releaseRows(session: Session): void {
  lazyFactsOf(session)?.release();
}

/** Row `i` of {@link recordsOf}, made alone on a lazy session: for searches that stop at the first match. */
export function rowOf(session: Session, i: number): LogRecord {
  const facts = lazyFactsOf(session);
  return facts === undefined ? session.records[i]! : facts.rowAt(i);
}

/** {@link SessionFacts.rowMayMatch} for row `i` of a lazy session; true for any other session. */
export function rowMayMatch(session: Session, i: number, peek: RowPeek): boolean {
  const facts = lazyFactsOf(session);
  return facts === undefined || facts.rowMayMatch(i, peek);
}

/**
 * A session's rows. Read rows through this, not `session.records`, in code that may see a lazy session (the
 * built-in rules and classification): such a session's `records` is an empty stand-in until this makes the
 * rows, once. Lazy sessions are made only for scans with the built-in rules and no `onSession` callback, so no
 * caller outside the library ever holds one.
 */
export function recordsOf(session: Session): LogRecord[] {
  const facts = lazyFactsOf(session);
  if (facts === undefined) return session.records;
  return (session.records = facts.records());
}

function earliest(ms: number, text: string | null, cache: IsoCache): string {
  const iso = ms === Infinity ? null : isoTime(ms, cache);
  if (iso === null) return text ?? '';
  return text === null || iso < text ? iso : text;
}

function latest(ms: number, text: string | null, cache: IsoCache): string {
  const iso = ms === -Infinity ? null : isoTime(ms, cache);
  if (iso === null) return text ?? '';
  return text === null || iso > text ? iso : text;
}

/** A log time rather than a placeholder of a pasted excerpt (`Date/Time.ConnectorId`): it starts with a digit. */
export function isTimestamp(time: string): boolean {
  const c = time.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Derives the facts of one SMTP session from all its rows. Pure: the same rows give the same session. */
export function summarizeSession(records: LogRecord[], meta: SessionMeta): Session {
  const facts = new SessionFacts(meta.direction, true);
  const row = new RecordRow();
  for (const r of records) facts.add(row.set(r));
  const session = facts.finish(meta);
  session.records = records;
  return session;
}

/** `STARTTLS` or `X-ANONYMOUSTLS`: a command whose `220` starts a TLS handshake. */
export function startsTls(command: string): boolean {
  return startsTlsVerb(verbOf(command));
}

/** Index of the `220` reply that answered STARTTLS (or X-ANONYMOUSTLS), or -1. */
export function goAheadIndex(records: readonly LogRecord[], direction: Direction): number {
  let sawStartTls = false;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (isCommandEvent(r.event, direction) && startsTls(r.data)) sawStartTls = true;
    else if (sawStartTls && isReplyEvent(r.event, direction)) {
      if (r.data.startsWith('220')) return i;
      sawStartTls = false;
    }
  }
  return -1;
}
