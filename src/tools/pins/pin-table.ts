/**
 * The digests a run trusts: the ones in the action's source (tool-pins.ts, chart-pins.ts).
 *
 * The action's own end-to-end tests install stand-in archives, whose digests no source file can
 * hold. They name a JSON file of extra rows in FLYTE_GKE_TEST_PINS, which is read only outside
 * GitHub Actions: the runner sets GITHUB_ACTIONS=true for every step and a workflow cannot
 * override GITHUB_* variables, so no caller, pull request or runner neighbour can turn it on.
 */
import { readFileSync } from 'node:fs';
import { CHART_PINS } from './chart-pins.js';
import { TOOL_PINS } from './tool-pins.js';

export interface PinTable {
  /** Tool archive file name → SHA-256. */
  readonly tools: Readonly<Record<string, string>>;
  /** flyte-binary chart version → SHA-256 of its archive. */
  readonly charts: Readonly<Record<string, string>>;
}

export const SHIPPED_PINS: PinTable = { tools: TOOL_PINS, charts: CHART_PINS };

export const TEST_PINS_ENV = 'FLYTE_GKE_TEST_PINS';

export function pinTable(env: Readonly<Record<string, string | undefined>>): PinTable {
  const file = env[TEST_PINS_ENV];
  if (!file || env.GITHUB_ACTIONS === 'true') return SHIPPED_PINS;
  const extra = JSON.parse(readFileSync(file, 'utf8')) as Partial<PinTable>;
  return {
    tools: { ...TOOL_PINS, ...(extra.tools ?? {}) },
    charts: { ...CHART_PINS, ...(extra.charts ?? {}) }
  };
}
