import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseLastError } from '../src/classify/lasterror.js';
import { classifyReply } from '../src/classify/replies.js';

const FAILOVER =
  'Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts.';

interface Expect {
  innermost: string;
  chain: string[];
  ip: string | null;
  fqdn: string | null;
  category: string | null;
  detail?: string | null;
}

function check(raw: string, e: Expect): void {
  const p = parseLastError(raw);
  expect(p.raw).toBe(raw);
  expect(p.innermost).toBe(e.innermost);
  expect(p.chain).toEqual(e.chain);
  expect(p.ip).toBe(e.ip);
  expect(p.fqdn).toBe(e.fqdn);
  const m = classifyReply(p.innermost);
  expect(m?.category ?? null).toBe(e.category);
  if (e.detail !== undefined) expect(m?.detail ?? null).toBe(e.detail);
}

describe('parseLastError: §5.5 (a) bracketed key form', () => {
  it('reads the rejoined Format-List LastError of msqa-234456 (proxy → failover → InvalidToken)', () => {
    const raw = `[{LRT=15-01-21 23:50:05};{LED=450 4.7.0 Proxy session setup failed on Frontend with '451 4.4.0 Primary target IP address responded with: "451 4.4.0 Security status InvalidToken." ${FAILOVER} The last endpoint attempted was 2a0X:3cXX:XX2:XXX::XX00:25'};{FQDN=MAILSERVER.DOMAIN.LOCAL};{IP=192.168.12.4}]`;
    check(raw, {
      innermost: '451 4.4.0 Security status InvalidToken.',
      chain: [
        '450 4.7.0 Proxy session setup failed on Frontend with',
        '451 4.4.0 Primary target IP address responded with',
        '451 4.4.0 Security status InvalidToken.',
      ],
      ip: '192.168.12.4',
      fqdn: 'MAILSERVER.DOMAIN.LOCAL',
      category: 'tls-negotiation-failed',
      detail: 'InvalidToken',
    });
    // two-digit year: day/month/year order cannot be known, so no ISO
    expect(parseLastError(raw).lastRetryTime).toEqual({ raw: '15-01-21 23:50:05', iso: null });
  });

  it('reads keys in any order, with {MSG=} and a chain inside LED', () => {
    const raw =
      '[{LED=451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to TimedOut};{MSG=};{FQDN=mx1.fabrikam.com};{IP=203.0.113.25};{LRT=2019/11/4 13:31:03}]';
    check(raw, {
      innermost: '421 4.4.2 Connection dropped due to TimedOut',
      chain: ['451 4.4.397 Error communicating with target host.', '421 4.4.2 Connection dropped due to TimedOut'],
      ip: '203.0.113.25',
      fqdn: 'mx1.fabrikam.com',
      category: 'socket-error',
      detail: 'TimedOut',
    });
    expect(parseLastError(raw).lastRetryTime).toEqual({ raw: '2019/11/4 13:31:03', iso: '2019-11-04T13:31:03' });
  });

  it('reads the EXO LastError of the EX01 sample (ambiguous US date kept raw)', () => {
    const raw =
      '[{LRT=11/10/2025 9:41:07 AM};{LED=451 4.4.0 TLS negotiation failed with error SocketError};{FQDN=contoso.mail.protection.outlook.com};{IP=104.47.55.110}]';
    check(raw, {
      innermost: '451 4.4.0 TLS negotiation failed with error SocketError',
      chain: ['451 4.4.0 TLS negotiation failed with error SocketError'],
      ip: '104.47.55.110',
      fqdn: 'contoso.mail.protection.outlook.com',
      category: 'tls-negotiation-failed',
      detail: 'SocketError',
    });
    expect(parseLastError(raw).lastRetryTime).toEqual({ raw: '11/10/2025 9:41:07 AM', iso: null });
  });

  it('reads an unambiguous US date and an LED that is cut off', () => {
    const raw = '[{LRT=11/13/2025 9:41:07 PM};{LED=421 4.4.2 Connection dropped due to Socket';
    const p = parseLastError(raw);
    expect(p.lastRetryTime).toEqual({ raw: '11/13/2025 9:41:07 PM', iso: '2025-11-13T21:41:07' });
    expect(p.innermost).toBe('421 4.4.2 Connection dropped due to Socket');
    expect(classifyReply(p.innermost)).toEqual({ category: 'socket-error', detail: 'Socket' });
  });

  it('keeps LED text with ;, quotes and brackets intact', () => {
    const raw = `[{LED=450 4.4.317 Cannot connect to remote server [Message=451 5.7.3 STARTTLS is required to send mail] [LastAttemptedServerName=mx.example.org] [LastAttemptedIP=198.51.100.7:25] [SmtpSecurity=-2;-2] [X 'a';"b"]};{FQDN=mx.example.org};{IP=198.51.100.7}]`;
    check(raw, {
      innermost: '451 5.7.3 STARTTLS is required to send mail',
      chain: ['450 4.4.317 Cannot connect to remote server', '451 5.7.3 STARTTLS is required to send mail'],
      ip: '198.51.100.7',
      fqdn: 'mx.example.org',
      category: 'starttls-required',
      detail: '451 5.7.3 STARTTLS is required to send mail',
    });
  });
});

