/**
 * The digests and signing keys a run trusts: the ones in the action's source (tool-pins.ts,
 * chart-pins.ts, release-keys.ts).
 *
 * The action's own end-to-end tests install stand-in archives, whose digests no source file can
 * hold, and sign stand-in checksum files with a key made for the test run. They name a JSON file
 * of extra rows in FLYTE_GKE_TEST_PINS, which is read only outside GitHub Actions: the runner
 * sets GITHUB_ACTIONS=true for every step and a workflow cannot override GITHUB_* variables, so
 * no caller, pull request or runner neighbour can turn it on. Extra keys are added to HashiCorp's,
 * never put in its place, and a checksum file signed by one is announced as not HashiCorp's
 * (terraform/sums-signature.ts), so a test hook that is somehow on is visible in the log.
 */
import { readFileSync } from 'node:fs';
import { CHART_PINS } from './chart-pins.js';
import { HASHICORP_RELEASE_KEY } from './release-keys.js';
import { TOOL_PINS } from './tool-pins.js';

export interface PinTable {
  /** Tool archive file name → SHA-256. */
  readonly tools: Readonly<Record<string, string>>;
  /** flyte-binary chart version → SHA-256 of its archive. */
  readonly charts: Readonly<Record<string, string>>;
  /** Armored OpenPGP public keys trusted to sign terraform_V_SHA256SUMS; HashiCorp's first. */
  readonly releaseKeys: readonly string[];
}

export const SHIPPED_PINS: PinTable = {
  tools: TOOL_PINS,
  charts: CHART_PINS,
  releaseKeys: [HASHICORP_RELEASE_KEY]
};

export const TEST_PINS_ENV = 'FLYTE_GKE_TEST_PINS';

export function pinTable(env: Readonly<Record<string, string | undefined>>): PinTable {
  const file = env[TEST_PINS_ENV];
  if (!file || env.GITHUB_ACTIONS === 'true') return SHIPPED_PINS;
  const extra = JSON.parse(readFileSync(file, 'utf8')) as Partial<PinTable>;
  return {
    tools: { ...TOOL_PINS, ...(extra.tools ?? {}) },
    charts: { ...CHART_PINS, ...(extra.charts ?? {}) },
    releaseKeys: [HASHICORP_RELEASE_KEY, ...(extra.releaseKeys ?? [])]
  };
}
