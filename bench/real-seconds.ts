/**
 * How long the real tools take, for the benches' stand-ins: the slow calls measured on GKE, then a
 * typical latency for any other call of each tool (a gcloud or terraform start-up, one API round
 * trip for kubectl and helm). Matched by their arguments, first match wins.
 */
import type { StandinRule } from '../test/support/harness.js';

export const REAL_SECONDS: readonly {
  readonly tool: 'terraform' | 'helm' | 'gcloud' | 'kubectl';
  readonly match: readonly string[];
  readonly seconds: number;
}[] = [
  { tool: 'terraform', match: ['init'], seconds: 15 },
  { tool: 'terraform', match: ['plan'], seconds: 40 },
  { tool: 'terraform', match: ['apply'], seconds: 15 * 60 },
  { tool: 'terraform', match: ['output'], seconds: 3 },
  { tool: 'terraform', match: ['show'], seconds: 2 },
  { tool: 'gcloud', match: ['get-credentials'], seconds: 5 },
  { tool: 'gcloud', match: ['storage'], seconds: 2 },
  { tool: 'gcloud', match: ['iap'], seconds: 5 },
  { tool: 'helm', match: ['upgrade'], seconds: 5 * 60 },
  { tool: 'terraform', match: [], seconds: 2 },
  { tool: 'gcloud', match: [], seconds: 2 },
  { tool: 'helm', match: [], seconds: 1 },
  { tool: 'kubectl', match: [], seconds: 1 }
];

/** The stand-ins' rules that delay each call by its real time, one real minute = `msPerMinute` ms. */
export function slowStandinRules(msPerMinute: number): Record<string, StandinRule[]> {
  const rules: Record<string, StandinRule[]> = {};
  for (const slow of REAL_SECONDS) {
    (rules[slow.tool] ??= []).push({
      match: [...slow.match],
      passThrough: true,
      delayMs: Math.round((slow.seconds / 60) * msPerMinute)
    });
  }
  return rules;
}
