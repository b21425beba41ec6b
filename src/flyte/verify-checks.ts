/**
 * What the proof found, link by link, in the order a data scientist's request meets them. Each
 * check says how it went, its figure (latency, counts), and for a broken link what usually
 * breaks it. Only `fail` fails the run; `pending` is a link still being made (a new certificate),
 * `unchecked` one this run could not test (no way to mint a token).
 */
export type ProofOutcome = 'pass' | 'pending' | 'fail' | 'unchecked';

export interface ProofCheck {
  /** `dns`, `certificate`, `backends`, `healthcheck`, `grpc`, `id-token`. */
  readonly id: string;
  /** The link, e.g. `DNS flyte.acme.example → 34.1.2.3`. */
  readonly link: string;
  readonly outcome: ProofOutcome;
  /** What was measured or seen, e.g. `200 in 41 ms`. */
  readonly figure: string;
  /** For anything but pass: what usually causes it and what to do. */
  readonly cause?: string;
}

const MARK: Record<ProofOutcome, string> = {
  pass: '✅ pass',
  pending: '⏳ pending',
  fail: '❌ fail',
  unchecked: '⚠️ not checked'
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The summary's table. */
export function proofTable(checks: readonly ProofCheck[]): string {
  return [
    '| Link | Result | Figure | Usual cause |',
    '| --- | --- | --- | --- |',
    ...checks.map(
      (c) => `| ${cell(c.link)} | ${MARK[c.outcome]} | ${cell(c.figure)} | ${cell(c.cause ?? '')} |`
    )
  ].join('\n');
}

/** One line per check for the log and the failure message. */
export function proofLine(check: ProofCheck): string {
  return `${MARK[check.outcome]}: ${check.link}: ${check.figure}${check.cause ? `. ${check.cause}` : ''}`;
}
