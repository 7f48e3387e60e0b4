/** Findings for queue and message exports: one per entry whose LastError says something. */
import type { Finding, QueueEntry } from '../types.js';
import { classifyReply } from './replies.js';

/** Category of an entry whose LastError is none of the TLS / connection categories. */
export const QUEUE_ERROR = 'queue-error';
const MAX_DETAIL = 200;

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
      connector: entry.nextHopConnector ?? entry.deliveryType ?? 'unknown',
      remoteHost: lastError.ip ?? entry.nextHopDomain ?? 'unknown',
      remoteNames: lastError.fqdn !== null ? [lastError.fqdn] : [],
      time,
      evidence: [{ source: entry.source, line: entry.line, sessionId, time, text: lastError.raw }],
      hint: hints[category] ?? '',
      messages: entry.messageCount,
    },
  ];
}
