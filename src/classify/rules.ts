import type { Evidence, LogRecord, Session, TlsVersion } from '../types.js';
import { commandVerb, goAheadIndex, isCommandEvent, isReplyEvent, recordsOf, rowCountOf, rowMayMatch, rowOf, startsTls } from '../sessions/facts.js';
import type { RowPeek } from '../sessions/row.js';
import { classifyReply, type TextCategory } from './replies.js';

/** What a rule found in one session. */
export interface RuleMatch {
  detail: string | null;
  /** The rows that show it; the first one is quoted in reports. */
  evidence: LogRecord[];
}

/**
 * A classification rule. Rules are data: an id, a title, a one-line explanation and a remediation hint, plus
 * the function that decides. Users add their own by passing `[...defaultRules, myRule]` to `scan()`.
 */
export interface Rule {
  id: string;
  title: string;
  explanation: string;
  hint: string;
  /** Microsoft documentation for the category, shown as a link in HTML reports. */
  docs?: string | undefined;
  /** `failure` (default): mail did not flow; `warning`: it flowed, but insecurely or about to break. */
  severity?: 'failure' | 'warning' | undefined;
  /**
   * Sharper hints for particular details (e.g. the SChannel error name), used when that detail dominates. A key
   * `receive:<detail>` or `send:<detail>` replaces the `<detail>` hint for sessions of that direction.
   */
  detailHints?: Readonly<Record<string, string>> | undefined;
  /** Categories that, when found in the same session, already explain it: this rule is then not applied. */
  unless?: readonly string[] | undefined;
  /** Decides on a whole session; return null when the rule does not apply. At most one match counts. */
  matchSession?: ((session: Session) => RuleMatch | null) | undefined;
  /**
   * Decides on a single error text (queue `LastError`, NDR): the innermost reply. Return the detail
   * (a string, or `null` for none) when it matches, `undefined` when it does not.
   */
  matchText?: ((text: string) => string | null | undefined) | undefined;
}

/**
 * The registry steps that enable TLS 1.2 on a Windows/Exchange server (Microsoft: "Can't send or receive email when
 * using TLS 1.1 or TLS 1.0"); `side` is the SCHANNEL subkey that matters: `Client` where Exchange opens the TLS
 * connection (send), both where either side may lack it. Only in hints where the TLS version is the likely cause:
 * every group repeats its hint.
 */
function tls12Steps(side: 'Client' | 'Client and \\Server'): string {
  return (
    `SCHANNEL\\Protocols\\TLS 1.2\\${side} Enabled=1, DisabledByDefault=0; ` +
    '.NET v4.0.30319 and v2.0.50727 (also WOW6432Node) SchUseStrongCrypto=1, SystemDefaultTlsVersions=1; current Windows and Exchange updates; restart'
  );
}

const TLS12_HINT = `Enable TLS 1.2 where it is missing: on Windows/Exchange ${tls12Steps('Client and \\Server')}; on a device or non-Windows peer, enable it or upgrade.`;

/**
 * 451 5.7.3 answered to this server: it sent without TLS. Mostly its STARTTLS failed first and Exchange retried in
 * plain text (a Send connector that does not require TLS does), which Exchange Online and partners that require
 * TLS refuse; the failed handshake is the thing to fix, and with only a queue export read there is no finding of it.
 */
const STARTTLS_REFUSED_SEND_HINT =
  'The peer requires TLS and this server sent without it. Usually STARTTLS failed first and Exchange retried in plain text, which Exchange Online refuses: ' +
  `fix the handshake (send log: TLS negotiation failed), often TLS 1.2 missing here: ${tls12Steps('Client')}. ` +
  "Else the peer's STARTTLS was hidden (firewall SMTP inspection: XXXXXXXA in the EHLO reply) or the Send connector has IgnoreSTARTTLS.";

/** Send sessions: Exchange is the TLS client, so its own client side (or the peer) lacks TLS 1.2. */
const SEND_LEGACY_HINT =
  'Exchange was the TLS client. If this server\'s other send groups negotiate TLS 1.2, the peer has nothing newer: ask its admin to enable TLS 1.2 ' +
  '(once TLS 1.0/1.1 are off here, sends to it fail the handshake, and mail goes without TLS or queues where TLS is required). ' +
  `Otherwise enable TLS 1.2 client-side on this server: ${tls12Steps('Client')}.`;

