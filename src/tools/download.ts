/**
 * The install flow every tool shares: resolve the version, find the archive's digest pinned in
 * the action's source (pins/tool-pins.ts), reuse the tool cache only when the entry still matches
 * the kept archive and that archive still matches the pin, else download the archive to a file,
 * hash it, compare, and only then unpack it (nothing unverified is ever unpacked), finish the
 * install (gcloud components), move it into place with the archive beside it and mark it
 * complete. A failure at any point leaves nothing in the cache and nothing on PATH.
 *
 * A version without a pin is refused unless `allow-unpinned-tools` is set; then the publisher's
 * checksum file (from the same host or mirror as the archive) is all that checks it, the cache
 * is never reused for it, and the run says so on every surface.
 *
 * The cache layout is @actions/tool-cache's (`$RUNNER_TOOL_CACHE/TOOL/VERSION/ARCH` plus an
 * `ARCH.complete` marker), so `tc.find` and other actions see our tools; `ARCH.archive` is the
 * verified download. We move the staging folder into place instead of calling `tc.cacheDir`,
 * which copies every file: gcloud holds tens of thousands of them.
 */
import * as tc from '@actions/tool-cache';
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import path from 'node:path';
import { StepError } from '../errors.js';
import type { InstalledTool } from '../engine/state.js';
import type { TaskContext } from '../engine/types.js';
import type { ToolVersion } from '../inputs.js';
import { HttpStatusError, type Fetcher } from './http.js';
import { checkEntry, sha256OfFile, type ArchiveKind } from './pins/archive-tree.js';
import { fileSink } from './sinks.js';
import { fromSource, type Platform } from './sources.js';
import { useSystemTool, type SystemProbe } from './system.js';
import { moveFile } from './move-file.js';

export type InstallableTool = 'terraform' | 'helm' | 'gcloud' | 'kubectl';

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
  /** `file`: the download is the executable itself (kubectl), named after the tool. */
  readonly archiveKind: ArchiveKind;
  /**
   * The row of pins/tool-pins.ts that vouches for the download, when its file name alone does not
   * name the version and platform (every kubectl download is called `kubectl`).
   */
  readonly pinName?: (version: string, platform: Platform) => string;
  /** Where the publisher's checksum comes from, for the dry run. */
  readonly checksumSource: (version: string, platform: Platform) => string;
  /**
   * The publisher's SHA-256 of the archive, used only for a version without a pin under
   * `allow-unpinned-tools`, read through `from` (mirrored when set).
   */
  readonly expectedSha256: (
    version: string,
    platform: Platform,
    from: PublisherFiles
  ) => Promise<string>;
  /** The folder to put on PATH, relative to the extracted archive. */
  readonly binDir: (platform: Platform) => string;
  /** Finishes a fresh install before it is cached (gcloud installs its components here). */
  readonly prepare?: (root: string, ctx: TaskContext) => Promise<void>;
  /** The install adds files the archive does not hold (gcloud's components). */
  readonly addsFiles?: boolean;
  readonly system: SystemProbe;
}

/** What a recipe reads its publisher's checksum with. */
export interface PublisherFiles {
  /** A publisher URL's body (fetched from the mirror when one is set). */
  readonly text: (publisherUrl: string) => Promise<string>;
  readonly bytes: (publisherUrl: string) => Promise<Buffer>;
  /** The URL actually fetched for a publisher URL, for messages. */
  readonly fetchedUrl: (publisherUrl: string) => string;
  /** Armored OpenPGP keys trusted to sign checksum files (pins/release-keys.ts). */
  readonly releaseKeys: readonly string[];
  readonly mirror: string | undefined;
  readonly log: TaskContext['log'];
}

export interface InstallDeps {
  readonly ctx: TaskContext;
  readonly fetcher: Fetcher;
  readonly platform: Platform;
  readonly mirror: string | undefined;
  /** Archive file name → SHA-256, from the action's source. */
  readonly pins: Readonly<Record<string, string>>;
  /** `allow-unpinned-tools`: a version without a pin is checked by its publisher's checksum only. */
  readonly allowUnpinned: boolean;
  /** Keys that may sign a publisher's checksum file (HashiCorp's; tests add their own). */
  readonly releaseKeys: readonly string[];
}

