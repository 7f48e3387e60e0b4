/**
 * Public types shared by every stage of the pipeline (read → sessions → classify → report → output).
 * Everything a library user sees is declared here, so one file documents the contract.
 */

/** Protocol-log event codes. `''` never reaches a record: damaged `*` events are repaired by the reader. */
export type EventCode = '+' | '-' | '>' | '<' | '*';

/** Seen from the Exchange server that wrote the log. */
export type Direction = 'send' | 'receive';

/** What an input turned out to be, detected from its content. */
export type InputKind =
  | 'smtp-receive'
  | 'smtp-send'
  | 'queue-csv'
  | 'message-csv'
  | 'queue-list'
  | 'message-list'
  | 'queue-viewer'
  | 'message-tracking'
  | 'unknown';

/** Where a piece of evidence (or a record) came from. `line` is 1-based, counted in physical lines. */
export interface Location {
  source: string;
  line: number;
}

/** One row of an SMTP protocol log, fields named after `#Fields`. */
export interface LogRecord extends Location {
  /** `date-time` exactly as written (normally `yyyy-MM-ddTHH:mm:ss.fffZ`); may be a placeholder in pasted excerpts. */
  time: string;
  connector: string;
  sessionId: string;
  /** `sequence-number`; `-1` when the field is not a number. */
  sequence: number;
  local: string;
  remote: string;
  event: EventCode;
  data: string;
  context: string;
}

/** Why a physical line did not become a record. */
export type SkipReason =
  | 'blank'
  | 'header'
  | 'malformed-row'
  | 'unclosed-quote'
  | 'line-too-long'
  | 'not-a-protocol-row'
  | 'truncated-last-line'
  | 'refused-input'
  | 'binary'
  | 'queue-continuation';

/** A problem worth telling the user about, pinned to a line where it has one (`line: 0` = the whole input). */
export interface Problem {
  line: number;
  reason: string;
  message: string;
}

/** Per-input accounting: `lines === records + sum(skipped)` always holds. */
export interface InputStats {
  source: string;
  kind: InputKind;
  bytes: number;
  lines: number;
  records: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** First few problems (bounded), with line numbers. */
  problems: Problem[];
  /** A fatal error that stopped this input (unreadable, refused, corrupt gzip ...). */
  error: string | null;
  /**
   * Why a file found in a folder or by a pattern was passed over without being read: it is another kind of file
   * (a message-tracking or other Exchange log, an empty, binary or unrecognised file). Not an error: pointing
   * logscan at a whole `Logs` folder is meant to work. A file named on its own gets `error` instead.
   */
  ignored: string | null;
  /** `#Date` header of a protocol log, when present. */
  headerDate: string | null;
  /** Earliest and latest record time seen in this input. */
  from: string | null;
  to: string | null;
}

export interface Endpoint {
  /** The address without brackets or `%scope`, or the raw text when it is masked (`x.x.x.x`). */
  ip: string;
  port: number | null;
  /** The field as written. */
  raw: string;
}

/** TLS versions as the report names them. `SSL3` also stands for anything older (SSL 2, PCT 1). */
export type TlsVersion = 'TLS1.0' | 'TLS1.1' | 'TLS1.2' | 'TLS1.3' | 'SSL3' | 'none' | 'unknown';

export interface TlsInfo {
  version: TlsVersion;
  /** The protocol name as logged, e.g. `SP_PROT_TLS1_2_SERVER`, or `null` when TLS was inferred (Exchange 2010). */
  protocol: string | null;
  cipher: string | null;
  cipherStrength: number | null;
  hash: string | null;
  keyExchange: string | null;
}

export interface Certificate {
  /** `Sending certificate`, `Received certificate`, `Remote certificate`. */
  role: string;
  subject: string | null;
  issuer: string | null;
  serial: string | null;
  thumbprint: string | null;
  notBefore: string | null;
  notAfter: string | null;
  alternateNames: string[];
}

/** A row that matters, kept with its location so a report can quote it. */
export interface Evidence extends Location {
  sessionId: string;
  time: string;
  text: string;
}

