/** The dist check must fail on a stale bundle: the action users run is the committed dist/. */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NODE24 } from './support/harness.js';
import { PROJECT_ROOT } from './support/project.js';

describe('dist check', () => {
  it('rejects a dist/ that differs from a fresh build', () => {
    const stale = mkdtempSync(path.join(tmpdir(), 'stale-dist-'));
    try {
      cpSync(path.join(PROJECT_ROOT, 'dist'), stale, { recursive: true });
      const main = path.join(stale, 'main', 'index.js');
      writeFileSync(
        main,
        readFileSync(main, 'utf8').replace(
          'flyte-gke-action dry run',
          'flyte-gke-action dry-run (stale)'
        )
      );
      const result = spawnSync(NODE24, [path.join(PROJECT_ROOT, 'scripts/check-dist.mjs'), stale], {
        encoding: 'utf8'
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('differs: dist/main/index.js');
      expect(result.stderr).toContain('npm run build');
    } finally {
      rmSync(stale, { recursive: true, force: true });
    }
  });
});
