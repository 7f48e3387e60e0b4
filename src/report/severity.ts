import type { CategoryInfo, ReportGroup } from '../types.js';

/** 2 = some finding means mail failed, 1 = only warnings (legacy TLS, plaintext), 0 = healthy. */
export function severityTier(group: ReportGroup, categories: readonly CategoryInfo[] = []): number {
  let tier = 0;
  for (const [id, n] of Object.entries(group.byCategory)) {
    if (!(n > 0)) continue;
    const severity = categories.find((c) => c.id === id)?.severity ?? (id === 'legacy-tls' || id === 'plaintext' ? 'warning' : 'failure');
    tier = Math.max(tier, severity === 'warning' ? 1 : 2);
  }
  return tier;
}
