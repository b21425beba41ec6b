import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeValuesFile } from '../src/values/write.js';

describe('writeValuesFile', () => {
  it('writes mode 0600 under RUNNER_TEMP and registers it for the post step', () => {
    const runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'runner-temp-'));
    const cleanup: string[] = [];
    const file = writeValuesFile(
      { env: { RUNNER_TEMP: runnerTemp }, registerCleanup: (f) => cleanup.push(f) },
      'configuration: {}\n'
    );
    expect(file.startsWith(runnerTemp + path.sep)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toBe('configuration: {}\n');
    expect(cleanup).toEqual([path.dirname(file)]);
  });
});