/** Why a session was handed on. Anything but `disconnect` means the session is incomplete. */
/**
 * Why a session was handed on: its disconnect row (`disconnect`, the only complete one), silence past the idle
 * timeout (`idle`), the open-session cap (`cap`), the end of the input (`end-of-input`), or a connect row for its id
 * while it was open (`reconnect`: the id was used again before this connection logged its end).
 */
export type SessionEnd = 'disconnect' | 'idle' | 'cap' | 'end-of-input' | 'reconnect';

export interface Session {
  /** Unique within a run: origin + session id (+ a counter when the id is reused after a disconnect). */
  key: string;
  /** The log set the rows came from (folder + direction, or the stream name). */
  origin: string;
  sessionId: string;
  direction: Direction;
  server: string | null;
  connector: string;
  local: Endpoint | null;
  remote: Endpoint | null;
  /** EHLO/HELO names (receive) or the remote banner host (send). */
  remoteNames: string[];
  starttlsAdvertised: boolean;
  /** STARTTLS or X-ANONYMOUSTLS (Exchange to Exchange) was sent. */
  starttlsIssued: boolean;
  /** STARTTLS or X-ANONYMOUSTLS was answered with a 220. */
  starttlsAccepted: boolean;
  tls: TlsInfo | null;
  /** Names from `TLS negotiation failed with error <Name>` rows: the first 16 of the session. */
  tlsErrors: string[];
  /** The first 16 certificates the session logged. */
  certificates: Certificate[];
  /** `MAIL FROM` answered with `250`. */
  mailAccepted: boolean;
  /** A `RCPT TO` answered with `250` or `251`: the peer took at least one recipient, so a message could follow. */
  recipientAccepted: boolean;
  /** `MAIL FROM` sent, whatever the answer. */
  mailIssued: boolean;
  /** `AUTH` sent, whatever the answer. */
  authIssued: boolean;
  /** `EHLO` answered with `250`: the client was shown the extension list (`starttlsAdvertised` says what it held). */
  ehloAnswered: boolean;
  /** QUIT sent/received or a `221` reply seen. */
  quit: boolean;
  authUser: string | null;
  /** Context of the `-` row, e.g. `Remote(SocketError)`. */
  disconnect: string | null;
  start: string;
  end: string;
  complete: boolean;
  endReason: SessionEnd;
  /** Rows read for this session (all of them, whether kept in `records` or not). */
  rows: number;
  /** 4xx/5xx replies in the session (the peer's or Exchange's, by direction). 0 means no SMTP command was refused. */
  failedReplies: number;
  /**
   * Rows of the session in read order. From `scan()` and {@link SessionAssembler} these are the rows that matter
   * (see `keepRows` in the session options): the first row, STARTTLS and its answer, EHLO/HELO, the first MAIL,
   * 4xx/5xx replies, `TLS …` rows, the last rows before the end and the disconnect. `keepRows: 'all'` keeps every row.
   */
  records: LogRecord[];
}

/** Category ids of the built-in rules (`defaultRules`, and `queue-error` for queue entries no rule matches); user rules may add others. */
export type BuiltinCategory =
  | 'tls-negotiation-failed'
  | 'socket-error'
  | 'starttls-required'
  | 'starttls-not-offered'
  | 'legacy-tls'
  | 'plaintext'
  | 'connect-failed'
  | 'queue-error';

export interface Finding {
  category: string;
  /** e.g. `SocketError`, `TLS1.0`, `451 5.7.3 Must issue a STARTTLS command first`. */
  detail: string | null;
  direction: Direction | 'queue';
  sessionKey: string;
  sessionId: string;
  server: string | null;
  connector: string;
  remoteHost: string;
  remoteNames: string[];
  time: string;
  evidence: Evidence[];
  hint: string;
  /** Queue findings: how many messages wait behind this one. */
  messages?: number;
}

