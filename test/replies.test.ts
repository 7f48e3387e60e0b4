import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyReply, type TextCategory } from '../src/classify/replies.js';

type Case = [text: string, category: TextCategory, detail: string | null];

const positives: Case[] = [
  // §3.3 failure lines (context of a `*` row), with and without the KB's trailing period
  ['TLS negotiation failed with error SocketError', 'tls-negotiation-failed', 'SocketError'],
  ['TLS negotiation failed with error UnknownCredentials.', 'tls-negotiation-failed', 'UnknownCredentials'],
  ['TLS negotiation failed with error NoCredentials  ', 'tls-negotiation-failed', 'NoCredentials'],
  ['tls negotiation failed with error AlertReceived', 'tls-negotiation-failed', 'AlertReceived'],
  ['451 4.4.0 TLS negotiation failed with error SocketError', 'tls-negotiation-failed', 'SocketError'],
  ['454 4.7.5 Certificate validation failure', 'tls-negotiation-failed', 'CertificateValidation'],
  ['450 4.7.320 Certificate validation failed', 'tls-negotiation-failed', 'CertificateValidation'],
  ['554 5.7.3 Unable to initialize security subsystem', 'tls-negotiation-failed', 'UnableToInitializeSecuritySubsystem'],
  ['454 4.7.0 Failed to establish appropriate TLS channel: Access Denied', 'tls-negotiation-failed', 'TlsChannel'],
  ['454 4.7.0 Failed to establish appropriate TLS channel: UnknownCredentials: Access Denied', 'tls-negotiation-failed', 'TlsChannel'],
  // §5.5 (msqa-234456): the SChannel status of a failed handshake, as a reply inside a queue LastError
  ['451 4.4.0 Security status InvalidToken.', 'tls-negotiation-failed', 'InvalidToken'],
  ['451 4.4.0 Security status UnknownCredentials', 'tls-negotiation-failed', 'UnknownCredentials'],
  ['Security status IllegalMessage', 'tls-negotiation-failed', 'IllegalMessage'],
  // §4.1 / §4.3 connection drops
  ['421 4.4.2 Connection dropped due to SocketError', 'socket-error', 'SocketError'],
  ['421 4.4.2 Connection dropped due to SocketError.', 'socket-error', 'SocketError'],
  ['421 4.4.2 Connection dropped due to ConnectionReset', 'socket-error', 'ConnectionReset'],
  ['421 4.4.2 Connection dropped due to timeout', 'socket-error', 'timeout'],
  ['421 4.4.2 Connection dropped due to TimedOut', 'socket-error', 'TimedOut'],
  ['421 4.4.2 Connection dropped', 'socket-error', null],
  ['450 4.4.318 Connection was closed abruptly', 'socket-error', 'ConnectionClosedAbruptly'],
  ['441 4.4.1 Socket error', 'socket-error', 'SocketError'],
  // §3.6 / §4.2 STARTTLS required
  ['451 5.7.3 Must issue a STARTTLS command first', 'starttls-required', '451 5.7.3 Must issue a STARTTLS command first'],
  ['530 5.7.0 Must issue a STARTTLS command first', 'starttls-required', '530 5.7.0 Must issue a STARTTLS command first'],
  ['530 5.7.0 Must issue a STARTTLS command first.', 'starttls-required', '530 5.7.0 Must issue a STARTTLS command first'],
  ['451 5.7.3 STARTTLS is required to send mail', 'starttls-required', '451 5.7.3 STARTTLS is required to send mail'],
  [' 451 5.7.3 STARTTLS is required to send mail. ', 'starttls-required', '451 5.7.3 STARTTLS is required to send mail'],
  ['451 5.7.3 Require STARTTLS to authenticate', 'starttls-required', '451 5.7.3 Require STARTTLS to authenticate'],
  [
    '451 5.7.3 Require STARTTLS to do basic authentication',
    'starttls-required',
    '451 5.7.3 Require STARTTLS to do basic authentication',
  ],
  // §4.4 legacy TLS
  [
    '421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls',
    'legacy-tls',
    '421 4.7.66',
  ],
  // connect failures (§4.1, §5.5 chains, §6 EXO headings)
  ['421 4.2.1 Unable to connect', 'connect-failed', 'Unable to connect'],
  ['421 4.2.1 Unable to connect -> SocketTimedout: Socket error code 10060', 'connect-failed', 'Winsock 10060'],
  [
    '421 4.2.1 Unable to connect -> SocketError: Failed to connect. Winsock error code: 10051, Win32 error code: 10051',
    'connect-failed',
    'Winsock 10051',
  ],
  ['SocketError: Failed to connect. Winsock error code: 10061, Win32 error code: 10061', 'connect-failed', 'Winsock 10061'],
  ['SocketTimedout: Socket error code 10060', 'connect-failed', 'Winsock 10060'],
  ['Failed to connect. Winsock error code: 10060, Win32 error code: 10060.', 'connect-failed', 'Winsock 10060'],
  ['421 4.4.1 Connection timed out', 'connect-failed', 'Connection timed out'],
  ['421 4.4.1 Connection timed out.', 'connect-failed', 'Connection timed out'],
  ['450 4.4.315 Connection timed out', 'connect-failed', 'Connection timed out'],
  ['450 4.4.316 Connection refused', 'connect-failed', 'Connection refused'],
  // One detail whatever the case it was written in, so its hint finds it.
  ['421 4.4.1 connection TIMED out', 'connect-failed', 'Connection timed out'],
  ['421 4.2.1 UNABLE TO CONNECT', 'connect-failed', 'Unable to connect'],
];

