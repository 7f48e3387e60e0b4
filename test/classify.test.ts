import { describe, expect, it } from 'vitest';
import { SessionAssembler } from '../src/sessions/builder.js';
import { classifySession, classifyText } from '../src/classify/classify.js';
import { defaultRules, QUEUE_ERROR_RULE, type Rule } from '../src/classify/rules.js';
import type { BuiltinCategory, Finding, LogRecord } from '../src/types.js';
import { session } from './helpers/rows.js';

function findings(
  records: LogRecord[],
  direction: 'send' | 'receive',
  rules: readonly Rule[] = defaultRules,
  keepRows: 'evidence' | 'all' = 'evidence',
): Finding[] {
  const a = new SessionAssembler({ origin: 'o', direction, serverHint: null }, { keepRows });
  const sessions = [...a.add(records), ...a.end()];
  expect(sessions).toHaveLength(1);
  return classifySession(sessions[0]!, rules);
}

function cats(f: Finding[]): Array<[string, string | null]> {
  return f.map((x) => [x.category, x.detail]);
}

const O365 = { connector: 'Outbound to Office 365', remote: '104.47.55.110:25' };
const SEND_PREFIX = `*,SendRoutingHeaders,Set Session Permissions
*,,attempting to connect
+,,
<,"220 AM4PEPF00027A5F.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at Mon, 10 Nov 2025 09:00:00 +0000",
>,EHLO mail.contoso.com,
<,250  AM4PEPF00027A5F.mail.protection.outlook.com Hello [198.51.100.7] SIZE 157286400 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS 8BITMIME BINARYMIME CHUNKING SMTPUTF8,
>,STARTTLS,
<,220 2.0.0 SMTP server ready,`;

const RECV_PREFIX = `+,,
>,"220 EX01.contoso.com Microsoft ESMTP MAIL Service ready at Mon, 10 Nov 2025 10:00:00 +0100",
<,EHLO printer.contoso.com,
>,250  EX01.contoso.com Hello [10.1.1.50] SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH NTLM 8BITMIME BINARYMIME CHUNKING,`;

