/**
 * The flyte-binary chart comes from the repository once: the index gives its URL and SHA-256,
 * the archive is checked against it and kept in the tool cache; later runs read neither the
 * index nor the archive. A tampered archive is refused and not kept; a kept file that no longer
 * matches its digest is fetched again; a version missing from the index names the ones there.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedChart, chartCacheDir } from '../src/tools/helm/chart-cache.js';
import { createFetcher } from '../src/tools/http.js';
import { chartArchive, publishChartRepo } from './support/chart-repo.js';
import { fakeClock } from './support/fakes.js';
import { Mirror, sha256 } from './support/mirror.js';

describe('the chart cache', () => {
  let mirror: Mirror;
  let tampered: Mirror;
  let toolCache: string;
  const fetcher = createFetcher({ clock: fakeClock(), attempts: 2, backoffMs: 1 });
  beforeAll(async () => {
    [mirror, tampered] = await Promise.all([Mirror.start(), Mirror.start()]);
    publishChartRepo(mirror);
    publishChartRepo(tampered, { wrongDigest: true });
  });
  afterAll(async () => {
    fetcher.dispose();
    await Promise.all([mirror.close(), tampered.close()]);
  });
  beforeEach(() => {
    toolCache = mkdtempSync(path.join(os.tmpdir(), 'tool-cache-'));
  });

  it('cold: reads the index and the archive once, checks the digest, keeps both', async () => {
    const before = mirror.requests.length;
    const chart = await cachedChart({ fetcher, toolCache, mirror: mirror.url }, 'v1.16.8');
    expect(chart.source).toBe('mirror');
    expect(chart.sha256).toBe(sha256(chartArchive('v1.16.8')));
    expect(chart.file).toBe(
      path.join(chartCacheDir(toolCache, 'v1.16.8'), 'flyte-binary-v1.16.8.tgz')
    );
    expect(mirror.requests.slice(before).map((r) => r.path)).toEqual([
      '/flyteorg.github.io/flyte/index.yaml',
      '/github.com/flyteorg/flyte/releases/download/v1.16.8/flyte-binary-release-v1.16.8.tgz'
    ]);
    // Warm: no request at all.
    const sent = mirror.requests.length;
    const again = await cachedChart({ fetcher, toolCache, mirror: mirror.url }, 'v1.16.8');
    expect(again).toEqual({ ...chart, source: 'cache' });
    expect(mirror.requests.length).toBe(sent);
  });

  it('an archive that does not match the index digest is refused and not kept', async () => {
    await expect(
      cachedChart({ fetcher, toolCache, mirror: tampered.url }, 'v1.16.8')
    ).rejects.toThrow(
      /flyte-binary v1\.16\.8: the SHA-256 of .* is [0-9a-f]{64}, but the repository index says [0-9a-f]{64}\. Nothing was installed.*check the mirror/
    );
    expect(readdirSync(chartCacheDir(toolCache, 'v1.16.8'))).toEqual([]);
  });

  it('a kept archive changed since it was checked is fetched again', async () => {
    const first = await cachedChart({ fetcher, toolCache, mirror: mirror.url }, 'v1.16.9');
    writeFileSync(first.file, 'changed on disk');
    const sent = mirror.requests.length;
    const again = await cachedChart({ fetcher, toolCache, mirror: mirror.url }, 'v1.16.9');
    expect(again.source).toBe('mirror');
    expect(mirror.requests.length).toBe(sent + 2);
    expect(sha256(chartArchive('v1.16.9'))).toBe(again.sha256);
  });

  it('a version missing from the index names the latest 1.x versions there', async () => {
    await expect(
      cachedChart({ fetcher, toolCache, mirror: mirror.url }, 'v1.16.77')
    ).rejects.toThrow(
      'chart-version v1.16.77 is not in the https://flyteorg.github.io/flyte index (the latest 1.x versions there: v1.17.0, v1.16.10, v1.16.9, v1.16.8, v1.16.7). Set chart-version to one of them.'
    );
    expect(existsSync(path.join(chartCacheDir(toolCache, 'v1.16.77'), 'sha256'))).toBe(false);
  });
});
