import type { CategoryInfo, ReportGroup } from '../types.js';
import { own } from './record.js';

/**
 * The hint for a detail seen in one direction: a `receive:<detail>` / `send:<detail>` key where the fix is on the
 * other connector than the plain key's (UnknownCredentials: Receive vs Send connector certificate), else `<detail>`,
 * else a `<direction>:*` key, the category's hint for that direction whatever the detail (451 5.7.3 in a send log
 * or a queue: our side sent without TLS, where on a receive connector the peer did).
 */
export function detailHint(hints: Readonly<Record<string, string>> | undefined, detail: string | null, direction: string): string | undefined {
  if (hints === undefined) return undefined;
  // The detail is text from a log (`constructor` is a possible SChannel name to a stranger): own keys only.
  return (detail === null ? undefined : (own(hints, `${direction}:${detail}`) ?? own(hints, detail))) ?? own(hints, `${direction}:*`);
}

/** A category's severity; built-in warnings are known by id in reports that do not carry it. */
export function severityOf(id: string, categories: readonly CategoryInfo[]): 'failure' | 'warning' {
  return categories.find((c) => c.id === id)?.severity ?? (id === 'legacy-tls' || id === 'plaintext' ? 'warning' : 'failure');
}

/** 2 = some finding means mail failed, 1 = only warnings (legacy TLS, plaintext), 0 = healthy. */
export function severityTier(group: ReportGroup, categories: readonly CategoryInfo[] = []): number {
  let tier = 0;
  for (const [id, n] of Object.entries(group.byCategory)) {
    if (!(n > 0)) continue;
    tier = Math.max(tier, severityOf(id, categories) === 'warning' ? 1 : 2);
  }
  return tier;
}

/**
 * A group's (or rollup's) findings of `failure` categories: the sessions in which mail failed, a session counted
 * once per failure category it has (rarely more than one: socket-error is never counted with
 * tls-negotiation-failed). Warnings (legacy TLS, plaintext) do not count.
 */
export function failureCount(group: Pick<ReportGroup, 'byCategory'>, categories: readonly CategoryInfo[] = []): number {
  let n = 0;
  for (const [id, v] of Object.entries(group.byCategory)) if (v > 0 && severityOf(id, categories) === 'failure') n += v;
  return n;
}

/** Failed sessions per session, at most 1 (a session with two failure categories counts twice in `failed`). */
export function failureShare(failed: number, sessions: number): number {
  if (!(failed > 0)) return 0;
  return sessions > 0 ? Math.min(1, failed / sessions) : 1;
}

/**
 * Category ids worst first: failures, then warnings, each in the rules' order. Where two categories have as many
 * findings, this decides which is a group's main category (and so its hint) and which is listed first: a
 * connect failure (after the warnings among the rules) must not lose a tie to legacy TLS.
 */
export function categoryOrder(categories: readonly CategoryInfo[]): string[] {
  const ids = categories.map((c) => c.id);
  return [...ids.filter((id) => severityOf(id, categories) === 'failure'), ...ids.filter((id) => severityOf(id, categories) === 'warning')];
}