describe('built-in rules', () => {
  it('tls-negotiation-failed: SocketError row on a send session, and no socket-error on top', () => {
    const f = findings(session('08DE000000000001', `${SEND_PREFIX}\n*,,TLS negotiation failed with error SocketError\n-,,Remote(SocketError)`, O365), 'send');
    expect(cats(f)).toEqual([['tls-negotiation-failed', 'SocketError']]);
    expect(f[0]!.remoteHost).toBe('104.47.55.110');
    expect(f[0]!.remoteNames).toEqual(['AM4PEPF00027A5F.mail.protection.outlook.com']);
    expect(f[0]!.evidence[0]!.text).toBe('* TLS negotiation failed with error SocketError');
    expect(f[0]!.evidence[0]!.line).toBe(9);
    expect(f[0]!.hint).toMatch(/DisabledByDefault=0/);
  });

  it('tls-negotiation-failed: a failure row that names no error (an excerpt cut short) is still a failure', () => {
    for (const row of ['*,,TLS negotiation failed with error', '*,,TLS negotiation failed']) {
      const f = findings(session('08DE000000000009', `${SEND_PREFIX}\n${row}\n-,,Local`, O365), 'send');
      expect(cats(f), row).toEqual([['tls-negotiation-failed', 'unnamed']]);
      expect(f[0]!.evidence[0]!.text).toBe(row.replace('*,,', '* '));
    }
  });

  it('tls-negotiation-failed: handshake died after 220 without any failure row', () => {
    const f = findings(session('08DE000000000002', `${RECV_PREFIX}\n<,STARTTLS,\n>,220 2.0.0 SMTP server ready,\n-,,Remote(ConnectionReset)`), 'receive');
    expect(cats(f)).toEqual([['tls-negotiation-failed', 'HandshakeAborted']]);
  });

  it('tls-negotiation-failed: X-ANONYMOUSTLS (Exchange to Exchange) is a handshake like STARTTLS', () => {
    const aborted = findings(session('08DE00000000000F', `${RECV_PREFIX}\n<,X-ANONYMOUSTLS,\n>,220 2.0.0 SMTP server ready,\n-,,Remote(SocketError)`), 'receive');
    expect(cats(aborted)).toEqual([['tls-negotiation-failed', 'HandshakeAborted']]);
    expect(aborted[0]!.evidence.map((e) => e.text)).toEqual(['- Remote(SocketError)', '< X-ANONYMOUSTLS', '> 220 2.0.0 SMTP server ready']);
    const failedRow = findings(session('08DE000000000010', `${RECV_PREFIX}\n<,X-ANONYMOUSTLS,\n>,220 2.0.0 SMTP server ready,\n*,,TLS negotiation failed with error IllegalMessage\n-,,Remote(SocketError)`), 'receive');
    expect(cats(failedRow)).toEqual([['tls-negotiation-failed', 'IllegalMessage']]);
    expect(failedRow[0]!.evidence.map((e) => e.text)).toEqual(['* TLS negotiation failed with error IllegalMessage', '< X-ANONYMOUSTLS']);
    // Exchange 2010 writes no TLS row: more SMTP after the go-ahead is TLS of unknown version, and no finding.
    const worked = findings(session('08DE000000000011', `${RECV_PREFIX}\n<,X-ANONYMOUSTLS,\n>,220 2.0.0 SMTP server ready,\n<,X-EXPS GSSAPI,\n>,235 <authentication response>,\n<,QUIT,\n>,221 Bye,\n-,,Local`), 'receive');
    expect(worked).toEqual([]);
  });

  it('socket-error: Remote(SocketError) mid-session', () => {
    const f = findings(
      session('08DE000000000003', `${RECV_PREFIX}\n<,STARTTLS,\n>,220 2.0.0 SMTP server ready,\n*,,"TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 0 bits and key exchange algorithm CALG_ECDHE with strength 384 bits"\n<,EHLO printer.contoso.com,\n>,250 EX01 Hello,\n<,MAIL FROM:<a@b.c>,\n>,250 2.1.0 Sender OK,\n<,RCPT TO:<x@contoso.com>,\n>,250 2.1.5 Recipient OK,\n<,DATA,\n>,354 Start mail input; end with <CRLF>.<CRLF>,\n-,,Remote(SocketError)`),
      'receive',
    );
    expect(cats(f)).toEqual([['socket-error', 'SocketError']]);
  });

  it('socket-error is not raised on receive for a client that hung up after the banner without EHLO or HELO (a probe)', () => {
    const probe = findings(session('08DE00000000002A', `+,,\n>,"220 EX01.contoso.com Microsoft ESMTP MAIL Service ready",\n-,,Remote(SocketError)`), 'receive');
    expect(cats(probe)).toEqual([]);
    // Once it has said EHLO, the same drop is a finding, as it is on a send session before any command.
    const spoke = findings(session('08DE00000000002B', `${RECV_PREFIX}\n-,,Remote(SocketError)`), 'receive');
    expect(cats(spoke)).toEqual([['socket-error', 'SocketError']]);
    const send = findings(session('08DE00000000002C', `*,,attempting to connect\n+,,\n-,,Remote(SocketError)`, { connector: 'Internet Mail', remote: '198.51.100.3:25' }), 'send');
    expect(cats(send)).toEqual([['socket-error', 'SocketError']]);
  });

  it('socket-error: 421 4.4.2 reply from the peer', () => {
    const f = findings(session('08DE000000000004', `*,,attempting to connect\n+,,\n<,220 mx.partner.example ESMTP,\n>,EHLO mail.contoso.com,\n<,421 4.4.2 Connection dropped due to SocketError,\n-,,Remote`, { connector: 'Internet Mail', remote: '198.51.100.20:25' }), 'send');
    expect(cats(f)).toEqual([['socket-error', 'SocketError']]);
  });

  it('socket-error is not raised after QUIT/221, nor for a reset after the message was queued', () => {
    const afterQuit = findings(session('08DE000000000005', `${RECV_PREFIX}\n<,QUIT,\n>,221 2.0.0 Service closing transmission channel,\n-,,Remote(ConnectionReset)`), 'receive');
    expect(afterQuit).toEqual([]);
    const afterQueued = findings(
      session('08DE000000000006', `${RECV_PREFIX}\n<,STARTTLS,\n>,220 2.0.0 SMTP server ready,\n*,,"TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded"\n<,EHLO x,\n>,250 EX01 Hello,\n<,MAIL FROM:<a@b.c>,\n>,250 2.1.0 Sender OK,\n<,BDAT 10 LAST,\n>,250 2.6.0 <m@x> [InternalId=1] Queued mail for delivery,\n-,,Remote(ConnectionReset)`),
      'receive',
    );
    expect(afterQueued).toEqual([]);
  });

  it('starttls-required: 451 5.7.3 from Office 365 and 530 5.7.0 from Exchange', () => {
    const send = findings(session('08DE000000000007', `*,,attempting to connect\n+,,\n<,220 mx ESMTP,\n>,EHLO mail.contoso.com,\n<,250 mx Hello,\n>,MAIL FROM:<a@contoso.com>,\n<,451 5.7.3 Must issue a STARTTLS command first,\n>,QUIT,\n-,,Local`, O365), 'send');
    expect(cats(send)).toEqual([['starttls-required', '451 5.7.3 Must issue a STARTTLS command first']]);
    const recv = findings(session('08DE000000000008', `${RECV_PREFIX}\n<,MAIL FROM:<a@b.c>,\n>,530 5.7.0 Must issue a STARTTLS command first,\n-,,Remote`), 'receive');
    expect(cats(recv)).toEqual([['starttls-required', '530 5.7.0 Must issue a STARTTLS command first']]);
  });

  it('legacy-tls: TLS 1.0 negotiated (the row is evidence)', () => {
    const f = findings(
      session('08DE000000000009', `${RECV_PREFIX}\n<,STARTTLS,\n>,220 2.0.0 SMTP server ready,\n*,,"TLS protocol SP_PROT_TLS1_0_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_ECDHE with strength 256 bits"\n<,EHLO printer,\n<,QUIT,\n>,221 2.0.0 Bye,\n-,,Local`),
      'receive',
    );
    expect(cats(f)).toEqual([['legacy-tls', 'TLS1.0']]);
    expect(f[0]!.evidence[0]!.text).toContain('SP_PROT_TLS1_0_SERVER');
  });

  it('plaintext: STARTTLS offered, mail accepted without TLS', () => {
    const f = findings(session('08DE00000000000A', `${RECV_PREFIX}\n<,MAIL FROM:<a@b.c>,\n>,250 2.1.0 Sender OK,\n<,RCPT TO:<user@contoso.com>,\n>,250 2.1.5 Recipient OK,\n<,QUIT,\n>,221 Bye,\n-,,Local`), 'receive');
    expect(cats(f)).toEqual([['plaintext', null]]);
    // Pipelined (MAIL, RCPT and DATA in one go), the replies come in order: the second one answers RCPT.
    const piped = findings(session('08DE00000000001A', `${RECV_PREFIX}\n<,MAIL FROM:<a@b.c>,\n<,RCPT TO:<u@contoso.com>,\n<,DATA,\n>,250 2.1.0 Sender OK,\n>,250 2.1.5 Recipient OK,\n>,354 Start mail input,\n-,,Local`), 'receive');
    expect(cats(piped)).toEqual([['plaintext', null]]);
  });

  it('no plaintext finding when no recipient was taken: a botnet client whose RCPT is refused delivered nothing', () => {
    const refused = findings(session('08DE00000000001B', `${RECV_PREFIX}\n<,MAIL FROM:<spam@bot.example>,\n>,250 2.1.0 Sender OK,\n<,RCPT TO:<nobody@contoso.com>,\n>,550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup,\n<,QUIT,\n>,221 Bye,\n-,,Local`), 'receive');
    expect(cats(refused)).toEqual([]);
    const senderOnly = findings(session('08DE00000000001C', `${RECV_PREFIX}\n<,MAIL FROM:<a@b.c>,\n>,250 2.1.0 Sender OK,\n<,QUIT,\n>,221 Bye,\n-,,Local`), 'receive');
    expect(cats(senderOnly)).toEqual([]);
  });

  it('no finding when STARTTLS is never offered, and none on a healthy TLS 1.2 session', () => {
    const noOffer = findings(session('08DE00000000000B', `*,,attempting to connect\n+,,\n<,220 mx ESMTP Postfix,\n>,EHLO mail.contoso.com,\n<,250 mx Hello SIZE 1000 OK,\n>,MAIL FROM:<>,\n<,250 2.1.0 Ok,\n>,QUIT,\n<,221 Bye,\n-,,Remote`, { connector: 'Internet Mail', remote: '198.51.100.3:25' }), 'send');
    expect(noOffer).toEqual([]);
    const healthy = findings(session('08DE00000000000C', `${SEND_PREFIX}\n*,,"TLS protocol SP_PROT_TLS1_2_CLIENT negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 0 bits and key exchange algorithm CALG_ECDHE with strength 384 bits"\n>,EHLO mail.contoso.com,\n<,250 Hello,\n>,MAIL FROM:<a@contoso.com>,\n<,250 2.1.0 Sender OK,\n>,QUIT,\n<,221 2.0.0 Service closing transmission channel,\n-,,Local`, O365), 'send');
    expect(healthy).toEqual([]);
  });

  describe('starttls-not-offered (KB2989382: no STARTTLS in our EHLO reply, the sender leaves)', () => {
    const NO_TLS = `+,,
>,"220 EX01.contoso.com Microsoft ESMTP MAIL Service ready at Mon, 10 Nov 2025 10:00:00 +0100",
<,EHLO EUR05-AM6-obe.outbound.protection.outlook.com,
>,250  EX01.contoso.com Hello [40.107.22.50] SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES X-ANONYMOUSTLS AUTH NTLM 8BITMIME BINARYMIME CHUNKING,`;
    const EXO = { remote: '40.107.22.50:30000' };
    const both = (id: string, body: string, direction: 'send' | 'receive' = 'receive') => {
      const evidence = findings(session(id, body, EXO), direction);
      // Rules decide the same on the kept rows as on every row.
      expect(findings(session(id, body, EXO), direction, defaultRules, 'all')).toEqual(evidence);
      return evidence;
    };

    it('is raised when the client quits or hangs up after the EHLO reply, quoting that reply', () => {
      const quit = both('08DE000000000101', `${NO_TLS}\n<,QUIT,\n>,221 2.0.0 Service closing transmission channel,\n-,,Local`);
      expect(cats(quit)).toEqual([['starttls-not-offered', null]]);
      expect(quit[0]!.evidence.map((e) => e.text)).toEqual([
        '> 250  EX01.contoso.com Hello [40.107.22.50] SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES X-ANONYMOUSTLS AUTH NTLM 8BITMIME BINARYMIME CHUNKING',
        '< QUIT',
      ]);
      expect(quit[0]!.hint).toMatch(/TlsCertificateName.*KB2989382/);
      const gone = both('08DE000000000102', `${NO_TLS}\n-,,Remote`);
      expect(cats(gone)).toEqual([['starttls-not-offered', null]]);
      expect(gone[0]!.evidence.map((e) => e.text)).toEqual([quit[0]!.evidence[0]!.text, '- Remote']);
    });

    it('quotes the final line of an EHLO reply written one row per line', () => {
      const multi = `+,,\n>,220 EX01 ESMTP,\n<,EHLO mx.example,\n>,250-EX01 Hello [40.107.22.50],\n>,250-SIZE 37748736,\n>,250-X-ANONYMOUSTLS,\n>,250 CHUNKING,\n<,NOOP,\n>,250 2.0.0 OK,\n<,QUIT,\n>,221 Bye,\n-,,Local`;
      const f = both('08DE000000000103', multi);
      expect(f[0]!.evidence.map((e) => e.text)).toEqual(['> 250 CHUNKING', '< QUIT']);
    });

    it('is not raised where STARTTLS was offered, mail was sent, or the client did not say EHLO', () => {
      const cases: Array<[string, string, Array<[string, string | null]>]> = [
        // STARTTLS offered: a probe that says EHLO and QUIT is nothing
        ['offered', `${RECV_PREFIX}\n<,QUIT,\n>,221 Bye,\n-,,Local`, []],
        // mail in plaintext on a connector without TLS: no TLS was needed
        ['mail', `${NO_TLS}\n<,MAIL FROM:<a@b.c>,\n>,250 2.1.0 Sender OK,\n<,QUIT,\n>,221 Bye,\n-,,Local`, []],
        // mail refused for want of TLS: the reply says so
        ['refused', `${NO_TLS}\n<,MAIL FROM:<a@b.c>,\n>,530 5.7.0 Must issue a STARTTLS command first,\n<,QUIT,\n>,221 Bye,\n-,,Local`, [['starttls-required', '530 5.7.0 Must issue a STARTTLS command first']]],
        // MAIL sent, then the line dropped before the answer
        ['mail-unanswered', `${NO_TLS}\n<,MAIL FROM:<a@b.c>,\n-,,Remote`, []],
        // AUTH tried without TLS, abandoned
        ['auth', `${NO_TLS}\n<,AUTH LOGIN,\n>,334 VXNlcm5hbWU6,\n-,,Remote`, []],
        // HELO: no extension list, so nothing could be offered (load-balancer checks)
        ['helo', `+,,\n>,220 EX01 ESMTP,\n<,HELO lb01,\n>,250 EX01 Hello [10.0.0.2],\n<,QUIT,\n>,221 Bye,\n-,,Local`, []],
        // connects and leaves after the banner
        ['banner', `+,,\n>,220 EX01 ESMTP,\n-,,Remote`, []],
        // Exchange closed an idle session: the client did not leave
        ['local', `${NO_TLS}\n-,,Local`, []],
        // TLS started through X-ANONYMOUSTLS: TLS was there
        ['anonymous', `${NO_TLS}\n<,X-ANONYMOUSTLS,\n>,220 2.0.0 SMTP server ready,\n*,,"TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 0 bits and key exchange algorithm CALG_ECDHE with strength 384 bits"\n<,QUIT,\n>,221 Bye,\n-,,Local`, []],
      ];
      cases.forEach(([name, body, expected], i) => {
        expect(cats(both(`08DE0000000002${String(i).padStart(2, '0')}`, body)), name).toEqual(expected);
      });
      // The send side: a peer that offers no STARTTLS is its own business (plaintext rules), not this finding.
      const send = `*,,attempting to connect\n+,,\n<,220 mx ESMTP,\n>,EHLO mail.contoso.com,\n<,250 mx Hello SIZE 1000,\n>,QUIT,\n<,221 Bye,\n-,,Local`;
      expect(both('08DE000000000299', send, 'send')).toEqual([]);
    });
  });

  it('counts each category once per session', () => {
    const f = findings(session('08DE00000000000D', `${RECV_PREFIX}\n<,MAIL FROM:<a@b.c>,\n>,530 5.7.0 Must issue a STARTTLS command first,\n<,MAIL FROM:<a@b.c>,\n>,530 5.7.0 Must issue a STARTTLS command first,\n-,,Remote`), 'receive');
    expect(f.filter((x) => x.category === 'starttls-required')).toHaveLength(1);
  });

  it('accepts user rules next to the built-in ones', () => {
    const authFailed: Rule = {
      id: 'auth-failed',
      title: 'AUTH failed',
      explanation: 'An SMTP AUTH attempt was refused.',
      hint: 'Check the account.',
      matchSession: (s) => {
        const row = s.records.find((r) => r.context.startsWith('Inbound AUTH LOGIN failed'));
        return row ? { detail: row.context.slice(row.context.lastIndexOf(' ') + 1), evidence: [row] } : null;
      },
      matchText: (t) => (t.includes('5.7.8') ? 'auth' : undefined),
    };
    const rows = session('08DE00000000000E', `${RECV_PREFIX}\n<,AUTH LOGIN,\n*,,Inbound AUTH LOGIN failed because of LogonDenied\n<,RSET,\n-,,Remote`);
    // The AUTH row is not one the built-in rules quote: a rule that reads it asks for every row.
    expect(cats(findings(rows, 'receive', [...defaultRules, authFailed], 'all'))).toContainEqual(['auth-failed', 'LogonDenied']);
    expect(cats(findings(rows, 'receive', [...defaultRules, authFailed], 'evidence')).map(([c]) => c)).not.toContain('auth-failed');
    expect(classifyText('535 5.7.8 Authentication unsuccessful', [...defaultRules, authFailed])?.rule.id).toBe('auth-failed');
  });

  it('classifies queue texts through the same rules', () => {
    expect(classifyText('421 4.4.2 Connection dropped due to SocketError')).toMatchObject({ rule: { id: 'socket-error' }, detail: 'SocketError' });
    expect(classifyText('451 5.7.3 STARTTLS is required to send mail')?.rule.id).toBe('starttls-required');
    expect(classifyText('451 4.4.0 Security status InvalidToken.')).toMatchObject({ rule: { id: 'tls-negotiation-failed' }, detail: 'InvalidToken' });
    expect(classifyText('451 4.7.3 The admin has temporarily disallowed this secure domain.')).toBeNull();
  });
});