describe('parseLastError: §5.5 (b) failover wrapper', () => {
  it.each([
    ['421 4.4.1 Connection timed out.', 'connect-failed'],
    ['454 4.7.0 Temporary authentication failure.', null],
    ['451 5.7.3 Cannot achieve Exchange Server authentication.', null],
    ['451 5.7.3 Must issue a STARTTLS command first.', 'starttls-required'],
    ['421 4.4.2 Connection dropped due to SocketError.', 'socket-error'],
  ])('unwraps %s', (inner, category) => {
    check(`451 4.4.0 Primary target IP address responded with: "${inner}" ${FAILOVER}`, {
      innermost: inner,
      chain: ['451 4.4.0 Primary target IP address responded with', inner],
      ip: null,
      fqdn: null,
      category,
    });
  });

  it('unwraps the KB2989382 hybrid text (no colon after "with", endpoint placeholder)', () => {
    check(
      `450 4.4.101 Proxy session setup failed on Frontend with '451 4.4.0 Primary target IP address responded with "451 5.7.3 STARTTLS is required to send mail." ${FAILOVER} The last endpoint attempted was <endpoint>'.`,
      {
        innermost: '451 5.7.3 STARTTLS is required to send mail.',
        chain: [
          '450 4.4.101 Proxy session setup failed on Frontend with',
          '451 4.4.0 Primary target IP address responded with',
          '451 5.7.3 STARTTLS is required to send mail.',
        ],
        ip: null,
        fqdn: null,
        category: 'starttls-required',
        detail: '451 5.7.3 STARTTLS is required to send mail',
      },
    );
  });

  it('unwraps the KB4495258 text that lost its opening', () => {
    check(`421 4.4.1 Connection timed out." ${FAILOVER}`, {
      innermost: '421 4.4.1 Connection timed out.',
      chain: ['421 4.4.1 Connection timed out.'],
      ip: null,
      fqdn: null,
      category: 'connect-failed',
      detail: 'Connection timed out',
    });
  });

  it('unwraps the connection-level form and strips the port of the last endpoint', () => {
    check(
      `441 4.4.1 Error encountered while communicating with primary target IP address: "Failed to connect. Winsock error code: 10060, Win32 error code: 10060." ${FAILOVER} The last endpoint attempted was 172.24.16.149:475`,
      {
        innermost: 'Failed to connect. Winsock error code: 10060, Win32 error code: 10060.',
        chain: [
          '441 4.4.1 Error encountered while communicating with primary target IP address',
          'Failed to connect. Winsock error code: 10060, Win32 error code: 10060.',
        ],
        ip: '172.24.16.149',
        fqdn: null,
        category: 'connect-failed',
        detail: 'Winsock 10060',
      },
    );
  });

  it('reads doubled CSV quotes and IPv6 endpoints, and the MAPI variant tail', () => {
    check(
      `451 4.4.0 Primary target IP address responded with: ""421 4.4.2 Connection dropped due to SocketError."" ${FAILOVER} The last endpoint attempted was 2001:db8:10::25:25`,
      {
        innermost: '421 4.4.2 Connection dropped due to SocketError.',
        chain: ['451 4.4.0 Primary target IP address responded with', '421 4.4.2 Connection dropped due to SocketError.'],
        ip: '2001:db8:10::25',
        fqdn: null,
        category: 'socket-error',
        detail: 'SocketError',
      },
    );
    const mapi = parseLastError(
      `451 4.4.0 Primary target IP address responded with: "421 4.2.1 Unable to connect." ${FAILOVER} Queue will be resubmitted for routing for MAPI delivery.`,
    );
    expect(mapi.innermost).toBe('421 4.2.1 Unable to connect.');
  });
});

