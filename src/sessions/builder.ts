import { checkCount, checkNumberAtLeast } from '../option-error.js';
import type { Direction, LogRecord, Session, SessionEnd } from '../types.js';
import { inferDirection } from '../read/detect.js';
import { FactsContext, SessionFacts, isTimestamp, type SessionMeta } from './facts.js';
import { RecordRow, type Row } from './row.js';

export { isTimestamp };

export interface SessionOptions {
  /** Sessions held open at once; past this the oldest is handed on as incomplete (`cap`). Default 20,000. */
  maxOpenSessions?: number | undefined;
  /**
   * A session with no row for this long (log time, not wall-clock time) is handed on as incomplete (`idle`).
   * Default 15 minutes: longer than Exchange's default connection timeouts, so live sessions are not cut.
   */
  idleTimeoutMs?: number | undefined;
  /**
   * Which rows a session hands on in `records`. `evidence` (default): the rows the built-in rules read and quote,
   * so memory and time do not depend on how chatty a session is. `all`: every row, for rules that need them.
   */
  keepRows?: 'evidence' | 'all' | undefined;
}

export interface OriginInfo {
  /** Identifies one log set (server folder + direction, or a stream name); sessions never cross origins. */
  origin: string;
  /** From the header; null = decide per session from its rows. */
  direction: Direction | null;
  serverHint: string | null;
}

interface OpenSession {
  /** The session id as logged (the key of the open map). */
  id: string;
  /** False once handed on: a slot of the id cache may still point at it. */
  open: boolean;
  key: string;
  /** Null while the direction is unknown: then the rows are held and replayed once it is decided. */
  facts: SessionFacts | null;
  held: LogRecord[] | null;
  lastMs: number;
  /** A `+` (connect) row was read: a second one with this id is another connection. */
  connected: boolean;
}

const DEFAULT_CAP = 20_000;
const DEFAULT_IDLE_MS = 15 * 60_000;
const SWEEP_EVERY = 8192;
/**
 * Slots of the id cache (a power of two). Rows find their open session through the hash of the id's bytes and a
 * byte comparison, so the id's string is made once per session instead of once per row; a miss falls back to
 * the map. Collisions only cost that fallback.
 */
const ID_SLOTS = 1 << 12;

/**
 * Rebuilds SMTP sessions from interleaved rows of one origin. Feed the origin's files in order (rotation keeps
 * a session's rows in the next file); only open sessions are held, each as a fixed set of facts and a few rows,
 * so memory follows concurrency, not input size.
 */
export class SessionAssembler {
  readonly #info: OriginInfo;
  readonly #cap: number;
  readonly #idleMs: number;
  readonly #keepAll: boolean;
  readonly #open = new Map<string, OpenSession>();
  readonly #slots: (OpenSession | undefined)[] = new Array<OpenSession | undefined>(ID_SLOTS).fill(undefined);
  /** How often a session id was reused in this origin, so each use gets its own key. */
  readonly #reuse = new Map<string, number>();
  readonly #recordRow = new RecordRow();
  readonly #context: FactsContext;
  #clock = NaN;
  #sinceSweep = 0;
  #direction: Direction | null;

  /**
   * `internal.lazyRecords` is for scan() only: sessions then carry their rows lazily (see `recordsOf`), which
   * only the built-in rules know how to read.
   * @param internal @internal logscan's own reader's; may change in any release.
   */
  constructor(info: OriginInfo, given: SessionOptions = {}, internal: { lazyRecords?: boolean } = {}) {
    // Null is not given, as in scan()'s options.
    const options = given ?? {};
    this.#info = info;
    this.#context = new FactsContext({ lazyRecords: internal.lazyRecords });
    this.#direction = info.direction;
    checkCount('SessionAssembler', 'maxOpenSessions', options.maxOpenSessions, 1);
    checkNumberAtLeast('SessionAssembler', 'idleTimeoutMs', options.idleTimeoutMs, 0);
    this.#cap = options.maxOpenSessions ?? DEFAULT_CAP;
    this.#idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS;
    this.#keepAll = options.keepRows === 'all';
  }

  /** @internal Sessions open now (logscan's progress and tests); may change in any release. */
  get openSessions(): number {
    return this.#open.size;
  }

  /** @internal The direction for the files that follow (a new file of the same origin may carry a header). */
  setDirection(direction: Direction | null): void {
    if (direction !== null) this.#direction = direction;
  }

