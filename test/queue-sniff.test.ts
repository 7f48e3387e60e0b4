/**
 * Recognising `Format-List` queue and message exports whose values wrap over many lines, and still refusing other
 * `Name : value` text.
 */
import { describe, expect, it } from 'vitest';
import type { InputKind, QueueEntry } from '../src/types.js';
import { detectInput, emptyStats } from '../src/read/detect.js';
import { readQueueExport, sniffQueue } from '../src/read/queue/index.js';

const PAD = ' '.repeat(27);

/** `Get-Queue | fl` on a console: the LastError wraps onto `wraps` lines indented to the value column. */
function getQueueFl(wraps: number): string {
  const block = (identity: string, lastError: string[]): string[] => [
    'RunspaceId               : 0b6f1d2e-4c5a-4f7e-9a3b-2d1c0e9f8a7b',
    'DeliveryType             : DnsConnectorDelivery',
    'NextHopDomain            : fabrikam.example',
    'TlsDomain                :',
    'NextHopConnector         : 3a5e1c4b-8f0d-4e5a-b7c2-91d64f0a2e13',
    'Status                   : Retry',
    'MessageCount             : 42',
    `LastError                : ${lastError[0] ?? ''}`,
    ...lastError.slice(1).map((l) => PAD + l),
    'RetryCount               : 9',
    `Identity                 : ${identity}`,
    '',
  ];
  const long = ['[{LRT=2019/11/4 13:31:03};{LED=451 4.4.397 Error communicating with target host. -> 421 4.4.2'];
  long.push('Connection dropped due to SocketError};{MSG=the remote server closed the connection while');
  for (let i = 0; i < wraps - 3; i++) long.push('the message was being sent, and then the remote server closed it');
  long.push('again};{FQDN=mx1.fabrikam.example};{IP=203.0.113.9}]');
  return ['', ...block('EX04\\18', long), ...block('EX04\\19', ['421 4.4.2 Connection dropped due to SocketError'])].join('\r\n');
}

/** `Get-Message | fl` of a message to many recipients: Recipients wraps onto `wraps` lines. */
function getMessageFl(wraps: number): string {
  const recipients = Array.from({ length: wraps }, (_, i) => `${PAD}user${i}@fabrikam.example;2;2;[{LRT=};{LED=451 4.4.0 DNS query failed}];0;`);
  return [
    'RunspaceId               : 0b6f1d2e-4c5a-4f7e-9a3b-2d1c0e9f8a7b',
    'Identity                 : EX01\\13\\21474836480',
    'Subject                  : Quarterly report',
    'InternetMessageId        : <a1b2@contoso.com>',
    'FromAddress              : sender@contoso.com',
    'Status                   : Retry',
    'Size                     : 24.3 KB (24,881 bytes)',
    'MessageSourceName        : SMTP:Default EX01',
    'SourceIP                 : 10.0.0.5',
    'SCL                      : -1',
    'DateReceived             : 11/13/2025 9:41:07 PM',
    'ExpirationTime           : 11/15/2025 9:41:07 PM',
    'LastError                : 451 4.4.0 DNS query failed',
    'RetryCount               : 3',
    `Recipients               : {${recipients[0]?.trimStart() ?? ''}`,
    ...recipients.slice(1),
    'Queue                    : EX01\\13',
    '',
  ].join('\r\n');
}

async function* once(buf: Buffer): AsyncGenerator<Buffer> {
  yield buf;
}

async function read(text: string, kind: InputKind): Promise<QueueEntry[]> {
  const stats = emptyStats('in');
  const out: QueueEntry[] = [];
  for await (const batch of readQueueExport(once(Buffer.from(text)), stats, kind)) out.push(...batch);
  expect(stats.problems).toEqual([]);
  return out;
}

describe('Format-List exports whose values wrap over many lines', () => {
  it.each([15, 20, 25, 40, 600])('Get-Queue | fl with a LastError over %i lines is a queue-list', async (wraps) => {
    const text = getQueueFl(wraps);
    expect(sniffQueue(text)).toBe('queue-list');
    expect(detectInput(Buffer.from(text)).kind).toBe('queue-list');
    const entries = await read(text, 'queue-list');
    expect(entries.map((e) => e.identity)).toEqual(['EX04\\18', 'EX04\\19']);
    expect(entries[0]?.lastError?.innermost).toBe('421 4.4.2 Connection dropped due to SocketError');
    expect(entries[0]?.lastError?.ip).toBe('203.0.113.9');
  });

  it.each([20, 60])('Get-Message | fl of a message to %i recipients is a message-list', (wraps) => {
    expect(sniffQueue(getMessageFl(wraps))).toBe('message-list');
  });

  it('a forum paste (flush left, a blank line after every line) with a LastError over 30 lines is a queue-list', async () => {
    const text = getQueueFl(30)
      .split('\r\n')
      .map((l) => l.trimStart())
      .join('\n\n');
    expect(sniffQueue(text)).toBe('queue-list');
    expect(sniffQueue(`[PS] C:\\Windows\\system32>Get-Queue -Identity EX04\\18 | fl\n\n${text}`)).toBe('queue-list');
    const entries = await read(text, 'queue-list');
    expect(entries.map((e) => e.identity)).toEqual(['EX04\\18', 'EX04\\19']);
  });
});

