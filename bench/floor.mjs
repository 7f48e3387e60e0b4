// Experiment, not product code: how fast a byte-level session pass can be in JavaScript on this machine, as a
// floor for a redesign of the read and session stages (issue 5). Per row it finds the fields up to the event,
// finds the open session by the id's bytes in a typed-array hash table, and updates a few numeric facts (rows,
// first and last time, STARTTLS and its answer, 4xx/5xx replies, TLS version); per ended session it updates one
// group per remote IP. No evidence rows, names, certificates, classification or report: the real job does all
// of that on top. Generated logs only (bench/generate.mjs): it trusts every row to have its nine fields.
//
// `--level` stops earlier, to price the steps below the session pass: `read` (1 MiB reads only), `lines` (plus
// the LF search per line), `fields` (plus the six commas up to the event per row).
//
//   node bench/floor.mjs bench/data/receive-200MB-seed1.log [--level read|lines|fields|sessions]
//   (two at once, to see what a second process gains: node bench/floor.mjs F & node bench/floor.mjs F; wait)
import { openSync, readSync, closeSync } from 'node:fs';
const file = process.argv[2];
const LEVELS = ['read', 'lines', 'fields', 'sessions'];
const level = LEVELS.indexOf(process.argv[3] === '--level' ? process.argv[4] : 'sessions');
if (file === undefined || level < 0) throw new Error('usage: node bench/floor.mjs FILE [--level read|lines|fields|sessions]');
let checksum = 0; // keeps the `fields` level's work from being optimised away
const t0 = performance.now();
const fd = openSync(file, 'r');
const buf = Buffer.allocUnsafe(1 << 20);
const SLOTS = 1 << 16; // open sessions: open addressing on the id hash
const slotHash = new Int32Array(SLOTS).fill(-1);
const slotId = new Float64Array(SLOTS * 2); // 16 hex chars as two 32-bit halves
const rows = new Int32Array(SLOTS), flags = new Int32Array(SLOTS), failed = new Int32Array(SLOTS);
const startMs = new Float64Array(SLOTS), endMs = new Float64Array(SLOTS), remoteAt = new Int32Array(SLOTS);
const remoteKey = new Array(SLOTS);
const groups = new Map(); const NEEDLE = Buffer.from('SP_PROT_TLS1_');
let tlsSessions = 0, sessions = 0, lines = 0, carry = 0, minuteBase = NaN; const minute = new Uint8Array(17);
function hex(b, s, n) { let v = 0; for (let i = s; i < s + n; i++) { const c = b[i]; v = v * 16 + (c <= 57 ? c - 48 : (c | 32) - 87); } return v; }
function timeMs(b, s) {
  let same = minuteBase === minuteBase;
  if (same) for (let i = 0; i < 17; i++) if (b[s + i] !== minute[i]) { same = false; break; }
  if (!same) { for (let i = 0; i < 17; i++) minute[i] = b[s + i]; minuteBase = Date.UTC(hex10(b, s, 4), hex10(b, s + 5, 2) - 1, hex10(b, s + 8, 2), hex10(b, s + 11, 2), hex10(b, s + 14, 2)); }
  return minuteBase + hex10(b, s + 17, 2) * 1000 + hex10(b, s + 20, 3);
}
function findInLine(b, needle, from, to) {
  const first = needle[0], n = needle.length;
  for (let i = from; i + n <= to; i++) {
    if (b[i] !== first) continue;
    let k = 1;
    while (k < n && b[i + k] === needle[k]) k++;
    if (k === n) return i;
  }
  return -1;
}
function hex10(b, s, n) { let v = 0; for (let i = s; i < s + n; i++) v = v * 10 + b[i] - 48; return v; }
for (;;) {
  const n = readSync(fd, buf, carry, buf.length - carry, null);
  if (n === 0) break;
  const end = carry + n;
  let pos = 0;
  if (level === 0) continue; // `read`: carry stays 0, every read fills the buffer from the start
  for (;;) {
    const lf = buf.indexOf(10, pos);
    if (lf === -1 || lf >= end) break;
    lines++;
    if (level === 2 && buf[pos] !== 35) {
      let c = pos;
      for (let f = 0; f < 6; f++) c = buf.indexOf(44, c + 1);
      checksum += buf[c + 1];
    } else if (level === 3 && buf[pos] !== 35) {
      // date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context
      const c1 = buf.indexOf(44, pos), c2 = buf.indexOf(44, c1 + 1), c3 = buf.indexOf(44, c2 + 1);
      const c4 = buf.indexOf(44, c3 + 1), c5 = buf.indexOf(44, c4 + 1), c6 = buf.indexOf(44, c5 + 1);
      const ev = buf[c6 + 1];
      const hi = hex(buf, c2 + 1, 8), lo = hex(buf, c2 + 9, 8);
      let slot = (Math.imul(hi ^ lo, 0x9e3779b1) >>> 16) & (SLOTS - 1);
      while (slotHash[slot] !== -1 && (slotId[2 * slot] !== hi || slotId[2 * slot + 1] !== lo)) slot = (slot + 1) & (SLOTS - 1);
      const ms = timeMs(buf, pos);
      if (slotHash[slot] === -1) { slotHash[slot] = 1; slotId[2 * slot] = hi; slotId[2 * slot + 1] = lo; rows[slot] = 0; flags[slot] = 0; failed[slot] = 0; startMs[slot] = ms; remoteKey[slot] = buf.latin1Slice(c5 + 1, buf.indexOf(58, c5 + 1)); }
      rows[slot]++; endMs[slot] = ms;
      const d = c6 + 3; // data starts after "<,"
      if (ev === 60 /* < command */) {
        if (buf[d] === 83 && buf[d + 1] === 84 && buf[d + 2] === 65) flags[slot] |= 1; // STARTTLS
      } else if (ev === 62 /* > reply */) {
        const r = buf[d] === 34 ? d + 1 : d;
        if (buf[r] === 52 || buf[r] === 53) failed[slot]++;
        if ((flags[slot] & 1) && buf[r] === 50 && buf[r + 1] === 50 && buf[r + 2] === 48) flags[slot] |= 2;
      } else if (ev === 42 /* * */) {
        // "TLS protocol SP_PROT_TLS1_x": find the version digit cheaply
        // Searched within the line only: a native search that misses runs on to the end of the chunk.
        const q = findInLine(buf, NEEDLE, c6, lf);
        if (q !== -1) flags[slot] |= 4 << (buf[q + 13] - 48);
      } else if (ev === 45 /* - */) {
        sessions++; if (flags[slot] & 0x3c) tlsSessions++;
        const key = remoteKey[slot];
        let g = groups.get(key);
        if (g === undefined) groups.set(key, (g = { sessions: 0, failed: 0, tls: [0, 0, 0, 0], first: Infinity, last: 0 }));
        g.sessions++; g.failed += failed[slot] > 0 ? 1 : 0;
        if (startMs[slot] < g.first) g.first = startMs[slot]; if (endMs[slot] > g.last) g.last = endMs[slot];
        // Remove with backward-shift deletion (keeps probing linear).
        slotHash[slot] = -1;
        let i = slot;
        for (let j = (i + 1) & (SLOTS - 1); slotHash[j] !== -1; j = (j + 1) & (SLOTS - 1)) {
          const home = (Math.imul(slotId[2 * j] ^ slotId[2 * j + 1], 0x9e3779b1) >>> 16) & (SLOTS - 1);
          if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            slotHash[i] = 1; slotId[2 * i] = slotId[2 * j]; slotId[2 * i + 1] = slotId[2 * j + 1]; rows[i] = rows[j]; flags[i] = flags[j]; failed[i] = failed[j]; startMs[i] = startMs[j]; endMs[i] = endMs[j]; remoteKey[i] = remoteKey[j]; slotHash[j] = -1; i = j;
          }
        }
      }
    }
    pos = lf + 1;
  }
  carry = end - pos;
  buf.copy(buf, 0, pos, end);
}
closeSync(fd);
console.log(JSON.stringify({ level: LEVELS[level], lines, sessions, tlsSessions, groups: groups.size, checksum, seconds: ((performance.now() - t0) / 1000).toFixed(2) }));
