/** Moves a file where a rename cannot: RUNNER_TEMP and the tool cache may be on different file systems. */
import { copyFileSync, renameSync, rmSync } from 'node:fs';

export function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}
