/**
 * The digests of the stand-in archives and charts the test mirrors serve, recorded as they are
 * published: what the action's source pins for real releases, these tests pin for their own.
 * In-process tests pass `testPins()` to the installers; the harness writes them to the file the
 * bundled action reads through FLYTE_GKE_TEST_PINS (src/tools/pins/pin-table.ts).
 */
import { writeFileSync } from 'node:fs';
import { SHIPPED_PINS, type PinTable } from '../../src/tools/pins/pin-table.js';

const tools: Record<string, string> = {};
const charts: Record<string, string> = {};

export function recordToolPin(archiveName: string, sha256: string): void {
  tools[archiveName] = sha256;
}

export function recordChartPin(version: string, sha256: string): void {
  charts[version] = sha256;
}

/** The shipped pins with the recorded ones over them. */
export function testPins(): PinTable {
  return {
    tools: { ...SHIPPED_PINS.tools, ...tools },
    charts: { ...SHIPPED_PINS.charts, ...charts }
  };
}

export function writeTestPins(file: string): void {
  writeFileSync(file, JSON.stringify({ tools, charts }));
}
