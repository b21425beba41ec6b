/**
 * Writes the patched values, which hold the database password, where only this job can read
 * them: a fresh folder under RUNNER_TEMP, file mode 0600, removed by the post step.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TaskContext } from '../engine/types.js';

export const VALUES_FILE_NAME = 'flyte-values.yaml';

export function writeValuesFile(
  ctx: Pick<TaskContext, 'env' | 'registerCleanup'>,
  text: string
): string {
  const base = ctx.env.RUNNER_TEMP || os.tmpdir();
  const dir = mkdtempSync(path.join(base, 'flyte-values-'));
  // Registered before writing, so a failed write still leaves nothing behind after the job.
  ctx.registerCleanup(dir);
  chmodSync(dir, 0o700);
  const file = path.join(dir, VALUES_FILE_NAME);
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return file;
}