describe('parseLastError: §5.5 (c) chains', () => {
  it.each<[string, string, number, string | null, string | null]>([
    [
      '451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to ConnectionReset',
      '421 4.4.2 Connection dropped due to ConnectionReset',
      2,
      'socket-error',
      'ConnectionReset',
    ],
    [
      '451 4.4.397 Error communicating with target host. -> 421 4.2.1 Unable to connect -> SocketTimedout: Socket error code 10060',
      '421 4.2.1 Unable to connect -> SocketTimedout: Socket error code 10060',
      3,
      'connect-failed',
      'Winsock 10060',
    ],
    [
      '451 4.4.397 Error communicating with target host. -> 421 4.2.1 Unable to connect -> SocketError: Failed to connect. Winsock error code: 10051, Win32 error code: 10051',
      '421 4.2.1 Unable to connect -> SocketError: Failed to connect. Winsock error code: 10051, Win32 error code: 10051',
      3,
      'connect-failed',
      'Winsock 10051',
    ],
    [
      '451 4.4.397 Error communicating with target host -> 421 4.4.2 Connection dropped due to timeout',
      '421 4.4.2 Connection dropped due to timeout',
      2,
      'socket-error',
      'timeout',
    ],
    ['451 4.4.397 Error communicating with target host -> 421 4.3.2 Service not active', '421 4.3.2 Service not active', 2, null, null],
    [
      '550 5.4.300 Message expired -> 451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to ConnectionReset',
      '421 4.4.2 Connection dropped due to ConnectionReset',
      3,
      'socket-error',
      'ConnectionReset',
    ],
  ])('%s', (raw, innermost, layers, category, detail) => {
    const p = parseLastError(raw);
    expect(p.innermost).toBe(innermost);
    expect(p.chain).toEqual(raw.split(' -> '));
    expect(p.chain).toHaveLength(layers);
    expect(p.ip).toBeNull();
    expect(classifyReply(p.innermost)).toEqual(category === null ? null : { category, detail });
  });

  it('unwraps a chain inside a proxy quote', () => {
    const p = parseLastError(
      "450 4.7.0 Proxy session setup failed on Frontend with '451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to SocketError'",
    );
    expect(p.chain).toEqual([
      '450 4.7.0 Proxy session setup failed on Frontend with',
      '451 4.4.397 Error communicating with target host.',
      '421 4.4.2 Connection dropped due to SocketError',
    ]);
    expect(p.innermost).toBe('421 4.4.2 Connection dropped due to SocketError');
  });
});