/** A quoted log row in a report. */
export interface Sample {
  source: string;
  line: number;
  sessionId: string;
  category: string;
  detail: string | null;
  time: string;
  text: string;
  /**
   * Only in a folded `(other hosts)` group, whose samples come from many hosts: the remote host of the sample's
   * session (an IP, or the queue's next hop), so the evidence can be followed to one host with `--host`.
   */
  remoteHost?: string;
}

/** Counts per TLS version; keys are {@link TlsVersion} values. */
export type TlsCounts = Partial<Record<TlsVersion, number>>;

/** A certificate seen in a group's sessions, for telling certificate problems from protocol problems. */
export interface GroupCertificate {
  role: string;
  subject: string | null;
  issuer: string | null;
  thumbprint: string | null;
  notAfter: string | null;
}

/** Findings and sessions of one direction + connector + remote host. */
export interface ReportGroup {
  direction: Direction | 'queue';
  server: string | null;
  connector: string;
  /** The remote IP (queue groups: the next hop), `unknown`, or `(other hosts)` in a folded group. */
  remoteHost: string;
  /**
   * True in the connector's group of remote hosts that have no group of their own past the group limit
   * (`ReportOptions.maxGroups`, `--max-groups`; which hosts keep one: docs/json.md). Absent in other groups.
   */
  folded?: true;
  remoteNames: string[];
  /** Sessions seen (queue groups: queue entries). */
  sessions: number;
  /** Queue groups: messages waiting; 0 for protocol-log groups. */
  messages: number;
  /**
   * Only on a group of Get-Message rows whose queue a Get-Queue export in the same report lists: its `messages`
   * are among that queue's `MessageCount`, and totals and roll-ups count them there, once.
   */
  countedInQueue?: true;
  /** SMTP AUTH user names seen (`User Name: …` rows): they tell which device or application an IP is. At most 20. */
  authUsers?: string[];
  /** Certificates offered in these sessions (by thumbprint, else subject), at most 5. */
  certificates?: GroupCertificate[];
  byCategory: Record<string, number>;
  /** Details per category, e.g. `{ "tls-negotiation-failed": { "SocketError": 3 } }`. */
  details: Record<string, Record<string, number>>;
  tlsVersions: TlsCounts;
  firstSeen: string | null;
  lastSeen: string | null;
  /**
   * When each category's findings were first and last made (the times of their evidence), in category order:
   * `lastSeen` is the group's last session of any kind, while a TLS 1.0 retirement needs the last legacy one.
   * Absent for groups merged from reports written before it existed.
   */
  findingSpans?: Record<string, FindingSpan>;
  samples: Sample[];
  /** The main finding's category (most sessions), or null for a healthy group. */
  mainCategory: string | null;
  hint: string | null;
}

/** First and last time of a group's findings of one category. */
export interface FindingSpan {
  first: string;
  last: string;
}