describe('BuiltinCategory', () => {
  it('names exactly the categories of the built-in rules and queue-error', () => {
    // A Record over the type must list every member and nothing else (tsc checks it), and the test checks the rules.
    const named: Record<BuiltinCategory, true> = {
      'tls-negotiation-failed': true, 'socket-error': true, 'starttls-required': true, 'starttls-not-offered': true,
      'legacy-tls': true, plaintext: true, 'connect-failed': true, 'queue-error': true,
    };
    expect(Object.keys(named).sort()).toEqual([...defaultRules.map((r) => r.id), QUEUE_ERROR_RULE.id].sort());
  });
});

describe('the built-in rules are shared by every scan in the process: frozen', () => {
  it('refuse changes to the list, a rule, its detail hints and its unless list, and later scans are as before', async () => {
    const { scan } = await import('../src/scan.js');
    const legacy = defaultRules.find((r) => r.id === 'legacy-tls')!;
    const socket = defaultRules.find((r) => r.id === 'socket-error')!;
    const hint = legacy.hint;
    // Module code is strict: writing to a frozen object throws (it used to change every later report).
    expect(() => ((legacy as Rule).hint = 'MUTATED')).toThrow(TypeError);
    expect(() => ((legacy.detailHints as Record<string, string>)['send:TLS1.0'] = 'MUTATED')).toThrow(TypeError);
    expect(() => (socket.unless as string[]).push('legacy-tls')).toThrow(TypeError);
    expect(() => (defaultRules as Rule[]).push(legacy)).toThrow(TypeError);
    expect(() => ((defaultRules as Rule[])[0] = legacy)).toThrow(TypeError);
    expect(() => ((QUEUE_ERROR_RULE as Rule).hint = 'MUTATED')).toThrow(TypeError);
    expect(legacy.hint).toBe(hint);
    expect(JSON.stringify(await scan('samples'))).not.toContain('MUTATED');
  });

  it('are read-only to the compiler too, and still spread into a list of rules with one of your own', () => {
    const mine: Rule = { id: 'mine', title: 't', explanation: 'e', hint: 'h', matchSession: () => null };
    const rules: readonly Rule[] = [...defaultRules, mine];
    expect(rules).toHaveLength(defaultRules.length + 1);
    // Never called: tsc (npm run typecheck) fails on an unused @ts-expect-error, so this holds the types read-only.
    const typeOnly = () => {
      // @ts-expect-error: a built-in rule is read-only
      defaultRules[0]!.hint = 'x';
      // @ts-expect-error: so is QUEUE_ERROR_RULE
      QUEUE_ERROR_RULE.title = 'x';
    };
    expect(typeof typeOnly).toBe('function');
  });
});

describe('rule order', () => {
  it('gives a text the category of the first rule whose matchText matches, so a rule put first takes it', () => {
    // The innermost reply of a queue LastError that also says a failover was tried.
    const text = '421 4.4.0 Unable to connect. Attempted failover to alternate host';
    const mine: Rule = { id: 'failover', title: 'Failover', explanation: 'x', hint: 'y', matchText: (t) => (t.includes('failover') ? null : undefined) };
    expect(classifyText(text)?.rule.id).toBe('connect-failed');
    expect(classifyText(text, [...defaultRules, mine])?.rule.id).toBe('connect-failed');
    expect(classifyText(text, [mine, ...defaultRules])?.rule.id).toBe('failover');
  });
});
