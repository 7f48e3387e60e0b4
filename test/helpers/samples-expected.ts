import { readFileSync } from 'node:fs';

/** One session of samples/ as test/fixtures/samples-expected.json describes it (written by scripts/make-samples.mjs). */
export interface ExpectedSession {
  file: string;
  sessionId: string;
  direction: 'send' | 'receive';
  remoteIp: string;
  categories: Array<{ category: string; detail: string | null }>;
  tls: string;
  note: string;
  /** Later files the session continues in (hourly rotation). */
  continuedIn?: string[];
}

export function loadExpectedSessions(): ExpectedSession[] {
  return JSON.parse(readFileSync(new URL('../fixtures/samples-expected.json', import.meta.url), 'utf8')) as ExpectedSession[];
}
