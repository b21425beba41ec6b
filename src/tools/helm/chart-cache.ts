/**
 * The flyte-binary chart as a file in the runner's tool cache. The repository's index.yaml says
 * where the chart archive is and its SHA-256 (`digest`); the archive is downloaded and must match
 * both that digest and the one pinned in the action's source (pins/chart-pins.ts), then kept.
 * Every later use hashes the kept file against the pin again, so a file rewritten in the cache
 * (with anything written beside it) is refused; with a pin, later runs fetch nothing.
 * A version without a pin is checked against the index on every use, fetched afresh, and the
 * run warns. Both URLs go through `tool-mirror` like every other download.
 *
 * Helm itself (`helm repo add` + `helm pull`) refreshes the whole index on every run and does not
 * check the archive against the index's digest; doing it here does both.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { StepError } from '../../errors.js';
import { HttpStatusError, type Fetcher } from '../http.js';
import { fileSink } from '../sinks.js';
import { fromSource, type ToolSource } from '../sources.js';
import { FLYTE_REPO } from './args.js';

export const CHART_NAME = 'flyte-binary';

export interface CachedChart {
  readonly file: string;
  readonly sha256: string;
  readonly source: ToolSource | 'cache';
  /** The digest came from the action's source, not only from the repository index. */
  readonly pinned: boolean;
}

export interface ChartCacheDeps {
  readonly fetcher: Fetcher;
  /** RUNNER_TOOL_CACHE. */
  readonly toolCache: string;
  readonly mirror: string | undefined;
  /** Chart version → SHA-256, from the action's source. */
  readonly pins: Readonly<Record<string, string>>;
  /** Told when a kept archive is refused. */
  readonly warn: (message: string) => void;
}

/** Where a chart version is kept: `$RUNNER_TOOL_CACHE/flyte-gke-charts/flyte-binary/VERSION`. */
export function chartCacheDir(toolCache: string, version: string): string {
  return path.join(toolCache, 'flyte-gke-charts', CHART_NAME, version);
}

export function chartFileName(version: string): string {
  return `${CHART_NAME}-${version}.tgz`;
}

const sha256Of = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The kept archive when it is there and matches `expected` (a pin or the index's digest). */
export function keptChart(
  toolCache: string,
  version: string,
  expected: string,
  pinned: boolean
): CachedChart | { readonly refused: string } | undefined {
  const file = path.join(chartCacheDir(toolCache, version), chartFileName(version));
  if (!existsSync(file)) return undefined;
  const actual = sha256Of(file);
  if (actual === expected) return { file, sha256: expected, source: 'cache', pinned };
  return {
    refused: `the kept ${file} has SHA-256 ${actual}, not the ${pinned ? "digest pinned in the action's source" : "repository index's digest"} ${expected}; it was changed after it was fetched and is not used`
  };
}

interface IndexEntry {
  readonly version?: unknown;
  readonly digest?: unknown;
  readonly urls?: unknown;
}

/** The index's entry for `version`, or a StepError listing the nearest 1.x versions. */
export function findIndexEntry(
  indexText: string,
  version: string
): { url: string; digest: string } {
  let index: { entries?: Record<string, IndexEntry[]> };
  try {
    index = parse(indexText) as typeof index;
  } catch (error) {
    throw new StepError(
      'chart-fetch',
      `The chart repository's index.yaml is not YAML: ${(error as Error).message}`
    );
  }
  const entries = index?.entries?.[CHART_NAME] ?? [];
  const entry = entries.find((e) => String(e.version) === version);
  if (!entry) {
    const v1 = entries
      .map((e) => String(e.version))
      .filter((v) => /^v1\.\d+\.\d+$/.test(v))
      .slice(0, 5);
    throw new StepError(
      'chart-fetch',
      `chart-version ${version} is not in the ${FLYTE_REPO.url} index${v1.length ? ` (the latest 1.x versions there: ${v1.join(', ')})` : ''}. Set chart-version to one of them.`
    );
  }
  const urls = Array.isArray(entry.urls) ? entry.urls.map(String) : [];
  const digest = typeof entry.digest === 'string' ? entry.digest.toLowerCase() : '';
  if (urls.length === 0 || !/^[0-9a-f]{64}$/.test(digest)) {
    throw new StepError(
      'chart-fetch',
      `The ${FLYTE_REPO.url} index lists ${CHART_NAME} ${version} without a chart URL or SHA-256 digest, so it cannot be checked; nothing was installed.`
    );
  }
  // URLs in an index may be relative to the repository.
  return { url: new URL(urls[0]!, `${FLYTE_REPO.url}/`).href, digest };
}

/** The chart archive for `version`: the kept one when it still matches, else fetched and kept. */
export async function cachedChart(deps: ChartCacheDeps, version: string): Promise<CachedChart> {
  const pin = deps.pins[version];
  let entry: { url: string; digest: string } | undefined;
  if (!pin) entry = findIndexEntry(await readIndex(deps), version);
  const expected = pin ?? entry!.digest;
  const kept = keptChart(deps.toolCache, version, expected, pin !== undefined);
  if (kept && !('refused' in kept)) return kept;
  if (kept) deps.warn(`${CHART_NAME} ${version}: ${kept.refused}. Fetching it again.`);
  entry ??= findIndexEntry(await readIndex(deps), version);
  if (entry.digest !== expected) {
    throw new StepError(
      'chart-fetch',
      `${CHART_NAME} ${version}: the repository index${deps.mirror ? ' (through the mirror)' : ''} gives SHA-256 ${entry.digest}, but the action's source pins ${expected}. Nothing was installed; the index or mirror was changed, or the release was replaced upstream.`
    );
  }
  const origin = fromSource(entry.url, deps.mirror);
  const dir = chartCacheDir(deps.toolCache, version);
  mkdirSync(dir, { recursive: true });
  const partial = path.join(dir, `.download-${randomUUID()}`);
  try {
    const { sha256 } = await deps.fetcher
      .stream(origin.url, () => fileSink(partial))
      .catch((error: unknown) => {
        throw new StepError(
          'chart-fetch',
          `Could not download ${CHART_NAME} ${version} from ${origin.url}: ${(error as Error).message}. Run the job again, or set tool-mirror to a mirror you control.`
        );
      });
    if (sha256 !== expected) {
      throw new StepError(
        'chart-fetch',
        `${CHART_NAME} ${version}: the SHA-256 of ${origin.url} is ${sha256}, but ${pin ? "the digest pinned in the action's source" : 'the repository index says'} ${expected}. Nothing was installed; the download was corrupted or tampered with${deps.mirror ? ' (check the mirror)' : ''}.`
      );
    }
    const file = path.join(dir, chartFileName(version));
    renameSync(partial, file);
    return { file, sha256: expected, source: origin.source, pinned: pin !== undefined };
  } finally {
    rmSync(partial, { force: true });
  }
}

async function readIndex(deps: ChartCacheDeps): Promise<string> {
  const indexOrigin = fromSource(`${FLYTE_REPO.url}/index.yaml`, deps.mirror);
  return deps.fetcher.text(indexOrigin.url).catch((error: unknown) => {
    throw new StepError(
      'chart-fetch',
      `Could not read the chart repository index ${indexOrigin.url}: ${(error as Error).message}.${error instanceof HttpStatusError ? '' : ' Transient errors were retried;'} Run the job again, or set tool-mirror to a mirror you control.`
    );
  });
}
