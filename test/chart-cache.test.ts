/**
 * The flyte-binary chart comes from the repository once: the index gives its URL and SHA-256,
 * the archive must match the digest pinned in the action's source and is kept in the tool cache;
 * later runs read neither the index nor the archive. An index or archive that disagrees with the
 * pin is refused and not kept; a kept file that no longer matches the pin (whatever was written
 * beside it) is fetched again; a version without a pin is checked against the index on every
 * use; a version missing from the index names the ones there.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedChart, chartCacheDir } from '../src/tools/helm/chart-cache.js';
import { createFetcher } from '../src/tools/http.js';
import { chartArchive, publishChartRepo } from './support/chart-repo.js';
import { fakeClock } from './support/fakes.js';
import { Mirror, sha256 } from './support/mirror.js';
import { testPins } from './support/test-pins.js';

describe('the chart cache', () => {
  let mirror: Mirror;
  let tampered: Mirror;
  let toolCache: string;
  const warnings: string[] = [];
  const fetcher = createFetcher({ clock: fakeClock(), attempts: 2, backoffMs: 1 });
  const deps = (url: string, pins = testPins().charts) => ({
    fetcher,
    toolCache,
    mirror: url,
    pins,
    warn: (m: string) => warnings.push(m)
  });
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
    const chart = await cachedChart(deps(mirror.url), 'v1.16.8');
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
    const again = await cachedChart(deps(mirror.url), 'v1.16.8');
    expect(again).toEqual({ ...chart, source: 'cache' });
    expect(mirror.requests.length).toBe(sent);
  });

  it('an index whose digest differs from the pin is refused and nothing is kept', async () => {
    await expect(cachedChart(deps(tampered.url), 'v1.16.8')).rejects.toThrow(
      /flyte-binary v1\.16\.8: the repository index \(through the mirror\) gives SHA-256 [0-9a-f]{64}, but the action's source pins [0-9a-f]{64}\. Nothing was installed/
    );
    expect(existsSync(chartCacheDir(toolCache, 'v1.16.8'))).toBe(false);
  });

  it('a kept archive changed since it was checked is refused and fetched again, even with a matching digest file beside it', async () => {
    const first = await cachedChart(deps(mirror.url), 'v1.16.9');
    // A neighbour rewrites the archive and the digest file the old code trusted.
    writeFileSync(first.file, 'changed on disk');
    writeFileSync(
      path.join(chartCacheDir(toolCache, 'v1.16.9'), 'sha256'),
      `${sha256(Buffer.from('changed on disk'))}\n`
    );
    const sent = mirror.requests.length;
    const again = await cachedChart(deps(mirror.url), 'v1.16.9');
    expect(again.source).toBe('mirror');
    expect(mirror.requests.length).toBe(sent + 2);
    expect(sha256(chartArchive('v1.16.9'))).toBe(again.sha256);
    expect(warnings.join('\n')).toContain(
      'has SHA-256 ' +
        sha256(Buffer.from('changed on disk')) +
        ", not the digest pinned in the action's source"
    );
  });

  it('an archive the mirror swapped (index and archive agreeing) is refused by the pin', async () => {
    const swapped = await Mirror.start();
    try {
      publishChartRepo(swapped, { versions: ['v1.16.8'] });
      const pins = { 'v1.16.8': sha256(Buffer.from('the genuine release')) };
      await expect(cachedChart(deps(swapped.url, pins), 'v1.16.8')).rejects.toThrow(
        /but the action's source pins/
      );
    } finally {
      await swapped.close();
    }
  });

  it('a version without a pin is checked against the index on every use', async () => {
    const noPins = {};
    const first = await cachedChart(deps(mirror.url, noPins), 'v1.16.7');
    expect(first).toMatchObject({ source: 'mirror', pinned: false });
    const sent = mirror.requests.length;
    const again = await cachedChart(deps(mirror.url, noPins), 'v1.16.7');
    expect(again).toMatchObject({ source: 'cache', pinned: false });
    expect(mirror.requests.slice(sent).map((r) => r.path)).toEqual([
      '/flyteorg.github.io/flyte/index.yaml'
    ]);
    writeFileSync(again.file, 'changed on disk');
    const third = await cachedChart(deps(mirror.url, noPins), 'v1.16.7');
    expect(third.source).toBe('mirror');
  });

  it('a version missing from the index names the latest 1.x versions there', async () => {
    await expect(cachedChart(deps(mirror.url), 'v1.16.77')).rejects.toThrow(
      'chart-version v1.16.77 is not in the https://flyteorg.github.io/flyte index (the latest 1.x versions there: v1.17.0, v1.16.10, v1.16.9, v1.16.8, v1.16.7). Set chart-version to one of them.'
    );
    expect(existsSync(chartCacheDir(toolCache, 'v1.16.77'))).toBe(false);
  });
});