/** Where the session already negotiated TLS 1.2 or later, the TLS version is not what broke it. */
const NOT_THE_VERSION = 'If the TLS column shows 1.2 for these sessions, the TLS version is not the cause.';

/** Certificate checks on the Exchange side, for failures that are the certificate's and not the version's. */
const CERT_CHECK = 'Get-ExchangeCertificate | fl Thumbprint,Subject,Services,NotAfter,Status';

const MS_SOCKERR = 'https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/send-receive-emails-socketerror';
const MS_TLSCFG = 'https://learn.microsoft.com/en-us/exchange/exchange-tls-configuration';
const MS_KB2989382 = 'https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/cannot-receive-mail-with-new-certificate';

function isReplyRow(r: LogRecord, session: Session): boolean {
  return isReplyEvent(r.event, session.direction);
}

/** First reply row whose text falls in a category of `classifyReply`. */
function findReply(session: Session, category: TextCategory): RuleMatch | null {
  // Most sessions were never refused anything: their rows need not be read (or made, see keepRows).
  if (session.failedReplies === 0) return null;
  for (const r of recordsOf(session)) {
    if (!isReplyRow(r, session)) continue;
    // Only 4xx/5xx replies can be failures: skipping the rest keeps the text matchers off the hot path.
    const c = r.data.charCodeAt(0);
    if (c !== 52 && c !== 53) continue;
    const m = classifyReply(r.data);
    if (m !== null && m.category === category) return { detail: m.detail, evidence: [r] };
  }
  return null;
}

function textRule(category: TextCategory): (text: string) => string | null | undefined {
  return (text) => {
    const m = classifyReply(text);
    return m !== null && m.category === category ? m.detail : undefined;
  };
}

/**
 * The first `max` rows that pass `test`. On a lazy session only rows that may pass are made: `peek` must accept
 * every row `test` accepts (it is a pre-test on the row's bytes, so it may accept more, never fewer).
 */
function rowsWhere(session: Session, test: (r: LogRecord) => boolean, max = 3, peek?: RowPeek): LogRecord[] {
  const out: LogRecord[] = [];
  const n = rowCountOf(session);
  for (let i = 0; i < n && out.length < max; i++) {
    if (peek !== undefined && !rowMayMatch(session, i, peek)) continue;
    const r = rowOf(session, i);
    if (test(r)) out.push(r);
  }
  return out;
}

/** `*` rows whose context starts with `prefix` (ASCII, no quote): the record test and its byte-level twin. */
function informationRows(prefix: string): { test: (r: LogRecord) => boolean; peek: RowPeek } {
  return {
    test: (r) => r.event === '*' && r.context.startsWith(prefix),
    peek: { needle: prefix, test: (row) => row.event === '*' && row.contextStarts(prefix) },
  };
}

/** Exported for the tests that hold each byte-level twin to its record test. */
export const TLS_PROTOCOL_ROW = informationRows('TLS protocol ');
export const TLS_FAILED_ROW = informationRows('TLS negotiation failed');

function isStartTlsRow(r: LogRecord): boolean {
  return (r.event === '<' || r.event === '>') && startsTls(r.data);
}

/** STARTTLS (or X-ANONYMOUSTLS) got its 220, then the peer hung up before any further SMTP and without a success row. */
function handshakeAborted(session: Session): RuleMatch | null {
  if (!session.starttlsAccepted || session.tls?.protocol || session.tlsErrors.length > 0) return null;
  const records = recordsOf(session);
  const go = goAheadIndex(records, session.direction);
  if (go < 0) return null;
  for (let i = go + 1; i < records.length; i++) {
    const r = records[i]!;
    if (r.event === '<' || r.event === '>') return null;
    if (r.event === '-') {
      if (!r.context.startsWith('Remote')) return null;
      const start = rowsWhere(session, isStartTlsRow, 1);
      return { detail: 'HandshakeAborted', evidence: [r, ...start, records[go]!] };
    }
  }
  return null;
}

