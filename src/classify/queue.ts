/** Findings for queue and message exports: one per entry whose LastError says something. */
import type { Finding, QueueEntry } from '../types.js';
import { classifyReply } from './replies.js';

/** Category of an entry whose LastError is none of the TLS / connection categories. */
export const QUEUE_ERROR = 'queue-error';
const MAX_DETAIL = 200;

/**
 * The connector column of an entry's group. A queue names its next-hop connector (a GUID in Get-Queue output);
 * a message row names none, so its queue stands in: the messages of one queue then form one group.
 */
export function queueConnector(entry: QueueEntry): string {
  if (entry.kind === 'message') return entry.queue ?? 'unknown';
  return entry.nextHopConnector ?? entry.deliveryType ?? 'unknown';
}

/** The remote host of an entry's group: the LastError's IP, else the next hop (a message has only its FQDN). */
export function queueRemoteHost(entry: QueueEntry): string {
  const lastError = entry.lastError;
  if (entry.kind === 'message') return lastError?.ip ?? lastError?.fqdn ?? 'unknown';
  return lastError?.ip ?? entry.nextHopDomain ?? 'unknown';
}

/**
 * Findings for one queue/message entry: the category of its innermost LastError reply, or `queue-error` for any
 * other LastError. An entry without a LastError has nothing to report.
 */
export function queueFindings(
  entry: QueueEntry,
  hints: Record<string, string>,
  classify: (text: string) => { category: string; detail: string | null } | null = classifyReply,
): Finding[] {
  const lastError = entry.lastError;
  if (lastError === null || lastError.raw.trim() === '') return [];
  const match = classify(lastError.innermost);
  const category = match?.category ?? QUEUE_ERROR;
  const detail = match ? match.detail : lastError.innermost.trim().slice(0, MAX_DETAIL) || null;
  const time = entry.time?.iso ?? entry.time?.raw ?? '';
  const sessionId = entry.identity ?? '';
  return [
    {
      category,
      detail,
      direction: 'queue',
      sessionKey: `${entry.source}:${entry.line}`,
      sessionId,
      server: entry.server,
      connector: queueConnector(entry),
      remoteHost: queueRemoteHost(entry),
      remoteNames: lastError.fqdn !== null ? [lastError.fqdn] : [],
      time,
      evidence: [{ source: entry.source, line: entry.line, sessionId, time, text: lastError.raw }],
      hint: hints[category] ?? '',
      messages: entry.messageCount,
    },
  ];
}
