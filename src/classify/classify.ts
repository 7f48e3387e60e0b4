import type { CategoryInfo, Finding, LogRecord, Session } from '../types.js';
import { defaultRules, toEvidence, type Rule } from './rules.js';
import { rowCountOf, rowOf } from '../sessions/facts.js';
import { detailHint } from '../report/severity.js';

/** Runs every rule on one session; each category is reported at most once per session. */
export function classifySession(session: Session, rules: readonly Rule[] = defaultRules): Finding[] {
  const findings: Finding[] = [];
  const found = new Set<string>();
  for (const rule of rules) {
    if (rule.matchSession === undefined || found.has(rule.id)) continue;
    if (rule.unless?.some((id) => found.has(id))) continue;
    const match = rule.matchSession(session);
    if (match === null) continue;
    found.add(rule.id);
    findings.push({
      category: rule.id,
      detail: match.detail,
      direction: session.direction,
      sessionKey: session.key,
      sessionId: session.sessionId,
      server: session.server,
      connector: session.connector,
      remoteHost: session.remote?.ip ?? 'unknown',
      remoteNames: session.remoteNames,
      // A row whose date-time was no timestamp has none (''): the session's start dates the finding then.
      time: match.evidence[0]?.time || session.start,
      evidence: toEvidence(match.evidence.length > 0 ? match.evidence : lastRow(session)),
      hint: detailHint(rule.detailHints, match.detail, session.direction) ?? rule.hint,
    });
  }
  return findings;
}

/** The session's last row (quoted when a rule names no row), made alone. */
function lastRow(session: Session): LogRecord[] {
  const n = rowCountOf(session);
  return n > 0 ? [rowOf(session, n - 1)] : [];
}

/** Classifies a stream of sessions, pairing each with its findings. */
export async function* classifySessions(
  sessions: AsyncIterable<Session>,
  rules: readonly Rule[] = defaultRules,
): AsyncIterable<{ session: Session; findings: Finding[] }> {
  for await (const session of sessions) yield { session, findings: classifySession(session, rules) };
}

/** Category descriptions for reports. */
export function categoryInfo(rules: readonly Rule[]): CategoryInfo[] {
  return rules.map((r) => {
    const info: CategoryInfo = { id: r.id, title: r.title, explanation: r.explanation, hint: r.hint, severity: r.severity ?? 'failure', docs: r.docs ?? null };
    if (r.detailHints) info.detailHints = { ...r.detailHints };
    return info;
  });
}

/** Applies the text side of the rules to one error text (queue LastError, NDR). First match wins. */
export function classifyText(text: string, rules: readonly Rule[] = defaultRules): { rule: Rule; detail: string | null } | null {
  for (const rule of rules) {
    if (rule.matchText === undefined) continue;
    const detail = rule.matchText(text);
    if (detail !== undefined) return { rule, detail };
  }
  return null;
}