  /** Adds a batch of rows and returns the sessions that ended. */
  add(batch: readonly LogRecord[]): Session[] {
    const done: Session[] = [];
    for (const r of batch) this.addRow(this.#recordRow.set(r), done);
    return done;
  }

  /**
   * @internal Adds one row of logscan's reader; ended sessions are appended to `done`. The row is read during the
   * call only (the reader's view is reused for the next row), so nothing here may keep it except through
   * `record()` or `pin()`.
   */
  addRow(row: Row, done: Session[]): void {
    const slot = row.sessionIdHash() & (ID_SLOTS - 1);
    let s = this.#slots[slot];
    if (s === undefined || !s.open || !row.sessionIdIs(s.id)) s = this.#lookup(row, slot, done);
    if (row.event === '+') {
      // A connect row for an id that is open and connected already: the id was used again (logs of a restarted
      // service joined, or a stranger's log) while the first connection logged no end. Two connections from two
      // hosts are two sessions; merged, the second host's findings were charged to the first.
      if (s.connected) {
        this.#open.delete(s.id);
        done.push(this.#finish(s, 'reconnect'));
        s = this.#lookup(row, slot, done);
      }
      s.connected = true;
    }
    let ms: number;
    // This row's own time where it has a canonical one: the session's latest (`lastMs`) would keep the clock on
    // one row dated 2099 for every later row of that session, and a sweep then ended every open session as idle.
    let rowMs: number;
    if (s.facts !== null) {
      s.facts.add(row);
      ms = s.facts.lastMs;
      rowMs = row.ms;
      if (rowMs !== rowMs) rowMs = ms;
    } else {
      const r = row.record();
      s.held!.push(r);
      ms = isTimestamp(r.time) ? Date.parse(r.time) : NaN;
      rowMs = ms;
    }
    if (!(ms <= s.lastMs)) s.lastMs = ms;
    // The latest row's time, not the latest time seen: after logs joined out of order (two servers' logs one
    // after the other) the clock follows the rows, and the sessions being read are not taken for idle ones.
    if (rowMs === rowMs) this.#clock = rowMs;
    if (row.event === '-') {
      this.#open.delete(s.id);
      done.push(this.#finish(s, 'disconnect'));
    }
    if (++this.#sinceSweep >= SWEEP_EVERY) {
      this.#sinceSweep = 0;
      this.#sweepIdle(done);
    }
  }

  /** The open session of the row's id through the map, or a new one; either way it takes the slot. */
  #lookup(row: Row, slot: number, done: Session[]): OpenSession {
    const id = row.sessionId();
    let s = this.#open.get(id);
    if (s === undefined) {
      const direction = this.#direction;
      s = {
        id,
        open: true,
        key: this.#newKey(id),
        facts: direction === null ? null : new SessionFacts(direction, this.#keepAll, this.#context),
        held: direction === null ? [] : null,
        lastMs: NaN,
        connected: false,
      };
      this.#open.set(id, s);
      if (this.#open.size > this.#cap) this.#evictOldest(done);
    }
    this.#slots[slot] = s;
    return s;
  }

  /** End of input: everything still open is handed on as incomplete. */
  end(): Session[] {
    const done: Session[] = [];
    for (const s of this.#open.values()) done.push(this.#finish(s, 'end-of-input'));
    this.#open.clear();
    return done;
  }

  #newKey(sessionId: string): string {
    const n = this.#reuse.get(sessionId) ?? 0;
    this.#reuse.set(sessionId, n + 1);
    // Bounded: the reuse map only matters for ids seen twice; forget it when it grows past the open-session cap.
    if (this.#reuse.size > this.#cap) this.#reuse.clear();
    return n === 0 ? `${this.#info.origin}|${sessionId}` : `${this.#info.origin}|${sessionId}#${n}`;
  }

  #evictOldest(done: Session[]): void {
    // Map iteration order is insertion order: the first entry is the session that started earliest.
    const oldest = this.#open.entries().next();
    if (oldest.done) return;
    const [id, s] = oldest.value;
    this.#open.delete(id);
    done.push(this.#finish(s, 'cap'));
  }

  #sweepIdle(done: Session[]): void {
    if (this.#idleMs === 0 || Number.isNaN(this.#clock)) return;
    const now = this.#clock;
    // values(), not entries(): every sweep visits every open session, and an [id, session] pair each is garbage.
    for (const s of this.#open.values()) {
      if (now - s.lastMs > this.#idleMs) {
        this.#open.delete(s.id);
        done.push(this.#finish(s, 'idle'));
      }
    }
  }

  #finish(s: OpenSession, endReason: SessionEnd): Session {
    const { facts: built, held } = s;
    // A slot of the id cache may keep the entry until another session takes it: it must not keep the facts.
    s.open = false;
    s.facts = null;
    s.held = null;
    if (built !== null) return built.finish(this.#meta(s, built.direction, endReason));
    // The direction is known now: replay the held rows through the same facts as any other session.
    const records = held!;
    const direction = this.#direction ?? inferDirection(records) ?? guessDirection(records);
    const facts = new SessionFacts(direction, this.#keepAll, this.#context);
    // Not #recordRow: a cap eviction finishes a session in the middle of add(), while that row is being read.
    const row = new RecordRow();
    for (const r of records) facts.add(row.set(r));
    return facts.finish(this.#meta(s, direction, endReason));
  }

  /** One object per session, made whole (a spread of a partial one made two). */
  #meta(s: OpenSession, direction: Direction, endReason: SessionEnd): SessionMeta {
    const info = this.#info;
    return { key: s.key, origin: info.origin, direction, serverHint: info.serverHint, complete: endReason === 'disconnect', endReason };
  }
}

/** Last resort when neither header nor rows decide: a receive connector id names its server. */
function guessDirection(records: readonly LogRecord[]): Direction {
  return records[0]!.connector.includes('\\') ? 'receive' : 'send';
}

/** Collects sessions from an async stream of row batches (for library users who want the building blocks). */
export async function* assembleSessions(
  batches: AsyncIterable<readonly LogRecord[]>,
  info: OriginInfo,
  options?: SessionOptions,
): AsyncIterable<Session> {
  const assembler = new SessionAssembler(info, options);
  for await (const batch of batches) yield* assembler.add(batch);
  yield* assembler.end();
}