describe('classifyReply: the texts of the reference', () => {
  it.each(positives)('%s', (text, category, detail) => {
    expect(classifyReply(text)).toEqual({ category, detail });
  });
});

describe('classifyReply: texts that are none of the categories', () => {
  it.each([
    '',
    '   ',
    '250 2.0.0 OK',
    '220 2.0.0 SMTP server ready',
    '454 4.7.0 Temporary authentication failure',
    '451 4.7.3 The admin has temporarily disallowed this secure domain.',
    '503 5.5.2 Only one STARTTLS command can be issued per session',
    '454 4.7.0 TLS not available due to local problem',
    '451 4.4.0 Connection failover',
    '451 4.4.397 Error communicating with target host.',
    '450 4.4.317 Cannot connect to remote server',
    'A matching connector cannot be found to route the external recipient',
    // the words alone are too vague without a reply code
    'Connection dropped',
    'Must issue a STARTTLS command first',
    'Connection timed out',
    // a different meaning, not a tolerance case
    '421 4.4.2 Connection droppedX',
    '530 5.7.0 Must not issue a STARTTLS command first',
    'TLS negotiation succeeded with error SocketError',
    '451 4.4.0 Security status',
    '451 4.4.0 Security statuses InvalidToken',
    'Remote(SocketError)',
    'TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256',
  ])('%j', (text) => {
    expect(classifyReply(text)).toBeNull();
  });
});

describe('classifyReply: hostile input', () => {
  const adversarial: Record<string, string> = {
    'long reason': '421 4.4.2 Connection dropped due to ' + 'A'.repeat(100_000),
    'long name': 'TLS negotiation failed with error ' + 'a_'.repeat(50_000),
    'repeated socket prefix': '421 4.2.1 Unable to connect' + ' Winsock error code'.repeat(6_000),
    spaces: '451 5.7.3 ' + ' '.repeat(100_000) + 'x',
    digits: '4'.repeat(100_000),
    dots: '.'.repeat(100_000),
    'repeated codes': '421 4.4.2 '.repeat(10_000),
  };
  it.each(Object.keys(adversarial))('classifies a 100 KB string (%s) in < 50 ms', (name) => {
    const text = adversarial[name] ?? '';
    expect(text.length).toBeGreaterThanOrEqual(100_000);
    classifyReply(text); // warm-up: JIT and regex compilation are not the input's fault
    const start = performance.now();
    classifyReply(text);
    expect(performance.now() - start).toBeLessThan(50);
  });

  it('keeps a long reason word bounded instead of returning 100 KB', () => {
    const m = classifyReply('421 4.4.2 Connection dropped due to ' + 'A'.repeat(100_000));
    expect(m?.category).toBe('socket-error');
    expect(m?.detail).toBeNull(); // no word boundary within 64 characters: the reason is not a name
  });

  it('never throws and only returns known categories', () => {
    const known = new Set(['tls-negotiation-failed', 'socket-error', 'starttls-required', 'legacy-tls', 'connect-failed']);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const m = classifyReply(s);
        return m === null || (known.has(m.category) && (m.detail === null || m.detail.length <= 300));
      }),
    );
  });

  it('is insensitive to the whitespace a paste adds between words', () => {
    fc.assert(
      fc.property(fc.constantFrom(...positives), fc.constantFrom(' ', '  ', '\t', '\r\n'), ([text, category], ws) => {
        return classifyReply(text.replace(/ /g, ws))?.category === category;
      }),
    );
  });
});