const tlsNegotiationFailed: Rule = {
  id: 'tls-negotiation-failed',
  title: 'TLS negotiation failed',
  explanation:
    'STARTTLS (or X-ANONYMOUSTLS between Exchange servers) was started but the TLS handshake failed (SChannel error named in the detail), so no mail went over this connection.',
  hint: `No common TLS version or cipher suite, or an unusable certificate (${CERT_CHECK}). ` + TLS12_HINT,
  detailHints: {
    // In this order where two details are equally frequent (finalize's hintFor): certificate errors first.
    NoCredentials:
      'The certificate Exchange uses for TLS has no usable private key: Get-ChildItem Cert:\\LocalMachine\\My | ? Thumbprint -eq <thumbprint of the certificate rows> | fl Thumbprint,HasPrivateKey (the Exchange shell lists only certificates with a key); re-import it with its private key, let the transport service read the key, and enable it for SMTP.',
    UnknownCredentials:
      'The certificate is not bound to SMTP or does not match the connector: Enable-ExchangeCertificate -Services SMTP (answer No to replacing the default certificate), and check TlsCertificateName on the Send connector: it must be <I>issuer<S>subject of a certificate installed on every source server (and Edge); a renewal with a new issuing CA changes it.',
    // On a receive session Exchange is the TLS server: its own Receive connector certificate is the unusable one.
    'receive:UnknownCredentials':
      `Exchange cannot use this Receive connector's certificate: the one its TlsCertificateName names (<I>issuer<S>subject; after a renewal it may still name the old one: update it, in hybrid rerun the HCW, KB2989382) or else one matching its FQDN, installed here with its private key and enabled for SMTP (Enable-ExchangeCertificate -Services SMTP). Get-ReceiveConnector | fl Identity,Fqdn,TlsCertificateName; ${CERT_CHECK}.`,
    CertificateValidation:
      'The remote certificate was rejected: check its chain, expiry and name against the connector TLS settings (TlsDomain, TlsAuthLevel), and that the transport server reaches the CRL/OCSP addresses (proxy).',
    CertUnknown: `The peer rejected our certificate: check its chain (intermediate CA installed), expiry and name (${CERT_CHECK}).`,
    UnableToInitializeSecuritySubsystem: `Exchange has no usable certificate for this connector's FQDN (or cannot read its private key): ${CERT_CHECK}; enable a valid certificate for SMTP.`,
    AlgorithmMismatch: 'No common cipher suite: compare the cipher suites enabled on both sides (IIS Crypto templates, GPO cipher suite order) and keep the ECDHE-GCM suites TLS 1.2 needs.',
    IllegalMessage: 'The handshake was garbled: usually a firewall or proxy inspecting SMTP on the path, or a peer with a broken TLS stack; test from outside the device.',
    SocketError:
      // Either direction, any peer (an internal Exchange server as much as Exchange Online): no side is assumed.
      'A side dropped the handshake: usually no common TLS version (one offers only TLS 1.0/1.1, the other has them disabled, as Exchange Online has), or SMTP inspection on a firewall breaks STARTTLS. ' +
      TLS12_HINT,
    HandshakeAborted:
      'The peer hung up during the handshake: no common TLS version or cipher suite, or (on a receive connector that other senders use with TLS 1.2) it rejected our certificate: check expiry, name and intermediate CA. ' +
      TLS12_HINT,
  },
  docs: MS_SOCKERR,
  matchSession(session) {
    if (session.tlsErrors.length > 0) {
      const evidence = rowsWhere(session, TLS_FAILED_ROW.test, 1, TLS_FAILED_ROW.peek);
      return { detail: session.tlsErrors[0]!, evidence: [...evidence, ...rowsWhere(session, isStartTlsRow, 1)] };
    }
    return findReply(session, 'tls-negotiation-failed') ?? handshakeAborted(session);
  },
  matchText: textRule('tls-negotiation-failed'),
};

/** Disconnect reason in parentheses: `Remote(SocketError)` → `SocketError`. */
function remoteError(context: string): string | null {
  if (!context.startsWith('Remote(') || !context.endsWith(')')) return null;
  const name = context.slice(7, -1).trim();
  return name === '' ? null : name;
}

/** The last reply before the disconnect accepted a message (`250` after DATA): the client just left. */
function droppedAfterDelivery(session: Session, dropIndex: number): boolean {
  const records = recordsOf(session);
  for (let i = dropIndex - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.event !== '<' && r.event !== '>') continue;
    if (!isReplyRow(r, session)) return false;
    return r.data.startsWith('250') && /\b(queued|Queued mail for delivery|ok)\b/i.test(r.data.slice(0, 200)) && afterData(records, session, i);
  }
  return false;
}

function afterData(records: readonly LogRecord[], session: Session, replyIndex: number): boolean {
  for (let i = replyIndex - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.event !== '<' && r.event !== '>') continue;
    if (isReplyRow(r, session)) return r.data.startsWith('354') || r.data.startsWith('250');
    const verb = r.data.slice(0, 4).toUpperCase();
    return verb === 'DATA' || verb === 'BDAT';
  }
  return false;
}