export const archiveFileName = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/** The key of the download's row in the pin table. */
export const pinKey = (recipe: Recipe, version: string, platform: Platform) =>
  recipe.pinName?.(version, platform) ?? archiveFileName(recipe.archiveUrl(version, platform));

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
  const keptArchive = `${toolDir}.archive`;
  const binDir = (root: string) => path.join(root, recipe.binDir(deps.platform));
  const publisherUrl = recipe.archiveUrl(version, deps.platform);
  const name = pinKey(recipe, version, deps.platform);
  const pinned = deps.pins[name];
  if (!pinned && !deps.allowUnpinned) throw unpinned(recipe, version, name, deps.pins);

  if (isComplete(toolDir)) {
    const problem = pinned
      ? await cacheProblem(recipe, toolDir, keptArchive, pinned)
      : 'its version has no pin, so no cache entry is trusted';
    if (!problem) return { version, source: 'cache', path: binDir(toolDir) };
    ctx.log.warning(
      `${recipe.tool} ${version} in the tool cache (${toolDir}) is not used: ${problem}. Installing it afresh.`
    );
  }

  const archiveOrigin = fromSource(publisherUrl, deps.mirror);
  const archive = path.join(
    requiredDir(ctx, 'RUNNER_TEMP'),
    `flyte-gke-${recipe.tool}-${randomUUID()}.${recipe.archiveKind}`
  );
  const staging = path.join(cacheRoot, recipe.tool, `.staging-${randomUUID()}`);
  mkdirSync(path.dirname(archive), { recursive: true });
  let fromCache = false;
  try {
    const expected =
      pinned ??
      (await fetchOrExplain(recipe, version, () =>
        recipe.expectedSha256(version, deps.platform, publisherFiles(deps))
      ));
    // An archive kept without its unpacked folder (restored from the Actions cache) is used when
    // it still matches the pin; it is then checked and unpacked exactly like a download.
    const kept = pinned !== undefined && (await takeKeptArchive(keptArchive, archive, pinned));
    if (kept && kept !== true)
      ctx.log.warning(`${recipe.tool} ${version}: ${kept} Downloading it.`);
    fromCache = kept === true;
    const actual =
      kept === true
        ? pinned!
        : (
            await fetchOrExplain(recipe, version, () =>
              deps.fetcher.stream(archiveOrigin.url, () => fileSink(archive))
            )
          ).sha256;
    if (actual !== expected) {
      throw new StepError(
        'install-tools',
        `${recipe.tool} ${version}: the SHA-256 of ${archiveOrigin.url} is ${actual}, but ${pinned ? "the digest pinned in the action's source" : "the publisher's checksum"} is ${expected}. Nothing was unpacked or installed. The download was corrupted or tampered with${deps.mirror ? ' (check the mirror)' : ''}; run the job again, and report it if it persists.`
      );
    }
    // Only now, with the hash matched, is the archive unpacked.
    mkdirSync(staging, { recursive: true });
    try {
      await unpack(recipe, archive, staging);
    } catch (error) {
      throw new StepError(
        'install-tools',
        `${recipe.tool} ${version}: the archive matched its digest but could not be extracted: ${reason(error)}`
      );
    }
    await recipe.prepare?.(staging, ctx);
    promote(staging, toolDir, archive);
  } finally {
    rmSync(archive, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
  return { version, source: fromCache ? 'cache' : archiveOrigin.source, path: binDir(toolDir) };
}

/**
 * Moves a kept archive to `to` and hashes it there: true when it matches the pin, a sentence
 * saying why not (and nothing left at `to`), or false when none is kept.
 */
async function takeKeptArchive(
  keptArchive: string,
  to: string,
  pinned: string
): Promise<boolean | string> {
  if (!existsSync(keptArchive)) return false;
  moveFile(keptArchive, to);
  const actual = await sha256OfFile(to);
  if (actual === pinned) return true;
  rmSync(to, { force: true });
  return `the kept archive ${keptArchive} has SHA-256 ${actual}, not the pinned ${pinned}, so it is not used.`;
}

/** Unpacks a verified archive, or puts a verified single binary in place as an executable. */
async function unpack(recipe: Recipe, archive: string, staging: string): Promise<void> {
  if (recipe.archiveKind === 'zip') await tc.extractZip(archive, staging);
  else if (recipe.archiveKind === 'tar.gz') await tc.extractTar(archive, staging);
  else {
    const binary = path.join(staging, recipe.tool);
    copyFileSync(archive, binary);
    chmodSync(binary, 0o755);
  }
}

function publisherFiles(deps: InstallDeps): PublisherFiles {
  const fetchedUrl = (url: string) => fromSource(url, deps.mirror).url;
  return {
    text: (url) => deps.fetcher.text(fetchedUrl(url)),
    bytes: (url) => deps.fetcher.bytes(fetchedUrl(url)),
    fetchedUrl,
    releaseKeys: deps.releaseKeys,
    mirror: deps.mirror,
    log: deps.ctx.log
  };
}

/** Why a complete cache entry cannot be trusted, or undefined when it matches its pin. */
async function cacheProblem(
  recipe: Recipe,
  toolDir: string,
  keptArchive: string,
  pinned: string
): Promise<string | undefined> {
  if (!existsSync(keptArchive)) return 'the archive it was unpacked from is not kept beside it';
  let check;
  try {
    check = await checkEntry(
      keptArchive,
      recipe.archiveKind,
      toolDir,
      recipe.addsFiles === true,
      pinned,
      recipe.tool
    );
  } catch (error) {
    return `its kept archive cannot be read (${reason(error)})`;
  }
  if (check.sha256 !== pinned) {
    return `its kept archive has SHA-256 ${check.sha256}, not the pinned ${pinned}`;
  }
  return check.mismatch ? `it was changed after install (${check.mismatch})` : undefined;
}

function unpinned(
  recipe: Recipe,
  version: string,
  name: string,
  pins: Readonly<Record<string, string>>
): StepError {
  const known = [
    ...new Set(
      Object.keys(pins)
        .filter((pin) => pin.includes(recipe.tool === 'gcloud' ? 'google-cloud-cli' : recipe.tool))
        .map((pin) => /[-_]v?([0-9]+\.[0-9]+\.[0-9]+)[-_]/.exec(pin)?.[1] ?? pin)
    )
  ];
  return new StepError(
    'install-tools',
    `${recipe.tool} ${version}: the action has no pinned SHA-256 for ${name}, so it cannot tell a genuine archive from one a mirror, cache or checksum file was made to match. Set ${recipe.inputName} to a pinned version (${known.join(', ') || 'none for this platform'}), to 'system' with ${recipe.tool} installed in an earlier step, or set allow-unpinned-tools: true to trust the publisher's checksum file alone (unsafe, and announced as such).`
  );
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

/**
 * Moves a finished install into place with its verified archive; another job may have won the
 * race, which is fine (its entry is checked against the pin like any other).
 */
function promote(staging: string, toolDir: string, archive: string): void {
  rmSync(toolDir, { recursive: true, force: true }); // a leftover without its marker is partial
  mkdirSync(path.dirname(toolDir), { recursive: true });
  try {
    renameSync(staging, toolDir);
  } catch (error) {
    if (!isComplete(toolDir)) throw error;
    return;
  }
  moveFile(archive, `${toolDir}.archive`);
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
    return `${recipe.tool}: newest version from ${latest}; tool cache if present, else ${example}; ${pinCheck(recipe, 'VERSION', platform)}`;
  }
  const url = fromSource(recipe.archiveUrl(wanted.version, platform), mirror).url;
  return `${recipe.tool} ${wanted.version}: tool cache if present, else ${url}; ${pinCheck(recipe, wanted.version, platform)}`;
}

/** What decides an archive may run (src/tools/pins/); the publisher's checksum only without a pin. */
const pinCheck = (recipe: Recipe, version: string, platform: Platform) =>
  `its SHA-256 must equal the digest pinned in the action's source, checked before ${recipe.archiveKind === 'file' ? 'it is made executable' : 'unpacking'} and on every use of the tool cache (a version without a pin is refused unless allow-unpinned-tools is true, and then checked against ${recipe.checksumSource(version, platform)}).`;