describe('parseLastError: §6 EXO texts', () => {
  it('takes the reply out of the trailing (<reply>) form', () => {
    check('550 5.4.317 Message expired, cannot connect to remote server(451 5.7.3 STARTTLS is required to send mail)', {
      innermost: '451 5.7.3 STARTTLS is required to send mail',
      chain: ['550 5.4.317 Message expired, cannot connect to remote server', '451 5.7.3 STARTTLS is required to send mail'],
      ip: null,
      fqdn: null,
      category: 'starttls-required',
    });
  });

  it('reads the Japanese-source LED= forms', () => {
    for (const raw of [
      'LED=450 4.4.317 Cannot connect to remote server [Message=451 5.7.3 STARTTLS is required to send mail]',
      'Reason: [{LED=450 4.4.317 Cannot establish session with remote server [Message=451 5.7.3 STARTTLS is required to send mail]',
    ]) {
      const p = parseLastError(raw);
      expect(p.innermost).toBe('451 5.7.3 STARTTLS is required to send mail');
      expect(p.chain[0]).toMatch(/^450 4\.4\.317 Cannot (?:connect to|establish session with) remote server$/);
    }
  });

  it.each([
    ['450 4.4.315 Connection timed out', 'connect-failed'],
    ['450 4.4.316 Connection refused', 'connect-failed'],
    ['450 4.4.317 Cannot connect to remote server', null],
    ['450 4.4.318 Connection was closed abruptly', 'socket-error'],
    ['450 4.7.320 Certificate validation failed', 'tls-negotiation-failed'],
  ])('keeps the single-layer heading %s', (raw, category) => {
    check(raw, { innermost: raw, chain: [raw], ip: null, fqdn: null, category });
  });
});

