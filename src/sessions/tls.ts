import type { Certificate, TlsInfo, TlsVersion } from '../types.js';

/** schannel.h SP_PROT_* values, for builds that print the bare number instead of the name. */
const NUMERIC_PROTOCOLS: Record<string, TlsVersion> = {
  '1': 'SSL3', '2': 'SSL3', // PCT 1.0, reported in the SSL3-or-older bucket
  '4': 'SSL3', '8': 'SSL3', // SSL 2.0
  '16': 'SSL3', '32': 'SSL3',
  '64': 'TLS1.0', '128': 'TLS1.0',
  '256': 'TLS1.1', '512': 'TLS1.1',
  '1024': 'TLS1.2', '2048': 'TLS1.2',
  '4096': 'TLS1.3', '8192': 'TLS1.3',
};

const NAMED_PROTOCOLS: Record<string, TlsVersion> = {
  PCT1: 'SSL3', SSL2: 'SSL3', SSL3: 'SSL3',
  TLS1_0: 'TLS1.0', TLS1_1: 'TLS1.1', TLS1_2: 'TLS1.2', TLS1_3: 'TLS1.3',
};

// Bounded, anchored tokens only: the success line is quoted text from the log and must match in linear time.
const SUCCESS =
  /^TLS protocol (\S{1,64}) negotiation succeeded(?: using bulk encryption algorithm (\S{1,64}) with strength (\d{1,6}) bits, MAC hash algorithm (\S{1,64}) with strength \d{1,6} bits and key exchange algorithm (\S{1,64}))?/;
const FAILURE = /^TLS negotiation failed with error (\S{1,80})/;

/** Maps `SP_PROT_TLS1_2_SERVER`, `SP_PROT-TLS1_0_CLIENT` (documentation typo), `TLS1_3`, `4096` to a version. */
export function protocolVersion(protocol: string): TlsVersion {
  const numeric = NUMERIC_PROTOCOLS[protocol];
  if (numeric) return numeric;
  let name = protocol.toUpperCase();
  if (name.startsWith('SP_PROT_') || name.startsWith('SP_PROT-')) name = name.slice(8);
  if (name.endsWith('_SERVER') || name.endsWith('_CLIENT')) name = name.slice(0, -7);
  return NAMED_PROTOCOLS[name] ?? 'unknown';
}

/** Reads the context of a `TLS protocol … negotiation succeeded …` row, or returns null. */
export function parseTlsSuccess(context: string): TlsInfo | null {
  if (!context.startsWith('TLS protocol ')) return null;
  const m = SUCCESS.exec(context);
  if (!m) return null;
  const protocol = m[1]!;
  return {
    version: protocolVersion(protocol),
    protocol,
    cipher: m[2] ?? null,
    cipherStrength: m[3] === undefined ? null : Number(m[3]),
    hash: m[4] ?? null,
    keyExchange: m[5] ?? null,
  };
}

/** `TLS negotiation failed with error UnknownCredentials[.]` → `UnknownCredentials`. */
export function parseTlsFailure(context: string): string | null {
  if (!context.startsWith('TLS negotiation failed')) return null;
  const m = FAILURE.exec(context);
  // The row without its name (a pasted excerpt cut short, `…failed with error`) still says the handshake failed.
  if (!m) return UNNAMED_TLS_ERROR;
  const name = m[1]!;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The detail of a `TLS negotiation failed` row that names no error; lower case, so no SChannel name is taken for it. */
export const UNNAMED_TLS_ERROR = 'unnamed';

/** The certificate types a certificate row's context starts with. */
export const CERT_ROLES: readonly string[] = ['Sending certificate', 'Received certificate', 'Remote certificate'];

/**
 * `Sending certificate` etc. when the context starts with a certificate type, else null. Loops in place (here and
 * for a row's bytes in facts.ts): a shared loop taking a test arrow made a closure for every certificate row.
 */
export function certificateRole(context: string): string | null {
  for (let i = 0; i < CERT_ROLES.length; i++) if (context.startsWith(CERT_ROLES[i]!)) return CERT_ROLES[i]!;
  return null;
}

export function emptyCertificate(role: string): Certificate {
  return { role, subject: null, issuer: null, serial: null, thumbprint: null, notBefore: null, notAfter: null, alternateNames: [] };
}

/** Multi-row style: applies one `Certificate subject` / `… issuer name` / … row to the certificate. */
export function applyCertificateRow(cert: Certificate, label: string, value: string): boolean {
  // A loop, not `/\*+$/`, which is quadratic on a long run of `*` in hostile log text.
  const trimmed = label.trim();
  let end = trimmed.length;
  while (end > 0 && trimmed.charCodeAt(end - 1) === 42) end--;
  const l = trimmed.slice(0, end);
  switch (l) {
    case 'Certificate subject': cert.subject = value; return true;
    case 'Certificate issuer name': cert.issuer = value; return true;
    case 'Certificate serial number': cert.serial = value; return true;
    case 'Certificate thumbprint': cert.thumbprint = value; return true;
    case 'Certificate alternate names': cert.alternateNames = splitNames(value); return true;
    default: return false;
  }
}

/**
 * Compact 2016/2019 style: ` Subject Issuer Serial Thumbprint NotBefore NotAfter SANs` in one data field.
 * Split from the right (SANs, dates, thumbprint, serial); what is left is subject + issuer, which are
 * separated where a new DN starts (`X=` after a space that does not follow a comma).
 */
export function parseCompactCertificate(role: string, data: string): Certificate {
  const cert = emptyCertificate(role);
  const tokens = data.trim().split(' ');
  if (tokens.length < 6) {
    cert.subject = data.trim() || null;
    return cert;
  }
  const looksLikeDate = (t: string | undefined) => t !== undefined && /^\d{4}-\d\d-\d\dT/.test(t);
  let end = tokens.length;
  // SANs may be missing; a date in last position means there are none.
  if (!looksLikeDate(tokens[end - 1])) cert.alternateNames = splitNames(tokens[--end]!);
  cert.notAfter = tokens[--end] ?? null;
  cert.notBefore = tokens[--end] ?? null;
  cert.thumbprint = tokens[--end] ?? null;
  cert.serial = tokens[--end] ?? null;
  const names = tokens.slice(0, end).join(' ');
  const split = dnBoundary(names);
  cert.subject = split < 0 ? names : names.slice(0, split);
  cert.issuer = split < 0 ? null : names.slice(split + 1);
  return cert;
}

function dnBoundary(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text.charCodeAt(i) !== 32 || text.charCodeAt(i - 1) === 44) continue;
    // Look at a bounded window only, so a long hostile subject stays linear.
    const window = text.slice(i + 1, i + 18);
    const eq = window.indexOf('=');
    if (eq > 0 && /^[A-Za-z][A-Za-z0-9.]*$/.test(window.slice(0, eq))) return i;
  }
  return -1;
}

function splitNames(value: string): string[] {
  return value.split(';').map((s) => s.trim()).filter((s) => s.length > 0);
}
