/**
 * The flyte-binary chart repository as the loopback mirror serves it: an index.yaml in Helm's
 * format (entries with version, appVersion, the archive's absolute URL and its SHA-256 digest)
 * and real chart archives (a gzipped tar holding flyte-binary/Chart.yaml), under the paths the
 * action asks for through tool-mirror (publisher host, then path).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { FLYTE_REPO } from '../../src/tools/helm/args.js';
import { chartCacheDir, chartFileName } from '../../src/tools/helm/chart-cache.js';
import { mirrorPath, sha256, type Mirror, type RouteOptions } from './mirror.js';
import { recordChartPin } from './test-pins.js';

/** Versions in the stand-in index, newest first as the real index lists them. */
export const INDEXED_CHART_VERSIONS = ['v1.17.0', 'v1.16.10', 'v1.16.9', 'v1.16.8', 'v1.16.7'];

/** flyte-binary chart versions are v-prefixed; the app version is the Flyte release. */
export const appVersionOf = (version: string) =>
  version === 'v1.16.8' ? '1.16.0' : version.replace(/^v/, '');

/** The archive's publisher URL (flyteorg attaches charts to GitHub releases). */
export const chartUrl = (version: string) =>
  `https://github.com/flyteorg/flyte/releases/download/${version}/flyte-binary-release-${version}.tgz`;

const built = new Map<string, Buffer>();

/** A real chart archive: flyte-binary/Chart.yaml in a gzipped tar. */
export function chartArchive(version: string): Buffer {
  const cached = built.get(version);
  if (cached) return cached;
  const work = mkdtempSync(path.join(tmpdir(), 'chart-'));
  try {
    mkdirSync(path.join(work, 'flyte-binary'));
    writeFileSync(
      path.join(work, 'flyte-binary', 'Chart.yaml'),
      `apiVersion: v2\nname: flyte-binary\nversion: ${version}\nappVersion: ${appVersionOf(version)}\ntype: application\n`
    );
    execFileSync('tar', ['-czf', 'chart.tgz', 'flyte-binary'], { cwd: work });
    const body = readFileSync(path.join(work, 'chart.tgz'));
    built.set(version, body);
    recordChartPin(version, sha256(body));
    return body;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface ChartRepoOptions extends RouteOptions {
  readonly versions?: readonly string[];
  /** Digests the index claims instead of the real ones (a tampered archive). */
  readonly wrongDigest?: boolean;
}

/** Serves index.yaml and every listed version's archive on `mirror`. */
export function publishChartRepo(mirror: Mirror, options: ChartRepoOptions = {}): void {
  const versions = options.versions ?? INDEXED_CHART_VERSIONS;
  const index = {
    apiVersion: 'v1',
    entries: {
      'flyte-binary': versions.map((version) => ({
        apiVersion: 'v2',
        name: 'flyte-binary',
        version,
        appVersion: appVersionOf(version),
        digest: options.wrongDigest
          ? sha256(Buffer.from('another archive'))
          : sha256(chartArchive(version)),
        urls: [chartUrl(version)],
        created: '2026-10-01T00:00:00Z'
      })),
      // Other charts share the index, as in the real repository.
      'flyte-core': [{ name: 'flyte-core', version: 'v1.16.8', urls: ['x.tgz'], digest: '' }]
    },
    generated: '2026-11-24T00:00:00Z'
  };
  mirror.serve(mirrorPath(mirror, `${FLYTE_REPO.url}/index.yaml`), stringify(index), options);
  for (const version of versions) {
    mirror.serve(mirrorPath(mirror, chartUrl(version)), chartArchive(version), options);
  }
}

/** A runner's tool cache that already holds `versions`, as an earlier run leaves it. */
export function keepCharts(toolCache: string, versions: readonly string[]): void {
  for (const version of versions) {
    const dir = chartCacheDir(toolCache, version);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, chartFileName(version)), chartArchive(version));
    writeFileSync(path.join(dir, 'sha256'), `${sha256(chartArchive(version))}\n`);
  }
}