describe('parseLastError: every block of exo-ndr-and-messagetrace-tls-texts.txt', () => {
  const text = readFileSync(new URL('./fixtures/real/exo-ndr-and-messagetrace-tls-texts.txt', import.meta.url), 'utf8');
  const blocks = new Map<string, string>();
  for (const part of text.split(/^## \[/m).slice(1)) {
    const nl = part.indexOf('\n');
    blocks.set(part.slice(0, 1), part.slice(nl + 1).replace(/\n+$/, ''));
  }
  const block = (k: string): string => {
    const b = blocks.get(k);
    if (b === undefined) throw new Error(`block ${k} missing`);
    return b;
  };

  it('finds all eight blocks', () => {
    expect([...blocks.keys()]).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
  });

  it('[A] message trace Reason, cut off inside {MSG=', () => {
    check(block('A'), {
      innermost: '451 4.4.0 TLS negotiation failed with error SocketError',
      chain: ['450 4.4.317 Cannot connect to remote server', '451 4.4.0 TLS negotiation failed with error SocketError'],
      ip: null, // masked as `xxx`: not an address
      fqdn: 'xxx',
      category: 'tls-negotiation-failed',
      detail: 'SocketError',
    });
  });

  it('[B] both NDR lines', () => {
    const [first, second] = block('B').split('\n');
    check(first ?? '', {
      innermost: '451 5.7.3 STARTTLS is required to send mail',
      chain: ['550 5.4.317 Message expired, cannot connect to remote server', '451 5.7.3 STARTTLS is required to send mail'],
      ip: null,
      fqdn: null, // the EXO server that reports is not the target
      category: 'starttls-required',
    });
    check(second ?? '', {
      innermost: '451 5.7.3 STARTTLS is required to send mail',
      chain: ['450 4.4.317 Cannot connect to remote server', '451 5.7.3 STARTTLS is required to send mail'],
      ip: '50.251.172.148',
      fqdn: 'steinmetznet.com',
      category: 'starttls-required',
    });
  });

  it('[C] chain with trailing spaces', () => {
    check(block('C'), {
      innermost: '421 4.4.2 Connection dropped due to ConnectionReset',
      chain: [
        '550 5.4.300 Message expired',
        '451 4.4.397 Error communicating with target host.',
        '421 4.4.2 Connection dropped due to ConnectionReset',
      ],
      ip: null,
      fqdn: null,
      category: 'socket-error',
      detail: 'ConnectionReset',
    });
  });

  it('[D] NDR line with a connector name and a masked IP', () => {
    check(block('D'), {
      innermost: '421 4.2.1 Unable to connect -> SocketTimedout: Socket error code 10060',
      chain: [
        '451 4.4.397 Error communicating with target host.',
        '421 4.2.1 Unable to connect',
        'SocketTimedout: Socket error code 10060',
      ],
      ip: '2xx.xx.xx.xx',
      fqdn: null,
      category: 'connect-failed',
      detail: 'Winsock 10060',
    });
  });

  it('[E] quoted-printable NDR with soft breaks and UTF-8 bytes', () => {
    check(block('E'), {
      innermost:
        '421 4.2.1 Unable to connect -> SocketError: Failed to connect. Winsock error code: 10051, Win32 error code: 10051',
      chain: [
        '451 4.4.397 Error communicating with target host.',
        '421 4.2.1 Unable to connect',
        'SocketError: Failed to connect. Winsock error code: 10051, Win32 error code: 10051',
      ],
      ip: '2001:470:142:3::10',
      fqdn: 'nongnu.org',
      category: 'connect-failed',
      detail: 'Winsock 10051',
    });
  });

  it('[F] Last Error cell of a Queue Viewer row fragment (doubled quotes, empty FQDN/IP)', () => {
    const b = block('F');
    const cell = b.slice(b.indexOf('"\n') + 2, b.lastIndexOf(']"') + 1);
    expect(cell).toContain('""Failed to connect.');
    check(cell, {
      innermost: 'Failed to connect. Winsock error code: 10060, Win32 error code: 10060.',
      chain: ['IP address', 'Failed to connect. Winsock error code: 10060, Win32 error code: 10060.'],
      ip: null,
      fqdn: null,
      category: 'connect-failed',
      detail: 'Winsock 10060',
    });
  });

  it('[G] NDR body with \\" escapes', () => {
    check(block('G'), {
      innermost: 'Failed to connect. Winsock error code: 10060, Win32 error code: 10060.',
      chain: [
        '441 4.4.1 Error encountered while communicating with primary target IP address',
        'Failed to connect. Winsock error code: 10060, Win32 error code: 10060.',
      ],
      ip: '172.24.16.149',
      fqdn: 'mdb27',
      category: 'connect-failed',
      detail: 'Winsock 10060',
    });
  });

  it('[H] reply broken over several lines', () => {
    check(block('H'), {
      innermost: '451 4.7.3 The admin has temporarily disallowed this secure domain.',
      chain: [
        '451 4.4.0 Primary target IP address responded with',
        '451 4.7.3 The admin has temporarily disallowed this secure domain.',
      ],
      ip: '45.100.187.7',
      fqdn: 'xxxx.dk',
      category: null,
    });
  });
});

describe('parseLastError: robustness', () => {
  it('does not decode a bracketed LastError as quoted-printable', () => {
    const raw = '[{LRT=15-01-21 23:50:05};{LED=421 4.4.2 Connection dropped due to SocketError};{IP=10.0.0.1}]';
    expect(parseLastError(raw).lastRetryTime?.raw).toBe('15-01-21 23:50:05');
  });

  it('returns a plain text unchanged as its only layer', () => {
    const raw = 'A matching connector cannot be found to route the external recipient';
    expect(parseLastError(raw)).toEqual({ raw, innermost: raw, chain: [raw], lastRetryTime: null, fqdn: null, ip: null });
  });

  it('never throws, and the innermost text is always part of the input words', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const p = parseLastError(s);
        return typeof p.innermost === 'string' && p.chain.every((c) => typeof c === 'string' && c !== '');
      }),
    );
  });

  it('takes a 100 KB hostile text apart in well under a second', () => {
    const hostile = [
      '[{LED='.repeat(20_000),
      ' -> '.repeat(30_000),
      'IP address responded with: "'.repeat(4_000),
      '(421 4.4.2 '.repeat(10_000),
      '=\n=E4'.repeat(25_000),
    ];
    for (const h of hostile) {
      parseLastError(h);
      const start = performance.now();
      parseLastError(h);
      expect(performance.now() - start).toBeLessThan(250);
    }
  });
});