const socketError: Rule = {
  id: 'socket-error',
  title: 'Connection dropped (socket error)',
  explanation:
    'The connection was lost on a socket error (Remote(<error>) disconnect or "421 4.4.2 Connection dropped due to …") before the SMTP conversation finished.',
  hint:
    'Check what sits between the servers (firewall SMTP inspection, load-balancer idle timeouts), size limits and the peer\'s logs for the same time. ' +
    `${NOT_THE_VERSION} A queue's 421 4.4.2 SocketError towards Exchange Online is usually TLS 1.0/1.1 on our side: enable TLS 1.2 client-side (SCHANNEL\\Protocols\\TLS 1.2\\Client; .NET SchUseStrongCrypto, SystemDefaultTlsVersions).`,
  docs: MS_SOCKERR,
  unless: ['tls-negotiation-failed'],
  matchSession(session) {
    if (session.quit) return null;
    const reply = findReply(session, 'socket-error');
    if (reply) return reply;
    // The disconnect row's context is a fact: sessions that did not end on a remote error stop here.
    if (session.disconnect === null || remoteError(session.disconnect) === null) return null;
    // A client that hung up after our banner without a single command (no EHLO or HELO) is a port scan, a botnet
    // probe or a load balancer's health check, not mail that failed: on an internet-facing connector these were
    // most socket-error findings, burying the partners' drops.
    if (session.direction === 'receive' && !saidHello(session)) return null;
    const records = recordsOf(session);
    const index = records.findIndex((r) => r.event === '-');
    if (index < 0) return null;
    const drop = records[index]!;
    const name = remoteError(drop.context);
    if (name === null) return null;
    // A client that resets instead of sending QUIT after its message was queued is not a delivery failure.
    if (name === 'ConnectionReset' && droppedAfterDelivery(session, index)) return null;
    const before = index > 0 ? [records[index - 1]!] : [];
    return { detail: name, evidence: [drop, ...before] };
  },
  matchText: textRule('socket-error'),
};

/** The client sent EHLO or HELO, or anything past it. */
function saidHello(session: Session): boolean {
  return session.ehloAnswered || session.remoteNames.length > 0 || session.mailIssued || session.starttlsIssued || session.authIssued;
}

const starttlsRequired: Rule = {
  id: 'starttls-required',
  title: 'STARTTLS required but not used',
  explanation:
    'One side requires TLS and the other sent mail commands without (successfully) starting TLS, so the command was refused (451 5.7.3 / 530 5.7.0).',
  hint:
    'The connector requires TLS but the peer did not start it. The receiver must advertise STARTTLS: a valid certificate enabled for SMTP for the connector FQDN ' +
    '(after a renewal the Receive connector TlsCertificateName must name the new one; hybrid: rerun the HCW). ' +
    'The sender: Send connector IgnoreSTARTTLS, or a firewall stripping STARTTLS (SMTP inspection). A device without TLS needs its own connector without RequireTLS (RemoteIPRanges). ' +
    // The TLS 1.2 steps are on the tls-negotiation-failed finding a failed STARTTLS makes: not repeated here.
    'If a failed STARTTLS came first (TLS 1.0/1.1 disabled on one side), its tls-negotiation-failed finding has the fix.',
  detailHints: {
    // This server was the sender, and the peer (Exchange Online, a partner) refused mail sent without TLS.
    'send:*': STARTTLS_REFUSED_SEND_HINT,
    'queue:*': STARTTLS_REFUSED_SEND_HINT,
  },
  docs: MS_SOCKERR,
  matchSession: (session) => findReply(session, 'starttls-required'),
  matchText: textRule('starttls-required'),
};

function lastRow(records: readonly LogRecord[], test: (r: LogRecord) => boolean): LogRecord | undefined {
  for (let i = records.length - 1; i >= 0; i--) if (test(records[i]!)) return records[i];
  return undefined;
}

/** The final line of the first `250` answer to EHLO: the facts keep it on receive when it offered no STARTTLS. */
function ehloReply(records: readonly LogRecord[], session: Session): LogRecord | undefined {
  let afterEhlo = false;
  for (const r of records) {
    if (r.event !== '<' && r.event !== '>') continue;
    if (!isReplyRow(r, session)) {
      afterEhlo = commandVerb(r.data) === 'EHLO';
      continue;
    }
    // `250-…` continuation lines: the list ends on the line without the dash.
    if (!afterEhlo || r.data.charCodeAt(3) === 45) continue;
    if (r.data.startsWith('250')) return r;
    afterEhlo = false;
  }
  return undefined;
}

