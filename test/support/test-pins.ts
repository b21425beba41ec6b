/**
 * The digests of the stand-in archives and charts the test mirrors serve, recorded as they are
 * published: what the action's source pins for real releases, these tests pin for their own; and
 * the public half of the throwaway key the test mirror signs terraform_V_SHA256SUMS with.
 * In-process tests pass `testPins()` to the installers; the harness writes them to the file the
 * bundled action reads through FLYTE_GKE_TEST_PINS (src/tools/pins/pin-table.ts).
 */
import { writeFileSync } from 'node:fs';
import { SHIPPED_PINS, type PinTable } from '../../src/tools/pins/pin-table.js';
import { TEST_RELEASE_KEY } from './test-release-key.js';

const tools: Record<string, string> = {};
const charts: Record<string, string> = {};

export function recordToolPin(archiveName: string, sha256: string): void {
  tools[archiveName] = sha256;
}

export function recordChartPin(version: string, sha256: string): void {
  charts[version] = sha256;
}

const releaseKeys = [TEST_RELEASE_KEY.publicKey];

/** The shipped pins with the recorded ones over them, and the test key beside HashiCorp's. */
export function testPins(): PinTable {
  return {
    tools: { ...SHIPPED_PINS.tools, ...tools },
    charts: { ...SHIPPED_PINS.charts, ...charts },
    releaseKeys: [...SHIPPED_PINS.releaseKeys, ...releaseKeys]
  };
}

export function writeTestPins(file: string): void {
  writeFileSync(file, JSON.stringify({ tools, charts, releaseKeys }));
}
