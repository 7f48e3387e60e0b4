/** The header of an Exchange 2013+ receive protocol log, LF line ends. */
export const RECEIVE_HEAD =
  '#Software: Microsoft Exchange Server\n#Version: 15.0.0.0\n#Log-type: SMTP Receive Protocol Log\n#Date: 2025-11-10T08:00:00.000Z\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\n';

export interface TlsSessionSpec {
  /** TLS 1.0 (a legacy-tls finding) instead of TLS 1.2. */
  legacy: boolean;
  connector?: string;
  /** Remote IP; the port is made from the row's sequence number. */
  ip?: string;
  ehlo?: string;
  /** Logs an `authenticated` row with this user. */
  authUser?: string;
}

/** The rows of one receive session at `time` (a second apart): EHLO, STARTTLS, the TLS result, QUIT. */
export function tlsSession(id: string, time: string, spec: TlsSessionSpec): string {
  const { legacy, connector = 'EX01\\Default Frontend EX01', ip = '203.0.113.10', ehlo = 'client.example' } = spec;
  const at = (s: number) => new Date(Date.parse(time) + s * 1000).toISOString();
  let seq = 0;
  const row = (s: number, event: string, data: string, context = '') => `${at(s)},${connector},${id},${seq},10.0.0.5:25,${ip}:5${seq++}000,${event},${data},${context}`;
  const version = legacy ? 'SP_PROT_TLS1_0_SERVER' : 'SP_PROT_TLS1_2_SERVER';
  const rows = [
    row(0, '+', ''),
    row(0, '>', '220 EX01 ready'),
    row(1, '<', `EHLO ${ehlo}`),
    row(1, '>', '250  EX01 Hello STARTTLS'),
    row(2, '<', 'STARTTLS'),
    row(2, '>', '220 2.0.0 SMTP server ready'),
    row(3, '*', '', `"TLS protocol ${version} negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 0 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits"`),
  ];
  if (spec.authUser !== undefined) rows.push(row(4, '*', spec.authUser, 'authenticated'));
  rows.push(row(4, '<', 'QUIT'), row(4, '>', '221 2.0.0 Service closing transmission channel'), row(5, '-', '', 'Local'));
  return rows.join('\n');
}