/**
 * KB2989382: after a certificate renewal the Receive connector stops offering STARTTLS, and a sender that requires
 * TLS (Exchange Online) reads the EHLO reply and leaves; its `451 5.7.3` is in its own logs only. Sessions that
 * tried anything else (MAIL, AUTH, TLS) are other rules' or healthy.
 */
const starttlsNotOffered: Rule = {
  id: 'starttls-not-offered',
  title: 'STARTTLS not offered, the sender left',
  explanation:
    'Our EHLO reply offered no STARTTLS and the client left (QUIT or disconnect) without MAIL or AUTH: a sender that requires TLS gave up (Exchange Online logs 451 5.7.3 STARTTLS is required to send mail on its side). Inferred from the receive log: a monitor that only sends EHLO and QUIT looks the same.',
  hint:
    'Exchange offers STARTTLS only with a usable certificate: Get-ReceiveConnector | fl Identity,Fqdn,AuthMechanism,TlsCertificateName (AuthMechanism must include Tls; after a renewal TlsCertificateName must name the new certificate: update it, in hybrid rerun the HCW, KB2989382; event 12014) and ' +
    `${CERT_CHECK} (enabled for SMTP, matching the FQDN). If the client is a load-balancer or monitoring probe, this is no failure.`,
  docs: MS_KB2989382,
  matchSession(session) {
    // Facts first: on most sessions one of these ends it without reading a row.
    if (session.direction !== 'receive' || session.starttlsAdvertised || !session.ehloAnswered) return null;
    if (session.mailIssued || session.authIssued || session.starttlsIssued || session.tls !== null || session.tlsErrors.length > 0) return null;
    const remote = session.disconnect?.startsWith('Remote') === true;
    if (!session.quit && !remote) return null;
    const records = recordsOf(session);
    const reply = ehloReply(records, session);
    if (reply === undefined) return null;
    const left = lastRow(records, (r) => (session.quit ? isCommandEvent(r.event, session.direction) && commandVerb(r.data) === 'QUIT' : r.event === '-'));
    return { detail: null, evidence: left === undefined ? [reply] : [reply, left] };
  },
};

const LEGACY: ReadonlySet<TlsVersion> = new Set<TlsVersion>(['TLS1.0', 'TLS1.1', 'SSL3']);

const legacyTls: Rule = {
  id: 'legacy-tls',
  title: 'Legacy TLS negotiated (TLS 1.0/1.1/SSL 3)',
  severity: 'warning',
  explanation:
    'The session negotiated a deprecated protocol. It works today but breaks as soon as TLS 1.0/1.1 are disabled on either side (Exchange Online already refuses them).',
  hint:
    'Find the client by IP, EHLO name and AUTH user (printers, scanners, old applications; on an Internet or Edge connector a partner\'s server: ask its admin) ' +
    'and enable TLS 1.2 on it or upgrade it: once TLS 1.0/1.1 are off here, it sends in plain text or queues. ' +
    'SCHANNEL is per server, not per connector: a device that cannot needs a relay host that keeps TLS 1.0 (smtp-legacy.office365.com is Basic-auth SMTP AUTH, which Microsoft is retiring: no lasting fix). ' +
    'If every receive group shows TLS 1.0/1.1, this server lacks TLS 1.2 (SCHANNEL\\Protocols\\TLS 1.2\\Server).',
  // Send sessions (Exchange is the TLS client) and Exchange Online's refusal of a legacy-TLS submission (send, queue).
  detailHints: {
    'send:TLS1.0': SEND_LEGACY_HINT,
    'send:TLS1.1': SEND_LEGACY_HINT,
    'send:SSL3': SEND_LEGACY_HINT,
    '421 4.7.66': `Exchange Online refused TLS 1.0/1.1 for an SMTP AUTH submission: enable TLS 1.2 client-side on the sending server: ${tls12Steps('Client')}.`,
  },
  docs: MS_TLSCFG,
  matchSession(session) {
    if (session.tls && LEGACY.has(session.tls.version)) {
      const rows = rowsWhere(session, TLS_PROTOCOL_ROW.test, 1, TLS_PROTOCOL_ROW.peek);
      return { detail: session.tls.version, evidence: rows };
    }
    return findReply(session, 'legacy-tls');
  },
  matchText: textRule('legacy-tls'),
};

