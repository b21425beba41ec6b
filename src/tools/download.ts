/**
 * The install flow every tool shares: resolve the version, reuse the tool cache, else fetch the
 * publisher's checksum, download while hashing (a tar.gz is extracted as it arrives, into a
 * staging folder inside the tool cache), compare, finish the install (gcloud components), and
 * only then move it into place and mark it complete. A failure at any point leaves nothing in
 * the cache and nothing on PATH.
 *
 * The cache layout is @actions/tool-cache's (`$RUNNER_TOOL_CACHE/TOOL/VERSION/ARCH` plus an
 * `ARCH.complete` marker), so `tc.find` and other actions see our tools. We move the staging
 * folder into place instead of calling `tc.cacheDir`, which copies every file: gcloud holds tens
 * of thousands of them.
 */
import * as tc from '@actions/tool-cache';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StepError } from '../errors.js';
import type { InstalledTool } from '../engine/state.js';
import type { TaskContext } from '../engine/types.js';
import type { ToolVersion } from '../inputs.js';
import { HttpStatusError, type Fetcher } from './http.js';
import { fileSink, tarSink } from './sinks.js';
import { fromSource, type Platform } from './sources.js';
import { useSystemTool, type SystemProbe } from './system.js';

export type InstallableTool = 'terraform' | 'helm' | 'gcloud';

/** What differs between tools; everything else is the shared flow below. */
export interface Recipe {
  readonly tool: InstallableTool;
  /** The action input that chose the version, for messages. */
  readonly inputName: string;
  /** A version known to exist, suggested when the asked one does not. */
  readonly knownGood: string;
  /** The publisher URL that answers the newest version, and how to read its answer. */
  readonly latestUrl: string;
  readonly parseLatest: (body: string) => string | undefined;
  readonly archiveUrl: (version: string, platform: Platform) => string;
  readonly archiveKind: 'zip' | 'tar.gz';
  /** Where the checksum comes from, for the dry run. */
  readonly checksumSource: (version: string, platform: Platform) => string;
  /** The expected SHA-256 of the archive. `text` fetches a publisher URL (mirrored when set). */
  readonly expectedSha256: (
    version: string,
    platform: Platform,
    text: (publisherUrl: string) => Promise<string>
  ) => Promise<string>;
  /** The folder to put on PATH, relative to the extracted archive. */
  readonly binDir: (platform: Platform) => string;
  /** Finishes a fresh install before it is cached (gcloud installs its components here). */
  readonly prepare?: (root: string, ctx: TaskContext) => Promise<void>;
  readonly system: SystemProbe;
}

export interface InstallDeps {
  readonly ctx: TaskContext;
  readonly fetcher: Fetcher;
  readonly platform: Platform;
  readonly mirror: string | undefined;
}