describe('other `Name : value` text stays refused', () => {
  const ipconfig = [
    '',
    'Windows IP Configuration',
    '',
    '   Host Name . . . . . . . . . . . . : EX01',
    '   Primary Dns Suffix  . . . . . . . : contoso.local',
    '   Node Type . . . . . . . . . . . . : Hybrid',
    '   IP Routing Enabled. . . . . . . . : No',
    '',
    'Ethernet adapter Ethernet0:',
    '',
    '   Connection-specific DNS Suffix  . :',
    '   Description . . . . . . . . . . . : vmxnet3 Ethernet Adapter',
    '   Physical Address. . . . . . . . . : 00-50-56-9A-12-34',
    '   DHCP Enabled. . . . . . . . . . . : No',
    '   IPv4 Address. . . . . . . . . . . : 10.0.0.5(Preferred)',
    '   DNS Servers . . . . . . . . . . . : 10.0.0.1',
    '                                       10.0.0.2',
  ].join('\r\n');

  const getService = ['MSExchangeTransport', 'MSExchangeFrontEndTransport', 'MSExchangeDelivery', 'MSExchangeSubmission']
    .map((name) =>
      [
        `Name                : ${name}`,
        `DisplayName         : Microsoft Exchange ${name.slice(10)}`,
        'Status              : Running',
        'DependentServices   : {}',
        'ServicesDependedOn  : {MSExchangeADTopology}',
        'CanPauseAndContinue : False',
        'CanShutdown         : True',
        'CanStop             : True',
        'ServiceType         : Win32OwnProcess',
        '',
      ].join('\r\n'),
    )
    .join('\r\n');

  // A send connector names TlsDomain, a queue property, and wraps its server list like a queue's LastError.
  const getSendConnector = [
    'AddressSpaces                : {SMTP:*;1}',
    'CloudServicesMailEnabled     : False',
    'ConnectionInactivityTimeOut  : 00:10:00',
    'DNSRoutingEnabled            : True',
    'DomainSecureEnabled          : False',
    'Enabled                      : True',
    'Fqdn                         : mail.contoso.com',
    'Identity                     : Internet',
    'IgnoreSTARTTLS               : False',
    'MaxMessageSize               : 35 MB (36,700,160 bytes)',
    'Name                         : Internet',
    'Port                         : 25',
    'ProtocolLoggingLevel         : Verbose',
    'RequireTLS                   : True',
    'SmartHosts                   : {}',
    'SourceTransportServers       : {EX01, EX02, EX03, EX04, EX05, EX06, EX07, EX08, EX09, EX10, EX11,',
    ...Array.from({ length: 30 }, (_, i) => `                               EX${i + 12},`),
    'TlsAuthLevel                 : DomainValidation',
    'TlsCertificateName           : <I>CN=R11, O=Let\'s Encrypt, C=US<S>CN=mail.contoso.com',
    'TlsDomain                    : fabrikam.example',
    'UseExternalDNSServersEnabled : False',
  ].join('\r\n');

  const trackingFl = [
    'RunspaceId              : 5f0c1d2e-4c5a-4f7e-9a3b-2d1c0e9f8a7b',
    'Timestamp               : 11/10/2025 9:41:07 AM',
    'ClientIp                : 10.0.0.5',
    'ClientHostname          : EX01',
    'ServerIp                : 10.0.0.6',
    'ServerHostname          : EX02',
    'ConnectorId             : EX01\\Internet',
    'Source                  : SMTP',
    'EventId                 : SEND',
    'MessageId               : <a1b2@contoso.com>',
    'Recipients              : {user0@fabrikam.example, user1@fabrikam.example, user2@fabrikam.example,',
    ...Array.from({ length: 30 }, (_, i) => `                          user${i + 3}@fabrikam.example,`),
    'RecipientStatus         : {250 2.6.0 <a1b2@contoso.com> Queued mail for delivery}',
    'TotalBytes              : 24881',
    'MessageSubject          : Quarterly report',
    'Sender                  : sender@contoso.com',
    'Directionality          : Originating',
    'MessageLatency          :',
    '',
  ].join('\r\n');

  const protocolLog = [
    '#Software: Microsoft Exchange Server',
    '#Version: 15.0.0.0',
    '#Log-type: SMTP Send Protocol Log',
    '#Date: 2025-11-10T09:00:00.000Z',
    '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context',
    '2025-11-10T09:41:07.000Z,Internet,08DE1,0,,203.0.113.9:25,*,,attempting to connect',
  ].join('\r\n');

  // Notes that quote six queue properties between lines of prose, some of them indented: enough known names for
  // a forum paste, but the text does not start with a property.
  const notes = [
    'Notes from the outage on EX04',
    'DeliveryType : DnsConnectorDelivery on both servers',
    '    (the same on EX05)',
    'NextHopDomain : fabrikam.example',
    'Status : Retry',
    'MessageCount : 42 and growing',
    'LastError : 421 4.4.2 Connection dropped due to SocketError',
    'RetryCount : 9',
    ...Array.from({ length: 30 }, (_, i) => `Step ${i + 1}: we restarted transport and waited for the queue to drain.`),
  ].join('\n');

  it.each([
    ['ipconfig /all', ipconfig],
    ['Get-Service | fl', getService],
    ['Get-SendConnector | fl, a server list wrapped over 30 lines', getSendConnector],
    ['Get-MessageTrackingLog | fl, recipients wrapped over 30 lines', trackingFl],
    ['a protocol log', protocolLog],
    ['notes quoting six queue properties among prose', notes],
  ])('%s', (_name, text) => {
    expect(sniffQueue(text)).toBeNull();
    expect(detectInput(Buffer.from(text)).kind).not.toMatch(/queue|message/);
  });
});
