import type { Direction, LogRecord, Session, SessionEnd } from '../types.js';
import { inferDirection } from '../read/detect.js';
import { summarizeSession } from './facts.js';

export interface SessionOptions {
  /** Sessions held open at once; past this the oldest is handed on as incomplete (`cap`). Default 20,000. */
  maxOpenSessions?: number;
  /**
   * A session with no row for this long (log time, not wall-clock time) is handed on as incomplete (`idle`).
   * Default 15 minutes: longer than Exchange's default connection timeouts, so live sessions are not cut.
   */
  idleTimeoutMs?: number;
}

export interface OriginInfo {
  /** Identifies one log set (server folder + direction, or a stream name); sessions never cross origins. */
  origin: string;
  /** From the header; null = decide per session from its rows. */
  direction: Direction | null;
  serverHint: string | null;
}

interface OpenSession {
  key: string;
  records: LogRecord[];
  last: string;
}

const DEFAULT_CAP = 20_000;
const DEFAULT_IDLE_MS = 15 * 60_000;
const SWEEP_EVERY = 8192;

/**
 * Rebuilds SMTP sessions from interleaved rows of one origin. Feed the origin's files in order (rotation keeps
 * a session's rows in the next file); only open sessions are held, so memory follows concurrency, not input size.
 */
export class SessionAssembler {
  readonly #info: OriginInfo;
  readonly #cap: number;
  readonly #idleMs: number;
  readonly #open = new Map<string, OpenSession>();
  /** How often a session id was reused in this origin, so each use gets its own key. */
  readonly #reuse = new Map<string, number>();
  #clock = '';
  #sinceSweep = 0;
  #direction: Direction | null;

  constructor(info: OriginInfo, options: SessionOptions = {}) {
    this.#info = info;
    this.#direction = info.direction;
    this.#cap = Math.max(1, options.maxOpenSessions ?? DEFAULT_CAP);
    this.#idleMs = Math.max(0, options.idleTimeoutMs ?? DEFAULT_IDLE_MS);
  }

  get openSessions(): number {
    return this.#open.size;
  }

  /** The direction for the files that follow (a new file of the same origin may carry a header). */
  setDirection(direction: Direction | null): void {
    if (direction !== null) this.#direction = direction;
  }

  /** Adds a batch of rows and returns the sessions that ended. */
  add(batch: readonly LogRecord[]): Session[] {
    const done: Session[] = [];
    for (const r of batch) {
      let s = this.#open.get(r.sessionId);
      if (s === undefined) {
        s = { key: this.#newKey(r.sessionId), records: [], last: r.time };
        this.#open.set(r.sessionId, s);
        if (this.#open.size > this.#cap) this.#evictOldest(done);
      }
      s.records.push(r);
      if (r.time > s.last) s.last = r.time;
      if (r.time > this.#clock && isTimestamp(r.time)) this.#clock = r.time;
      if (r.event === '-') {
        this.#open.delete(r.sessionId);
        done.push(this.#finish(s, 'disconnect'));
      }
    }
    this.#sinceSweep += batch.length;
    if (this.#sinceSweep >= SWEEP_EVERY) {
      this.#sinceSweep = 0;
      this.#sweepIdle(done);
    }
    return done;
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
    // Bounded: the reuse map only matters for ids seen twice; forget it when it grows past the cap.
    if (this.#reuse.size > this.#cap * 4) this.#reuse.clear();
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
    if (this.#idleMs === 0 || this.#clock === '') return;
    const now = Date.parse(this.#clock);
    if (Number.isNaN(now)) return;
    for (const [id, s] of this.#open) {
      const last = Date.parse(s.last);
      if (!Number.isNaN(last) && now - last > this.#idleMs) {
        this.#open.delete(id);
        done.push(this.#finish(s, 'idle'));
      }
    }
  }

  #finish(s: OpenSession, endReason: SessionEnd): Session {
    const direction = this.#direction ?? inferDirection(s.records) ?? guessDirection(s.records);
    return summarizeSession(s.records, {
      key: s.key,
      origin: this.#info.origin,
      direction,
      serverHint: this.#info.serverHint,
      complete: endReason === 'disconnect',
      endReason,
    });
  }
}

/** Last resort when neither header nor rows decide: a receive connector id names its server. */
function guessDirection(records: readonly LogRecord[]): Direction {
  return records[0]!.connector.includes('\\') ? 'receive' : 'send';
}

/** A log time rather than a placeholder of a pasted excerpt (`Date/Time.ConnectorId`): it starts with a digit. */
export function isTimestamp(time: string): boolean {
  const c = time.charCodeAt(0);
  return c >= 48 && c <= 57;
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
