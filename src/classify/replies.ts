/**
 * Classify one SMTP reply, protocol-log context or innermost queue `LastError` text into the TLS/connection
 * categories logscan reports. Texts come from strangers, so every pattern is anchored at the start of the text
 * (or of the text after its reply code), bounded, and free of nested quantifiers.
 */

export type TextCategory =
  | 'tls-negotiation-failed'
  | 'socket-error'
  | 'starttls-required'
  | 'legacy-tls'
  | 'connect-failed';

export interface TextMatch {
  category: TextCategory;
  detail: string | null;
}

/** Real replies and contexts are far shorter; cutting bounds the work on hostile input. */
const MAX_TEXT = 4096;

/** `421`, `421 4.4.2`, `421-4.4.2` followed by a space or dash; the enhanced code is optional. */
const REPLY_CODE = /^([2-5]\d\d)(?:[ -]([245]\.\d{1,3}\.\d{1,3}))?(?:[ -]|$)/;

/** A name such as `SocketError`, `ConnectionReset`, `timeout`: the `(?![\w])` stops at the word end. */
const NAME = '([A-Za-z][A-Za-z0-9_]{0,63})(?![A-Za-z0-9_])';

const TLS_FAILED = new RegExp(`^TLS negotiation failed with error ${NAME}`, 'i');
/**
 * `451 4.4.0 Security status InvalidToken.`: Exchange names the SChannel status of a failed handshake, with the
 * same names as `TLS negotiation failed with error <Name>`, when it reports it as a reply (queue LastError).
 */
const SECURITY_STATUS = new RegExp(`^Security status ${NAME}`, 'i');
const CERT_VALIDATION = /^Certificate validation fail(?:ure|ed)(?![a-z])/i;
const SECURITY_SUBSYSTEM = /^Unable to initialize security subsystem(?![a-z])/i;
const TLS_CHANNEL = /^Failed to establish appropriate TLS channel(?![a-z])/i;

/** Whatever follows the reason (a period, ` -> …`) does not change the meaning. */
const DROPPED = new RegExp(`^Connection dropped(?: due to ${NAME})?(?![A-Za-z])`, 'i');
const CLOSED_ABRUPTLY = /^Connection was closed abruptly(?![a-z])/i;
const SOCKET_ERROR = /^Socket error(?![a-z ])/i;

const STARTTLS_REQUIRED =
  /^(?:Must issue a STARTTLS command first|STARTTLS is required to send mail|STARTTLS is required|Require STARTTLS to authenticate|Require STARTTLS to do basic authentication)(?![a-z])/i;

const LEGACY_TLS = /^TLS 1\.0 and 1\.1 are not supported(?![a-z])/i;

const UNABLE_TO_CONNECT = /^Unable to connect(?![a-z])/i;
const TIMED_OUT = /^Connection timed out(?![a-z])/i;
const REFUSED = /^Connection refused(?![a-z])/i;
/** `SocketError: Failed to connect. Winsock error code: N`, `SocketTimedout: Socket error code N`, bare forms. */
const SOCKET_CONNECT =
  /^(?:Socket[A-Za-z]{0,32}: ?)?(?:Failed to connect\. Winsock error code: ?|Socket error code:? ?)(\d{1,6})(?!\d)/i;
/** The same socket code anywhere later in a chain (`421 4.2.1 Unable to connect -> SocketTimedout: …`). */
const SOCKET_CODE_LATER = /(?:Winsock error code|Socket error code):? ?(\d{1,6})(?!\d)/i;

interface Parsed {
  /** The reply code as written, normalised to `421 4.4.2` / `421`, or null when the text has none. */
  code: string | null;
  /** The text after the reply code (whitespace collapsed, trimmed). */
  phrase: string;
}

function splitCode(text: string): Parsed {
  const m = REPLY_CODE.exec(text);
  if (!m) return { code: null, phrase: text };
  const code = m[2] ? `${m[1]} ${m[2]}` : (m[1] ?? '');
  return { code, phrase: text.slice(m[0].length).trimStart() };
}

/** Trailing periods and spaces carry no meaning in these texts. */
/**
 * The connect-failure words in Exchange's own capitalisation (`connection timed out` → `Connection timed out`), so one
 * detail is counted as one whatever the case it was written in, and the detail's hint finds it.
 */
function canonicalWords(words: string): string {
  const lower = words.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

function stripTail(s: string): string {
  let end = s.length;
  while (end > 0 && (s[end - 1] === '.' || s[end - 1] === ' ')) end--;
  return s.slice(0, end);
}

function winsockDetail(rest: string): string | null {
  const m = SOCKET_CODE_LATER.exec(rest);
  return m ? `Winsock ${m[1]}` : null;
}

function tlsFailure(phrase: string): TextMatch | null {
  const failed = TLS_FAILED.exec(phrase);
  if (failed) return { category: 'tls-negotiation-failed', detail: failed[1] ?? null };
  const status = SECURITY_STATUS.exec(phrase);
  if (status) return { category: 'tls-negotiation-failed', detail: status[1] ?? null };
  if (CERT_VALIDATION.test(phrase)) return { category: 'tls-negotiation-failed', detail: 'CertificateValidation' };
  if (SECURITY_SUBSYSTEM.test(phrase)) {
    return { category: 'tls-negotiation-failed', detail: 'UnableToInitializeSecuritySubsystem' };
  }
  if (TLS_CHANNEL.test(phrase)) return { category: 'tls-negotiation-failed', detail: 'TlsChannel' };
  return null;
}

/** Texts that only mean something with an SMTP reply code in front of them. */
function replyOnly(code: string, phrase: string): TextMatch | null {
  const dropped = DROPPED.exec(phrase);
  if (dropped) return { category: 'socket-error', detail: dropped[1] ?? null };
  if (CLOSED_ABRUPTLY.test(phrase)) return { category: 'socket-error', detail: 'ConnectionClosedAbruptly' };
  if (SOCKET_ERROR.test(phrase)) return { category: 'socket-error', detail: 'SocketError' };

  const starttls = STARTTLS_REQUIRED.exec(phrase);
  if (starttls) return { category: 'starttls-required', detail: `${code} ${starttls[0]}` };

  if (LEGACY_TLS.test(phrase)) return { category: 'legacy-tls', detail: code };

  const connect = UNABLE_TO_CONNECT.exec(phrase) ?? TIMED_OUT.exec(phrase) ?? REFUSED.exec(phrase);
  if (connect) {
    const rest = phrase.slice(connect[0].length);
    return { category: 'connect-failed', detail: winsockDetail(rest) ?? canonicalWords(stripTail(connect[0])) };
  }
  return null;
}

/**
 * Classify one reply line / log context / innermost LastError text. Returns null when it is none of these.
 * Tolerates surrounding whitespace, a trailing period and the case of the words; the reply code is only
 * required where the words alone would be too vague (`Connection dropped`, `Must issue a STARTTLS command first`).
 */
export function classifyReply(text: string): TextMatch | null {
  const clean = text.slice(0, MAX_TEXT).replace(/\s+/g, ' ').trim();
  if (clean === '') return null;
  const { code, phrase } = splitCode(clean);

  const tls = tlsFailure(phrase);
  if (tls) return tls;

  const socket = SOCKET_CONNECT.exec(phrase);
  if (socket) return { category: 'connect-failed', detail: `Winsock ${socket[1]}` };

  return code === null ? null : replyOnly(code, phrase);
}