/** A roll-up of groups by remote host or by connector. */
export interface ReportRollup {
  key: string;
  direction: Direction | 'queue' | null;
  sessions: number;
  messages: number;
  byCategory: Record<string, number>;
  tlsVersions: TlsCounts;
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface CategoryInfo {
  id: string;
  title: string;
  explanation: string;
  hint: string;
  /** Sharper hints for particular details (e.g. `NoCredentials`). */
  detailHints?: Record<string, string>;
  /** `failure`: mail did not flow; `warning`: it flowed, but insecurely or about to break. */
  severity?: 'failure' | 'warning';
  docs: string | null;
}

/**
 * Time span the input covers, overall and per server: the server the groups carry (`ReportGroup.server`), null
 * for the sessions whose server is unknown (send logs outside a server folder, standard input), one entry for all.
 */
export interface Coverage {
  from: string | null;
  to: string | null;
  servers: Array<{ server: string | null; from: string | null; to: string | null }>;
}

/**
 * Findings and sessions over time, one point per bucket start (ISO, UTC), for every bucket in which a finding
 * was made or a protocol-log session started. A bucket that is missing had no logs read: it is not a quiet hour,
 * and a reader must not fill it in as one (docs/json.md, timeline).
 */
export interface Timeline {
  bucket: 'hour' | 'day';
  /**
   * `sessions`: protocol-log sessions that started in the bucket, so an hour without findings can be told from an
   * hour without logs. Absent only in reports written before the count existed, and in merges that include one.
   */
  points: Array<{ t: string; sessions?: number; byCategory: Record<string, number> }>;
}

/**
 * The filters a report was made with (`--since`, `--until`, `--category`, `--connector`, `--host`), so that it
 * says what it leaves out; only those given. Times ISO-8601 UTC, categories the rules' ids.
 */
export interface ReportFilters {
  since?: string;
  until?: string;
  categories?: string[];
  connector?: string;
  host?: string;
}

/** The JSON contract (`logscan.report/1`). Changing it is a deliberate, versioned act. */
export interface Report {
  schema: 'logscan.report/1';
  generator: { name: 'logscan'; version: string };
  coverage: Coverage;
  /** Absent when the report was made without filters (and in reports written before it existed). */
  filters?: ReportFilters;
  /**
   * Present when remote hosts were folded into `(other hosts)` groups to keep memory bounded: the group limit, and
   * the sessions (queue groups: entries) those groups count.
   */
  folded?: { maxGroups: number; sessions: number };
  inputs: InputStats[];
  totals: {
    sessions: number;
    incompleteSessions: number;
    findings: number;
    byCategory: Record<string, number>;
    tlsVersions: TlsCounts;
    queueMessages: number;
  };
  categories: CategoryInfo[];
  groups: ReportGroup[];
  hosts: ReportRollup[];
  connectors: ReportRollup[];
  /** Optional: findings per category per hour or day, for charts. */
  timeline?: Timeline;
}

/** A culture-formatted date from a queue export: parsed only when unambiguous. */
export interface DateValue {
  raw: string;
  /** ISO-8601 when the text could be read without guessing, else null. */
  iso: string | null;
}

/** A queue `LastError` (or NDR / message-trace text) taken apart. */
export interface ParsedLastError {
  raw: string;
  /** The innermost SMTP reply (or socket text) that decides the category. */
  innermost: string;
  /** The layers from outside in, e.g. `["451 4.4.397 Error communicating with target host.", "421 4.4.2 Connection dropped due to SocketError"]`. */
  chain: string[];
  /** `{LRT=…}` */
  lastRetryTime: DateValue | null;
  /** `{FQDN=…}` or `[LastAttemptedServerName=…]` */
  fqdn: string | null;
  /** `{IP=…}`, `[LastAttemptedIP=…]` or `The last endpoint attempted was …`, without the port. */
  ip: string | null;
}

/** One row of a queue or message export (Get-Queue, Get-Message, Queue Viewer). */
export interface QueueEntry extends Location {
  kind: 'queue' | 'message';
  /** `Identity` / `Queue ID`, e.g. `EX01\322120`. */
  identity: string | null;
  /** Server part of the identity (of the queue, for a message without one). */
  server: string | null;
  /**
   * The queue, `<Server>\\<Queue>`: a queue's own identity; for a message its `Queue` / `Queue ID` column, else
   * its identity without the message number. Messages are grouped by it.
   */
  queue: string | null;
  deliveryType: string | null;
  nextHopDomain: string | null;
  nextHopConnector: string | null;
  status: string | null;
  /** Messages in the queue (0 when not exported or not a count); 1 for a message row. */
  messageCount: number;
  lastError: ParsedLastError | null;
  /** Best time for the entry (LRT, LastRetryTime, DateReceived ...). */
  time: DateValue | null;
  /**
   * Since when, as far as the export says: a queue's `FirstRetryTime`, a message's `DateReceived`. Null when not
   * exported or not readable. A group's `firstSeen` starts here, so a queue retrying since 08:00 does not read as
   * a problem of the export's minute.
   */
  firstTime: DateValue | null;
  /** Every column as exported, unknown ones included. */
  fields: Record<string, string>;
}
