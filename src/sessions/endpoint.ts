import type { Endpoint } from '../types.js';

/**
 * Splits `ip:port`, `[v6]:port`, `v6:port` and masked values (`x.x.x.x:25`, `InternalIPOfMyMailServer:10437`).
 * The port is split off at the last colon because IPv6 addresses are written without brackets in protocol logs.
 */
export function parseEndpoint(raw: string): Endpoint | null {
  const text = raw.trim();
  if (text === '') return null;
  let host = text;
  let port: number | null = null;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close > 0) {
      host = text.slice(1, close);
      const rest = text.slice(close + 1);
      if (rest.startsWith(':')) port = portAt(rest, 1);
    }
  } else {
    const colon = text.lastIndexOf(':');
    // A bare IPv6 address without a port has several colons and a non-numeric tail, e.g. `fe80::1`.
    if (colon > 0) {
      const candidate = portAt(text, colon + 1);
      const head = text.slice(0, colon);
      if (candidate !== null && (head.indexOf(':') === -1 || head.includes('::') || head.split(':').length >= 3)) {
        host = head;
        port = candidate;
      }
    }
  }
  const scope = host.indexOf('%');
  if (scope > 0) host = host.slice(0, scope);
  return { ip: host, port, raw };
}

/** The port that is all of `text` from `from`: 1 to 5 digits up to 65535, else null. Read in place (no slice per endpoint). */
function portAt(text: string, from: number): number | null {
  const n = text.length - from;
  if (n <= 0 || n > 5) return null;
  let port = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    port = port * 10 + (c - 48);
  }
  return port <= 65535 ? port : null;
}