export async function installTool(
  recipe: Recipe,
  wanted: ToolVersion,
  deps: InstallDeps
): Promise<InstalledTool> {
  const { ctx } = deps;
  if (wanted.kind === 'system') return useSystemTool(recipe.system, ctx);

  const version = wanted.kind === 'pinned' ? wanted.version : await resolveLatest(recipe, deps);
  const cacheRoot = requiredDir(ctx, 'RUNNER_TOOL_CACHE');
  const toolDir = path.join(cacheRoot, recipe.tool, version, deps.platform.arch);
  const binDir = (root: string) => path.join(root, recipe.binDir(deps.platform));

  if (isComplete(toolDir)) {
    return { version, source: 'cache', path: binDir(toolDir) };
  }

  const archiveOrigin = fromSource(recipe.archiveUrl(version, deps.platform), deps.mirror);
  const archive = path.join(
    requiredDir(ctx, 'RUNNER_TEMP'),
    `flyte-gke-${recipe.tool}-${randomUUID()}.${recipe.archiveKind}`
  );
  const staging = path.join(cacheRoot, recipe.tool, `.staging-${randomUUID()}`);
  mkdirSync(path.dirname(archive), { recursive: true });
  try {
    const expected = await fetchOrExplain(recipe, version, () =>
      recipe.expectedSha256(version, deps.platform, (url) =>
        deps.fetcher.text(fromSource(url, deps.mirror).url)
      )
    );
    // A tar.gz is extracted while it downloads, each attempt into a fresh folder inside staging.
    let root = staging;
    const open = () => {
      if (recipe.archiveKind === 'zip') return fileSink(archive);
      root = path.join(staging, randomUUID());
      return tarSink(root);
    };
    const { sha256: actual, consumerError } = await fetchOrExplain(recipe, version, () =>
      deps.fetcher.stream(archiveOrigin.url, open)
    );
    if (actual !== expected) {
      throw new StepError(
        'install-tools',
        `${recipe.tool} ${version}: the SHA-256 of ${archiveOrigin.url} is ${actual}, but the publisher's checksum is ${expected}. Nothing was installed. The download was corrupted or tampered with${deps.mirror ? ' (check the mirror)' : ''}; run the job again, and report it if it persists.`
      );
    }
    if (consumerError) {
      throw new StepError(
        'install-tools',
        `${recipe.tool} ${version}: the archive matched its checksum but could not be extracted: ${consumerError.message}`
      );
    }
    if (recipe.archiveKind === 'zip') {
      mkdirSync(staging, { recursive: true });
      await tc.extractZip(archive, staging);
      rmSync(archive, { force: true });
    }
    await recipe.prepare?.(root, ctx);
    promote(root, toolDir);
  } finally {
    rmSync(archive, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
  return { version, source: archiveOrigin.source, path: binDir(toolDir) };
}

/** Installs, puts the tool on PATH, records it in state and says where it came from. */
export async function installAndRecord(
  recipe: Recipe,
  wanted: ToolVersion,
  deps: InstallDeps
): Promise<InstalledTool> {
  const installed = await installTool(recipe, wanted, deps);
  if (installed.source !== 'system') deps.ctx.addPath(installed.path);
  deps.ctx.state.tools[recipe.tool] = installed;
  deps.ctx.log.info(
    `${recipe.tool} ${installed.version} from ${installed.source} (${installed.path})`
  );
  return installed;
}

async function resolveLatest(recipe: Recipe, deps: InstallDeps): Promise<string> {
  const origin = fromSource(recipe.latestUrl, deps.mirror);
  let body: string;
  try {
    body = await deps.fetcher.text(origin.url);
  } catch (error) {
    throw new StepError(
      'install-tools',
      `${recipe.inputName} is 'latest', but the newest ${recipe.tool} version could not be read from ${origin.url}: ${reason(error)}. Pin a version such as ${recipe.knownGood} instead.`
    );
  }
  let parsed: string | undefined;
  try {
    parsed = recipe.parseLatest(body);
  } catch {
    // A mirror's HTML page or a captive portal answers 200 with something else: same advice.
    parsed = undefined;
  }
  const version = parsed?.replace(/^v/, '');
  if (!version || !/^[0-9]+\.[0-9]+\.[0-9]+$/.test(version)) {
    throw new StepError(
      'install-tools',
      `${recipe.inputName} is 'latest', but ${origin.url} did not name a release version. Pin a version such as ${recipe.knownGood} instead.`
    );
  }
  deps.ctx.log.info(`Newest ${recipe.tool} release: ${version}`);
  return version;
}

/** Turns a 404 into "this version does not exist" and other failures into a clear message. */
async function fetchOrExplain<T>(recipe: Recipe, version: string, fetch: () => Promise<T>) {
  try {
    return await fetch();
  } catch (error) {
    if (error instanceof StepError) throw error;
    if (error instanceof HttpStatusError && error.status === 404) {
      throw new StepError(
        'install-tools',
        `${recipe.tool} ${version} was not found: ${error.url} answered HTTP 404. Set ${recipe.inputName} to a published version (for example ${recipe.knownGood}), 'latest' or 'system'.`
      );
    }
    throw new StepError(
      'install-tools',
      `Could not download ${recipe.tool} ${version}: ${reason(error)}. Transient errors were retried; run the job again, or set tool-mirror to a mirror you control.`
    );
  }
}

function isComplete(toolDir: string): boolean {
  return existsSync(toolDir) && existsSync(`${toolDir}.complete`);
}

/** Moves a finished install into place; another job may have won the race, which is fine. */
function promote(staging: string, toolDir: string): void {
  rmSync(toolDir, { recursive: true, force: true }); // a leftover without its marker is partial
  mkdirSync(path.dirname(toolDir), { recursive: true });
  try {
    renameSync(staging, toolDir);
  } catch (error) {
    if (!isComplete(toolDir)) throw error;
    return;
  }
  writeFileSync(`${toolDir}.complete`, '');
}

function requiredDir(ctx: TaskContext, name: 'RUNNER_TOOL_CACHE' | 'RUNNER_TEMP'): string {
  const dir = ctx.env[name];
  if (!dir) {
    throw new StepError(
      'install-tools',
      `${name} is not set. This action runs on GitHub Actions runners, which set it.`
    );
  }
  return dir;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One dry-run line: what would be installed from where, without touching the network. */
export function describeInstall(
  recipe: Recipe,
  wanted: ToolVersion,
  platform: Platform,
  mirror: string | undefined
): string {
  if (wanted.kind === 'system') {
    return `${recipe.tool}: the one on PATH (${recipe.inputName}: system); nothing downloaded.`;
  }
  if (wanted.kind === 'latest') {
    const latest = fromSource(recipe.latestUrl, mirror).url;
    const example = fromSource(recipe.archiveUrl('VERSION', platform), mirror).url;
    return `${recipe.tool}: newest version from ${latest}; tool cache if present, else ${example}, SHA-256 from ${recipe.checksumSource('VERSION', platform)}.`;
  }
  const url = fromSource(recipe.archiveUrl(wanted.version, platform), mirror).url;
  return `${recipe.tool} ${wanted.version}: tool cache if present, else ${url}, SHA-256 from ${recipe.checksumSource(wanted.version, platform)}.`;
}