const plaintext: Rule = {
  id: 'plaintext',
  title: 'Mail accepted without TLS although STARTTLS was offered',
  severity: 'warning',
  explanation:
    'STARTTLS was advertised, but the session never negotiated TLS and mail was still accepted (the sender and a recipient): a silent downgrade to plaintext (TLS is opportunistic).',
  hint:
    'Find out why the client skips STARTTLS: TLS disabled or broken on it, a failed handshake before making the sender retry without TLS (in send logs: Exchange; check IgnoreSTARTTLS), or SMTP inspection stripping STARTTLS. Fix TLS 1.2 on the client; require TLS (RequireTLS) only once all legitimate senders use it.',
  docs: MS_TLSCFG,
  matchSession(session) {
    // A recipient taken, not only the sender: a botnet client whose every RCPT is refused (550 5.1.10) delivered
    // nothing, in plain text or otherwise, and made most `plaintext` findings on an internet-facing connector.
    if (!session.mailAccepted || !session.recipientAccepted || !session.starttlsAdvertised || session.tls !== null || session.starttlsAccepted) return null;
    const rows = rowsWhere(session, (r) => (r.event === '<' || r.event === '>') && commandVerb(r.data) === 'MAIL', 1);
    return { detail: null, evidence: rows };
  },
};

const connectFailed: Rule = {
  id: 'connect-failed',
  title: 'Could not connect',
  explanation: 'The TCP connection to the next hop could not be opened (timeout, refused, unreachable).',
  hint:
    'Check DNS (MX/A records of the next hop), routing and firewalls for TCP 25 towards the remote IP, and whether the remote server is up; Winsock 10060 is a timeout, 10061 a refusal, 10051 an unreachable network.',
  detailHints: {
    // KB4495258: a TLS certificate without a usable private key fails the handshake, and the queue says time-out.
    'Connection timed out':
      'The next hop did not answer in time: check routing and firewalls for TCP 25 towards the remote IP, and whether it is up. A queue\'s "421 4.4.1 Connection timed out" ' +
      'after the peer answered can also be a failed TLS handshake on this server (KB4495258: the certificate Exchange uses for TLS has no private key, NoCredentials): ' +
      'look for "TLS negotiation failed" for this host in the send protocol log.',
  },
  matchSession: (session) => findReply(session, 'connect-failed'),
  matchText: textRule('connect-failed'),
};

/**
 * A rule frozen down to its detail hints and `unless` list. The built-in rules are one set of objects for every
 * scan in the process (and its worker threads' setup): a caller that changed one (`hint = …`) changed every later
 * report. Callers who want another hint copy the rule (`{ ...rule, hint }`).
 */
function frozen(rule: Rule): Readonly<Rule> {
  if (rule.detailHints !== undefined) Object.freeze(rule.detailHints);
  if (rule.unless !== undefined) Object.freeze(rule.unless);
  return Object.freeze(rule);
}

/** Built-in rules, in the order their findings are listed. Frozen: see {@link frozen}. */
export const defaultRules: readonly Readonly<Rule>[] = Object.freeze(
  [tlsNegotiationFailed, socketError, starttlsRequired, starttlsNotOffered, legacyTls, plaintext, connectFailed].map(frozen),
);

/** Category for queue entries whose LastError matches no rule: still worth showing, with the text. Frozen, as the built-in rules are. */
export const QUEUE_ERROR_RULE: Readonly<Rule> = frozen({
  id: 'queue-error',
  title: 'Queue error (other)',
  explanation: 'A queue or message is retrying with an error that is none of the TLS categories.',
  hint: 'Read the LastError text: it names the remote reply. Check the next hop with Test-NetConnection -Port 25 and the Send connector protocol log for the same time.',
});

/** The evidence rows of a match as report evidence. */
export function toEvidence(rows: readonly LogRecord[]): Evidence[] {
  return rows.map((r) => ({ source: r.source, line: r.line, sessionId: r.sessionId, time: r.time, text: rowText(r) }));
}

/** The row as an admin reads it in the log: event, data and context. */
export function rowText(r: LogRecord): string {
  const parts = [r.event, r.data, r.context].filter((p, i) => i === 0 || p !== '');
  return parts.join(' ');
}
